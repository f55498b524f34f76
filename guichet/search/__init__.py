"""Search: one backend interface, the backend chosen by configuration (SEARCH_BACKEND).

Changes to programmes reach the index after the store's transaction commits, never inside
it: the session collects the ids it flushed and hands them over on commit.
"""

import logging
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select

from guichet.search.base import SearchBackend, SearchUnavailable

log = logging.getLogger(__name__)


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


def sync_programmes(app, ids) -> None:
    """Bring the index in line with the store for these programme ids."""
    ids = sorted(set(ids))
    if not ids:
        return
    backend = app.extensions["guichet.search"]
    database = app.extensions["guichet.db"]
    with database.session() as session:
        documents = list(programme_documents(session, ids))
    indexed = {document["id"] for document in documents}
    try:
        if documents:
            backend.index(documents)
        stale = [programme_id for programme_id in ids if programme_id not in indexed]
        if stale:
            backend.delete(stale)
    except SearchUnavailable as error:
        # The store has the change; the next `guichet reindex` (nightly job) brings it in.
        log.warning("search index not updated for %d programmes: %s", len(ids), error)


def rebuild_index(app, progress=None, every: int = 5000) -> int:
    """Rebuild from the store; ``progress(count)`` is called every ``every`` documents."""
    backend = app.extensions["guichet.search"]
    database = app.extensions["guichet.db"]
    with database.session() as session:
        documents = programme_documents(session)
        if progress is not None:
            documents = _reporting(documents, progress, every)
        return backend.rebuild(documents)


def _reporting(documents, progress, every: int):
    for count, document in enumerate(documents, start=1):
        yield document
        if count % every == 0:
            progress(count)


def _watch_sessions(app):
    from guichet.programmes.models import Programme

    sessionmaker = app.extensions["guichet.db"].sessionmaker

    @event.listens_for(sessionmaker, "after_flush")
    def collect(session, _context):
        changed = session.info.setdefault("programmes_changed", set())
        for instance in list(session.new) + list(session.dirty) + list(session.deleted):
            if isinstance(instance, Programme):
                changed.add(instance.id)

    @event.listens_for(sessionmaker, "after_commit")
    def push(session):
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
    _watch_sessions(app)
    # « en anglais » on the pages of a programme whose text is English
    app.jinja_env.filters["text_language"] = text_language
    # Deadlines pass every night: a fresh index keeps "nearest deadline" order exact and
    # brings in any change an unreachable index missed.
    register_job(app, "search-reindex", lambda: rebuild_index(app), {"hour": 3, "minute": 30},
                 "Reconstruction nocturne de l'index de recherche")
