"""Candidate pairs of duplicate programmes, for curators to settle.

A pair is stored once, ordered (``programme_a_id`` < ``programme_b_id``), whatever the order
the programmes were found in; a pair a curator dismissed is never proposed again.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guichet.db import Base
from guichet.programmes.models import Programme, utcnow

# Why two programmes look like the same one.
REASONS = {
    "same_source_url": "Même page à la source",
    "same_application_url": "Même adresse de dépôt",
    "similar_title": "Titre très proche, même financeur",
    "manual": "Rapproché par un curateur",
}
# pending: for a curator · merged: one was merged into the other · dismissed: not duplicates
STATUSES = ("pending", "merged", "dismissed")


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
