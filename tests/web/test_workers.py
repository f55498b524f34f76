"""Several web processes on one store and one SQLite search index: `guichet serve --workers 2`
runs two worker processes on one socket, and a programme written by another process is found
by every process (each reloads its in-memory snapshot on the index's generation counter)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def wait_for(url: str, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stdout.read()}")
        try:
            return get_json(url)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


@pytest.fixture
def serve(app_config, tmp_path):
    """Start `guichet serve` processes on this test's store and index; stopped afterwards."""
    started = []

    def start(*arguments):
        port = free_port()
        environment = dict(os.environ, GUICHET_INSTANCE_PATH=str(tmp_path / "instance"),
                           GUICHET_DATABASE_URL=app_config["DATABASE_URL"],
                           GUICHET_SEARCH_SQLITE_PATH=app_config["SEARCH_SQLITE_PATH"],
                           GUICHET_SECRET_KEY="test-secret", GUICHET_PORT=str(port), PYTHONPATH=str(REPO_ROOT))
        process = subprocess.Popen([sys.executable, "-m", "guichet", "serve", *arguments], env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz", process)
        return process, base

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()


def test_serve_workers_runs_that_many_processes_on_one_port(serve, make_programme):
    programme = make_programme(title="Rénovation de l'éclairage public")
    process, base = serve("--workers", "2")
    workers = children_of(process.pid)
    assert len(workers) == 2
    for _ in range(10):
        assert [hit["id"] for hit in get_json(f"{base}/api/v1/programmes?q=%C3%A9clairage")["results"]] == [programme]
    # a worker that dies is replaced, and the port keeps answering
    os.kill(workers[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (len(children_of(process.pid)) != 2 or workers[0] in children_of(process.pid)):
        time.sleep(0.2)
    assert len(children_of(process.pid)) == 2 and workers[0] not in children_of(process.pid)
    assert get_json(f"{base}/healthz")["status"] == "ok"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    for pid in workers[1:]:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()


def test_every_process_sees_what_another_process_wrote(serve, make_programme):
    first = make_programme(title="Plan vélo du quotidien")
    servers = [serve()[1], serve()[1]]
    for base in servers:  # each process has loaded its snapshot of the index
        assert [hit["id"] for hit in get_json(f"{base}/api/v1/programmes?q=v%C3%A9lo")["results"]] == [first]
    # written by this test process (store + index), not by either server
    second = make_programme(title="Parkings à vélos")
    for base in servers:
        found = {hit["id"] for hit in get_json(f"{base}/api/v1/programmes?q=v%C3%A9lo")["results"]}
        assert found == {first, second}
        assert get_json(f"{base}/api/v1/programmes?q=v%C3%A9lo")["total"] == 2
