"""The duplicate candidates found by the scrapers (guichet.duplicates), as curators settle them."""

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from guichet.admin.models import User
from guichet.admin.paging import Page, paginate
from guichet.duplicates import services as duplicates_services
from guichet.duplicates.models import DuplicateCandidate
from guichet.programmes.models import Programme


def candidates(session: Session, page: int = 1, per_page: int = 25) -> Page:
    """Pending pairs whose two programmes are both still live (neither merged already)."""
    first, second = aliased(Programme), aliased(Programme)
    statement = (select(DuplicateCandidate)
                 .join(first, first.id == DuplicateCandidate.programme_a_id)
                 .join(second, second.id == DuplicateCandidate.programme_b_id)
                 .where(DuplicateCandidate.status == "pending", first.state != "merged", second.state != "merged"))
    return paginate(session, statement, (DuplicateCandidate.score.desc(), DuplicateCandidate.id), page, per_page)


def candidate_for(session: Session, first_id: str, second_id: str) -> DuplicateCandidate | None:
    low, high = sorted((first_id, second_id))
    return session.scalar(select(DuplicateCandidate).where(DuplicateCandidate.programme_a_id == low,
                                                           DuplicateCandidate.programme_b_id == high))


def settle(session: Session, keep_id: str, drop_id: str, user: User | None) -> None:
    """After a merge: the pair is settled (created when the curator found it alone)."""
    duplicates_services.mark_merged(session, keep_id, drop_id, user.email if user is not None else None)


def dismiss(session: Session, first_id: str, second_id: str, user: User | None) -> bool:
    """Not the same programme: the pair is never proposed again."""
    candidate = candidate_for(session, first_id, second_id)
    if candidate is None or candidate.status != "pending":
        return False
    duplicates_services.dismiss(session, candidate.id, user.email if user is not None else None)
    return True
