"""Search: one backend interface, the backend chosen by configuration (SEARCH_BACKEND).

Changes to programmes reach the index after the store's transaction commits, never inside
it. Every session collects the ids each of its flushes wrote. For curators' edits and
decisions (and imports), the one after-commit listener syncs them. A run of a source marks its
session ``SEARCH_SYNCED_BY_CALLER`` and syncs as a named step of its own
(guichet.sources.pipeline, « sync search »), with ``take_changed``.
"""

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, select

from guichet.search.base import SearchBackend, SearchUnavailable

log = logging.getLogger(__name__)

# In a session's ``info``: this session's caller syncs the index itself (a run of a source).
SEARCH_SYNCED_BY_CALLER = "guichet.search.synced_by_caller"


def create_backend(config, instance_path: str) -> SearchBackend:
    name = config["SEARCH_BACKEND"]
    if name == "sqlite":
        from guichet.search.sqlite import SQLiteBackend

        path = config.get("SEARCH_SQLITE_PATH") or str(Path(instance_path) / "search.sqlite3")
        return SQLiteBackend(path)
    if name == "elasticsearch":
        from guichet.search.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend(config["ELASTICSEARCH_URL"], config["ELASTICSEARCH_INDEX"])
    raise ValueError(f"unknown SEARCH_BACKEND {name!r}: expected 'sqlite' or 'elasticsearch'")


def get_backend() -> SearchBackend:
    return current_app.extensions["guichet.search"]


def programme_documents(session, ids=None, today=None):
    """Documents of the published programmes (all, or those among ``ids``), streamed."""
    from guichet.programmes.models import Programme
    from guichet.search.documents import programme_document

    statement = select(Programme).where(Programme.state == "published").order_by(Programme.id)
    if ids is not None:
        statement = statement.where(Programme.id.in_(list(ids)))
    for programme in session.scalars(statement.execution_options(yield_per=500)):
        yield programme_document(programme, today)


def sync_programmes(app, ids, raise_errors: bool = False, outbox_up_to: int | None = None) -> None:
    """Bring the index in line with the store for these programme ids.

    On success their outbox rows (queued up to the moment the store was read) are deleted;
    on failure they stay for the repair job, and with ``raise_errors`` the error goes up.
    """
    from guichet.search import outbox

    ids = sorted(set(ids))
    if not ids:
        return
    backend = app.extensions["guichet.search"]
    database = app.extensions["guichet.db"]
    with database.session() as session:
        # Rows queued after this read may describe a newer change: they stay.
        up_to = session.scalar(select(func.max(outbox.OutboxEntry.id)))
        if outbox_up_to is not None:
            up_to = min(up_to or 0, outbox_up_to)
        documents = list(programme_documents(session, ids))
    indexed = {document["id"] for document in documents}
    try:
        if documents:
            backend.index(documents)
        stale = [programme_id for programme_id in ids if programme_id not in indexed]
        if stale:
            backend.delete(stale)
    except SearchUnavailable as error:
        # The store has the change and the outbox remembers it: the repair job brings it in.
        log.warning("search index not updated for %d programmes (kept in the outbox): %s", len(ids), error)
        _outbox_write(database, lambda session: outbox.failed(session, ids, str(error)))
        if raise_errors:
            raise
        return
    if up_to is not None:
        _outbox_write(database, lambda session: outbox.done(session, ids, up_to))


def _outbox_write(database, action) -> None:
    """Outbox bookkeeping never waits nor breaks the caller: when the store is busy (this very
    thread may hold its write lock in another session: a scrape's savepoints), the rows stay
    and the repair job clears them on its next round."""
    from sqlalchemy.exc import SQLAlchemyError

    sqlite = database.url.startswith("sqlite")
    try:
        with database.engine.connect() as connection:
            connection = connection.execution_options(sqlite_no_wait=True)
            try:
                with connection.begin():
                    if sqlite:
                        connection.exec_driver_sql("PRAGMA busy_timeout = 0")
                    action(connection)
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA busy_timeout = 30000")
                    connection.rollback()
    except SQLAlchemyError as error:
        log.info("search outbox left for the repair job (%s)", error.__class__.__name__)


def take_changed(session) -> set[str]:
    """The programme ids this session wrote since they were last taken (or synced)."""
    return session.info.pop("programmes_changed", set())


def rebuild_index(app, progress=None, every: int = 5000) -> int:
    """Rebuild from the store; ``progress(count)`` is called every ``every`` documents."""
    from guichet.search import outbox

    backend = app.extensions["guichet.search"]
    database = app.extensions["guichet.db"]
    with database.session() as session:
        up_to = session.scalar(select(func.max(outbox.OutboxEntry.id)))
        documents = programme_documents(session)
        if progress is not None:
            documents = _reporting(documents, progress, every)
        count = backend.rebuild(documents)
        ids = session.scalars(select(outbox.OutboxEntry.programme_id).where(outbox.OutboxEntry.id <= (up_to or 0)))
        ids = set(ids)
    # What was waiting when the store was read is in the new index.
    if ids:
        _outbox_write(database, lambda outbox_session: outbox.done(outbox_session, ids, up_to))
    return count


def _reporting(documents, progress, every: int):
    for count, document in enumerate(documents, start=1):
        yield document
        if count % every == 0:
            progress(count)


def _watch_sessions(app):
    """The index follows what curators (and imports) change: after each commit of a session
    that does not sync the index itself, the programmes it wrote are synced."""
    from guichet.programmes.models import Programme

    sessionmaker = app.extensions["guichet.db"].sessionmaker

    @event.listens_for(sessionmaker, "after_flush")
    def collect(session, _context):
        from guichet.search import outbox

        changed = session.info.setdefault("programmes_changed", set())
        flushed = {instance.id for instance in list(session.new) + list(session.dirty) + list(session.deleted)
                   if isinstance(instance, Programme)}
        # In the same transaction as the change: a crash after the commit loses no sync.
        outbox.queue(session.connection(), flushed - changed)
        changed |= flushed

    @event.listens_for(sessionmaker, "after_commit")
    def push(session):
        if session.info.get(SEARCH_SYNCED_BY_CALLER):
            return  # its caller syncs, with take_changed()
        changed = session.info.pop("programmes_changed", set())
        if changed and not app.config.get("SEARCH_SYNC_DISABLED"):
            sync_programmes(app, changed)

    @event.listens_for(sessionmaker, "after_rollback")
    def forget(session):
        session.info.pop("programmes_changed", None)


def init_app(app):
    from guichet.scheduler import register_job

    from guichet.search.documents import text_language

    app.extensions["guichet.search"] = create_backend(app.config, app.instance_path)
    app.extensions["guichet.search.sync_programmes"] = sync_programmes  # for outbox.repair_index
    _watch_sessions(app)
    # « en anglais » on the pages of a programme whose text is English
    app.jinja_env.filters["text_language"] = text_language
    # Deadlines pass every night: a fresh index keeps "nearest deadline" order exact and
    # brings in any change an unreachable index missed.
    register_job(app, "search-reindex", lambda: rebuild_index(app), {"hour": 3, "minute": 30},
                 "Reconstruction nocturne de l’index de recherche")
    from guichet.search.outbox import repair_index

    minutes = max(1, int(app.config["SEARCH_REPAIR_MINUTES"]))
    register_job(app, "search-repair", lambda: repair_index(app), {"minute": f"*/{minutes}"},
                 "Réparation de l’index de recherche (changements en attente, programmes manquants)",
                 at_start=True)
