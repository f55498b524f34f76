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
from guichet.curation.diff import FIELD_LABELS, values_differ
from guichet.curation.models import AuditEntry, DuplicateCandidate
from guichet.curation.models import ProgrammeReview
from guichet.curation.review import mark_reviewed
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.records import CONTENT_FIELDS
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


def merge(session: Session, keep: Programme, drop: Programme, user: User | None, now=None,
          take_from_drop=()) -> str:
    """Keep one programme, merge the other into it. ``take_from_drop``: content fields whose
    value the curator chose from the dropped programme; they become the team's on the kept one
    (never overwritten by its source) and are given back if the merge is undone."""
    if keep.id == drop.id:
        raise MergeError("Choisissez deux programmes différents.")
    for programme in (keep, drop):
        if programme.state == "merged":
            raise MergeError(f"« {programme.title} » a déjà été fusionné avec un autre programme.")
    now = now or utcnow()
    was_published = drop.state == "published"
    previous_state = drop.state
    taken = {}
    curated = list(keep.curated_fields or [])
    for name in take_from_drop:
        if name not in CONTENT_FIELDS or name in ("source_url",):
            continue
        before, after = audit.jsonable(getattr(keep, name)), audit.jsonable(getattr(drop, name))
        if values_differ(name, before, after):
            taken[name] = [before, after]
            setattr(keep, name, getattr(drop, name))
            if name not in curated:
                curated.append(name)
    if taken:
        keep.curated_fields = curated
    keep_state_before = keep.state
    set_state(drop, "merged", now)
    drop.merged_into = keep.id
    # Older merges into the dropped programme now lead straight to the kept one (one redirect).
    redirected = []
    for earlier in session.scalars(select(Programme).where(Programme.merged_into == drop.id)):
        if earlier.id != drop.id:
            earlier.merged_into = keep.id
            redirected.append(earlier.id)
    review = session.get(ProgrammeReview, drop.id)
    if review is not None:
        review.changed_at = None
    summary = f"« {drop.title} » ({drop.source}) fusionné dans « {keep.title} » ({keep.source})"
    if was_published and keep.state != "published":
        # Its address redirects to the kept programme: that one must be visible.
        set_state(keep, "published", now)
        mark_reviewed(session, keep, user, now)
        summary += " ; le programme conservé est publié"
    if taken:
        summary += " ; repris du programme fusionné : " + ", ".join(FIELD_LABELS.get(name, name) for name in taken)
    details = {"kept": provenance(keep), "merged": provenance(drop), "merged_state_before": previous_state,
               "kept_state_before": keep_state_before, "taken": taken, "redirected": redirected}
    audit.record(session, user, "merge", summary, keep.id, details, now)
    audit.record(session, user, "merge", summary, drop.id, details, now)
    # The pair is settled (created when the curator found it alone).
    pairs.mark_merged(session, keep.id, drop.id, user.email if user is not None else None)
    return summary


def undo(session: Session, entry: AuditEntry, user: User | None, now=None) -> str:
    """Undo the merge an audit entry records: the merged programme comes back in its former
    state, its address stops redirecting, the values taken from it leave the kept programme,
    the earlier merges into it point at it again, and the pair waits for a curator again."""
    if entry.action != "merge" or not entry.details or "merged" not in entry.details:
        raise MergeError("Cette ligne du journal n’est pas une fusion.")
    details = entry.details
    drop = session.get(Programme, details["merged"]["id"])
    keep = session.get(Programme, details["kept"]["id"])
    if drop is None or keep is None:
        raise MergeError("Un des deux programmes n’existe plus : la fusion ne peut pas être annulée.")
    if drop.state != "merged" or drop.merged_into != keep.id:
        raise MergeError("Cette fusion a déjà été annulée, ou le programme a été fusionné ailleurs depuis.")
    now = now or utcnow()
    set_state(drop, details.get("merged_state_before") or "pending", now)
    drop.merged_into = None
    for earlier_id in details.get("redirected", []):
        earlier = session.get(Programme, earlier_id)
        if earlier is not None and earlier.merged_into == keep.id:
            earlier.merged_into = drop.id
    if details.get("kept_state_before") and keep.state != details["kept_state_before"]:
        set_state(keep, details["kept_state_before"], now)  # the merge had published it for the redirect
    restored = []
    for name, (before, _after) in (details.get("taken") or {}).items():
        setattr(keep, name, _attribute_value(name, before))
        restored.append(name)
    candidate = session.scalar(select(DuplicateCandidate).where(
        DuplicateCandidate.programme_a_id == min(keep.id, drop.id),
        DuplicateCandidate.programme_b_id == max(keep.id, drop.id)))
    if candidate is not None:
        candidate.status, candidate.kept_id, candidate.decided_at, candidate.decided_by = "pending", None, None, None
    summary = f"Fusion annulée : « {drop.title} » ({drop.source}) séparé de « {keep.title} » ({keep.source})"
    if restored:
        summary += " ; valeurs d’origine rendues : " + ", ".join(FIELD_LABELS.get(name, name) for name in restored)
    undo_details = {"undone_entry": entry.id, "kept": details["kept"], "merged": details["merged"]}
    audit.record(session, user, "unmerge", summary, keep.id, undo_details, now)
    audit.record(session, user, "unmerge", summary, drop.id, undo_details, now)
    return summary


def _attribute_value(name: str, stored):
    from datetime import date

    if name == "opens_on" and isinstance(stored, str) and stored:
        return date.fromisoformat(stored[:10])
    return stored
