"""The scheduler: one process (`guichet scheduler`, started beside the web server by
`guichet run`), never inside web workers.

Features register their jobs with ``register_job`` in their ``init_app``. Jobs are plain
functions run inside the app context, safe to run twice; a lock file guarantees that two
schedulers on one instance never run at once, and each job has a single running instance.
"""

import fcntl
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

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


def run_scheduler(app) -> None:
    lock_path = Path(app.instance_path) / "scheduler.lock"
    lock_file = open(lock_path, "w")
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SchedulerLocked(f"un autre planificateur tourne déjà ({lock_path})") from None
    lock_file.write(str(os.getpid()))
    lock_file.flush()
    # Every thread the scheduler starts inherits this mask, so SIGTERM and SIGINT reach the
    # main thread's sigwait below, never a worker thread (where no Python handler could run).
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    scheduler = BackgroundScheduler(timezone=TIMEZONE)
    from datetime import datetime
    from zoneinfo import ZoneInfo

    for job in jobs(app).values():
        extra = {"next_run_time": datetime.now(ZoneInfo(TIMEZONE))} if job.at_start else {}
        scheduler.add_job(_run_in_context(app, job), job.trigger, id=job.id, name=job.description,
                          max_instances=1, coalesce=True, misfire_grace_time=3600, **extra)
    _stop_when_orphaned(stop_signals)
    log.info("scheduler started with %d jobs", len(jobs(app)))
    try:
        scheduler.start()
        received = signal.sigwait(stop_signals)
        # A clean stop: running jobs finish (their run records close), no new job starts.
        log.info("scheduler stopping (signal %d)", received)
        scheduler.shutdown(wait=True)
    finally:
        lock_file.close()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
