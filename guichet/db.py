"""The store: one SQLAlchemy engine per application, one session per request or command.

Two stores are supported, SQLite (one file, the default) and PostgreSQL
(``postgresql+psycopg://…``, production). What differs between them is handled here, once:

- connections: SQLite waits for a busy file (``timeout``) and runs in WAL mode; PostgreSQL
  connections are checked before use (``pool_pre_ping``) and carry TCP keepalives, so that a
  restarted server costs one failed request (a French 503, see ``STORE_UNAVAILABLE``) and the next
  request gets a fresh connection, without restarting the process;
- exclusive sections across processes and hosts (``Database.exclusive``): a PostgreSQL advisory
  lock, a file lock beside the SQLite file (which only holds on one host, as SQLite does);
- JSON columns (``sqlalchemy.JSON``: text on SQLite, ``json`` on PostgreSQL, the same Python
  values both ways), case-insensitive matching (``func.lower(column).like(…)``, never ``ILIKE``
  nor ``COLLATE NOCASE``; SQLite's ``lower`` is replaced by Python's, which folds accented
  capitals as PostgreSQL does), ``RETURNING`` (both), time stamps (naive UTC ``DateTime`` on both:
  ``utcnow`` in ``guichet.models``; no ``timezone=True`` columns).
"""

import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, g
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# The errors a store that went away (server stopped, network cut, file locked too long) raises:
# the pages answer them with a French 503, the API with a JSON 503.
STORE_UNAVAILABLE = (OperationalError, InterfaceError)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Locked(RuntimeError):
    """``Database.exclusive(..., wait=False)``: another process holds the section."""


class Database:
    def __init__(self, url: str):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.is_postgresql = url.startswith("postgresql")
        options = {}
        if self.is_sqlite:
            # Web workers, scheduler and CLI share the file: wait for locks rather than fail.
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        elif self.is_postgresql:
            options.update(pool_pre_ping=True, pool_recycle=1800, connect_args={
                "connect_timeout": 5, "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                "keepalives_count": 3, "application_name": "guichet"})
        self.engine: Engine = create_engine(url, **options)
        if self.is_sqlite:
            from guichet import sqlite_writes

            event.listen(self.engine, "connect", _sqlite_pragmas)
            sqlite_writes.install(self.engine)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessionmaker()

    def dispose(self):
        self.engine.dispose()

    @contextmanager
    def exclusive(self, name: str, wait: bool = True, poll_seconds: float = 0.5):
        """A section that one process at a time runs, across every process using this store.

        PostgreSQL: a session advisory lock on a connection of its own, held for the section (the
        server releases it when the connection dies, so a killed process never leaves it taken).
        SQLite: ``fcntl`` lock on ``<store>.<name>.lock`` beside the file. ``wait=False`` raises
        ``Locked`` at once instead of waiting. Yields a callable that tells whether the lock is
        still held (on PostgreSQL, False once the server connection was lost).
        """
        if self.is_postgresql:
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                if wait:
                    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                elif not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                    raise Locked(name)

                def held() -> bool:  # a session lock lasts as long as its connection
                    try:
                        connection.execute(text("SELECT 1"))
                        return True
                    except STORE_UNAVAILABLE:
                        return False

                yield held
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                except STORE_UNAVAILABLE:
                    pass  # the connection is gone, and the lock with it
            finally:
                try:
                    connection.close()
                except STORE_UNAVAILABLE:
                    pass
            return
        path = Path(self._sqlite_path() + f".{name}.lock")
        with open(path, "a") as lock_file:
            while True:
                try:
                    fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait:
                        raise Locked(name) from None
                    time.sleep(poll_seconds)
            try:
                yield lambda: True
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def _sqlite_path(self) -> str:
        database = self.engine.url.database or ""
        if database in ("", ":memory:"):
            return os.path.join(os.environ.get("TMPDIR", "/tmp"), f"guichet-memory-{os.getpid()}")
        return database


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection, _record):
    # SQLite's own lower() folds ASCII only (« ÉCOLE » stays « École »); PostgreSQL's folds every
    # letter: the same Python rule on SQLite makes func.lower(column).like(...) match alike.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'guichet.sqlite3'}"


def get_database() -> Database:
    return current_app.extensions["guichet.db"]


def get_session() -> Session:
    """The session of the current request or command, closed at the end of the app context."""
    if "db_session" not in g:
        g.db_session = get_database().session()
    return g.db_session


def _close_session(_exception=None):
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app):
    url = app.config["DATABASE_URL"] or default_database_url(app.instance_path)
    app.config["DATABASE_URL"] = url
    app.extensions["guichet.db"] = Database(url)
    app.teardown_appcontext(_close_session)
