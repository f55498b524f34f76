"""guichet.curation.pairs: candidate pairs as stored, listed and settled."""

from sqlalchemy import select

from guichet.curation import pairs
from guichet.curation.models import AuditEntry, DuplicateCandidate
from guichet.programmes.models import Programme


def pair(session, first, second, score=0.9, status="pending"):
    low, high = pairs.ordered_pair(first, second)
    candidate = DuplicateCandidate(programme_a_id=low, programme_b_id=high, reason="similar_title", score=score,
                                   status=status)
    session.add(candidate)
    session.flush()
    return candidate


def test_a_pair_is_found_whatever_the_order_of_its_programmes(db_session, make_programme):
    first, second = make_programme(), make_programme()
    candidate = pair(db_session, second, first)
    assert (candidate.programme_a_id, candidate.programme_b_id) == tuple(sorted((first, second)))
    assert pairs.candidate_for(db_session, first, second) is candidate
    assert pairs.candidate_for(db_session, second, first) is candidate


def test_the_curators_page_lists_live_pending_pairs_strongest_first(db_session, make_programme):
    ids = [make_programme() for _ in range(5)]
    weak, strong = pair(db_session, ids[0], ids[1], 0.87), pair(db_session, ids[2], ids[3], 0.99)
    pair(db_session, ids[0], ids[4], status="dismissed")
    gone = pair(db_session, ids[1], ids[4])
    db_session.get(Programme, ids[4]).state = "merged"
    db_session.flush()

    page = pairs.candidates_page(db_session, page=1, per_page=25)

    assert [candidate.id for candidate in page.items] == [strong.id, weak.id]
    assert gone.id not in [candidate.id for candidate in page.items]


def test_dismissing_a_pair_settles_it_and_says_so_on_both_programmes(db_session, make_programme):
    first, second = make_programme(), make_programme()
    candidate = pair(db_session, first, second)

    assert pairs.dismiss_pair(db_session, first, second, None) is True
    assert pairs.dismiss_pair(db_session, first, second, None) is False  # no longer proposed
    assert candidate.status == "dismissed" and candidate.decided_at is not None
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "dismiss_duplicate")).all()
    assert sorted(entry.programme_id for entry in entries) == sorted((first, second))
    assert all(entry.user_email == "système" and entry.details == {"pair": [first, second]} for entry in entries)


def test_a_merge_found_by_a_curator_alone_is_stored_as_a_manual_pair(db_session, make_programme):
    keep, drop = make_programme(), make_programme()
    candidate = pairs.mark_merged(db_session, keep, drop, "curatrice@anct.test")
    assert (candidate.reason, candidate.status, candidate.kept_id, candidate.decided_by) == (
        "manual", "merged", keep, "curatrice@anct.test")
