"""The aid programmes a programme belongs to (« Fonds vert - Édition 2024 », « Petites villes de
demain », « France Relance »): Aides-territoires' « programmes d'aides », a family of aids that
people look for by name.

An open list: the names are the sources' (and the team's), not a vocabulary of ours. A name is
the value everywhere — in the store, the search index, the search URL (``aid_programme=``),
facets and the description of a search — so that none of them needs a look-up to show it. Two
spellings of one name meet through ``programme_key`` (folded words: case, accents, spaces and
punctuation aside), which the record check uses to keep one spelling per programme.

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


def clean_name(value) -> str:
    """One name, whitespace collapsed; raises InvalidAidProgramme."""
    if not isinstance(value, str):
        raise InvalidAidProgramme(f"Programme d'aides : un nom (du texte) est attendu, pas {_kind(value)}.")
    name = " ".join(value.split())
    if not programme_key(name):
        raise InvalidAidProgramme(f"Programme d'aides : « {name[:60]} » n'est pas un nom (ni lettre ni chiffre).")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidAidProgramme(f"Programme d'aides : le nom « {name[:60]}… » est trop long "
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
        raise InvalidAidProgramme(f"Programme d'aides : une liste de noms est attendue, pas {_kind(values)}.")
    names: dict[str, str] = {}
    for value in values:
        if isinstance(value, str) and not value.strip():
            continue
        name = clean_name(value)
        names.setdefault(programme_key(name), name)
    if len(names) > MAX_AID_PROGRAMMES:
        raise InvalidAidProgramme(f"Programme d'aides : {len(names)} programmes, {MAX_AID_PROGRAMMES} au plus.")
    return list(names.values())


def _kind(value) -> str:
    return {dict: "un objet", list: "une liste", bool: "un booléen", int: "un nombre", float: "un nombre",
            type(None): "une valeur vide"}.get(type(value), type(value).__name__)
