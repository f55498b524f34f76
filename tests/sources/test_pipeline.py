"""A run's steps, each on its own: store → note source changes, then conclude → find duplicates
→ commit → sync search (guichet.sources.pipeline)."""

import pytest
from sqlalchemy import select

from guichet.curation.models import DuplicateCandidate, ProgrammeReview
from guichet.programmes.models import Programme, utcnow
from guichet.sources import pipeline
from guichet.sources.models import ScrapeRun
from scrapers.base import Entry, Harvest, Outcome
from scrapers.registry import get_source
from tests.conftest import programme_data

SLUG = "ile-de-france"  # a source whose healthy runs close what they no longer list


@pytest.fixture
def session(app):
    with app.extensions["guichet.db"].session() as session:
        yield session


def start(app, session, previous=None):
    from guichet.sources.services import sync_sources

    sync_sources(session)  # the run's source row
    source = get_source(SLUG)(app.config)
    run = ScrapeRun(source=SLUG, started_at=utcnow(), status="running", details={})
    session.add(run)
    session.flush()
    state = pipeline.start(app, session, source, run, previous=previous, now=utcnow())
    state.harvest = Harvest(source, None)
    return state


def record(number, **fields):
    return programme_data(id=f"{SLUG}-{number}", source=SLUG, source_id=str(number), **fields)


def outcome(data):
    return Outcome(Entry(data["source_id"]), record={key: value for key, value in data.items() if key != "state"},
                   raw={"payload": data["source_id"]})


def indexed(app) -> int:
    return app.extensions["guichet.search"].health()["documents"]


def test_the_steps_are_called_by_name_in_order():
    assert [step.__name__ for step in pipeline.RECORD_STEPS] == ["store", "note_source_changes"]
    assert [step.__name__ for step in pipeline.RUN_STEPS] == ["conclude", "find_duplicates", "commit", "sync_search"]
    assert [step.__name__ for step in pipeline.BATCH_STEPS] == ["commit", "sync_search"]


def test_store_counts_each_record_and_a_broken_one_is_an_error_of_the_run(app, session):
    state = start(app, session)
    data = record(1)
    first = pipeline.RecordItem(outcome(data))
    pipeline.store(state, first)
    broken = pipeline.RecordItem(outcome(record(2, title=None)))
    pipeline.store(state, broken)
    again = pipeline.RecordItem(outcome(data))
    pipeline.store(state, again)

    assert (first.result, broken.result, again.result) == ("added", None, "unchanged")
    assert (state.run.added, state.run.unchanged, state.run.errored) == (1, 1, 1)
    assert [(error.stage, error.record_id) for error in state.run.errors] == [("store", f"{SLUG}-2")]
    assert state.touched == [f"{SLUG}-1"] and state.changed == {f"{SLUG}-1"}
    assert session.get(Programme, f"{SLUG}-1").state == "pending"  # scraped programmes wait for curators
    assert session.get(Programme, f"{SLUG}-2") is None


def test_note_source_changes_flags_a_reviewed_programme_the_source_rewrote(app, session, make_programme):
    published = make_programme(**record(3))
    waiting = make_programme(**record(4, state="pending"))
    state = start(app, session)
    items = [pipeline.RecordItem(outcome(record(number, summary="La source a changé."))) for number in (3, 4)]
    for item in items:
        pipeline.store(state, item)
    assert session.get(ProgrammeReview, published) is None  # storing alone notes nothing

    for item in items:
        pipeline.note_source_changes(state, item)
    session.flush()

    review = session.get(ProgrammeReview, published)
    assert review.changed_at is not None
    assert review.reviewed_values["summary"] == "Résumé de test."  # what was published before
    assert session.get(ProgrammeReview, waiting) is None  # a new programme is not a change


def test_conclude_closes_what_a_healthy_run_no_longer_lists(app, session, make_programme):
    kept, gone = make_programme(**record(5)), make_programme(**record(6))
    state = start(app, session)
    state.harvest.seen_ids, state.harvest.gather_complete, state.harvest.pages = [kept], True, 1

    pipeline.conclude(state)

    assert (state.run.status, state.run.seen, state.run.closed, state.run.flagged) == ("success", 1, 1, False)
    assert session.get(Programme, gone).closed_at is not None and session.get(Programme, kept).closed_at is None
    assert gone in state.changed  # closed: the index must learn it
    assert state.run.finished_at is not None and state.run.details["pages"] == 1


@pytest.mark.parametrize("complete, seen, previous_seen, status", [
    (False, 1, None, "partial"),  # the list could not be read in full
    (True, 0, None, "flagged"),  # nothing came back
    (True, 1, 4, "flagged"),  # fewer than half of the last good run
])
def test_conclude_closes_nothing_on_a_suspicious_run_and_flags_it(app, session, make_programme, complete, seen,
                                                                  previous_seen, status):
    ids = [make_programme(**record(number)) for number in (7, 8, 9)]
    previous = ScrapeRun(source=SLUG, seen=previous_seen) if previous_seen else None
    state = start(app, session, previous=previous)
    state.harvest.seen_ids, state.harvest.gather_complete = ids[:seen], complete

    pipeline.conclude(state)

    assert (state.run.status, state.run.flagged, state.run.closed) == (status, True, 0)
    assert "aucun programme n’a été clos ni dépublié" in state.run.message
    assert all(session.get(Programme, programme_id).closed_at is None for programme_id in ids)


def test_find_duplicates_merges_identical_pages_and_both_go_to_the_index(app, session, make_programme):
    first = make_programme(source_url="https://financeur.example/une-seule-page", source="autre", id="autre-1",
                           source_id="1")
    state = start(app, session)
    item = pipeline.RecordItem(outcome(record(10, source_url="https://financeur.example/une-seule-page")))
    pipeline.store(state, item)

    pipeline.find_duplicates(state)

    candidate = session.scalars(select(DuplicateCandidate)).one()
    assert (candidate.status, candidate.reason) == ("merged", "same_source_url")
    assert session.get(Programme, item.record_id).merged_into == first  # the published one is kept
    assert {first, item.record_id} <= state.changed and state.touched == []


def test_a_runs_commit_leaves_the_index_to_sync_search(app, session):
    state = start(app, session)
    before = indexed(app)
    item = pipeline.RecordItem(outcome(record(11)))
    pipeline.store(state, item)
    session.get(Programme, item.record_id).state = "published"

    pipeline.commit(state)
    assert indexed(app) == before  # the run's session is not synced behind its back

    pipeline.sync_search(state)
    assert indexed(app) == before + 1 and state.changed == set()


def test_store_record_notes_changes_for_imports_and_the_listener_syncs_them(app, make_programme):
    programme_id = make_programme(**record(12))
    before = indexed(app)
    with app.extensions["guichet.db"].session() as session:
        # As ``guichet import`` stores it (the team's file applies at once to a published programme).
        assert pipeline.store_record(session, record(12, title="Titre revu à la source"),
                                     hold_published_changes=False) == "updated"
        session.commit()
    with app.extensions["guichet.db"].session() as session:
        assert session.get(ProgrammeReview, programme_id).changed_at is not None
    assert indexed(app) == before  # updated in place, still one document
    with app.app_context():
        from guichet.search.services import parse

        hits = app.extensions["guichet.search"].search(parse({"q": "revu"})).hits
    assert [hit.id for hit in hits] == [programme_id]
