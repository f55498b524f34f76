"""The scheduler: one process (`guichet scheduler`, started beside the web server by
`guichet run`), never inside web workers.

Features register their jobs with ``register_job`` in their ``init_app``. Jobs are plain
functions run inside the app context, safe to run twice; each job has a single running instance.

One scheduler runs at a time for the whole service:

- on PostgreSQL, a session advisory lock of the store (``Database.exclusive``), so that schedulers
  started on several hosts run each job once; the server drops the lock when the holder's
  connection dies (process killed, host gone: TCP keepalives), and a scheduler started with
  ``standby=True`` (`guichet scheduler --standby`) waits for it and takes over. The holder checks
  its lock every ``LEASE_CHECK_SECONDS``; if the store connection was lost (and the lock with it)
  it stops its jobs and exits non-zero, for the supervisor to restart it as a standby;
- on SQLite, a lock file in the instance folder (one host, as SQLite itself).

When a scheduler starts, features' recovery hooks (``register_recovery``) find what a dead
scheduler left half-done (a scrape run still « en cours ») and name the jobs to run again now.
"""

import fcntl
import logging
import os
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger(__name__)
TIMEZONE = "Europe/Paris"


@dataclass(frozen=True)
class Job:
    id: str
    func: Callable
    trigger: CronTrigger
    description: str
    at_start: bool = False


def register_job(app, job_id: str, func: Callable, cron: dict, description: str, at_start: bool = False) -> None:
    """``cron``: CronTrigger fields, e.g. ``{"hour": 6, "minute": 0}`` (Europe/Paris);
    ``at_start``: also run once as soon as the scheduler starts."""
    jobs = app.extensions.setdefault("guichet.jobs", {})
    jobs[job_id] = Job(job_id, func, CronTrigger(timezone=TIMEZONE, **cron), description, at_start)


def jobs(app) -> dict[str, Job]:
    return app.extensions.get("guichet.jobs", {})


def next_run_time(app, job_id: str):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    job = jobs(app).get(job_id)
    if job is None:
        return None
    return job.trigger.get_next_fire_time(None, datetime.now(ZoneInfo(TIMEZONE)))


class SchedulerLocked(RuntimeError):
    pass


class LeaseLost(RuntimeError):
    """The store connection that held the scheduler lock was lost: another may run now."""


LEASE_CHECK_SECONDS = 5.0
STANDBY_POLL_SECONDS = 2.0
LOCK_NAME = "guichet-scheduler"


def register_recovery(app, func: Callable) -> None:
    """``func(app)`` runs when a scheduler starts and returns job ids to run at once (work a
    scheduler that died left unfinished)."""
    app.extensions.setdefault("guichet.scheduler_recovery", []).append(func)


@contextmanager
def _scheduler_lock(app, standby: bool):
    """Held while this process is the scheduler; yields a callable telling whether it still is."""
    from guichet.db import Locked

    database = app.extensions["guichet.db"]
    if database.is_postgresql:
        while True:
            try:
                with database.exclusive(LOCK_NAME, wait=False) as held:
                    yield held
                return
            except Locked:
                if not standby:
                    raise SchedulerLocked("un autre planificateur tourne déjà (verrou de la base)") from None
                log.info("another scheduler holds the lock: standing by")
                time.sleep(STANDBY_POLL_SECONDS)
    lock_path = Path(app.instance_path) / "scheduler.lock"
    with open(lock_path, "w") as lock_file:
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not standby:
                    raise SchedulerLocked(f"un autre planificateur tourne déjà ({lock_path})") from None
                time.sleep(STANDBY_POLL_SECONDS)
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        yield lambda: True


def _run_in_context(app, job: Job):
    def run():
        with app.app_context():
            log.info("job %s starts", job.id)
            try:
                job.func()
            except Exception:  # a failed job is logged; the scheduler goes on with the others
                log.exception("job %s failed", job.id)
            else:
                log.info("job %s done", job.id)

    return run


PARENT_ENV = "GUICHET_SCHEDULER_PARENT"


def _stop_when_orphaned(stop_signals) -> None:
    """Started by `guichet run`: stop (cleanly, releasing the lock) when that process dies,
    even by kill -9, so that the restarted service gets its scheduler back."""
    import threading
    import time

    parent = os.environ.get(PARENT_ENV)
    if not parent or not parent.isdigit():
        return

    def watch():
        while True:
            if os.getppid() != int(parent):
                log.warning("the `guichet run` process %s is gone: the scheduler stops", parent)
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run_scheduler(app, standby: bool = False) -> None:
    """Run the jobs until SIGTERM/SIGINT. Raises ``SchedulerLocked`` when another scheduler runs
    (unless ``standby``: then wait for it to go) and ``LeaseLost`` when the lock was lost."""
    # Every thread the scheduler starts inherits this mask, so SIGTERM and SIGINT reach the
    # main thread's sigtimedwait below, never a worker thread (where no Python handler could run).
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    try:
        with _scheduler_lock(app, standby) as held:
            _run_jobs(app, held, stop_signals)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)


def _run_jobs(app, held: Callable[[], bool], stop_signals) -> None:
    scheduler = BackgroundScheduler(timezone=TIMEZONE)
    for job in jobs(app).values():
        extra = {"next_run_time": datetime.now(ZoneInfo(TIMEZONE))} if job.at_start else {}
        scheduler.add_job(_run_in_context(app, job), job.trigger, id=job.id, name=job.description,
                          max_instances=1, coalesce=True, misfire_grace_time=3600, **extra)
    _stop_when_orphaned(stop_signals)
    log.info("scheduler started with %d jobs", len(jobs(app)))
    scheduler.start()
    try:
        _recover(app, scheduler)
        while True:
            received = signal.sigtimedwait(stop_signals, LEASE_CHECK_SECONDS)
            if received is not None:
                # A clean stop: running jobs finish (their run records close), no new job starts.
                log.info("scheduler stopping (signal %d)", received.si_signo)
                break
            if not held():
                log.error("scheduler lock lost (store connection gone): stopping")
                raise LeaseLost("le verrou du planificateur a été perdu (connexion à la base coupée)")
    finally:
        scheduler.shutdown(wait=True)


def _recover(app, scheduler) -> None:
    now = datetime.now(ZoneInfo(TIMEZONE))
    for recovery in app.extensions.get("guichet.scheduler_recovery", []):
        try:
            with app.app_context():
                job_ids = recovery(app) or []
        except Exception:  # recovery is best effort: the regular schedule still runs the jobs
            log.exception("scheduler recovery %s failed", getattr(recovery, "__name__", recovery))
            continue
        for job_id in job_ids:
            job = scheduler.get_job(job_id)
            if job is not None:
                log.info("job %s runs again now (left unfinished)", job_id)
                job.modify(next_run_time=now)
