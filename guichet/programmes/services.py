"""Business actions on programmes that views, CLI, scrapers and tests all call."""

import json
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.programmes.models import Programme, utcnow
from guichet.programmes.records import CONTENT_FIELDS, InvalidRecord, clean_record, content_hash, programme_record

CURATED_DATA = Path(__file__).with_name("data") / "curated.jsonl"
# What a source may change at once in a published programme: its dates and addresses (the rule
# the Aides-territoires team settled on). Any other change waits for a gestionnaire: the
# programme keeps its published value and ``source_values`` holds the new one (a « held »
# change, guichet.curation.review.held_changes) until it is applied or refused.
DIRECT_FIELDS = ("source_url", "application_url", "opens_on", "deadlines")


def get_programme(session: Session, programme_id: str) -> Programme | None:
    return session.get(Programme, programme_id)


def set_state(programme: Programme, state: str, now: datetime | None = None) -> None:
    """Change the curation state; publishing stamps ``published_at`` (what digests call new)."""
    if state == "published" and programme.state != "published":
        programme.published_at = now or utcnow()
    programme.state = state


def upsert_source_record(session: Session, data: dict, raw_payload=None, now: datetime | None = None,
                         default_state: str = "pending", hold_published_changes: bool = True) -> str:
    """Create or update a programme from a source's normalised record.

    Returns ``"added"``, ``"updated"`` or ``"unchanged"``. Fields a curator set
    (``curated_fields``) keep the curator's value; the source's new value is kept in
    ``source_values`` for the curator to accept. In a published programme only the dates and
    addresses (``DIRECT_FIELDS``) follow the source at once; other fields keep what was
    published and wait for a gestionnaire (``hold_published_changes``; the team's own files,
    ``guichet import`` and the curated data, apply at once). A programme seen again is reopened
    (``closed_at`` cleared) and its ``last_seen_at`` moves on.
    """
    now = now or utcnow()
    record = clean_record(data)
    digest = content_hash(record)
    programme = session.get(Programme, record["id"])
    if programme is None:
        programme = Programme(id=record["id"], source=record["source"], source_id=record["source_id"],
                              first_seen_at=now, curated_fields=[])
        set_state(programme, record.get("state", default_state), now)
        session.add(programme)
        outcome = "added"
    elif programme.content_hash == digest and programme.closed_at is None:
        programme.last_seen_at = now
        if programme.language != record["language"]:
            programme.language = record["language"]
        return "unchanged"
    else:
        outcome = "updated"
    curated = set(programme.curated_fields or [])
    held = hold_published_changes and outcome == "updated" and programme.state == "published"
    for field in CONTENT_FIELDS:
        if field not in curated and (not held or field in DIRECT_FIELDS):
            setattr(programme, field, record[field])
    programme.source_values = {field: _jsonable(record[field]) for field in CONTENT_FIELDS}
    programme.language = record["language"]
    programme.raw_payload = raw_payload
    programme.content_hash = digest
    programme.last_seen_at = now
    programme.closed_at = None
    source_updated_at = data.get("source_updated_at")
    if source_updated_at:
        programme.source_updated_at = (source_updated_at if isinstance(source_updated_at, datetime)
                                       else datetime.fromisoformat(str(source_updated_at)))
    return outcome


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def import_records(session: Session, lines: Iterable[str], default_state: str = "published",
                   store: Callable[..., str] = upsert_source_record) -> dict:
    """JSON Lines in, programmes created or updated by id. Returns counts and errors.

    ``store``: how one record is stored (guichet.sources.pipeline.store_record also notes the
    changes of reviewed programmes for curators)."""
    counts = {"added": 0, "updated": 0, "unchanged": 0, "errors": []}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            data = json.loads(line)
            # The team's own file: what it says applies, published or not.
            outcome = store(session, data, raw_payload=None, default_state=default_state, hold_published_changes=False)
        except (json.JSONDecodeError, InvalidRecord, TypeError, ValueError) as error:
            counts["errors"].append(f"ligne {number} : {error}")
            continue
        if data.get("state") and outcome != "unchanged":
            set_state(session.get(Programme, data["id"]), data["state"])
        counts[outcome] += 1
    return counts


def export_records(session: Session, out: TextIO) -> int:
    count = 0
    for programme in session.scalars(select(Programme).order_by(Programme.id)):
        out.write(json.dumps(programme_record(programme), ensure_ascii=False) + "\n")
        count += 1
    return count


def load_curated(session: Session, store: Callable[..., str] = upsert_source_record) -> dict:
    """The programmes the team writes by hand (source ``curated``), published."""
    with CURATED_DATA.open(encoding="utf-8") as lines:
        return import_records(session, lines, default_state="published", store=store)
