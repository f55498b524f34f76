"""Curators' edits: overrides of scraped fields, hand-written programmes, accepting the source.

A field a curator changes joins ``curated_fields``: ``upsert_source_record`` never overwrites
it again, and keeps the source's newer value in ``source_values`` so that the curator can
accept it. Every save names the version it was based on (optimistic locking): a save based
on an older version is refused with EditConflict and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from guichet.curation import audit
from guichet.curation.diff import FIELD_LABELS, display_value, values_differ
from guichet.curation.models import AuditEntry
from guichet.curation.review import from_stored as _from_stored, mark_reviewed
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.records import CONTENT_FIELDS, content_hash
from guichet.programmes.services import set_state
from guichet.text import slugify

if TYPE_CHECKING:  # the acting staff member; curation needs only its id and email
    from guichet.admin.models import User

CURATED_SOURCE = "curated"
CONFLICT_MESSAGE = ("Ce programme a été modifié par quelqu’un d’autre pendant votre saisie. Votre saisie est "
                    "conservée ci-dessous : comparez-la avec les valeurs enregistrées entre-temps, puis "
                    "enregistrez à nouveau.")


class EditConflict(Exception):
    """The programme changed since the form was shown."""

    def __init__(self, programme: Programme):
        super().__init__(CONFLICT_MESSAGE)
        self.programme = programme
        self.message = CONFLICT_MESSAGE


@dataclass(frozen=True)
class SourceSuggestion:
    """A curator-owned field whose source now says something else."""

    field: str
    label: str
    current: str
    source: str


def _stored(value):
    return audit.jsonable(value)


def check_version(programme: Programme, expected_version) -> None:
    try:
        expected = int(expected_version)
    except (TypeError, ValueError):
        raise EditConflict(programme) from None
    if expected != programme.version:
        raise EditConflict(programme)


def source_suggestions(programme: Programme) -> dict[str, SourceSuggestion]:
    """For each curator-owned field, the source's newer value when it differs from the curator's."""
    if programme.source == CURATED_SOURCE:
        return {}
    suggestions = {}
    source_values = programme.source_values or {}
    for name in programme.curated_fields or []:
        if name not in source_values:
            continue
        current = getattr(programme, name)
        if values_differ(name, _stored(current), source_values[name]):
            suggestions[name] = SourceSuggestion(name, FIELD_LABELS.get(name, name), display_value(name, _stored(current)),
                                                 display_value(name, source_values[name]))
    return suggestions


def apply_edit(session: Session, programme: Programme, values: dict, expected_version, user: User | None) -> dict:
    """Save a curator's values; returns {field: [before, after]} of what changed (maybe nothing)."""
    check_version(programme, expected_version)
    changes = {}
    curated = list(programme.curated_fields or [])
    for name in CONTENT_FIELDS:
        if name not in values:
            continue
        before, after = _stored(getattr(programme, name)), _stored(values[name])
        if not values_differ(name, before, after):
            continue
        setattr(programme, name, values[name])
        changes[name] = [before, after]
        if name not in curated:
            curated.append(name)
    if not changes:
        return changes
    programme.curated_fields = curated
    if programme.source == CURATED_SOURCE:
        # The team is the source of a hand-written programme: nothing to suggest beside it.
        programme.source_values = {**(programme.source_values or {}),
                                   **{name: change[1] for name, change in changes.items()}}
    labels = ", ".join(FIELD_LABELS.get(name, name) for name in changes)
    audit.record(session, user, "edit", f"« {programme.title} » modifié : {labels}", programme.id,
                 {"changes": changes})
    return changes


def accept_source_value(session: Session, programme: Programme, name: str, expected_version,
                        user: User | None) -> None:
    """The field takes the source's value again and goes back to the source (later scrapes update it)."""
    check_version(programme, expected_version)
    if name not in CONTENT_FIELDS or name not in (programme.source_values or {}):
        raise ValueError(name)
    before = _stored(getattr(programme, name))
    after = programme.source_values[name]
    setattr(programme, name, _from_stored(name, after))
    programme.curated_fields = [field for field in programme.curated_fields or [] if field != name]
    audit.record(session, user, "accept_source",
                 f"« {programme.title} » : valeur de la source acceptée pour « {FIELD_LABELS.get(name, name)} »",
                 programme.id, {"changes": {name: [before, after]}})


def create_curated(session: Session, values: dict, user: User | None, publish: bool = False) -> Programme:
    """A programme written by hand (source ``curated``); every field is the team's."""
    base = slugify(values["title"]) or "programme"
    source_id, number = base, 1
    while session.get(Programme, f"{CURATED_SOURCE}-{source_id}") is not None:
        number += 1
        source_id = f"{base}-{number}"
    now = utcnow()
    record = {name: values.get(name) for name in CONTENT_FIELDS}
    programme = Programme(id=f"{CURATED_SOURCE}-{source_id}", source=CURATED_SOURCE, source_id=source_id,
                          first_seen_at=now, last_seen_at=now, state="pending", curated_fields=list(CONTENT_FIELDS),
                          source_values={name: _stored(value) for name, value in record.items()},
                          content_hash=content_hash(record), raw_payload=None, **record)
    session.add(programme)
    audit.record(session, user, "create", f"« {programme.title} » créé", programme.id,
                 {"values": {name: _stored(value) for name, value in record.items()}})
    if publish:
        set_state(programme, "published", now)
        mark_reviewed(session, programme, user, now)
        audit.record(session, user, "publish", f"« {programme.title} » publié", programme.id,
                     {"state": ["pending", "published"]})
    return programme


def last_change(session: Session, programme_id: str) -> AuditEntry | None:
    from sqlalchemy import select

    return session.scalar(select(AuditEntry).where(AuditEntry.programme_id == programme_id)
                          .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))


def conflict_report(session: Session, programme: Programme, typed: dict, stored: dict,
                    started_from: str | None) -> dict:
    """What was saved meanwhile, for a save refused with EditConflict: the fields whose stored
    value moved away from what the form started from (``started_from``, the form's values as
    JSON; without it, what this curator typed), the fields this curator changed, and the last
    change. ``typed`` and ``stored`` are form values (what was typed, what is stored now)."""
    try:
        base = json.loads(started_from) if started_from else None
    except ValueError:
        base = None
    if not isinstance(base, dict):
        base = typed

    def same(first, second):
        if isinstance(first, list) and isinstance(second, list):  # checkbox order is the page's
            return sorted(first) == sorted(second)
        return first == second

    fields = {}
    for name in CONTENT_FIELDS:
        if not same(stored[name], base.get(name)):
            fields[name] = display_value(name, audit.jsonable(getattr(programme, name)))
    yours = {name for name in CONTENT_FIELDS if not same(typed.get(name), base.get(name))}
    return {"message": CONFLICT_MESSAGE, "fields": fields, "yours": yours, "last": last_change(session, programme.id)}
