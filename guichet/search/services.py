"""Searching programmes: what the search page, the API, the commune page and digests call."""

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, has_app_context
from sqlalchemy import bindparam, select
from sqlalchemy.orm import defer

from guichet.db import get_session
from guichet.text import match_key
from guichet.programmes.models import Programme
from guichet.programmes.themes import THEMES, theme_label
from guichet.search import get_backend
from guichet.search.base import Hit
from guichet.search.params import FACET_LABELS
from guichet.search.params import OPEN_FACETS
from guichet.search.query import SearchQuery, funder_key, parse_search


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class ResultItem:
    programme: Programme | None  # None from search(..., load_programmes=False)
    hit: Hit
    updated_at: datetime | None = None  # the store's stamp of the programme's last change


@dataclass
class Suggestion:
    """Another search to offer when results are weak: « Essayez sans « mairie » : 2 programmes »."""

    kind: str  # "without" (drop a word) or "theme"
    label: str  # the word to drop, or the theme's label
    count: int
    params: dict


@dataclass
class SearchPage:
    query: SearchQuery
    total: int
    items: list[ResultItem]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # The text as searched when words were corrected, else None.
    corrected_text: str | None = None
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


COMMUNE_RESOLVER = "guichet.search.commune_resolver"


def register_commune_resolver(app, resolver) -> None:
    """``resolver(insee_code)`` → the commune's Eligibility, or None when the code is unknown.

    guichet.communes registers it: search knows what a commune can apply for (Eligibility),
    not where communes come from, so that communes depends on search and never the reverse."""
    app.extensions[COMMUNE_RESOLVER] = resolver


def resolve_commune(code: str):
    """The commune's eligibility, or None when the code is unknown (or no resolver is registered)."""
    resolver = current_app.extensions.get(COMMUNE_RESOLVER) if has_app_context() else None
    return resolver(code) if resolver is not None else None


def parse(args, today: date | None = None, max_per_page: int = 100, strict: bool = False) -> SearchQuery:
    """``strict``: unknown parameters are refused (API, feeds, exports), not ignored (pages)."""
    return parse_search(args, today=today, commune_resolver=resolve_commune, max_per_page=max_per_page,
                        strict=strict)


RESULT_DEFERRED = (defer(Programme.raw_payload), defer(Programme.source_values), defer(Programme.curated_fields))


def search(query: SearchQuery, load_programmes: bool = True) -> SearchPage:
    """The page of results with labelled facets. ``load_programmes=False``: the items carry the
    programme's id and last-change stamp only (the API builds records from its cache, loading
    only what changed: ``load_results``)."""
    result = get_backend().search(query)
    session = get_session()
    ids = [hit.id for hit in result.hits]
    if load_programmes:
        programmes = load_results(session, ids)
        # The index can lag the store by a moment: a hit whose programme is gone is left out.
        items = [ResultItem(programmes[hit.id], hit, programmes[hit.id].updated_at)
                 for hit in result.hits if hit.id in programmes]
    else:
        stamps = _stamps(session, ids)
        items = [ResultItem(None, hit, stamps[hit.id]) for hit in result.hits if hit.id in stamps]
    return SearchPage(query=query, total=result.total, items=items, facets=label_facets(result.facets, query),
                      corrected_text=result.corrected_text, suggestions=suggestions(query, result.total, result.coverage_counts))


# -- funders (« porteurs d’aide », issue 17) -------------------------------------------------
MAX_FUNDER_QUERY_LENGTH = 100
MAX_FUNDER_LIMIT = 50


def find_funders(text: str = "", limit: int = 10, today: date | None = None) -> list[FacetValue]:
    """The funders of open and upcoming programmes whose name holds the typed words, each as
    the start of one of its words, case and accents aside (« ade » finds « ADEME », « ile de
    fr » « Région Île-de-France »), with their programmes counted: names that start with
    the text first, then the most frequent. No text: the most frequent funders."""
    counts = get_backend().search(SearchQuery(per_page=1, funder_facet_size=None,
                                              today=today or date.today())).facets.get("funders", {})
    typed = match_key(text)
    typed_words = typed.split()
    found = []
    for name, count in counts.items():
        key = match_key(name)
        name_words = key.split()
        if all(any(word.startswith(part) for word in name_words) for part in typed_words):
            found.append((not key.startswith(typed), -count, name))
    return [FacetValue(name, name, -count) for _later, count, name in sorted(found)[:limit]]


# Fewer programmes than this cover every word: the page offers other searches.
WEAK_RESULTS = 3


def suggestions(query: SearchQuery, total: int, coverage_counts=None) -> list[Suggestion]:
    """When few programmes cover every concept: the query without its least useful word (the
    one whose removal leaves most programmes covering all the others), and the themes whose
    names hold the words. Filters are kept as they are. ``coverage_counts``: those counts as
    the backend already knew them (SearchResult.coverage_counts), else extra searches ask."""
    if not query.has_text or query.page != 1:
        return []
    backend = get_backend()
    found = []
    clauses = query.clauses
    complete = total
    if coverage_counts is not None and len(coverage_counts[1]) != len(clauses):
        coverage_counts = None  # counted over other concepts (a loosened search): ask again
    if len(clauses) >= 2:
        if coverage_counts is not None:
            complete = coverage_counts[0]
        else:
            complete = backend.search(query.without(min_coverage=len(clauses), per_page=1, sort="pertinence")).total
        if complete < WEAK_RESULTS:
            best = None
            for index, clause in enumerate(clauses):
                others = clauses[:index] + clauses[index + 1:]
                if coverage_counts is not None and (coverage_counts[1][index] or len(others) > 1):
                    count = coverage_counts[1][index]
                else:  # (one concept left and none of it: the search loosens to its words)
                    count = backend.search(query.without(clauses=others, min_coverage=len(others), per_page=1,
                                                         sort="pertinence")).total
                if count > complete and (best is None or count > best[0]):
                    best = (count, index)
            if best is not None:
                count, index = best
                dropped = _typed_word(query.corrected_text or query.text, clauses[index])
                kept = _without_word(query.corrected_text or query.text, dropped)
                found.append(Suggestion("without", dropped, count, {"q": kept}))
    if complete < WEAK_RESULTS:
        terms = query.highlight_terms()
        for slug, label in _theme_terms():
            if slug not in query.themes and terms & label[1]:
                found.append(Suggestion("theme", label[0], 0, {"theme": slug}))
    return found[:4]


