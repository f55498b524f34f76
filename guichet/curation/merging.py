"""Merging duplicates: one programme is kept; the other becomes ``merged`` into it.

The merged programme keeps its row, its provenance (source, id at the source, page, raw
payload) and its history; its public page answers with a 301 to the kept one
(guichet.web.views), and it leaves the search index (only published programmes are indexed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.curation import audit, pairs
from guichet.curation.models import ProgrammeReview
from guichet.curation.review import mark_reviewed
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.services import set_state

if TYPE_CHECKING:  # the acting staff member; curation needs only its id and email
    from guichet.admin.models import User


class MergeError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def provenance(programme: Programme) -> dict:
    return {"id": programme.id, "source": programme.source, "source_id": programme.source_id,
            "source_url": programme.source_url, "title": programme.title}


def merged_into_it(session: Session, programme: Programme) -> list[Programme]:
    """The programmes merged into this one: their provenance, shown beside the kept programme."""
    return list(session.scalars(select(Programme).where(Programme.merged_into == programme.id,
                                                        Programme.state == "merged").order_by(Programme.id)))


def merge(session: Session, keep: Programme, drop: Programme, user: User | None, now=None) -> str:
    if keep.id == drop.id:
        raise MergeError("Choisissez deux programmes différents.")
    for programme in (keep, drop):
        if programme.state == "merged":
            raise MergeError(f"« {programme.title} » a déjà été fusionné avec un autre programme.")
    now = now or utcnow()
    was_published = drop.state == "published"
    previous_state = drop.state
    set_state(drop, "merged", now)
    drop.merged_into = keep.id
    # Older merges into the dropped programme now lead straight to the kept one (one redirect).
    for earlier in session.scalars(select(Programme).where(Programme.merged_into == drop.id)):
        if earlier.id != drop.id:
            earlier.merged_into = keep.id
    review = session.get(ProgrammeReview, drop.id)
    if review is not None:
        review.changed_at = None
    summary = f"« {drop.title} » ({drop.source}) fusionné dans « {keep.title} » ({keep.source})"
    if was_published and keep.state != "published":
        # Its address redirects to the kept programme: that one must be visible.
        set_state(keep, "published", now)
        mark_reviewed(session, keep, user, now)
        summary += " ; le programme conservé est publié"
    details = {"kept": provenance(keep), "merged": provenance(drop), "merged_state_before": previous_state}
    audit.record(session, user, "merge", summary, keep.id, details, now)
    audit.record(session, user, "merge", summary, drop.id, details, now)
    # The pair is settled (created when the curator found it alone).
    pairs.mark_merged(session, keep.id, drop.id, user.email if user is not None else None)
    return summary
