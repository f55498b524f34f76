"""The programme record as JSON (DESIGN.md field names): its type, strict validation,
serialisation, hashing.

Import, export, scrapers and the curated data all go through these functions, so a record
means the same thing wherever it comes from. The check is strict: a key that is not a field
of the record, or a value that is not in its vocabulary (``guichet.programmes.vocabulary``),
is an ``InvalidRecord`` naming the field and the value, never silently dropped.
"""

import hashlib
import json
import re
from datetime import date, datetime, timezone
from typing import TypedDict

from guichet import geo
from guichet.programmes.models import Programme
from guichet.programmes.vocabulary import FIELD_VOCABULARIES
from guichet.programmes.conditions import (InvalidCondition, InvalidCriterion, clean_bands, clean_conditions,
                                           clean_criteria, widest)
from guichet.programmes.aid_programmes import InvalidAidProgramme, clean_aid_programmes


class ProgrammeRecord(TypedDict, total=False):
    """What a scraper's ``normalise`` returns and an import line holds (DESIGN.md), in order."""

    id: str
    source: str
    source_id: str
    source_url: str | None
    title: str
    summary: str
    description_html: str
    funders: list[str]
    level: str
    regions: list[str]
    departments: list[str]
    beneficiaries: list[str]
    population_min: int | None
    population_max: int | None
    territories: list[str]
    # Several population bands, each open outright or « sous condition » of a criterion, with
    # overseas ones ({"min", "max", "criterion", "overseas"}); population_min/max are their
    # widest metropolitan union (what search filters by). Empty: [population_min, population_max].
    population_bands: list[dict]
    # What the programme's text adds that no shipped list can check (CRITERIA slugs): a
    # criterion a band names applies to that band, any other to every commune.
    criteria: list[str]
    themes: list[str]
    # The aid programmes it belongs to, by name (guichet.programmes.aid_programmes).
    aid_programmes: list[str]
    aid_types: list[str]
    is_call_for_projects: bool
    opens_on: date | str | None
    deadlines: list[str]
    recurrence: str | None
    rate_min: float | None
    rate_max: float | None
    amount_min: float | None
    amount_max: float | None
    contact: str | None
    application_url: str | None
    # The language of the text as the source states it (« en » for EU calls); not curated content.
    language: str | None
    # Derived or bookkeeping: exported, accepted (and recomputed by the store) on import.
    next_deadline: str | None
    status: str
    first_seen_at: datetime | str | None
    last_seen_at: datetime | str | None
    source_updated_at: datetime | str | None
    content_hash: str | None
    state: str


# Fields a source (or an import) provides; the rest is bookkeeping of the store.
CONTENT_FIELDS = (
    "source_url", "title", "summary", "description_html", "funders", "level", "regions", "departments",
    "beneficiaries", "population_min", "population_max", "territories", "population_bands", "criteria", "themes",
    "aid_programmes", "aid_types", "is_call_for_projects", "opens_on", "deadlines", "recurrence", "rate_min",
    "rate_max", "amount_min", "amount_max", "contact", "application_url",
)
LIST_FIELDS = {"funders", "regions", "departments", "beneficiaries", "territories", "population_bands", "criteria",
               "themes", "aid_programmes", "aid_types", "deadlines"}
# Fields added after records were first hashed: left out of the hash while empty, so that
# adding them did not make every stored programme look changed at its source.
HASHED_WHEN_SET = {"territories", "population_bands", "criteria", "aid_programmes"}
INTEGER_FIELDS = {"population_min", "population_max"}
NUMBER_FIELDS = {"rate_min", "rate_max", "amount_min", "amount_max"}
DATETIME_FIELDS = ("first_seen_at", "last_seen_at", "source_updated_at")
RECORD_FIELDS = tuple(ProgrammeRecord.__annotations__)


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


def _check_vocabulary(field: str, values) -> None:
    vocabulary = FIELD_VOCABULARIES[field]
    unknown = [value for value in values if value not in vocabulary]
    if unknown:
        allowed = ", ".join(vocabulary) if len(vocabulary) <= 20 else "see guichet/programmes/vocabulary.py"
        raise InvalidRecord(f"{field}: unknown value{'s' if len(unknown) > 1 else ''} "
                            f"{', '.join(repr(value) for value in unknown)} (allowed: {allowed})")


