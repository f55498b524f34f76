"""Helpers shared by the benchmarks: a throw-away app, a real HTTP server, percentiles."""

import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path


def percentile(values, fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values) -> str:
    return (f"p50 {percentile(values, 0.50) * 1000:7.2f} ms · p95 {percentile(values, 0.95) * 1000:7.2f} ms · "
            f"mean {statistics.fmean(values) * 1000:7.2f} ms · n={len(values)}")


def make_app(directory: str | None = None, **config):
    """A Guichet app on a fresh store and index in ``directory`` (a temporary one by default)."""
    import os

    from guichet import create_app, migrations
    from guichet.db import Database

    directory = Path(directory or tempfile.mkdtemp(prefix="guichet-bench-"))
    os.environ["GUICHET_INSTANCE_PATH"] = str(directory / "instance")
    url = f"sqlite:///{directory / 'guichet.sqlite3'}"
    database = Database(url)
    migrations.upgrade(database)
    database.dispose()
    settings = {"DATABASE_URL": url, "SEARCH_SQLITE_PATH": str(directory / "search.sqlite3"),
                "SCHEDULER_ENABLED": False, "SEARCH_SYNC_DISABLED": True}
    settings.update(config)
    return create_app(settings), directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The app served by waitress in a background thread on a free loopback port."""

    def __init__(self, app, threads: int = 4):
        from waitress.server import create_server

        self.port = free_port()
        self.server = create_server(app, host="127.0.0.1", port=self.port, threads=threads)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *_exc):
        # Let the worker threads finish before the trigger they write to is closed.
        self.server.task_dispatcher.shutdown(timeout=5)
        self.server.close()
