"""« Lancer maintenant »: curators ask, the scheduler process runs.

A scrape takes minutes and reaches other sites: it has no place in a web worker. The back
office stores a request (``waiting``); the scheduler's ``run-requests`` job, every few
seconds, takes the oldest one (``running``), runs the source exactly as its nightly job does
and closes the request (``done`` with its run, or ``failed`` with a French reason). A request
left ``running`` by a scheduler that died is closed as failed after STALE, so that a new one
can be made.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guichet.programmes.models import utcnow
from guichet.sources.models import RunRequest, ScrapeRun, Source

log = logging.getLogger(__name__)

STALE = timedelta(hours=3)
STATUS_LABELS = {"waiting": "en attente", "running": "en cours", "done": "terminée", "failed": "échouée"}


class RequestRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def open_requests(session: Session) -> dict[str, RunRequest]:
    """The waiting or running request of each source that has one."""
    found = {}
    for request in session.scalars(select(RunRequest).where(RunRequest.status.in_(("waiting", "running")))
                                   .order_by(RunRequest.requested_at)):
        found.setdefault(request.source, request)
    return found


def request_run(session: Session, slug: str, requested_by: str | None, known_slugs) -> RunRequest:
    """Ask the scheduler to run this source now (the caller commits)."""
    if slug not in known_slugs and session.get(Source, slug) is None:
        raise RequestRefused("Source inconnue.")
    _close_stale(session)
    if slug in open_requests(session):
        raise RequestRefused("Une collecte de cette source est déjà demandée ou en cours.")
    running = session.scalar(select(ScrapeRun.id).where(ScrapeRun.source == slug, ScrapeRun.status == "running",
                                                        ScrapeRun.started_at >= utcnow() - STALE))
    if running is not None:
        raise RequestRefused("Une collecte de cette source est déjà en cours.")
    request = RunRequest(source=slug, requested_by=requested_by, status="waiting", requested_at=utcnow())
    session.add(request)
    return request


def _close_stale(session: Session) -> None:
    session.execute(update(RunRequest).where(RunRequest.status == "running", RunRequest.started_at < utcnow() - STALE)
                    .values(status="failed", finished_at=utcnow(),
                            message="Interrompue : le planificateur s’est arrêté pendant la collecte."))


def _claim(session: Session) -> RunRequest | None:
    """The oldest waiting request, marked running in one statement (two schedulers never take
    the same one)."""
    candidate = session.scalar(select(RunRequest.id).where(RunRequest.status == "waiting")
                               .order_by(RunRequest.requested_at, RunRequest.id).limit(1))
    if candidate is None:
        return None
    claimed = session.execute(update(RunRequest).where(RunRequest.id == candidate, RunRequest.status == "waiting")
                              .values(status="running", started_at=utcnow()))
    session.commit()
    return session.get(RunRequest, candidate) if claimed.rowcount == 1 else None


def carry_out_requests(app, limit: int = 5) -> int:
    """The scheduler's job: run the waiting requests, oldest first; returns how many were taken."""
    from guichet.sources.services import SourceBusy, run_source
    from scrapers.registry import UnknownSource

    database = app.extensions["guichet.db"]
    taken = 0
    with database.session() as session:
        _close_stale(session)
        session.commit()
        while taken < limit:
            request = _claim(session)
            if request is None:
                break
            taken += 1
            try:
                run = run_source(app, request.source)
            except SourceBusy:
                request.status, request.message = "failed", "Une collecte de cette source était déjà en cours."
            except UnknownSource:
                request.status, request.message = "failed", "Cette source n’existe plus."
            except Exception:  # the run records its own failure; the request says so in French
                log.exception("requested run of %s failed", request.source)
                request.status = "failed"
                request.message = ("La collecte n’a pas pu aboutir : le détail technique est dans le journal "
                                   "du planificateur.")
            else:
                request.status, request.run_id = "done", run.id
                if run.status == "failed":
                    request.message = run.message
            request.finished_at = utcnow()
            session.commit()
    return taken
