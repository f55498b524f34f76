"""Snippets with the matched words marked, computed from the original text."""

import re
from functools import lru_cache

from markupsafe import Markup, escape

from guichet.search.analysis import english_term, index_term

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def _term(word: str) -> str | None:
    """The index term of one word as written (None for a stop word); words repeat a lot."""
    return index_term(word.lower())


@lru_cache(maxsize=65536)
def _english(word: str) -> str | None:
    return english_term(word.lower())


def _matches(word: str, terms: set[str], english: set[str]) -> bool:
    return _term(word) in terms or bool(english and _english(word) in english)


def matched_spans(text: str, terms: set[str], english: set[str] = frozenset()) -> list[tuple[int, int]]:
    """Spans of the words whose French term is in ``terms`` or English term in ``english``."""
    return [match.span() for match in _WORD.finditer(text) if _matches(match.group(), terms, english)]


def mark(text: str, spans) -> Markup:
    pieces, position = [], 0
    for start, end in spans:
        pieces.append(escape(text[position:start]))
        pieces.append(Markup("<mark>%s</mark>") % text[start:end])
        position = end
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def highlight(text: str, terms: set[str], english: set[str] = frozenset()) -> Markup | None:
    """The whole text with matches marked, or None when nothing matched."""
    spans = matched_spans(text or "", terms, english)
    return mark(text, spans) if spans else None


def highlights_for(title: str, summary: str, description: str, terms: set[str],
                   english: set[str] = frozenset()) -> dict[str, Markup]:
    """The title with its matches marked, and one snippet: from the summary, else the description."""
    marked = {}
    title_marked = highlight(title, terms, english)
    if title_marked is not None:
        marked["title"] = title_marked
    for field, text in (("summary", summary), ("description", description)):
        text_snippet = snippet(text, terms, english=english)
        if text_snippet is not None:
            marked[field] = text_snippet
            break
    return marked


def snippet(text: str, terms: set[str], size: int = 240, english: set[str] = frozenset()) -> Markup | None:
    """A window of about ``size`` characters around the first match, or None."""
    text = text or ""
    words = _WORD.finditer(text)
    first_start = next((match.start() for match in words if _matches(match.group(), terms, english)), None)
    if first_start is None:
        return None
    start = max(0, first_start - size // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first_start else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first_start else end
    # the words of the window only: a long description is not scanned past it
    window = []
    for match in _WORD.finditer(text, first_start):
        if match.end() > end:
            break
        if _matches(match.group(), terms, english):
            window.append((match.start() - start, match.end() - start))
    marked = mark(text[start:end], window)
    prefix = Markup("… ") if start > 0 else Markup("")
    suffix = Markup(" …") if end < len(text) else Markup("")
    return prefix + marked + suffix
