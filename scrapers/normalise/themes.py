"""Themes: categories of Aides-territoires-style sources, keyword rules for the others.

The Aides-territoires table is ``scrapers/tables/aides_territoires_categories.csv`` (one line
per theme or category label, folded to lower case, and the Guichet theme it maps to), a file
curators can read and correct. Categories arrive as « Thème|Catégorie » (the Django-era API),
« Thème / Catégorie » (the current API; the theme itself holds slashes: « Urbanisme / logement
/ aménagement / Espaces verts ») or a bare category name (catalogues built on
Aides-territoires, such as the Drôme's). Evidence: the 2021/2022 API dumps and the 2024
records (reference/sources/PROVENANCE-2.md).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from guichet.programmes.themes import KEYWORD_RULES, THEME_LABELS, expand
from guichet.text import terms as analyse

TABLE = Path(__file__).resolve().parent.parent / "tables" / "aides_territoires_categories.csv"


@lru_cache(maxsize=1)
def aides_territoires_tables() -> tuple[dict, dict]:
    """(theme label → slug, category label → slug) from the CSV; an unknown slug is an error."""
    themes, categories = {}, {}
    with TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            slug = row["thème Guichet"].strip()
            if slug not in THEME_LABELS:
                raise ValueError(f"{TABLE.name} : thème inconnu « {slug} »")
            (themes if row["niveau"].strip() == "thème" else categories)[row["libellé Aides-territoires"].strip()] = slug
    return themes, categories


def split_category(raw) -> tuple[str | None, str]:
    """(theme, category) of « Thème|Catégorie », « Thème / Catégorie » or « Catégorie », lower case."""
    name = " ".join(str(raw or "").split()).lower()
    if "|" in name:
        theme, _, category = name.partition("|")
        return theme.strip(), category.strip()
    themes, _categories = aides_territoires_tables()
    for theme in sorted(themes, key=len, reverse=True):
        if name.startswith(theme + " / "):
            return theme, name[len(theme) + 3:].strip()
    if " / " in name and name not in _categories and name not in themes:
        theme, _, category = name.rpartition(" / ")  # an unknown theme: the category is after the last slash
        return theme, category
    return None, name


def map_aides_territoires_categories(categories) -> list[str]:
    """Their categories onto our slugs (the category first, else its theme)."""
    themes, known = aides_territoires_tables()
    slugs = []
    for raw in categories or []:
        theme, category = split_category(raw)
        slug = known.get(category) or (themes.get(theme) if theme else None) or themes.get(category)
        if slug and slug not in slugs:
            slugs.append(slug)
    return slugs


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
