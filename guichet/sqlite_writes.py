"""Write transactions on the embedded SQLite store: BEGIN IMMEDIATE, with a bounded retry.

A deferred transaction that read first and writes later is upgraded at its first write; in
WAL mode that upgrade fails at once with « database is locked » when another process
committed meanwhile (the busy timeout never applies to it). pysqlite opens its transactions
implicitly before the first INSERT/UPDATE/DELETE/REPLACE (reads before it run in autocommit,
each seeing the latest commit); here that implicit BEGIN is ``BEGIN IMMEDIATE``, opened by us
with a bounded retry: the write lock is waited for through the busy timeout, a few times,
instead of failing. SAVEPOINT and DDL keep pysqlite's own handling. Lost updates stay
impossible: programmes carry a version counter (optimistic locking). PostgreSQL is untouched.
"""

import logging
import sqlite3
import time

from sqlalchemy import event

log = logging.getLogger(__name__)

WRITE_KEYWORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE")
ATTEMPTS = 4


def _writes(statement: str) -> bool:
    head = statement.lstrip()[:7].upper()
    return head.startswith(WRITE_KEYWORDS)


def begin_immediate(dbapi_connection, attempts: int = ATTEMPTS) -> None:
    """Take the write lock, waiting the busy timeout at each of ``attempts`` tries."""
    for attempt in range(1, attempts + 1):
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error) or attempt == attempts:
                raise
            log.warning("SQLite write lock busy (try %d of %d): %s", attempt, attempts, error)
            time.sleep(0.05 * 2 ** attempt)


def install(engine) -> None:
    @event.listens_for(engine, "connect")
    def immediate(dbapi_connection, _record):
        # Should pysqlite open a transaction itself, it is an immediate one too.
        dbapi_connection.isolation_level = "IMMEDIATE"

    @event.listens_for(engine, "before_cursor_execute")
    def lock_before_writing(connection, _cursor, statement, _parameters, _context, _executemany):
        dbapi_connection = connection.connection.driver_connection
        if not dbapi_connection.in_transaction and _writes(statement):
            # Bookkeeping that must never wait (the search outbox) asks for one try only.
            no_wait = connection.get_execution_options().get("sqlite_no_wait")
            begin_immediate(dbapi_connection, attempts=1 if no_wait else ATTEMPTS)
