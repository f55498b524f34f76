"""The programme record (DESIGN.md), with its provenance and curation state."""

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from guichet.db import Base


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(60), index=True)
    source_id: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(Text)

    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    funders: Mapped[list] = mapped_column(JSON, default=list)
    level: Mapped[str] = mapped_column(String(20))
    regions: Mapped[list] = mapped_column(JSON, default=list)
    departments: Mapped[list] = mapped_column(JSON, default=list)
    beneficiaries: Mapped[list] = mapped_column(JSON, default=list)
    population_min: Mapped[int | None] = mapped_column(Integer)
    population_max: Mapped[int | None] = mapped_column(Integer)
    # Territorial conditions (guichet.programmes.conditions slugs, any of them): empty = none.
    territories: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # Population bands with a condition, overseas bands, and criteria no shipped list can check
    # (guichet.programmes.conditions): empty = none.
    population_bands: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    criteria: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    themes: Mapped[list] = mapped_column(JSON, default=list)
    # The aid programmes it belongs to, by name (« Fonds vert - Édition 2024 », « Petites villes
    # de demain »: Aides-territoires' « programmes d'aides »): empty = none.
    aid_programmes: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    aid_types: Mapped[list] = mapped_column(JSON, default=list)
    is_call_for_projects: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_on: Mapped[date | None] = mapped_column(Date)
    # ISO dates (YYYY-MM-DD), sorted: JSON keeps the list portable across SQLite and PostgreSQL.
    deadlines: Mapped[list] = mapped_column(JSON, default=list)
    recurrence: Mapped[str | None] = mapped_column(String(20))
    rate_min: Mapped[float | None] = mapped_column(Float)
    rate_max: Mapped[float | None] = mapped_column(Float)
    amount_min: Mapped[float | None] = mapped_column(Float)
    amount_max: Mapped[float | None] = mapped_column(Float)
    contact: Mapped[str | None] = mapped_column(Text)
    application_url: Mapped[str | None] = mapped_column(Text)
    # Language of the text as the source states it (ISO 639-1: « en » for most EU calls); None
    # when it says nothing (the search then tells from the text: guichet.search.analysis).
    language: Mapped[str | None] = mapped_column(String(8))

    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    source_updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Set when the programme disappeared from a healthy source: shown as closed, never deleted.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The record came from a recorded response (offline replay or --from-file), not the live site.
    recorded_response: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # When it was (last) published: what email digests count as "new".
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    # Curation: fields a curator set are never overwritten by a scrape; the source's latest
    # normalised values are kept beside them so that a curator can accept them.
    curated_fields: Mapped[list] = mapped_column(JSON, default=list)
    source_values: Mapped[dict] = mapped_column(JSON, default=dict)
    raw_payload: Mapped[dict | list | str | None] = mapped_column(JSON)
    merged_into: Mapped[str | None] = mapped_column(String(200))

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: a save based on an older version is refused.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    def deadline_dates(self) -> list[date]:
        return [date.fromisoformat(value) for value in self.deadlines or []]

    def next_deadline(self, today: date) -> date | None:
        """The first deadline from today on; the last one when all have passed."""
        dates = self.deadline_dates()
        upcoming = [value for value in dates if value >= today]
        if upcoming:
            return min(upcoming)
        return max(dates) if dates else None

    def status(self, today: date) -> str:
        return programme_status(self.opens_on, self.deadlines, self.closed_at is not None, today)

    def __repr__(self):
        return f"<Programme {self.id}>"


def programme_status(opens_on, deadlines, closed: bool, today: date) -> str:
    """Derived from the dates and today, as DESIGN.md says (and as both search backends do)."""
    if closed:
        return "clos"
    if deadlines and max(str(value) for value in deadlines) < today.isoformat():
        return "clos"
    if opens_on is not None and str(opens_on) > today.isoformat():
        return "a_venir"
    return "ouvert"
