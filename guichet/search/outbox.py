"""The index never silently loses the store: an outbox of index syncs, and the repair.

Every transaction that changes programmes writes their ids into ``search_outbox`` in that
same transaction. After the commit the changes are pushed to the index and their outbox
rows deleted; when the push fails (index down) or never happens (the process killed between
commit and push), the rows stay, and ``repair_index`` (``guichet reindex --changed``, run at
start-up and every few minutes by the scheduler) pushes them later. The repair also
compares the index's ids with the published programmes and brings back what is missing
(an Elasticsearch node that lost its last writes) and removes what should not be there,
without a full rebuild.

``index_consistency`` tells the health check whether the index is complete: same number of
documents as published programmes, and no outbox row older than ``SEARCH_SYNC_LAG``.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import DateTime, Integer, String, Text, delete, func, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from guichet.db import Base
from guichet.programmes.models import utcnow
from guichet.search.base import SearchUnavailable

log = logging.getLogger(__name__)
BATCH = 500


class OutboxEntry(Base):
    """A programme whose change may not have reached the search index yet."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(200), index=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)


def queue(connection, ids, now: datetime | None = None) -> None:
    """Called inside the transaction that changes these programmes (same connection)."""
    now = now or utcnow()
    rows = [{"programme_id": programme_id, "queued_at": now, "attempts": 0} for programme_id in sorted(ids)]
    if rows:
        connection.execute(insert(OutboxEntry), rows)


def done(session, ids, up_to: int | None = None) -> None:
    """The index holds these programmes as the store has them: their rows go."""
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        statement = delete(OutboxEntry).where(OutboxEntry.programme_id.in_(ids[start:start + BATCH]))
        if up_to is not None:
            statement = statement.where(OutboxEntry.id <= up_to)
        session.execute(statement)


def failed(session, ids, error: str) -> None:
    ids = list(ids)
    for start in range(0, len(ids), BATCH):
        session.execute(update(OutboxEntry).where(OutboxEntry.programme_id.in_(ids[start:start + BATCH]))
                        .values(attempts=OutboxEntry.attempts + 1, last_error=error[:500]))


@dataclass
class RepairReport:
    outbox: int = 0          # programmes pushed from the outbox
    missing: int = 0         # published programmes the index did not hold
    extra: int = 0           # documents of programmes no longer published
    errors: list[str] = field(default_factory=list)


def repair_index(app) -> RepairReport:
    """Bring missing or stale documents back without a full rebuild. Safe to run twice."""
    from guichet.programmes.models import Programme

    # guichet.search's own sync, which imports this module: given by the app, not imported back.
    sync_programmes = app.extensions["guichet.search.sync_programmes"]
    report = RepairReport()
    backend = app.extensions["guichet.search"]
    database = app.extensions["guichet.db"]
    with database.session() as session:
        last = session.scalar(select(func.max(OutboxEntry.id)))
        queued = sorted(set(session.scalars(select(OutboxEntry.programme_id).where(OutboxEntry.id <= (last or 0)))))
    try:
        for start in range(0, len(queued), BATCH):
            sync_programmes(app, queued[start:start + BATCH], raise_errors=True, outbox_up_to=last)
        report.outbox = len(queued)
        with database.session() as session:
            published = set(session.scalars(select(Programme.id).where(Programme.state == "published")))
        indexed = set(backend.ids())
        missing, extra = sorted(published - indexed), sorted(indexed - published)
        for start in range(0, len(missing), BATCH):
            sync_programmes(app, missing[start:start + BATCH], raise_errors=True)
        if extra:
            backend.delete(extra)
        report.missing, report.extra = len(missing), len(extra)
    except SearchUnavailable as error:
        report.errors.append(str(error))
        log.warning("index repair stopped: %s", error)
    if report.outbox or report.missing or report.extra:
        log.warning("index repaired: %d from the outbox, %d missing, %d extra", report.outbox, report.missing,
                    report.extra)
    return report


@dataclass
class Consistency:
    published: int
    documents: int
    waiting: int             # outbox rows
    oldest_wait: float       # seconds the oldest outbox row has waited (0 when none)
    complete: bool


def index_consistency(app, now: datetime | None = None) -> Consistency:
    """Raises SearchUnavailable when the backend is down; the store errors go up as they are."""
    from guichet.programmes.models import Programme

    now = now or utcnow()
    lag = timedelta(seconds=float(app.config["SEARCH_SYNC_LAG"]))
    with app.extensions["guichet.db"].session() as session:
        published = session.scalar(select(func.count()).select_from(Programme).where(Programme.state == "published"))
        waiting, oldest = session.execute(select(func.count(OutboxEntry.id), func.min(OutboxEntry.queued_at))).one()
    documents = app.extensions["guichet.search"].count()
    oldest_wait = (now - oldest).total_seconds() if oldest else 0.0
    recent_changes = waiting and oldest_wait <= lag.total_seconds()
    complete = (documents == published or bool(recent_changes)) and oldest_wait <= lag.total_seconds()
    return Consistency(published, documents, waiting, oldest_wait, complete)