def _typed_word(text: str, clause) -> str:
    from guichet.search.highlight import matched_spans

    spans = matched_spans(text, set(clause.typed))
    if not spans:
        return " ".join(clause.typed)
    return text[spans[0][0]:spans[-1][1]]


def _without_word(text: str, word: str) -> str:
    return " ".join(text.replace(word, " ", 1).split())


def _theme_terms():
    from guichet.programmes.themes import THEMES
    from guichet.search.analysis import analyse

    pairs = []
    for theme in THEMES:
        pairs.append((theme.slug, (theme.label, set(analyse(theme.label)))))
        for sub_slug, sub_label in theme.subthemes.items():
            pairs.append((f"{theme.slug}/{sub_slug}", (sub_label, set(analyse(sub_label)))))
    return pairs


def _stamps(session, ids) -> dict[str, datetime]:
    """Last-change stamps by id, through the session's connection (no ORM: two columns)."""
    if not ids:
        return {}
    return dict(session.connection().execute(_STAMPS, {"ids": list(ids)}).all())


# Built once: the compiled form is cached by SQLAlchemy, the ids bound per call.
_STAMPS = select(Programme.__table__.c.id, Programme.__table__.c.updated_at).where(
    Programme.__table__.c.id.in_(bindparam("ids", expanding=True)))


def load_results(session, ids) -> dict[str, Programme]:
    """The programmes of a page of results, by id."""
    if not ids:
        return {}
    # A page of results never shows the source's raw payload nor the curation bookkeeping: the
    # largest JSON columns are left in the store (decoding them cost more than the rest).
    statement = select(Programme).where(Programme.id.in_(ids)).options(*RESULT_DEFERRED)
    return {programme.id: programme for programme in session.scalars(statement)}


def _chosen(value) -> frozenset:
    """A query field's chosen values as facet values: a set as it is, a threshold as its string."""
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    return frozenset() if value is None else frozenset({str(value)})


def label_facets(facets: dict[str, dict[str, int]], query: SearchQuery) -> dict[str, list[FacetValue]]:
    selected = {name: _chosen(getattr(query, name)) for name in FACET_LABELS}
    labelled = {}
    for name, counts in facets.items():
        chosen = selected.get(name, frozenset())
        if name == "funders":
            # the most frequent first, as the backend counted them; a chosen one without
            # programmes is kept as typed (« ademe » is « ADEME » when counted)
            # A chosen funder keeps the value its URL holds (« etat », to untick it) under the
            # name the index spells (« État »); one without programmes left keeps its value.
            counted = {funder_key(value) for value in counts}
            chosen_by_key = {funder_key(value): value for value in sorted(chosen)}
            values = [FacetValue(chosen_by_key.get(funder_key(value), value), value, count,
                                 funder_key(value) in chosen_by_key) for value, count in counts.items()]
            values += [FacetValue(value, value, 0, True) for value in sorted(chosen)
                       if funder_key(value) not in counted]
        elif name == "themes":
            # Top-level themes in taxonomy order; sub-themes only under a chosen theme.
            values = []
            for theme in THEMES:
                if counts.get(theme.slug) or theme.slug in chosen:
                    values.append(FacetValue(theme.slug, theme.label, counts.get(theme.slug, 0), theme.slug in chosen))
                if theme.slug in chosen or any(value.startswith(theme.slug + "/") for value in chosen):
                    for sub_slug in theme.subthemes:
                        slug = f"{theme.slug}/{sub_slug}"
                        if counts.get(slug) or slug in chosen:
                            values.append(FacetValue(slug, theme_label(slug), counts.get(slug, 0), slug in chosen))
        elif name in OPEN_FACETS:
            values = open_facet_values(counts, chosen)
        else:
            labels = FACET_LABELS[name]
            values = [FacetValue(value, labels.label(value), counts.get(value, 0), value in chosen)
                      for value in labels if counts.get(value) or value in chosen]
        labelled[name] = values
    return labelled


def open_facet_values(counts: dict[str, int], chosen) -> list[FacetValue]:
    """The values of an open facet (aid programmes: names, their own labels), one per programme
    whatever its spellings (``counts_by_key``): the most programmes first, then in alphabetical
    order; a chosen one is selected in any spelling, and kept even at zero."""
    from guichet.programmes.aid_programmes import counts_by_key, programme_key
    from guichet.text import fold

    chosen_keys = {programme_key(value): value for value in chosen}
    merged = counts_by_key(counts)
    values = [FacetValue(name, name, count, programme_key(name) in chosen_keys)
              for name, count in merged.items() if count]
    present = {programme_key(name) for name in merged if merged[name]}
    values += [FacetValue(name, name, 0, True) for key, name in chosen_keys.items() if key not in present]
    return sorted(values, key=lambda item: (-item.count, fold(item.label)))
