"""Readable differences between two sets of programme values, in French.

Texts are compared word by word (difflib), lists item by item, other values as « avant → après »,
each value shown the way a curator reads it (labels of themes and levels, dates in French).
"""

import difflib
from dataclasses import dataclass, field

import nh3

from guichet import geo
from guichet.programmes.records import CONTENT_FIELDS, LIST_FIELDS
from guichet.programmes.themes import theme_label
from guichet.search.documents import html_to_text
from guichet.programmes.conditions import band_line
from guichet.programmes.vocabulary import (AID_TYPES, BENEFICIARIES, CRITERIA, LEVELS, RECURRENCES,
                                           TERRITORIAL_CONDITIONS)
from guichet.web.formatting import date_fr, number_fr

FIELD_LABELS = {
    "source_url": "Page du programme chez la source",
    "title": "Titre",
    "summary": "Résumé",
    "description_html": "Description",
    "funders": "Financeurs",
    "level": "Échelon",
    "regions": "Régions",
    "departments": "Départements",
    "beneficiaries": "Bénéficiaires",
    "population_min": "Population minimale",
    "population_max": "Population maximale",
    "territories": "Réservé aux communes de ces programmes ou zonages",
    "population_bands": "Tranches de population",
    "criteria": "Critères que le Guichet ne peut pas vérifier",
    "themes": "Thèmes",
    "aid_programmes": "Programmes d’aides",
    "aid_types": "Types d’aide",
    "is_call_for_projects": "Appel à projets",
    "opens_on": "Date d’ouverture",
    "deadlines": "Dates limites",
    "recurrence": "Récurrence",
    "rate_min": "Taux minimal (%)",
    "rate_max": "Taux maximal (%)",
    "amount_min": "Montant minimal (€)",
    "amount_max": "Montant maximal (€)",
    "contact": "Contact",
    "application_url": "Adresse du dépôt de dossier",
}
TEXT_FIELDS = {"title", "summary", "description_html", "contact"}
EMPTY = "non renseigné"


def _item_label(field_name: str, value) -> str:
    if field_name == "themes":
        return theme_label(value)
    if field_name == "beneficiaries":
        return BENEFICIARIES.label(value)
    if field_name == "aid_types":
        return AID_TYPES.label(value)
    if field_name == "territories":
        return TERRITORIAL_CONDITIONS.label(value)
    if field_name == "criteria":
        return CRITERIA.label(value)
    if field_name == "population_bands":
        return band_line(value) if isinstance(value, dict) else str(value)
    if field_name == "regions":
        return geo.REGIONS.get(value, value)
    if field_name == "departments":
        name = geo.DEPARTMENT_NAMES.get(value)
        return f"{name} ({value})" if name else value
    if field_name == "deadlines":
        try:
            return date_fr(value)
        except ValueError:
            return str(value)
    return str(value)


def display_value(field_name: str, value) -> str:
    """A value as a curator reads it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field_name in LIST_FIELDS:
        return ", ".join(_item_label(field_name, item) for item in value)
    if field_name == "level":
        return LEVELS.label(value)
    if field_name == "recurrence":
        return RECURRENCES.label(value)
    if field_name == "is_call_for_projects":
        return "oui" if value else "non"
    if field_name == "opens_on":
        try:
            return date_fr(value)
        except ValueError:
            return str(value)
    if field_name in ("population_min", "population_max", "rate_min", "rate_max", "amount_min", "amount_max"):
        try:
            return number_fr(float(value) if not isinstance(value, int) else value)
        except (TypeError, ValueError):
            return str(value)
    if field_name == "description_html":
        return html_to_text(value)
    return str(value)


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str
    # Texts: [(kind, words)] with kind "equal" · "delete" · "insert".
    segments: list = field(default_factory=list)
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.segments:
            return "text"
        if self.added or self.removed:
            return "list"
        return "value"


def _word_segments(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.split(), after.split()
    segments = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", " ".join(old[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            segments.append(("delete", " ".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(("insert", " ".join(new[j1:j2])))
    return segments


def _normalised(field_name: str, value):
    """What a value means, so that only a real change counts as one: list order, white space
    (a textarea sends « \r\n »), equivalent HTML."""
    if field_name in LIST_FIELDS:
        # The order of themes, beneficiaries, codes ... carries no meaning (forms list them
        # in their own order): only the items count.
        return sorted(" ".join(str(item).split()) if not isinstance(item, dict) else str(sorted(item.items()))
                      for item in value or [])
    if value is None:
        return None
    if field_name in ("rate_min", "rate_max", "amount_min", "amount_max"):
        return None if value == "" else float(value)
    if isinstance(value, str):
        if field_name == "description_html":
            # nh3 writes HTML one way: the same markup typed two ways compares equal.
            value = nh3.clean(value)
        value = " ".join(value.split())
        return value or None
    return value


def values_differ(field_name: str, first, second) -> bool:
    return _normalised(field_name, first) != _normalised(field_name, second)


def field_change(field_name: str, before, after) -> FieldChange | None:
    if not values_differ(field_name, before, after):
        return None
    change = FieldChange(field_name, FIELD_LABELS.get(field_name, field_name), display_value(field_name, before),
                         display_value(field_name, after))
    if field_name in TEXT_FIELDS and before and after:
        old = html_to_text(before) if field_name == "description_html" else str(before)
        new = html_to_text(after) if field_name == "description_html" else str(after)
        if old == new:  # only the markup changed
            change.segments = [("equal", new)]
        else:
            change.segments = _word_segments(old, new)
    elif field_name in LIST_FIELDS:
        old_items, new_items = list(before or []), list(after or [])
        change.added = [_item_label(field_name, item) for item in new_items if item not in old_items]
        change.removed = [_item_label(field_name, item) for item in old_items if item not in new_items]
    return change


def diff_values(before: dict | None, after: dict | None) -> list[FieldChange]:
    """The changed fields, in the record's order."""
    before, after = before or {}, after or {}
    changes = []
    for field_name in CONTENT_FIELDS:
        change = field_change(field_name, before.get(field_name), after.get(field_name))
        if change is not None:
            changes.append(change)
    return changes


def describe(changes: list[FieldChange]) -> str:
    """One line for a list or a log: « Titre, Dates limites »."""
    return ", ".join(change.label for change in changes)
