"""Running sources: the store stage, the run record and the health of each source.

``run_source`` is what the CLI (`guichet scrape`), the scheduler jobs and the back office's
"run now" button call; ``source_overview`` feeds `guichet sources` and the source-health page.
"""

from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from guichet.programmes.models import Programme, utcnow
from guichet.programmes.services import upsert_source_record
from guichet.programmes.vocabulary import LEVEL_ADJECTIVES
from guichet.sources.models import HttpCacheEntry, RunError, ScrapeRun, Source as SourceRow
from scrapers.base import Harvest, StageError, record_json
from scrapers.http import CachedResponse, Fetched, HttpClient, user_agent
from scrapers.registry import all_sources, get_source

log = logging.getLogger(__name__)

GOOD_STATUSES = ("success", "partial")
COMMIT_EVERY = 200
STATUS_LABELS = {"running": "en cours", "success": "réussie", "partial": "réussie avec des erreurs",
                 "failed": "échouée", "flagged": "à vérifier", "interrupted": "interrompue"}


class SourceBusy(RuntimeError):
    """A run of this source is already going on (another process or the scheduler)."""


def job_id(slug: str) -> str:
    return f"scrape:{slug}"


def schedule_of(source_class, index: int = 0) -> dict | None:
    """A source's cron fields; a source without one gets a nightly slot of its own
    (from 4 h 00, ten minutes apart, so that sources never start together)."""
    if source_class.local:
        return None
    if source_class.schedule:
        return dict(source_class.schedule)
    minutes = 10 * index
    return {"hour": 4 + minutes // 60, "minute": minutes % 60}


def schedule_text_of(source_class, index: int = 0) -> str:
    if source_class.schedule_text:
        return source_class.schedule_text
    schedule = schedule_of(source_class, index)
    if not schedule:
        return "—"
    return f"chaque nuit à {schedule['hour']} h {schedule['minute']:02d}"


def sync_sources(session: Session) -> None:
    """The sources table mirrors the source modules (their name, level, page, schedule)."""
    rows = {row.slug: row for row in session.scalars(select(SourceRow))}
    for index, (slug, source_class) in enumerate(all_sources().items()):
        row = rows.get(slug)
        if row is None:
            row = SourceRow(slug=slug, enabled=source_class.enabled)
            session.add(row)
        row.name = source_class.name or slug
        row.level = source_class.level
        row.url = source_class.url or None
        row.schedule = schedule_text_of(source_class, index)[:100]
    session.flush()


# -- HTTP -------------------------------------------------------------------------------------

class StoreCache:
    """Validators and bodies of a source's responses, kept in ``source_http_cache``."""

    def __init__(self, session: Session, slug: str):
        self.session = session
        self.slug = slug

    def get(self, key):
        entry = self.session.get(HttpCacheEntry, key)
        if entry is None:
            return None
        return CachedResponse(entry.etag, entry.last_modified, entry.body, entry.content_type)

    def put(self, key, url, cached):
        entry = self.session.get(HttpCacheEntry, key) or HttpCacheEntry(key=key, source=self.slug)
        entry.url, entry.etag, entry.last_modified = url, cached.etag, cached.last_modified
        entry.body, entry.content_type, entry.fetched_at = cached.body, cached.content_type, utcnow()
        self.session.add(entry)


def replay_url(config) -> str | None:
    """Where recorded responses are served: a replay server given by URL (tests, benchmark),
    or one started in this process over SOURCES_REPLAY_DIR (offline machines)."""
    if config.get("SOURCES_REPLAY_URL"):
        return config["SOURCES_REPLAY_URL"]
    directory = config.get("SOURCES_REPLAY_DIR")
    if not directory and config.get("OFFLINE"):
        # An offline machine (`make run` here) collects from the recorded responses, never the
        # live sites it cannot reach; pages say so.
        from guichet import ROOT

        directory = str(ROOT / "scrapers" / "recorded")
    if directory:
        from scrapers.replay import shared_server

        return shared_server(directory).url
    return None


def make_client(config, cache=None) -> HttpClient:
    contact = f"{str(config.get('BASE_URL') or 'http://127.0.0.1:5000').rstrip('/')}/"
    return HttpClient(user_agent=user_agent(contact), timeout=float(config.get("SCRAPER_TIMEOUT") or 30),
                      delay=float(config.get("SCRAPER_DELAY") or 0), backoff=float(config.get("SCRAPER_BACKOFF") or 0),
                      cache=cache, replay_url=replay_url(config))


# -- runs -------------------------------------------------------------------------------------

@contextmanager
def source_lock(app, slug: str):
    """One run of a source at a time (scheduler, CLI and back office alike): a store lock on
    PostgreSQL (every host), a lock file in the instance folder on SQLite (one host)."""
    from guichet.db import Locked

    database = app.extensions["guichet.db"]
    if database.is_postgresql:
        try:
            with database.exclusive(f"scrape-{slug}", wait=False):
                yield
        except Locked:
            raise SourceBusy(f"une collecte de « {slug} » est déjà en cours") from None
        return
    path = Path(app.instance_path) / f"scrape-{slug}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SourceBusy(f"une collecte de « {slug} » est déjà en cours") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def mark_interrupted_runs(app) -> list[str]:
    """Runs still « en cours » that no process is doing (nobody holds their source's lock: the
    process or host that ran them died) become « interrompue »; returns their sources' slugs.
    An interrupted run never counts as the last good run, so the next run redoes its work."""
    database = app.extensions["guichet.db"]
    with database.session() as session:
        slugs = sorted(set(session.scalars(select(ScrapeRun.source).where(ScrapeRun.status == "running"))))
    interrupted = []
    for slug in slugs:
        try:
            with source_lock(app, slug), database.session() as session:
                for run in session.scalars(select(ScrapeRun).where(ScrapeRun.source == slug,
                                                                   ScrapeRun.status == "running")):
                    run.status, run.finished_at = "interrupted", utcnow()
                    run.details = {**(run.details or {}), "interrupted": "le processus de la collecte s'est arrêté"}
                session.commit()
                interrupted.append(slug)
        except SourceBusy:
            continue  # really running elsewhere
    return interrupted


def last_good_run(session: Session, slug: str, before_id: int | None = None) -> ScrapeRun | None:
    statement = select(ScrapeRun).where(ScrapeRun.source == slug, ScrapeRun.flagged.is_(False),
                                        ScrapeRun.status.in_(GOOD_STATUSES)).order_by(ScrapeRun.id.desc())
    if before_id is not None:
        statement = statement.where(ScrapeRun.id < before_id)
    for run in session.scalars(statement.limit(20)):
        if not (run.details or {}).get("from_file"):
            return run
    return None


def last_run(session: Session, slug: str) -> ScrapeRun | None:
    return session.scalars(select(ScrapeRun).where(ScrapeRun.source == slug)
                           .order_by(ScrapeRun.id.desc()).limit(1)).first()


def saved_response(source, path) -> Fetched:
    """A saved body read as the answer to the source's first request: its relative links resolve
    against the source's own address, as they would have online."""
    url = Path(path).resolve().as_uri() if source.local else source.first_request().full_url
    return Fetched.from_file(path, url=url)


def run_source(app, slug: str, *, from_file=None, dry_run: bool = False,
               report: Callable[..., None] | None = None) -> ScrapeRun | list[dict]:
    """Run one source through gather → fetch → parse → normalise → store.

    ``dry_run``: nothing is stored and the normalised records are returned (JSON-ready, DESIGN.md
    field names). ``from_file``: the saved body of the source's first list request is read
    instead of asking the source (no further pages; detail pages are still fetched). ``report``
    is called as ``report(kind, **info)`` with kind ``"record"``, ``"error"`` or ``"done"``.
    Raises ``scrapers.registry.UnknownSource`` and ``SourceBusy``.
    """
    source_class = get_source(slug)
    report = report or (lambda kind, **info: None)
    source = source_class(app.config)
    first_response = saved_response(source, from_file) if from_file else None
    if dry_run:
        client = None if source.local and not source.has_details else make_client(app.config)
        try:
            harvest = Harvest(source, client, first_response=first_response, follow_pages=from_file is None)
            records = []
            for outcome in harvest:
                if outcome.error:
                    report("error", error=outcome.error)
                elif outcome.record is not None:
                    records.append(record_json(outcome.record))
                    report("record", count=len(records))
            return records
        finally:
            if client is not None:
                client.close()
    with source_lock(app, slug):
        return _stored_run(app, source, first_response=first_response, from_file=from_file, report=report)


def _stored_run(app, source, *, first_response, from_file, report) -> ScrapeRun:
    database = app.extensions["guichet.db"]
    slug = source.slug
    with database.session() as session:
        sync_sources(session)
        run = ScrapeRun(source=slug, started_at=utcnow(), status="running",
                        details={"from_file": str(from_file)} if from_file else {})
        session.add(run)
        session.commit()  # the back office sees the run going on
        previous = last_good_run(session, slug, before_id=run.id)
        client = None if source.local and not source.has_details else make_client(app.config, StoreCache(session, slug))
        recorded = bool(from_file) or (client is not None and client.replaying)
        now = utcnow()
        touched: list[str] = []
        stage_counts: dict[str, int] = {}
        # Programmes held as last read: a 304 for them needs no re-reading, only a "seen" stamp.
        known = set(session.scalars(select(Programme.id).where(
            Programme.source == slug, Programme.content_hash.is_not(None), Programme.closed_at.is_(None))))
        seen_unchanged: list[str] = []
        new_state = new_programme_state(session, source)
        harvest = Harvest(source, client, first_response=first_response, follow_pages=from_file is None,
                          known=known.__contains__)
        try:
            for outcome in harvest:
                if outcome.error is not None:
                    _record_error(run, outcome.error, stage_counts)
                    report("error", error=outcome.error)
                    continue
                outcome_name = _store(session, source, outcome, now, recorded, run, stage_counts,
                                      seen_unchanged, new_state)
                if outcome_name in ("added", "updated"):
                    touched.append(outcome.record["id"])
                processed = run.added + run.updated + run.unchanged + run.errored
                report("record", count=processed)
                if processed % COMMIT_EVERY == 0:
                    session.commit()
        except Exception as error:  # noqa: BLE001 - a bug in a source module fails its run, not the process
            log.exception("source %s crashed", slug)
            _record_error(run, StageError("gather", f"erreur inattendue : {type(error).__name__}: {error}"),
                          stage_counts)
        finally:
            if client is not None:
                client.close()
        for start in range(0, len(seen_unchanged), 500):
            session.execute(update(Programme).where(Programme.id.in_(seen_unchanged[start:start + 500]))
                            .values(last_seen_at=now).execution_options(synchronize_session=False))
        run.seen = len(harvest.seen_ids)
        _conclude(session, run, harvest, previous, from_file, now)
        run.finished_at = utcnow()
        run.details = {**(run.details or {}), "pages": harvest.pages, "errors_by_stage": stage_counts,
                       "recorded_response": recorded}
        session.commit()
        if touched:
            from guichet.curation.duplicates import find_candidates

            find_candidates(session, touched)
            session.commit()
        report("done", run=run)
        return run


def _record_error(run: ScrapeRun, error: StageError, stage_counts: dict) -> None:
    run.errors.append(RunError(stage=error.stage, message=error.message[:2000], record_id=error.record_id,
                               url=error.url))
    stage_counts[error.stage] = stage_counts.get(error.stage, 0) + 1
    if error.stage != "gather":  # a list page is not a record: it shows in the run's health instead
        run.errored += 1


def new_programme_state(session: Session, source) -> str:
    """What a new programme of this source becomes: published at once when an admin chose
    « publié automatiquement » for the source, else what the source module says (pending)."""
    row = session.get(SourceRow, source.slug)
    if row is not None and row.publication_policy == "auto":
        return "published"
    return source.default_state


def _store(session, source, outcome, now, recorded, run, stage_counts, seen_unchanged,
           new_state: str) -> str | None:
    record_id = source.record_id(outcome.entry.source_id)
    if outcome.record is None and outcome.not_modified:
        # 304 for a programme we hold: the source says nothing changed, nothing was re-read.
        seen_unchanged.append(record_id)
        run.unchanged += 1
        return "unchanged"
    record = outcome.record
    try:
        with session.begin_nested():
            with session.no_autoflush:  # its lookups need no flush of what came before
                result = upsert_source_record(session, record, raw_payload=_jsonable(outcome.raw), now=now,
                                              default_state=new_state)
            session.flush()
            programme = session.get(Programme, record_id)  # in the identity map since the flush
            if programme.recorded_response != recorded:
                programme.recorded_response = recorded
    except Exception as error:  # noqa: BLE001 - one record that cannot be stored does not stop the run
        _record_error(run, StageError("store", f"{type(error).__name__}: {error}", record_id), stage_counts)
        return None
    setattr(run, result, getattr(run, result) + 1)
    return result


def _jsonable(value):
    import json

    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))


