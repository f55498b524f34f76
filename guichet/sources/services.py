"""Running sources: the run of a source, its record and the health of each source.

What a run does with each record, and after, is ``guichet.sources.pipeline``'s named steps.

``run_source`` is what the CLI (`guichet scrape`), the scheduler jobs and the back office's
"run now" button call; ``source_overview`` feeds `guichet sources` and the source-health page.
"""

from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guichet.programmes.models import Programme, utcnow
from guichet.programmes.vocabulary import LEVEL_ADJECTIVES
from guichet.sources import pipeline
from guichet.sources.models import HttpCacheEntry, ScrapeRun, Source as SourceRow
from scrapers.base import Harvest, StageError, record_json
from scrapers.http import CachedResponse, Fetched, HttpClient, user_agent
from scrapers.registry import all_sources, get_source

log = logging.getLogger(__name__)

GOOD_STATUSES = ("success", "partial")
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
        from guichet.config import ROOT

        directory = str(ROOT / "scrapers" / "recorded")
    if directory:
        from scrapers.replay import shared_server

        return shared_server(directory).url
    return None


def make_client(config, cache=None) -> HttpClient:
    contact = f"{str(config.get('BASE_URL') or 'http://127.0.0.1:5000').rstrip('/')}/"
    return HttpClient(user_agent=user_agent(contact), timeout=float(config.get("SCRAPER_TIMEOUT") or 30),
                      delay=float(config.get("SCRAPER_DELAY") or 0), backoff=float(config.get("SCRAPER_BACKOFF") or 0),
                      cache=cache, replay_url=replay_url(config),
                      allow_private_addresses=bool(config.get("SOURCES_ALLOW_PRIVATE_ADDRESSES")))


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
                    run.details = {**(run.details or {}), "interrupted": "le processus de la collecte s’est arrêté"}
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
    """A run that stores: the harvest's outcomes through guichet.sources.pipeline's steps."""
    database = app.extensions["guichet.db"]
    slug = source.slug
    with database.session() as session:
        sync_sources(session)
        run = ScrapeRun(source=slug, started_at=utcnow(), status="running",
                        details={"from_file": str(from_file)} if from_file else {})
        session.add(run)
        session.commit()  # the back office sees the run going on
        client = None if source.local and not source.has_details else make_client(app.config, StoreCache(session, slug))
        state = pipeline.start(app, session, source, run, previous=last_good_run(session, slug, before_id=run.id),
                               from_file=from_file, now=utcnow(), new_state=new_programme_state(session, source),
                               recorded=bool(from_file) or (client is not None and client.replaying))
        # Programmes held as last read: a 304 for them needs no re-reading, only a "seen" stamp.
        known = set(session.scalars(select(Programme.id).where(
            Programme.source == slug, Programme.content_hash.is_not(None), Programme.closed_at.is_(None))))
        state.harvest = Harvest(source, client, first_response=first_response, follow_pages=from_file is None,
                                known=known.__contains__)
        try:
            for outcome in state.harvest:
                item = pipeline.handle(state, outcome)
                if item is None:
                    report("error", error=outcome.error)
                    continue
                processed = run.added + run.updated + run.unchanged + run.errored
                report("record", count=processed)
                if processed % pipeline.COMMIT_EVERY == 0:
                    pipeline.run_steps(state, pipeline.BATCH_STEPS)
        except Exception as error:  # noqa: BLE001 - a bug in a source module fails its run, not the process
            log.exception("source %s crashed", slug)
            pipeline.record_error(state, StageError("gather", f"erreur inattendue : {type(error).__name__}: {error}"))
        finally:
            if client is not None:
                client.close()
        pipeline.run_steps(state, pipeline.RUN_STEPS)
        report("done", run=run)
        return run


def new_programme_state(session: Session, source) -> str:
    """What a new programme of this source becomes: published at once when an admin chose
    « publié automatiquement » for the source, else what the source module says (pending)."""
    row = session.get(SourceRow, source.slug)
    if row is not None and row.publication_policy == "auto":
        return "published"
    return source.default_state


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
