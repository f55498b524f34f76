"""Themes: categories of Aides-territoires-style sources, keyword rules for the others."""

from __future__ import annotations

from functools import lru_cache

from guichet.programmes.themes import KEYWORD_RULES, expand, map_aides_territoires_categories
from guichet.text import terms as analyse


def themes_from_categories(categories) -> list[str]:
    """Aides-territoires-style categories onto our taxonomy (sub-themes imply their theme)."""
    return expand(map_aides_territoires_categories(categories))


@lru_cache(maxsize=1)
def _keyword_phrases() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    return tuple((slug, tuple(tuple(analyse(word)) for word in words if analyse(word)))
                 for slug, words in KEYWORD_RULES.items())


def themes_from_text(*texts, rules: dict | None = None) -> list[str]:
    """Keyword rules (``KEYWORD_RULES`` unless ``rules`` is given) matched on analysed words,
    for sources without categories."""
    tokens = analyse(" ".join(text for text in texts if text))
    if not tokens:
        return []
    joined = " " + " ".join(tokens) + " "
    phrases_by_theme = _keyword_phrases() if rules is None else tuple(
        (slug, tuple(tuple(analyse(word)) for word in words if analyse(word))) for slug, words in rules.items())
    found = [slug for slug, phrases in phrases_by_theme
             if any(" " + " ".join(phrase) + " " in joined for phrase in phrases)]
    return expand(found)