def _conclude(session: Session, run: ScrapeRun, harvest: Harvest, previous: ScrapeRun | None, from_file,
              now: datetime) -> None:
    """Healthy runs close what disappeared; suspicious ones touch nothing and ask for a look."""
    seen = run.seen
    if not harvest.gather_complete:
        run.flagged = True
        run.status = "failed" if seen == 0 else "partial"
        run.message = (f"La liste de la source n'a pas pu être lue en entier ({seen} programmes lus) : "
                       "aucun programme n'a été clos ni dépublié. À vérifier.")
        return
    if harvest.unlisted_errors:
        # Those items were never counted as seen: closing "what is missing" would close them.
        run.status = "partial"
        run.message = (f"{run.errored} programme(s) en erreur, dont {harvest.unlisted_errors} élément(s) de la "
                       "liste illisibles : aucun programme n'a été clos. Voir le détail des erreurs.")
        return
    if seen == 0:
        run.flagged, run.status = True, "flagged"
        run.message = ("La source n'a renvoyé aucun programme : aucun programme n'a été clos ni dépublié. "
                       "À vérifier (panne ou changement de format de la source).")
        return
    if previous is not None and seen < previous.seen / 2:
        run.flagged, run.status = True, "flagged"
        run.message = (f"La source a renvoyé {seen} programmes contre {previous.seen} lors de la dernière "
                       "collecte réussie : aucun programme n'a été clos ni dépublié. À vérifier.")
        return
    run.status = "partial" if run.errored else "success"
    if from_file:
        run.message = "Lecture d'une réponse enregistrée : aucun programme n'a été clos."
        return
    if not get_source(run.source).closes_missing:
        return
    seen_ids = set(harvest.seen_ids)
    open_ids = session.scalars(select(Programme.id).where(Programme.source == run.source,
                                                          Programme.closed_at.is_(None))).all()
    for programme_id in open_ids:
        if programme_id not in seen_ids:
            session.get(Programme, programme_id).closed_at = now
            run.closed += 1
    if run.errored:
        run.message = f"{run.errored} programme(s) en erreur : voir le détail des erreurs."


