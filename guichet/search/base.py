"""The search backend protocol: what the embedded SQLite FTS5 backend and the Elasticsearch
backend both implement, so that pages, API and digests never know which one runs.

Documents are plain dicts built by ``guichet.search.documents.programme_document`` from
published programmes. Hits carry ids (the store stays the truth for display), a score and
highlighted snippets.
"""

from dataclasses import dataclass, field
from typing import Iterable, Protocol

from markupsafe import Markup

from guichet.search.params import FACET_LABELS
from guichet.search.query import SearchQuery

# Facets every backend returns, keyed as in the API's "facets" object (the SearchQuery fields
# of the parameters declared ``facet`` in guichet.search.params).
FACET_FIELDS = tuple(FACET_LABELS)


class SearchUnavailable(RuntimeError):
    """The search backend cannot answer now (node down, index missing ...)."""


@dataclass
class Hit:
    id: str
    score: float | None = None
    # Field name ("title", "summary", "description") → snippet with <mark> around matches.
    highlights: dict[str, Markup] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    # Facet name → {value: count}; counts of a facet ignore that facet's own filter
    # (so that every choice of a multi-select shows what it would add).
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # The text as searched when the backend corrected words (« éclairage public »), else None.
    corrected_text: str | None = None
    # Where the backend knows them cheaply (SQLite: bitmaps it already has), for the
    # suggestions of a query of 2+ concepts: (programmes covering every concept, programmes
    # covering all concepts but the i-th, for each i), filters applied. None: the service
    # asks the backend with extra searches instead.
    coverage_counts: tuple[int, tuple[int, ...]] | None = None


class SearchBackend(Protocol):
    name: str

    def index(self, documents: Iterable[dict]) -> int:
        """Add or replace documents; returns how many were indexed."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents; unknown ids are ignored."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run a parsed query: filters, facets, sort and page."""

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Replace the whole index with ``documents`` without interrupting searches."""

    def health(self) -> dict:
        """State of the backend; raises SearchUnavailable when it is down."""

    def count(self) -> int:
        """How many documents the index holds."""
