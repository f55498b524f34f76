"""Pytest plugin: a real PostgreSQL server for the tests that ask for one.

``postgresql_server`` (session scope) is the server named by ``GUICHET_TEST_POSTGRESQL_URL``
(a superuser URL, ``postgresql+psycopg://user@host:port/postgres``) when set; otherwise the
Debian ``postgresql`` package's ``initdb`` + ``pg_ctl`` (``/usr/lib/postgresql/<version>/bin``,
or ``GUICHET_TEST_POSTGRESQL_BIN``) create a cluster in a temporary directory and start it on a
free loopback port the first time a test asks for it; it is stopped at the end of the session.
As root, the server runs as the ``postgres`` system user (PostgreSQL refuses to run as root).

Tests get a database of their own (``create_database``: a copy of a template, which is cheap).
A server that cannot start fails the tests under CI (``CI=true``) with the reason; elsewhere the
tests that need it are skipped with the reason.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.plugins.elasticsearch_node import running_under_ci


class ServerError(RuntimeError):
    pass


def _binaries() -> Path:
    configured = os.environ.get("GUICHET_TEST_POSTGRESQL_BIN", "").strip()
    if configured:
        return Path(configured)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise ServerError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgreSQLServer:
    """A throw-away cluster: ``url(database)``, ``create_database``, ``stop``/``start``."""

    def __init__(self, admin_url: str, directory: Path | None = None, run_as: list[str] | None = None,
                 binaries: Path | None = None):
        self.admin_url = admin_url
        self.directory = directory
        self.run_as = run_as or []
        self.binaries = binaries
        self.port = None

    @classmethod
    def start_new(cls) -> "PostgreSQLServer":
        binaries = _binaries()
        directory = Path(tempfile.mkdtemp(prefix="guichet-postgresql-"))
        run_as = []
        if os.geteuid() == 0:  # initdb and postgres refuse root
            shutil.chown(directory, user="postgres")
            run_as = ["runuser", "-u", "postgres", "--"]
        server = cls("", directory, run_as, binaries)
        result = subprocess.run(
            [*run_as, str(binaries / "initdb"), "-D", str(directory / "data"), "-U", "guichet", "--auth=trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(directory, ignore_errors=True)
            raise ServerError(f"initdb failed: {result.stderr.strip()[-500:]}")
        server.port = _free_port()
        server.admin_url = f"postgresql+psycopg://guichet@127.0.0.1:{server.port}/postgres"
        server.start()
        return server

    def _pg_ctl(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.run_as, str(self.binaries / "pg_ctl"), "-D", str(self.directory / "data"),
                               *arguments], capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        # fsync off: a test cluster trades durability for speed; the socket lives in our directory
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        result = self._pg_ctl("-o", options, "-l", str(self.directory / "server.log"), "-w", "-t", "60", "start")
        if result.returncode != 0:
            log = (self.directory / "server.log")
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise ServerError(f"pg_ctl start failed: {result.stderr.strip()[-300:]} {tail}")

    def stop(self, mode: str = "fast") -> None:
        if self.directory is not None:
            self._pg_ctl("-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if self.directory is not None:
            self.stop("immediate")
            shutil.rmtree(self.directory, ignore_errors=True)

    def url(self, database: str) -> str:
        return self.admin_url.rsplit("/", 1)[0] + f"/{database}"

    def execute(self, *statements: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        try:
            with engine.connect() as connection:
                for statement in statements:
                    connection.execute(text(statement))
        finally:
            engine.dispose()

    def create_database(self, template: str | None = None) -> str:
        """A new empty database (or a copy of ``template``); returns its name."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


def pytest_configure(config):
    config.addinivalue_line("markers", "postgresql: the test needs the PostgreSQL test server")
    config.addinivalue_line("markers", "both_stores: the test runs on SQLite and on PostgreSQL")


def start_server_for_tests() -> PostgreSQLServer:
    """A new server of the caller's own; fails the test under CI when it cannot start, else skips."""
    failure = None
    try:
        return PostgreSQLServer.start_new()
    except (ServerError, OSError, subprocess.SubprocessError) as error:
        failure = f"the PostgreSQL test server could not start: {error}"
    # reported outside the except block: the reason alone
    if running_under_ci():
        pytest.fail(failure, pytrace=False)
    pytest.skip(failure)


@pytest.fixture(scope="session")
def postgresql_server():
    configured = os.environ.get("GUICHET_TEST_POSTGRESQL_URL", "").strip()
    if configured:
        yield PostgreSQLServer(configured)
        return
    server = start_server_for_tests()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def postgresql_database(postgresql_server):
    """The URL of an empty database of this test's own, dropped afterwards."""
    name = postgresql_server.create_database()
    yield postgresql_server.url(name)
    postgresql_server.drop_database(name)
