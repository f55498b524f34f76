"""The scheduler process: one at a time per instance, and a clean stop on SIGTERM."""

import os
import signal
import subprocess
import sys
import time


def start_scheduler(instance, store_url):
    environment = dict(os.environ, GUICHET_INSTANCE_PATH=str(instance), GUICHET_DATABASE_URL=store_url,
                       GUICHET_SEARCH_SQLITE_PATH=str(instance / "search.sqlite3"))
    return subprocess.Popen([sys.executable, "-m", "guichet", "scheduler"], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for_line(process, text, seconds=60):
    deadline = time.monotonic() + seconds
    lines = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never printed: {''.join(lines)}")


def test_one_scheduler_per_instance_and_a_clean_stop(tmp_path, app_config):
    instance = tmp_path / "instance"
    first = start_scheduler(instance, app_config["DATABASE_URL"])
    try:
        wait_for_line(first, "Scheduler started")
        second = start_scheduler(instance, app_config["DATABASE_URL"])
        output, _ = second.communicate(timeout=60)
        assert second.returncode != 0 and "un autre planificateur tourne déjà" in output
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
        first.stdout.close()
    third = start_scheduler(instance, app_config["DATABASE_URL"])
    try:
        wait_for_line(third, "Scheduler started")
    finally:
        third.send_signal(signal.SIGTERM)
        third.wait(timeout=30)
        third.stdout.close()


def test_the_scheduler_process_carries_out_a_run_request(tmp_path, app, app_config):
    """« Lancer maintenant » from the back office is picked up by the scheduler process itself."""
    from sqlalchemy import select

    from guichet.sources.models import RunRequest, ScrapeRun
    from guichet.sources.requests import request_run
    from guichet.sources.services import sync_sources
    from scrapers.registry import all_sources

    with app.extensions["guichet.db"].session() as session:
        sync_sources(session)
        request_run(session, "curated", "curatrice@anct.test", all_sources())
        session.commit()
    scheduler = start_scheduler(tmp_path / "instance", app_config["DATABASE_URL"])
    try:
        wait_for_line(scheduler, "Scheduler started")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.extensions["guichet.db"].session() as session:
                request = session.scalar(select(RunRequest))
                if request.status in ("done", "failed"):
                    break
            time.sleep(0.5)
        assert request.status == "done", request.message
        with app.extensions["guichet.db"].session() as session:
            run = session.get(ScrapeRun, request.run_id)
            assert run.source == "curated" and run.status == "success"
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=60)
        scheduler.stdout.close()
