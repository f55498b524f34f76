"""Curation's store: the audit log, the review state of each programme (what the curators
last saw of its source) and candidate pairs of duplicate programmes.

A pair is stored once, ordered (``programme_a_id`` < ``programme_b_id``), whatever the order
the programmes were found in; a pair a curator dismissed is never proposed again. The tables
keep their names (``audit_entries``, ``programme_reviews``: migration branch ``admin``;
``duplicate_candidates``: branch ``duplicates``).
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guichet.db import Base
from guichet.programmes.models import Programme, utcnow

# Why two programmes look like the same one.
REASONS = {
    "same_source_url": "Même page à la source",
    "same_application_url": "Même adresse de dépôt",
    "similar_title": "Titre très proche, même financeur",
    "similar_title_other_funder": "Même intitulé, relayé par un autre financeur",
    "volet": "Volet d’un programme",
    "local_edition": "Édition locale d’un programme national",
    "manual": "Rapproché par un gestionnaire",
}
# pending: for a curator · merged: one was merged into the other · dismissed: not duplicates ·
# linked: a local edition tied to the national programme it applies (``kept_id``: the parent)
STATUSES = ("pending", "merged", "dismissed", "linked")


class DuplicateCandidate(Base):
    __tablename__ = "duplicate_candidates"
    __table_args__ = (
        UniqueConstraint("programme_a_id", "programme_b_id", name="uq_duplicate_candidates_pair"),
        CheckConstraint("programme_a_id < programme_b_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_a_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    programme_b_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    # One of REASONS; the strongest one when several apply.
    reason: Mapped[str] = mapped_column(String(40))
    # 0..1: 1.0 for an identical URL, the title similarity otherwise.
    score: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Who settled it: a curator's email, or "automatique" for a merge on identical URLs.
    decided_by: Mapped[str | None] = mapped_column(String(200))
    # The programme kept when the pair was merged.
    kept_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)

    programme_a: Mapped[Programme] = relationship(foreign_keys=[programme_a_id])
    programme_b: Mapped[Programme] = relationship(foreign_keys=[programme_b_id])

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.reason, self.reason)

    def other(self, programme_id: str) -> str:
        return self.programme_b_id if programme_id == self.programme_a_id else self.programme_a_id

    def __repr__(self):
        return f"<DuplicateCandidate {self.programme_a_id} ~ {self.programme_b_id} {self.reason} {self.status}>"


class AuditEntry(Base):
    """Who changed what and when. The e-mail is copied so that the entry outlives the account."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str] = mapped_column(String(254))
    # publish · reject · acknowledge · edit · accept_source · create · merge · run_source ·
    # user_create · user_disable · user_enable
    action: Mapped[str] = mapped_column(String(30), index=True)
    programme_id: Mapped[str | None] = mapped_column(String(200), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # {"changes": {field: [before, after]}, ...}: JSON-ready values only.
    details: Mapped[dict | None] = mapped_column(JSON)


class ProgrammeReview(Base):
    """What the curators last reviewed of a programme's source, to tell when the source changed.

    ``reviewed_values`` is the programme's ``source_values`` when a curator last published,
    rejected or acknowledged it; ``changed_at`` is set when a scrape brings different source
    values for a programme already reviewed, and cleared by the next review.
    """

    __tablename__ = "programme_reviews"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    reviewed_values: Mapped[dict | None] = mapped_column(JSON)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(254))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