# -- health -----------------------------------------------------------------------------------

def run_summary(run: ScrapeRun | None) -> dict | None:
    if run is None:
        return None
    return {
        "id": run.id, "started_at": run.started_at, "finished_at": run.finished_at, "status": run.status,
        "status_label": STATUS_LABELS.get(run.status, run.status), "added": run.added, "updated": run.updated,
        "unchanged": run.unchanged, "errored": run.errored, "closed": run.closed, "seen": run.seen,
        "flagged": run.flagged, "message": run.message,
    }


def verification_text(source_class) -> str:
    from scrapers.coverage import verification_text as text

    return text(source_class)


def source_overview(session: Session) -> list[dict]:
    """Every source with its level, page, schedule (in French), last run and its counts,
    whether that run is flagged for review, and the next scheduled run."""
    from flask import current_app, has_app_context

    from guichet.scheduler import next_run_time

    counts = dict(session.execute(select(Programme.source, func.count()).group_by(Programme.source)).all())
    rows = {row.slug: row for row in session.scalars(select(SourceRow))}
    overview = []
    for index, (slug, source_class) in enumerate(all_sources().items()):
        run = last_run(session, slug)
        row = rows.get(slug)
        enabled = row.enabled if row is not None else source_class.enabled
        overview.append({
            "slug": slug, "name": source_class.name or slug, "level": source_class.level,
            "level_label": LEVEL_ADJECTIVES.get(source_class.level, source_class.level), "url": source_class.url,
            "schedule": schedule_text_of(source_class, index), "enabled": enabled,
            "verification": verification_text(source_class), "evidence": source_class.verified_by,
            "last_run": run_summary(run), "flagged": bool(run and run.flagged),
            "programmes": counts.get(slug, 0),
            "next_run": next_run_time(current_app, job_id(slug)) if has_app_context() else None,
        })
    return overview


def enabled_slugs(session: Session | None = None) -> list[str]:
    disabled = set()
    if session is not None:
        disabled = {row.slug for row in session.scalars(select(SourceRow).where(SourceRow.enabled.is_(False)))}
    return [slug for slug, source_class in all_sources().items()
            if source_class.enabled and slug not in disabled and not source_class.local]
