"""Scheduler jobs: one per source, each on its own (staggered) schedule."""

from __future__ import annotations

import functools
import logging

from flask import current_app

from guichet.scheduler import register_job, register_recovery
from guichet.sources.services import SourceBusy, job_id, mark_interrupted_runs, run_source, schedule_of
from scrapers.registry import all_sources

log = logging.getLogger(__name__)


def scrape_job(slug: str) -> None:
    """Runs inside the app context (the scheduler gives it); safe to run twice (a lock per source)."""
    from guichet.db import get_database
    from guichet.sources.services import enabled_slugs

    with get_database().session() as session:
        if slug not in enabled_slugs(session):
            log.info("source %s disabled: skipped", slug)
            return
    try:
        run = run_source(current_app._get_current_object(), slug)
    except SourceBusy as error:
        log.warning("%s", error)
        return
    log.info("source %s: %s (+%d, ~%d, =%d, !%d, closed %d)", slug, run.status, run.added, run.updated,
             run.unchanged, run.errored, run.closed)


def run_requests_job() -> None:
    from guichet.sources.requests import carry_out_requests

    carry_out_requests(current_app._get_current_object())


def rerun_interrupted(app) -> list[str]:
    """Scheduler recovery: the jobs of sources whose run a dead scheduler left unfinished."""
    slugs = mark_interrupted_runs(app)
    for slug in slugs:
        log.warning("source %s: a run was interrupted (its process died); running it again", slug)
    return [job_id(slug) for slug in slugs]


def register_jobs(app) -> None:
    register_recovery(app, rerun_interrupted)
    # « Lancer maintenant » of the back office: picked up within ten seconds.
    register_job(app, "sources-run-requests", run_requests_job, {"second": "*/10"},
                 "Collectes demandées depuis l’espace de gestion")
    for index, (slug, source_class) in enumerate(all_sources().items()):
        cron = schedule_of(source_class, index)
        if cron is None:
            continue
        register_job(app, job_id(slug), functools.partial(scrape_job, slug), cron,
                     f"Collecte de la source « {source_class.name or slug} »")
