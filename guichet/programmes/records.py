"""The programme record as JSON (DESIGN.md field names): validation, serialisation, hashing.

Import, export, scrapers and the curated data all go through these functions, so a record
means the same thing wherever it comes from.
"""

import hashlib
import json
from datetime import date, datetime, timezone

from guichet.programmes.models import LEVELS, RECURRENCES, STATES, Programme
from guichet.programmes.themes import THEME_LABELS

# Fields a source (or an import) provides; the rest is bookkeeping of the store.
CONTENT_FIELDS = (
    "source_url", "title", "summary", "description_html", "funders", "level", "regions", "departments",
    "beneficiaries", "population_min", "population_max", "themes", "aid_types", "is_call_for_projects",
    "opens_on", "deadlines", "recurrence", "rate_min", "rate_max", "amount_min", "amount_max", "contact",
    "application_url",
)
LIST_FIELDS = {"funders", "regions", "departments", "beneficiaries", "themes", "aid_types", "deadlines"}
INTEGER_FIELDS = {"population_min", "population_max"}
NUMBER_FIELDS = {"rate_min", "rate_max", "amount_min", "amount_max"}
DATETIME_FIELDS = ("first_seen_at", "last_seen_at", "source_updated_at")
RECORD_FIELDS = ("id", "source", "source_id") + CONTENT_FIELDS + (
    "next_deadline", "status") + DATETIME_FIELDS + ("content_hash", "state")


class InvalidRecord(ValueError):
    pass


def _date(value, field):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InvalidRecord(f"{field}: not a date: {value!r}") from None


def clean_record(data: dict) -> dict:
    """Check and normalise a record's content fields; raises InvalidRecord."""
    record = {}
    for field in ("id", "source", "source_id"):
        value = data.get(field)
        if not value or not str(value).strip():
            raise InvalidRecord(f"{field} is required")
        record[field] = str(value).strip()
    title = (data.get("title") or "").strip()
    if not title:
        raise InvalidRecord("title is required")
    record["title"] = title
    for field in CONTENT_FIELDS:
        if field == "title":
            continue
        value = data.get(field)
        if field in LIST_FIELDS:
            value = [str(item).strip() for item in (value or []) if str(item).strip()]
            value = list(dict.fromkeys(value))
        elif field in INTEGER_FIELDS:
            value = None if value in (None, "") else int(value)
            if value is not None and value < 0:
                raise InvalidRecord(f"{field} must not be negative")
        elif field in NUMBER_FIELDS:
            value = None if value in (None, "") else float(value)
        elif field == "is_call_for_projects":
            value = bool(value)
        elif field == "opens_on":
            value = _date(value, field)
        else:
            value = None if value is None else str(value).strip()
        record[field] = value
    record["summary"] = record["summary"] or ""
    record["description_html"] = record["description_html"] or ""
    record["deadlines"] = sorted({_date(value, "deadlines").isoformat() for value in record["deadlines"]})
    if record["level"] not in LEVELS:
        raise InvalidRecord(f"level must be one of {', '.join(LEVELS)}")
    if record["recurrence"] is not None and record["recurrence"] not in RECURRENCES:
        raise InvalidRecord(f"recurrence must be one of {', '.join(RECURRENCES)}")
    unknown = [theme for theme in record["themes"] if theme not in THEME_LABELS]
    if unknown:
        raise InvalidRecord(f"unknown themes: {', '.join(unknown)}")
    low, high = record["population_min"], record["population_max"]
    if low is not None and high is not None and low > high:
        raise InvalidRecord("population_min is above population_max")
    state = data.get("state")
    if state is not None:
        if state not in STATES:
            raise InvalidRecord(f"state must be one of {', '.join(STATES)}")
        record["state"] = state
    return record


def _json_value(value):
    if isinstance(value, datetime):
        # The store keeps naive UTC: say so, so that every reader gets the right moment.
        aware = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
        return aware.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_hash(record: dict) -> str:
    """A hash of the content fields, to tell a change at the source."""
    content = {field: _json_value(record.get(field)) for field in CONTENT_FIELDS}
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def programme_record(programme: Programme, today: date | None = None) -> dict:
    """The record with DESIGN.md's field names, JSON-ready (dates as YYYY-MM-DD)."""
    today = today or date.today()
    record = {}
    for field in RECORD_FIELDS:
        if field == "next_deadline":
            value = programme.next_deadline(today)
        elif field == "status":
            value = programme.status(today)
        else:
            value = getattr(programme, field)
        record[field] = _json_value(value)
    return record
