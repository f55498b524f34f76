"""Aides-territoires categories → our themes: the category names as their API writes them.

Two forms are read: « Thème|Catégorie » (the Django-era API, 2018–2023) and « Thème /
Catégorie » (the current, Symfony-era API; the theme itself holds slashes: « Urbanisme /
logement / aménagement / Espaces verts »), and a bare category name (catalogues built on
Aides-territoires, e.g. the Drôme's). The tables themselves are in
``guichet.programmes.themes`` (AIDES_TERRITOIRES_THEMES, AIDES_TERRITOIRES_CATEGORIES).
Evidence: the 2021/2022 API dumps and the 2024 records (PROVENANCE-2.md), and
MTES-MCT/aides-territoires-symfony, ``src/Entity/Category/Category.php`` (a category belongs
to one ``CategoryTheme``).
"""

from __future__ import annotations

from guichet.programmes.themes import AIDES_TERRITOIRES_THEMES, expand, map_aides_territoires_categories


def split_category(raw) -> str:
    """« Thème / Catégorie » → « Thème|Catégorie » (the form the table reads); other forms as they are."""
    name = " ".join(str(raw or "").split())
    if "|" in name:
        return name
    folded = name.lower()
    for theme in sorted(AIDES_TERRITOIRES_THEMES, key=len, reverse=True):
        if folded.startswith(theme + " / "):
            return f"{name[:len(theme)]}|{name[len(theme) + 3:]}"
    if " / " in name:  # an unknown theme: the category is after the last slash
        theme, _, category = name.rpartition(" / ")
        return f"{theme}|{category}"
    return name


def themes_of_categories(categories) -> list[str]:
    return expand(map_aides_territoires_categories([split_category(raw) for raw in categories or []]))
