"""Source health for curators, and « lancer maintenant ».

A run started from the back office goes in a background thread of the web process (a
scrape takes minutes: the page must not wait), through the same
``guichet.sources.services.run_source`` the scheduler calls; one run per source at a time.
"""

import threading
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.admin.models import User
from guichet.curation import audit
from guichet.programmes.models import utcnow
from guichet.sources.models import RunError, ScrapeRun, Source
from guichet.sources.services import run_source, source_overview
from scrapers.registry import all_sources

RECENT_RUNS = 5
# A run still « running » after this long died with its process: it no longer blocks a new one.
STALE_RUN = timedelta(hours=3)
_EXTENSION = "guichet.admin.runs"


class RunRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def source_names(session: Session) -> dict[str, str]:
    """Each source's name by slug."""
    return dict(session.execute(select(Source.slug, Source.name)).all())


@dataclass
class SourceHealth:
    slug: str
    name: str
    level: str | None
    schedule: str | None
    next_run: object
    enabled: bool
    runs: list = field(default_factory=list)
    # For each run id: its first errors (stage, record, message, url).
    errors: dict = field(default_factory=dict)

    @property
    def last_run(self):
        return self.runs[0] if self.runs else None

    @property
    def flagged_runs(self) -> list:
        return [run for run in self.runs if run.flagged or run.status == "flagged"]


def overview(session: Session, recent: int = RECENT_RUNS) -> list[SourceHealth]:
    # What guichet.sources says of each source (schedule, next run ...), by slug.
    entries = {entry["slug"]: entry for entry in source_overview(session)}
    sources = {source.slug: source for source in session.scalars(select(Source).order_by(Source.name))}
    slugs = list(sources) + [slug for slug in entries if slug not in sources]
    health = []
    for slug in slugs:
        source, entry = sources.get(slug), entries.get(slug, {})
        runs = session.scalars(select(ScrapeRun).where(ScrapeRun.source == slug)
                               .order_by(ScrapeRun.started_at.desc(), ScrapeRun.id.desc()).limit(recent)).all()
        errors = {}
        for run in runs:
            if run.errored or run.status in ("failed", "partial"):
                errors[run.id] = session.scalars(select(RunError).where(RunError.run_id == run.id)
                                                 .order_by(RunError.id).limit(10)).all()
        health.append(SourceHealth(
            slug=slug, name=entry.get("name") or (source.name if source else slug),
            level=entry.get("level") or (source.level if source else None),
            schedule=entry.get("schedule") or (source.schedule if source else None),
            next_run=entry.get("next_run"), enabled=source.enabled if source else True,
            runs=list(runs), errors=errors))
    return health


def running(app) -> set[str]:
    threads = app.extensions.get(_EXTENSION, {})
    return {slug for slug, thread in threads.items() if thread.is_alive()}


def start_run(app, session: Session, slug: str, user: User | None) -> threading.Thread:
    """Start a run of this source now; the audit entry is added to ``session`` (the caller commits)."""
    if slug not in all_sources() and session.get(Source, slug) is None:
        raise RunRefused("Source inconnue.")
    if slug in running(app):
        raise RunRefused("Une collecte de cette source est déjà en cours.")
    recent_running = session.scalar(select(ScrapeRun).where(
        ScrapeRun.source == slug, ScrapeRun.status == "running", ScrapeRun.started_at >= utcnow() - STALE_RUN))
    if recent_running is not None:
        raise RunRefused("Une collecte de cette source est déjà en cours.")
    def work():
        with app.app_context():
            try:
                run_source(app, slug)
            except Exception:  # the run records its own failure; the web process goes on
                app.logger.exception("run of source %s started from the back office failed", slug)

    thread = threading.Thread(target=work, name=f"guichet-run-{slug}", daemon=True)
    app.extensions.setdefault(_EXTENSION, {})[slug] = thread
    audit.record(session, user, "run_source", f"Collecte de la source {slug} lancée", details={"source": slug})
    thread.start()
    return thread


def wait_for_runs(app, timeout: float = 60) -> None:
    """Wait for the runs started from the back office (tests, shutdown)."""
    for thread in list(app.extensions.get(_EXTENSION, {}).values()):
        thread.join(timeout)
