"""What happens to what a source returns, step by step, in order (scrapy's ITEM_PIPELINES idea).

For each record the harvest yields::

    store → note source changes

and then, for the run (and every ``COMMIT_EVERY`` records, for the part stored so far)::

    conclude → find duplicates → commit → sync search

Each step is a plain function of the ``RunState`` the run carries (and of the record, for the
record steps), called by name from ``RECORD_STEPS`` and ``RUN_STEPS``: nothing happens behind
an ORM event. The search index has one listener of its own left (guichet.search), for what
curators change; a run's session opts out of its push (``SEARCH_SYNCED_BY_CALLER``) and syncs
here.

``conclude`` holds the run's safety rules: a run whose list could not be read in full, that
returned nothing, or fewer than half of the last good run's programmes closes nothing and is
flagged for a curator.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guichet.curation import review
from guichet.curation.duplicates import find_candidates
from guichet.programmes.models import Programme, utcnow
from guichet.programmes.services import upsert_source_record
from guichet.search import SEARCH_SYNCED_BY_CALLER, sync_programmes, take_changed
from guichet.sources.models import RunError, ScrapeRun
from scrapers.base import Harvest, StageError
from scrapers.registry import get_source

log = logging.getLogger(__name__)

COMMIT_EVERY = 200


@dataclass
class RunState:
    """What a run carries from step to step."""

    app: object
    session: Session
    source: object  # the scrapers.base.Source instance
    run: ScrapeRun
    harvest: Harvest | None = None
    previous: ScrapeRun | None = None  # the last good run, for the safety rules
    from_file: object = None
    now: datetime | None = None
    recorded: bool = False  # read from recorded responses (replay server or saved file)
    # What a new programme becomes (services.new_programme_state: the source's publication policy).
    new_state: str | None = None
    stage_counts: dict[str, int] = field(default_factory=dict)
    # Programmes answered 304: only their « seen » stamp moves, in one statement at the end.
    seen_unchanged: list[str] = field(default_factory=list)
    # Added or updated by this run: what duplicates are looked for among.
    touched: list[str] = field(default_factory=list)
    # Changed in the store since the index was last synced.
    changed: set[str] = field(default_factory=set)


@dataclass
class RecordItem:
    """One outcome of the harvest on its way through the record steps."""

    outcome: object  # scrapers.base.Outcome
    record_id: str | None = None
    result: str | None = None  # added · updated · unchanged; None when it could not be stored
    programme: Programme | None = None
    previous_source_values: dict | None = None  # what the source said before this run


# -- record steps --------------------------------------------------------------------------------

def store(state: RunState, item: RecordItem) -> None:
    """The record into the store (curators' fields kept), in a savepoint of its own: a record
    that cannot be stored is an error of the run, and the run goes on."""
    session, run, outcome = state.session, state.run, item.outcome
    item.record_id = record_id = state.source.record_id(outcome.entry.source_id)
    if outcome.record is None and outcome.not_modified:
        # 304 for a programme we hold: the source says nothing changed, nothing was re-read.
        state.seen_unchanged.append(record_id)
        run.unchanged += 1
        item.result = "unchanged"
        return
    try:
        with session.begin_nested():
            with session.no_autoflush:  # its lookups need no flush of what came before
                existing = session.get(Programme, record_id)
                previous = dict(existing.source_values or {}) if existing is not None else None
                result = upsert_source_record(session, outcome.record, raw_payload=_jsonable(outcome.raw),
                                              now=state.now,
                                              default_state=state.new_state or state.source.default_state)
            session.flush()
            programme = session.get(Programme, record_id)  # in the identity map since the flush
            if programme.recorded_response != state.recorded:
                programme.recorded_response = state.recorded
    except Exception as error:  # noqa: BLE001 - one record that cannot be stored does not stop the run
        record_error(state, StageError("store", f"{type(error).__name__}: {error}", record_id))
        return
    setattr(run, result, getattr(run, result) + 1)
    item.result, item.programme, item.previous_source_values = result, programme, previous
    if result in ("added", "updated"):
        state.touched.append(record_id)
        state.changed.add(record_id)


def note_source_changes(state: RunState, item: RecordItem) -> None:
    """A reviewed programme the source rewrote gets its « changed at the source » flag opened
    (or closed, when the source is back to what curators saw): guichet.curation.review."""
    if item.result == "updated":
        review.note_source_changes(state.session, [(item.programme, item.previous_source_values)], state.now)


RECORD_STEPS: tuple[Callable[[RunState, RecordItem], None], ...] = (store, note_source_changes)


def handle(state: RunState, outcome) -> RecordItem | None:
    """One outcome of the harvest through ``RECORD_STEPS``, in order, as long as it is stored;
    an error of the harvest is recorded on the run."""
    if outcome.error is not None:
        record_error(state, outcome.error)
        return None
    item = RecordItem(outcome)
    for step in RECORD_STEPS:
        step(state, item)
        if item.result is None:
            break
    return item


def record_error(state: RunState, error: StageError) -> None:
    run = state.run
    run.errors.append(RunError(stage=error.stage, message=error.message[:2000], record_id=error.record_id,
                               url=error.url))
    state.stage_counts[error.stage] = state.stage_counts.get(error.stage, 0) + 1
    if error.stage != "gather":  # a list page is not a record: it shows in the run's health instead
        run.errored += 1


# -- run steps -----------------------------------------------------------------------------------

def conclude(state: RunState) -> None:
    """Healthy runs close what disappeared; suspicious ones touch nothing and ask for a look."""
    session, run, harvest, now = state.session, state.run, state.harvest, state.now
    for start in range(0, len(state.seen_unchanged), 500):
        session.execute(update(Programme).where(Programme.id.in_(state.seen_unchanged[start:start + 500]))
                        .values(last_seen_at=now).execution_options(synchronize_session=False))
    state.seen_unchanged.clear()
    run.seen = len(harvest.seen_ids)
    _apply_safety_rules(state)
    run.details = {**(run.details or {}), "pages": harvest.pages, "errors_by_stage": state.stage_counts,
                   "recorded_response": state.recorded}
    run.finished_at = utcnow()


def _apply_safety_rules(state: RunState) -> None:
    session, run, harvest, previous, now = state.session, state.run, state.harvest, state.previous, state.now
    seen = run.seen
    if not harvest.gather_complete:
        run.flagged = True
        run.status = "failed" if seen == 0 else "partial"
        reason = f" ({harvest.incomplete_reason})" if harvest.incomplete_reason else ""
        run.message = (f"La liste de la source n’a pas pu être lue en entier{reason} ({seen} programmes lus) : "
                       "aucun programme n’a été clos ni dépublié. À vérifier.")
        return
    if harvest.unlisted_errors:
        # Those items were never counted as seen: closing "what is missing" would close them.
        run.status = "partial"
        run.message = (f"{run.errored} programme(s) en erreur, dont {harvest.unlisted_errors} élément(s) de la "
                       "liste illisibles : aucun programme n’a été clos. Voir le détail des erreurs.")
        return
    if seen == 0:
        run.flagged, run.status = True, "flagged"
        run.message = ("La source n’a renvoyé aucun programme : aucun programme n’a été clos ni dépublié. "
                       "À vérifier (panne ou changement de format de la source).")
        return
    if previous is not None and seen < previous.seen / 2:
        run.flagged, run.status = True, "flagged"
        run.message = (f"La source a renvoyé {seen} programmes contre {previous.seen} lors de la dernière "
                       "collecte réussie : aucun programme n’a été clos ni dépublié. À vérifier.")
        return
    run.status = "partial" if run.errored else "success"
    if state.from_file:
        run.message = "Lecture d’une réponse enregistrée : aucun programme n’a été clos."
        return
    if not get_source(run.source).closes_missing:
        return
    seen_ids = set(harvest.seen_ids)
    open_ids = session.scalars(select(Programme.id).where(Programme.source == run.source,
                                                          Programme.closed_at.is_(None))).all()
    for programme_id in open_ids:
        if programme_id not in seen_ids:
            session.get(Programme, programme_id).closed_at = now
            state.changed.add(programme_id)
            run.closed += 1
    if run.errored:
        run.message = f"{run.errored} programme(s) en erreur : voir le détail des erreurs."


def find_duplicates(state: RunState) -> None:
    """The programmes this run added or changed, compared with the whole store
    (guichet.curation.duplicates); identical pages are merged at once. A failure here is
    logged and noted on the run, whose record is still saved."""
    if not state.touched:
        return
    try:
        with state.session.begin_nested():
            found = find_candidates(state.session, state.touched)
    except Exception as error:  # noqa: BLE001 - the run is stored and reported even so
        log.exception("duplicate detection failed after a run of %s", state.run.source)
        state.run.details = {**(state.run.details or {}),
                             "duplicates_error": f"{type(error).__name__}: {error}"[:500]}
        return
    for candidate in found:
        if candidate.status == "merged":
            state.changed.update((candidate.programme_a_id, candidate.programme_b_id))
    state.touched.clear()


def commit(state: RunState) -> None:
    state.session.commit()


def sync_search(state: RunState) -> None:
    """What this run changed in the store, into the search index (after the commit): what
    the steps changed, and whatever else its session wrote (guichet.search collects it)."""
    changed, state.changed = state.changed | take_changed(state.session), set()
    if changed and not state.app.config.get("SEARCH_SYNC_DISABLED"):
        sync_programmes(state.app, changed)


RUN_STEPS: tuple[Callable[[RunState], None], ...] = (conclude, find_duplicates, commit, sync_search)
# Every COMMIT_EVERY records: what is stored so far is saved and searchable; the run goes on.
BATCH_STEPS: tuple[Callable[[RunState], None], ...] = (commit, sync_search)


def start(app, session: Session, source, run: ScrapeRun, **options) -> RunState:
    """The state of a run whose search index is synced by these steps, not by the listener."""
    session.info[SEARCH_SYNCED_BY_CALLER] = True
    return RunState(app=app, session=session, source=source, run=run, **options)


def run_steps(state: RunState, steps) -> None:
    for step in steps:
        step(state)


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))


# -- one record outside a run ----------------------------------------------------------------------

def store_record(session: Session, data: dict, raw_payload=None, now: datetime | None = None,
                 default_state: str = "pending", hold_published_changes: bool = True) -> str:
    """One normalised record into the store and its changes noted for curators, as a run does
    it (``guichet import``, the curated data, tests). The caller commits; the search index
    follows the commit (guichet.search's listener)."""
    with session.no_autoflush:
        existing = session.get(Programme, data.get("id")) if data.get("id") else None
        previous = dict(existing.source_values or {}) if existing is not None else None
        result = upsert_source_record(session, data, raw_payload=raw_payload, now=now, default_state=default_state,
                                      hold_published_changes=hold_published_changes)
        if result == "updated":
            review.note_source_changes(session, [(session.get(Programme, data["id"]), previous)], now)
    return result