def clean_record(data: dict) -> dict:
    """Check and normalise a record's content fields; raises InvalidRecord.

    Strict: every key must be a field of ``ProgrammeRecord`` and every value of a field with a
    vocabulary must be in it. Derived and bookkeeping fields (``status``, ``next_deadline``,
    ``content_hash``, the dates of change tracking) are accepted, as an export holds them,
    and left to the store; only ``state`` is kept.
    """
    if not isinstance(data, dict):
        raise InvalidRecord(f"a record is a JSON object, not {type(data).__name__}")
    unknown = [key for key in data if key not in RECORD_FIELDS]
    if unknown:
        raise InvalidRecord(f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(map(str, unknown))} "
                            "(the record's fields are those of DESIGN.md)")
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
        if field == "territories":
            try:
                value = clean_conditions(value)
            except InvalidCondition as error:
                raise InvalidRecord(error.message) from None
        elif field == "aid_programmes":
            try:
                value = clean_aid_programmes(value)
            except InvalidAidProgramme as error:
                raise InvalidRecord(error.message) from None
        elif field in ("population_bands", "criteria"):
            try:
                value = (clean_bands if field == "population_bands" else clean_criteria)(value)
            except InvalidCriterion as error:
                raise InvalidRecord(f"{field}: {error.message}") from None
        elif field in LIST_FIELDS:
            if isinstance(value, (str, bytes, dict)):
                raise InvalidRecord(f"{field} must be a list, not {type(value).__name__}")
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
    if record["level"] not in FIELD_VOCABULARIES["level"]:
        raise InvalidRecord(f"level must be one of {', '.join(FIELD_VOCABULARIES['level'])}")
    if record["recurrence"] is not None and record["recurrence"] not in FIELD_VOCABULARIES["recurrence"]:
        raise InvalidRecord(f"recurrence must be one of {', '.join(FIELD_VOCABULARIES['recurrence'])}")
    for field in ("themes", "aid_types", "beneficiaries"):
        _check_vocabulary(field, record[field])
    for field, known in (("regions", geo.REGIONS), ("departments", geo.DEPARTMENTS)):
        unknown = [code for code in record[field] if code not in known]
        if unknown:
            raise InvalidRecord(f"{field}: unknown INSEE code{'s' if len(unknown) > 1 else ''} "
                                f"{', '.join(repr(code) for code in unknown)}")
    apply_bands(record)
    low, high = record["population_min"], record["population_max"]
    if low is not None and high is not None and low > high:
        raise InvalidRecord("population_min is above population_max")
    status = data.get("status")
    if status is not None and status not in FIELD_VOCABULARIES["status"]:
        raise InvalidRecord(f"status must be one of {', '.join(FIELD_VOCABULARIES['status'])}")
    # The language of the text as the source states it (not content a curator edits).
    language = str(data.get("language") or "").strip().lower() or None
    if language is not None and not re.fullmatch(r"[a-z]{2}", language):
        raise InvalidRecord(f"language must be a two-letter ISO 639-1 code, not {language[:20]!r}")
    record["language"] = language
    state = data.get("state")
    if state is not None:
        if state not in FIELD_VOCABULARIES["state"]:
            raise InvalidRecord(f"state must be one of {', '.join(FIELD_VOCABULARIES['state'])}")
        record["state"] = state
    return record


def apply_bands(values: dict) -> None:
    """With metropolitan bands, ``population_min``/``population_max`` are their widest union
    (« de moins de 2 000, ainsi que de 2 000 à 20 000 sous condition »: 20 000 at most), and
    every criterion a band names is one of the programme's ``criteria``."""
    bands = values.get("population_bands") or []
    metropolitan = [band for band in bands if not band.get("overseas")]
    if metropolitan:
        values["population_min"], values["population_max"] = widest(metropolitan)
    named = [band["criterion"] for band in bands if band.get("criterion")]
    if named:
        values["criteria"] = clean_criteria(list(values.get("criteria") or []) + named)


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
    content = {field: _json_value(record.get(field)) for field in CONTENT_FIELDS
               if field not in HASHED_WHEN_SET or record.get(field)}
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
