"""Candidate pairs of duplicate programmes as stored, listed and settled.

A pair is stored once, ordered (``programme_a_id`` < ``programme_b_id``); it is settled when a
curator (or the automatic rule on identical pages) merges it, or dismisses it: a dismissed pair
is never proposed again. Finding pairs is ``guichet.curation.duplicates``; merging is
``guichet.curation.merging``, which settles the pair it merged.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from guichet.curation import audit
from guichet.curation.models import DuplicateCandidate
from guichet.paging import Page, paginate
from guichet.programmes.models import Programme, utcnow

# Who settled a pair merged by the rule on identical pages.
AUTOMATIC = "automatique"


def ordered_pair(first: str, second: str) -> tuple[str, str]:
    return (first, second) if first < second else (second, first)


def settle(candidate: DuplicateCandidate, status: str, decided_by: str | None, kept_id: str | None = None):
    candidate.status = status
    candidate.decided_at = utcnow()
    candidate.decided_by = decided_by
    if kept_id is not None:
        candidate.kept_id = kept_id


def mark_merged(session: Session, keep_id: str, drop_id: str, decided_by: str | None = None) -> DuplicateCandidate:
    """A curator (or the automatic rule) merged ``drop_id`` into ``keep_id``: the pair is settled.

    Called by the back office's merge; creates the pair when the curator found it alone. Other
    pending pairs of the dropped programme are left for curators (they now point at a merged one
    and are listed as such).
    """
    pair = ordered_pair(keep_id, drop_id)
    candidate = session.scalar(select(DuplicateCandidate).where(
        DuplicateCandidate.programme_a_id == pair[0], DuplicateCandidate.programme_b_id == pair[1]))
    if candidate is None:
        candidate = DuplicateCandidate(programme_a_id=pair[0], programme_b_id=pair[1], reason="manual",
                                       score=1.0, created_at=utcnow())
        session.add(candidate)
    settle(candidate, "merged", decided_by or candidate.decided_by, keep_id)
    return candidate


def dismiss(session: Session, candidate_id: int, decided_by: str | None = None) -> DuplicateCandidate | None:
    """Not the same programme: the pair is never proposed again."""
    candidate = session.get(DuplicateCandidate, candidate_id)
    if candidate is None:
        return None
    settle(candidate, "dismissed", decided_by)
    return candidate


def reopen(session: Session, candidate_id: int) -> DuplicateCandidate | None:
    """A dismissed pair back to the curators' list."""
    candidate = session.get(DuplicateCandidate, candidate_id)
    if candidate is not None and candidate.status == "dismissed":
        candidate.status, candidate.decided_at, candidate.decided_by = "pending", None, None
    return candidate


def candidates(session: Session, status: str | None = "pending", programme_id: str | None = None,
               limit: int | None = None) -> list[DuplicateCandidate]:
    """Candidate pairs, strongest first (identical URLs, then by similarity, then newest)."""
    query = select(DuplicateCandidate)
    if status:
        query = query.where(DuplicateCandidate.status == status)
    if programme_id:
        query = query.where(or_(DuplicateCandidate.programme_a_id == programme_id,
                                DuplicateCandidate.programme_b_id == programme_id))
    query = query.order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.created_at.desc(),
                           DuplicateCandidate.id)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))




# ---------------------------------------------------------------- what curators see and settle

def candidates_page(session: Session, page: int = 1, per_page: int = 25) -> Page:
    """Pending pairs whose two programmes are both still live (neither merged already)."""
    first, second = aliased(Programme), aliased(Programme)
    statement = (select(DuplicateCandidate)
                 .join(first, first.id == DuplicateCandidate.programme_a_id)
                 .join(second, second.id == DuplicateCandidate.programme_b_id)
                 .where(DuplicateCandidate.status == "pending", first.state != "merged", second.state != "merged"))
    return paginate(session, statement, (DuplicateCandidate.score.desc(), DuplicateCandidate.id), page, per_page)


def candidate_for(session: Session, first_id: str, second_id: str) -> DuplicateCandidate | None:
    low, high = ordered_pair(first_id, second_id)
    return session.scalar(select(DuplicateCandidate).where(DuplicateCandidate.programme_a_id == low,
                                                           DuplicateCandidate.programme_b_id == high))


def dismiss_pair(session: Session, first_id: str, second_id: str, user) -> bool:
    """A curator says these two are not the same programme: the pair is never proposed again,
    and the audit log says so on both programmes. False when the pair is not (or no longer)
    proposed."""
    candidate = candidate_for(session, first_id, second_id)
    if candidate is None or candidate.status != "pending":
        return False
    dismiss(session, candidate.id, user.email if user is not None else None)
    summary = f"{first_id} et {second_id} ne sont pas des doublons"
    for programme_id in (first_id, second_id):
        audit.record(session, user, "dismiss_duplicate", summary, programme_id, {"pair": [first_id, second_id]})
    return True
