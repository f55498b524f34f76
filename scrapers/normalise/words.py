"""The folding keys that the scrapers' mapping tables are written in, and small list helpers
(folding itself is ``guichet.text``'s)."""

from __future__ import annotations

from guichet.text import match_key


def key(value: str) -> str:
    """« Intercommunalité / Pays » → « intercommunalite pays »; apostrophes kept (« d'etat »)."""
    return match_key(str(value), apostrophes=True)


_key = key  # the name the source modules used before the split


def dedupe(values) -> list:
    return [value for value in dict.fromkeys(value for value in values if value)]
