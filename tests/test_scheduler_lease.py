"""One scheduler for the whole service: on PostgreSQL two scheduler processes (as on two hosts)
share one store lock, each job runs once, and the standby takes over when the holder is killed;
a run left « en cours » by a dead scheduler is marked interrupted and run again."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from guichet.db import Database
from guichet.sources.models import ScrapeRun
from guichet.sources.services import sync_sources
from tests.test_scheduler import wait_for_line

REPO_ROOT = Path(__file__).resolve().parents[1]

# A scheduler process with one extra job firing every second that writes its pid and fire time.
TICKING_SCHEDULER = """
import os
from guichet import create_app
from guichet.scheduler import register_job, run_scheduler
import logging
logging.basicConfig(level=logging.INFO)
app = create_app()
def tick():
    with open(os.environ["TICKS"], "a") as out:
        out.write(f"{os.getpid()}\\n")
register_job(app, "tick", tick, {"second": "*"}, "test tick")
run_scheduler(app, standby=True)
"""


def environment(tmp_path, store_url, name, **extra):
    instance = tmp_path / name
    return dict(os.environ, GUICHET_INSTANCE_PATH=str(instance), GUICHET_DATABASE_URL=store_url,
                GUICHET_SEARCH_SQLITE_PATH=str(instance / "search.sqlite3"), PYTHONPATH=str(REPO_ROOT), **extra)


def ticks(path) -> list[int]:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def wait_until(condition, seconds=60, message="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{message} never came true")


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_two_schedulers_run_each_job_once_and_the_standby_takes_over(tmp_path, store_url):
    tick_file = tmp_path / "ticks"
    # two instance folders: no shared file, as on two hosts; only the store is shared
    first = subprocess.Popen([sys.executable, "-c", TICKING_SCHEDULER],
                             env=environment(tmp_path, store_url, "host-a", TICKS=str(tick_file)),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    second = None
    try:
        wait_for_line(first, "Scheduler started")
        second = subprocess.Popen([sys.executable, "-c", TICKING_SCHEDULER],
                                  env=environment(tmp_path, store_url, "host-b", TICKS=str(tick_file)),
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_until(lambda: len(ticks(tick_file)) >= 4, message="four ticks")
        time.sleep(2)  # the standby has had time to start: it must not tick
        before_kill = ticks(tick_file)
        assert set(before_kill) == {first.pid}, "only the lock holder runs the job"
        first.kill()  # a host that dies: no clean stop, the server drops its lock with its connection
        first.wait(timeout=30)
        wait_until(lambda: second.pid in ticks(tick_file), message="the standby running the job")
        after = ticks(tick_file)[len(before_kill):]
        assert after and set(after) == {second.pid}
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    finally:
        for process in (first, second):
            if process is not None:
                if process.poll() is None:
                    process.kill()
                    process.wait(timeout=30)
                process.stdout.close()


@pytest.mark.both_stores
def test_a_run_left_running_by_a_dead_scheduler_is_marked_interrupted_and_redone(tmp_path, store_url):
    database = Database(store_url)
    try:
        with database.session() as session:
            sync_sources(session)
            # what a scheduler killed mid-run leaves: a run « en cours » that nobody is doing
            session.add(ScrapeRun(source="ademe-agir", status="running", details={}))
            session.commit()
        process = subprocess.Popen(
            [sys.executable, "-m", "guichet", "scheduler"],
            env=environment(tmp_path, store_url, "host-a", GUICHET_SOURCES_REPLAY_DIR=str(REPO_ROOT / "scrapers/recorded")),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            def runs():
                with database.session() as session:
                    return [(run.status, run.finished_at is not None) for run in
                            session.scalars(select(ScrapeRun).where(ScrapeRun.source == "ademe-agir")
                                            .order_by(ScrapeRun.id))]

            wait_until(lambda: len(runs()) == 2 and runs()[1][1], seconds=120, message="the run redone")
            assert runs() == [("interrupted", True), ("success", True)]
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
            output = process.stdout.read()
            process.stdout.close()
        assert "ademe-agir" in output and "interrupted" in output
    finally:
        database.dispose()
