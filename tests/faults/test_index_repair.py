"""H5 (+ issue point 3): the web process killed with kill -9 between the store's commit and
the index sync loses nothing: the change waits in the store's outbox, /healthz answers 503
« index incomplet », and one repair (`guichet reindex --changed`, the scheduler's job) brings
every published programme back. The orphaned scheduler of a killed `guichet run` lets its
lock go."""

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from guichet import ROOT
from guichet.search.outbox import OutboxEntry

KILLED_IMPORT = """
import os, signal, sys
from sqlalchemy import event
from guichet import create_app
from guichet.programmes.services import import_records

app = create_app()
sessionmaker = app.extensions["guichet.db"].sessionmaker
# First of the after_commit listeners: the process dies after the commit, before the sync.
event.listen(sessionmaker, "after_commit", lambda session: os.kill(os.getpid(), signal.SIGKILL), insert=True)
with app.app_context():
    with app.extensions["guichet.db"].session() as session:
        import_records(session, open(sys.argv[1], encoding="utf-8"))
        session.commit()
print("not killed")
"""


def _env(app_config, tmp_path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    env.update(GUICHET_DATABASE_URL=app_config["DATABASE_URL"], GUICHET_SEARCH_SQLITE_PATH=app_config["SEARCH_SQLITE_PATH"],
               GUICHET_INSTANCE_PATH=str(tmp_path / "instance"), GUICHET_SECRET_KEY="x" * 40,
               GUICHET_SCHEDULER_ENABLED="false")
    return env


def _records(tmp_path, count: int) -> Path:
    from tests.conftest import programme_data

    path = tmp_path / "programmes.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            out.write(json.dumps(programme_data(id=f"kill-{number}", title=f"Réseau de chaleur {number}")) + "\n")
    return path


def test_kill_9_between_commit_and_sync_is_repaired(app, app_config, client, runner, tmp_path, make_programme):
    make_programme(title="Programme déjà là")
    result = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(_records(tmp_path, 200))], cwd=ROOT,
                            env=_env(app_config, tmp_path), capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr

    # The store has the 200 programmes, the index not; the outbox remembers them.
    api = client.get("/api/v1/programmes?q=chaleur").get_json()
    assert api["total"] == 0
    with app.extensions["guichet.db"].session() as session:
        assert session.query(OutboxEntry).count() == 200
    app.config["SEARCH_SYNC_LAG"] = 0
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["search"]["status"] == "index incomplet"
    assert health.get_json()["search"]["published"] == 201 and health.get_json()["search"]["documents"] == 1

    # One repair cycle: everything published is found again, nothing is left waiting.
    repaired = runner.invoke(args=["reindex", "--changed"])
    assert repaired.exit_code == 0, repaired.output
    assert "200 changements en attente repris" in repaired.output
    assert client.get("/api/v1/programmes?q=chaleur&per_page=100").get_json()["total"] == 200
    with app.extensions["guichet.db"].session() as session:
        assert session.query(OutboxEntry).count() == 0
    assert client.get("/healthz").status_code == 200


def test_the_repair_brings_back_documents_the_index_lost_and_drops_strays(app, client, make_programme):
    from guichet.search.outbox import repair_index

    ids = [make_programme(title=f"Cantine scolaire {number}") for number in range(5)]
    backend = app.extensions["guichet.search"]
    backend.delete(ids[:3])  # an index that lost writes (a node crash, a restore)
    backend.index([{**_document(app, ids[4]), "id": "fantome-1"}])  # and holds a stray
    app.config["SEARCH_SYNC_LAG"] = 0
    assert client.get("/healthz").status_code == 503
    report = repair_index(app)
    assert (report.missing, report.extra, report.errors) == (3, 1, [])
    assert sorted(backend.ids()) == sorted(ids)
    assert client.get("/healthz").status_code == 200


def test_a_sync_that_fails_stays_in_the_outbox_and_is_retried(app, client, make_programme, monkeypatch):
    from guichet.search.base import SearchUnavailable
    from guichet.search.outbox import repair_index

    backend = app.extensions["guichet.search"]
    real_index = backend.index

    def index_down(_documents):
        raise SearchUnavailable("index SQLite illisible : disk I/O error")

    monkeypatch.setattr(backend, "index", index_down)
    programme_id = make_programme(title="Bornes de recharge")
    with app.extensions["guichet.db"].session() as session:
        [entry] = session.query(OutboxEntry).all()
        assert entry.programme_id == programme_id and entry.attempts == 1 and "disk I/O" in entry.last_error
    monkeypatch.setattr(backend, "index", real_index)
    assert repair_index(app).outbox == 1
    assert client.get("/api/v1/programmes?q=recharge").get_json()["total"] == 1


def _document(app, programme_id):
    from guichet.search import programme_documents

    with app.extensions["guichet.db"].session() as session:
        return next(programme_documents(session, [programme_id]))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _lock_is_free(path: Path) -> bool:
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_scheduler_of_a_killed_run_lets_its_lock_go(app, app_config, tmp_path):
    env = {**_env(app_config, tmp_path), "GUICHET_SCHEDULER_ENABLED": "true", "GUICHET_PORT": str(_free_port())}
    lock = tmp_path / "instance" / "scheduler.lock"
    run = subprocess.Popen([sys.executable, "-m", "guichet", "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert _wait(lambda: lock.exists() and not _lock_is_free(lock), 60), "the scheduler never took its lock"
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        # The child notices within a couple of seconds, stops cleanly and releases the lock.
        assert _wait(lambda: _lock_is_free(lock), 30), "the orphaned scheduler kept the lock"
    finally:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
