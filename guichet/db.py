"""The store: one SQLAlchemy engine per application, one session per request or command."""

from pathlib import Path

from flask import current_app, g
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Database:
    def __init__(self, url: str):
        self.url = url
        connect_args = {}
        if url.startswith("sqlite"):
            # Web workers, scheduler and CLI share the file: wait for locks rather than fail.
            connect_args = {"timeout": 30, "check_same_thread": False}
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if url.startswith("sqlite"):
            from guichet import sqlite_writes

            event.listen(self.engine, "connect", _sqlite_pragmas)
            sqlite_writes.install(self.engine)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        return self.sessionmaker()

    def dispose(self):
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record):
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
