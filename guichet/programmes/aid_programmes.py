"""The aid programmes a programme belongs to (« Fonds vert - Édition 2024 », « Petites villes de
demain », « France Relance »): Aides-territoires' « programmes d'aides », a family of aids that
people look for by name.

An open list: the names are the sources' (and the team's), not a vocabulary of ours. A name is
the value everywhere — in the store, the search URL (``aid_programme=``), facets and the
description of a search — so that none of them needs a look-up to show it. Two spellings of one
name are one programme through ``programme_key`` (folded words: case, accents, apostrophes,
spaces and punctuation aside: « Action Cœur de Ville » and « Action cœur de ville », « l’Économie »
and « l'Économie »): the record check keeps one spelling per programme, the search indexes and
matches the keys, and a facet counts the names by key under their most frequent spelling
(``counts_by_key``).

Not to be confused with the territorial conditions (``guichet.programmes.conditions``): « réservé
aux communes Petites villes de demain » is who may apply; belonging to the programme « Petites
villes de demain » is which family the aid is part of (many such aids are open to all).
"""

from guichet.text import slugify

MAX_NAME_LENGTH = 200
MAX_AID_PROGRAMMES = 20


class InvalidAidProgramme(ValueError):
    """A value of ``aid_programmes`` that cannot be a programme's name; ``message`` is French."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def programme_key(name: str) -> str:
    """« Action Cœur de Ville » and « Action cœur de ville » are one programme: their folded words."""
    return slugify(name, max_length=MAX_NAME_LENGTH)


def counts_by_key(counts: dict[str, int]) -> dict[str, int]:
    """Facet counts of names, merged by key under the most frequent spelling (a programme holds
    one spelling per key, so the counts add up without counting a programme twice)."""
    merged: dict[str, tuple[int, int, str]] = {}
    for name, count in counts.items():
        key = programme_key(name)
        total, best, spelling = merged.get(key, (0, -1, name))
        if count > best or (count == best and name < spelling):
            best, spelling = count, name
        merged[key] = (total + count, best, spelling)
    return {spelling: total for total, _best, spelling in merged.values()}


def clean_name(value) -> str:
    """One name, whitespace collapsed; raises InvalidAidProgramme."""
    if not isinstance(value, str):
        raise InvalidAidProgramme(f"Programme d’aides : un nom (du texte) est attendu, pas {_kind(value)}.")
    name = " ".join(value.split())
    if not programme_key(name):
        raise InvalidAidProgramme(f"Programme d’aides : « {name[:60]} » n’est pas un nom (ni lettre ni chiffre).")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidAidProgramme(f"Programme d’aides : le nom « {name[:60]}… » est trop long "
                                  f"({MAX_NAME_LENGTH} caractères au plus).")
    return name


def clean_aid_programmes(values) -> list[str]:
    """A programme's ``aid_programmes``: names, trimmed, one spelling each, in the given order;
    raises InvalidAidProgramme (never drops a value silently)."""
    if values is None or values == "":
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (list, tuple)):
        raise InvalidAidProgramme(f"Programme d’aides : une liste de noms est attendue, pas {_kind(values)}.")
    names: dict[str, str] = {}
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        name = clean_name(value)
        names.setdefault(programme_key(name), name)
    if len(names) > MAX_AID_PROGRAMMES:
        raise InvalidAidProgramme(f"Programme d’aides : {len(names)} programmes, {MAX_AID_PROGRAMMES} au plus.")
    return list(names.values())


def _kind(value) -> str:
    return {dict: "un objet", list: "une liste", bool: "un booléen", int: "un nombre", float: "un nombre",
            type(None): "une valeur vide"}.get(type(value), type(value).__name__)
