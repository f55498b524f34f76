"""The embedded search backend: SQLite FTS5 in a file of its own beside the store.

Text is analysed in Python (guichet.search.analysis) before it reaches FTS5, on both sides,
so FTS5 only ever sees folded, stemmed words; every query term is quoted, so no user text
reaches MATCH as syntax. Ranking is FTS5's BM25 with title > summary > description.
English records (EU calls) put their English text in the ``*_en`` columns, analysed as
English (guichet.search.analysis.english_terms), and their French sentences in the French
columns; French query words search the French columns, their English analysis the English
ones (never for a single word of the thesaurus: « LED » is not the « led » of « community-led »).

Multi-valued fields live in a ``terms`` table (field, value, doc); filters and facets run on
in-memory bitmaps loaded from the tables (guichet.search.bitmaps). A rebuild loads new tables beside the
live ones (``docs_next``, ``terms_next``, ``docs_fts_next``) in short transactions of
REBUILD_BATCH documents, then swaps them in with one short transaction (drop the old tables,
rename the new ones): searches keep answering from the old tables the whole time, writers wait
one batch at most, never the whole rebuild, and a rebuild that dies half-way leaves the live
tables as they were (the next rebuild, or the next process to open the index once the
rebuilding process is gone, drops what it left). Changes indexed while a rebuild runs go into
both sets of tables, so the swap loses none of them.

Every write logs the row ids it touched under the generation it moves to (table ``changes``,
in the same transaction): each process brings its in-memory snapshot up to date by re-reading
those rows only (guichet.search.bitmaps.Snapshot.patched). A document keeps its row id while
it is in the index, through rebuilds too, so a swap logs only the rows whose snapshot fields
differ. A snapshot is loaded whole at start, when the log no longer reaches back to it
(pruned, or an index written before it had one), or after a swap that changed most rows.
"""

import json
import logging
import os
import re
import socket
import sqlite3
import threading
from itertools import islice
from pathlib import Path
from typing import Iterable

from guichet import geo
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from guichet.search.analysis import analyse_to_string, english_terms, index_term, stem, thesaurus_words
from guichet.search.base import FACET_FIELDS, Hit, SearchResult, SearchUnavailable
from guichet.search.bitmaps import DOC_COLUMNS, Membership, Snapshot, bitmap_of, load_snapshot
from guichet.search.documents import text_fields
from guichet.search.highlight import highlights_for
from guichet.search.params import THRESHOLD_FACETS, UNKNOWN_VALUE
from guichet.search.query import Clause, SearchQuery, clauses_of, funder_key
from guichet.programmes.conditions import CONDITIONS

log = logging.getLogger(__name__)

# Each concept a programme covers outweighs any BM25 difference: more concepts rank first.
COVERAGE_WEIGHT = 1000.0
# A typed word unknown to the index is corrected to a known term this close (edit distance),
# when it has at least this many letters.
SPELLING_MIN_LENGTH = 5

# Bump when analysis or schema changes: an index of another version is rebuilt by `guichet reindex`.
SCHEMA_VERSION = 6  # 3: territorial conditions (terms of field "territory"); 4: English columns; 5: calls;
# 6: aid programmes (terms of fields "aid_programme", their keys, and "aid_programme_name"), funders (terms of
# field "funder"), max_rate and max_amount, overseas population range, criteria (terms of field "criterion")
_WORD = re.compile(r"\w+")
BM25_WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, description (French, then the same in English)
FRENCH_COLUMNS = "{title summary description}"
ENGLISH_COLUMNS = "{title_en summary_en description_en}"

# Facet name → field of the snapshot's bitmaps (level from docs, the others from terms).
TERM_FIELDS = {
    "themes": "theme",
    "levels": "level",
    "aid_types": "aid_type",
    "calls": "call",
    "beneficiaries": "beneficiary",
    "funders": "funder",
    "regions": "region",
    "departments": "department",
}
# Aid programmes: counted by name ("aid_programme_name", merged by key when labelled), matched by
# key ("aid_programme", guichet.programmes.aid_programmes.programme_key).
TERM_FIELDS["aid_programmes"] = "aid_programme_name"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    level TEXT,
    nationwide INTEGER NOT NULL,
    has_beneficiaries INTEGER NOT NULL,
    population_min INTEGER,
    population_max INTEGER,
    population_overseas_min INTEGER,
    population_overseas_max INTEGER,
    opens_on TEXT,
    deadlines TEXT NOT NULL,
    last_deadline TEXT,
    next_deadline TEXT,
    closed INTEGER NOT NULL,
    first_seen_at TEXT,
    published_at TEXT,
    language TEXT NOT NULL DEFAULT 'fr',
    max_rate REAL,
    max_amount REAL
);
CREATE TABLE IF NOT EXISTS terms (
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (field, value, doc)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS terms_by_doc ON terms (doc, field);
CREATE INDEX IF NOT EXISTS docs_by_level ON docs (level);
CREATE INDEX IF NOT EXISTS docs_by_published_at ON docs (published_at);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(title, summary, description, title_en, summary_en, description_en,
                                              tokenize = 'unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS docs_vocab USING fts5vocab(docs_fts, 'row');
CREATE TABLE IF NOT EXISTS changes (
    generation INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (generation, doc)
) WITHOUT ROWID;
"""

# Documents written per transaction of a rebuild: the write lock is held this long, no longer.
REBUILD_BATCH = 1000
# The tables a rebuild loads, and the live table each replaces.
STAGED_TABLES = {"docs": "docs_next", "terms": "terms_next", "docs_fts": "docs_fts_next"}
_STAGED_NAME = re.compile(r"\b(" + "|".join(STAGED_TABLES) + r")\b")
_LIVE_TABLES = {live: live for live in STAGED_TABLES}
# Ids deleted while a rebuild runs: the rebuild's older read of the store must not bring them back.
_DROPPED_TABLE = "rebuild_dropped"
# The change log keeps this many generations (a process further behind reloads its snapshot
# whole), pruned every CHANGES_PRUNE_EVERY generations.
CHANGES_KEPT = 10_000
CHANGES_PRUNE_EVERY = 100
# A swap or a refresh touching more than this share of the documents (and more than
# PATCH_MIN_ROWS rows): a full load is cheaper.
PATCH_SHARE = 0.25
PATCH_MIN_ROWS = 1000
# An index of fewer documents reads its spelling vocabulary in the search that needs it; a
# larger one in a thread of its own (SQLiteBackend._vocabulary).
VOCABULARY_INLINE_DOCS = 5000
# The snapshot's columns of docs: a swap logs the rows where one differs (or a term does).
_SNAPSHOT_COLUMNS = ("id",) + DOC_COLUMNS


def _schema_statements() -> list[str]:
    return [statement.strip() for statement in SCHEMA.split(";") if statement.strip()]


def _staging_statements() -> list[str]:
    """The live schema's tables under their staged names (indexes and vocabulary come at the swap)."""
    statements = []
    for statement in _schema_statements():
        created = re.match(r"CREATE (?:VIRTUAL )?TABLE IF NOT EXISTS (\w+)", statement)
        if created and created.group(1) in STAGED_TABLES:
            statements.append(_STAGED_NAME.sub(lambda match: STAGED_TABLES[match.group(1)], statement, count=1))
    statements.append(f"CREATE TABLE {_DROPPED_TABLE} (id TEXT PRIMARY KEY) WITHOUT ROWID")
    return statements

def _quoted(phrase: tuple[str, ...]) -> str:
    """One term quoted; several: all within one word of each other (as Elasticsearch's
    phrase with slop 1, which has to step over the gap a dropped stop word leaves)."""
    if len(phrase) == 1:
        return '"' + phrase[0].replace('"', '""') + '"'
    return "NEAR(" + " ".join('"' + term.replace('"', '""') + '"' for term in phrase) + f", {len(phrase) - 1})"


def concept_expression(clause: Clause, programme_columns: bool = True) -> str:
    """FTS5 MATCH text of one concept: its phrases quoted and OR-ed in the French columns, and
    its English words in the English columns (guichet.search.query.Clause.english).
    ``programme_columns=False``: the phrases alone, for another FTS5 table of French text
    (the funded projects' index)."""
    phrases = "(" + " OR ".join(_quoted(phrase) for phrase in clause.phrases) + ")"
    if not programme_columns:
        return phrases
    french = f"{FRENCH_COLUMNS} : {phrases}"
    if not clause.english:
        return french
    return f"{french} OR {ENGLISH_COLUMNS} : ({_quoted(clause.english)})"


def phrase_pairs(query: SearchQuery) -> list[tuple[str, ...]]:
    """Two neighbouring concepts as typed, as one phrase: matching it exactly earns a bonus."""
    pairs = []
    for first, second in zip(query.clauses, query.clauses[1:]):
        if first.typed and second.typed:
            pairs.append(first.typed + second.typed)
    return pairs


def match_expression(query: SearchQuery) -> str:
    """FTS5 MATCH text of the whole query: every concept and phrase bonus OR-ed.

    BM25 of an OR sums the BM25 of each phrase a programme contains, so a programme scores
    for each concept it covers and once more for each pair of query words it holds as typed.
    """
    parts = [concept_expression(clause) for clause in query.clauses]
    # the bonus asks for the words exactly as typed, side by side
    parts += [f'{FRENCH_COLUMNS} : "' + " ".join(pair).replace('"', '""') + '"' for pair in phrase_pairs(query)]
    parts += [f'{ENGLISH_COLUMNS} : "' + " ".join(first.english + second.english).replace('"', '""') + '"'
              for first, second in zip(query.clauses, query.clauses[1:]) if first.english and second.english]
    return " OR ".join(f"({part})" for part in parts)


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        # How each process's snapshot was brought up to date (tests and benchmarks read it).
        self.refreshes = {"patched": 0, "loaded": 0}
        self._vocabulary_cache: tuple[int, dict[str, int]] | None = None
        self._vocabulary_reader: threading.Thread | None = None
        self._connection()
        connection = self._local.connection
        connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        emptied = version is not None and int(version[0]) != SCHEMA_VERSION
        logged = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'changes'").fetchone() is not None
        if emptied:
            # An index of another schema cannot take this one's rows: emptied, and reported as
            # needing a rebuild (its version stays the old one until `guichet reindex`).
            connection.executescript("DROP TABLE IF EXISTS docs_vocab; DROP TABLE IF EXISTS docs_fts; "
                                     "DROP TABLE IF EXISTS terms; DROP TABLE IF EXISTS docs;")
        connection.executescript(SCHEMA)
        connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        # The change log is complete from the generation it was created at (in an index
        # written before it had one): a snapshot older than that is loaded whole.
        connection.execute(f"INSERT OR {'IGNORE' if logged else 'REPLACE'} INTO meta SELECT 'changes_since', "
                           "COALESCE((SELECT value FROM meta WHERE key = 'generation'), '0')")
        if emptied:
            with self._writing() as writing:
                self._reset_changes(writing, self._bump_generation(writing))
        if self._rebuild_running(connection):
            self._drop_dead_rebuild()

    # -- connections -------------------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("PRAGMA cache_size=-32000")
            except sqlite3.Error as error:
                raise SearchUnavailable(f"index SQLite illisible : {error}") from error
            self._local.connection = connection
        return _Transaction(connection)

    def _writing(self, attempts: int = 4):
        """A write transaction; any SQLite failure in it is SearchUnavailable (the store's
        outbox keeps the change for the repair job)."""
        backend = self

        class Writing:
            def __enter__(self):
                self.transaction = _Transaction(backend._connection().connection, immediate=True,
                                                attempts=attempts)
                try:
                    return self.transaction.__enter__()
                except sqlite3.Error as error:
                    raise SearchUnavailable(f"index SQLite occupé : {error}") from error

            def __exit__(self, exc_type, exc, tb):
                try:
                    self.transaction.__exit__(exc_type, exc, tb)
                except sqlite3.Error as error:
                    raise SearchUnavailable(f"index SQLite : {error}") from error
                if isinstance(exc, sqlite3.Error):
                    raise SearchUnavailable(f"index SQLite : {exc}") from exc
                return False

        return Writing()

    def close(self):
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # -- writing -----------------------------------------------------------------------------
    def index(self, documents: Iterable[dict]) -> int:
        count = 0
        with self._write_lock, self._writing(attempts=1) as connection:
            staged = self._rebuild_running(connection)
            changed = []
            rowids = _Rowids(connection, staged)
            for document in documents:
                rowid = rowids(document["id"])
                self._delete_one(connection, document["id"])
                self._insert(connection, document, rowid=rowid)
                if staged:
                    # A rebuild is loading: the new tables get this change too (it is newer
                    # than what the rebuild read), and the rebuild will not overwrite it.
                    self._delete_one(connection, document["id"], STAGED_TABLES)
                    self._insert(connection, document, STAGED_TABLES, rowid=rowid)
                    connection.execute(f"DELETE FROM {_DROPPED_TABLE} WHERE id = ?", (document["id"],))
                changed.append(rowid)
                count += 1
            rowids.close()
            self._log_changes(connection, self._bump_generation(connection), changed)
        return count

    def delete(self, ids: Iterable[str]) -> None:
        with self._write_lock, self._writing(attempts=1) as connection:
            staged = self._rebuild_running(connection)
            changed = []
            for doc_id in ids:
                rowid = self._delete_one(connection, doc_id)
                if rowid is not None:
                    changed.append(rowid)
                if staged:
                    self._delete_one(connection, doc_id, STAGED_TABLES)
                    connection.execute(f"INSERT OR IGNORE INTO {_DROPPED_TABLE} VALUES (?)", (doc_id,))
            self._log_changes(connection, self._bump_generation(connection), changed)

    def rebuild(self, documents: Iterable[dict], batch: int | None = None) -> int:
        """Load every document into new tables, REBUILD_BATCH per transaction, then swap them in.

        Readers use the live tables until the swap's commit; an exception (or a killed process)
        before it leaves them untouched. A document already in the new tables was indexed
        during the rebuild (newer than the rebuild's read of the store): it is kept as it is.
        """
        batch = batch or REBUILD_BATCH
        with self._write_lock, self._writing() as connection:
            self._drop_staged(connection)  # what a rebuild that died left behind
            for statement in _staging_statements():
                connection.execute(statement)
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('rebuild_owner', ?)", (_this_process(),))
        count = 0
        documents = iter(documents)
        try:
            while True:
                chunk = list(islice(documents, batch))  # read from the store outside the lock
                if not chunk:
                    break
                with self._write_lock, self._writing() as connection:
                    rowids = _Rowids(connection, staged=True)
                    for document in chunk:
                        if connection.execute(
                                f"SELECT 1 FROM docs_next WHERE id = ? UNION ALL "
                                f"SELECT 1 FROM {_DROPPED_TABLE} WHERE id = ?",
                                (document["id"], document["id"])).fetchone() is None:
                            self._insert(connection, document, STAGED_TABLES,
                                         rowid=rowids(document["id"], known=False))
                    rowids.close()
                count += len(chunk)
            with self._write_lock, self._writing() as connection:
                connection.execute("INSERT INTO docs_fts_next(docs_fts_next) VALUES ('optimize')")
            changed = self._differences()  # read outside the write lock
            with self._write_lock, self._writing() as connection:
                self._swap(connection, changed)
        except BaseException:
            try:
                with self._write_lock, self._writing(attempts=1) as connection:
                    self._drop_staged(connection)
            except SearchUnavailable:
                pass  # the next rebuild drops them
            raise
        return count

    @staticmethod
    def _rebuild_running(connection) -> bool:
        return connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (_DROPPED_TABLE,)).fetchone() is not None

    @staticmethod
    def _drop_staged(connection):
        for table in (_DROPPED_TABLE, *STAGED_TABLES.values()):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute("DELETE FROM meta WHERE key = 'rebuild_owner'")

    def _drop_dead_rebuild(self) -> None:
        """The tables a killed rebuild left are dropped at start: else every later write
        would keep going into them too, for a swap that never comes."""
        with self._writing() as connection:
            if not self._rebuild_running(connection):
                return
            owner = connection.execute("SELECT value FROM meta WHERE key = 'rebuild_owner'").fetchone()
            if owner is None or _process_gone(owner[0]):
                log.warning("SQLite index: tables of an interrupted rebuild dropped (%s)",
                            owner[0] if owner else "no owner")
                self._drop_staged(connection)

    def _differences(self) -> list[int] | None:
        """Row ids where the new tables differ from the live ones in what a snapshot holds
        (None: too many, every process reloads). A document keeps its row id across a
        rebuild, so most programmes are the same rows. Read before the swap: any write after
        this read goes to both sets of tables and logs its own rows."""
        different = " OR ".join(f"o.{column} IS NOT n.{column}" for column in _SNAPSHOT_COLUMNS)
        queries = (  # the cheap ones first: past the limit, the others are not read
            f"SELECT n.rowid FROM docs_next n LEFT JOIN docs o ON o.rowid = n.rowid WHERE o.rowid IS NULL OR {different}",
            "SELECT o.rowid FROM docs o WHERE NOT EXISTS (SELECT 1 FROM docs_next n WHERE n.rowid = o.rowid)",
            "SELECT n.doc FROM terms_next n WHERE NOT EXISTS (SELECT 1 FROM terms o "
            "WHERE o.field = n.field AND o.value = n.value AND o.doc = n.doc)",
            "SELECT o.doc FROM terms o WHERE NOT EXISTS (SELECT 1 FROM terms_next n "
            "WHERE n.field = o.field AND n.value = o.value AND n.doc = o.doc)")
        rowids: set[int] = set()
        with self._connection() as connection:
            documents = connection.execute("SELECT count(*) FROM docs_next").fetchone()[0]
            limit = max(PATCH_MIN_ROWS, PATCH_SHARE * documents)
            for query in queries:
                rowids.update(row[0] for row in connection.execute(query))
                if len(rowids) > limit:
                    return None
        return sorted(rowids)

    def _swap(self, connection, changed: list[int] | None = None):
        """One transaction: the old tables go, the new ones take their names; the rows that
        differ are logged (``changed``), or the log starts again (None: every snapshot reloads)."""
        connection.execute("DROP TABLE IF EXISTS docs_vocab")
        for live, staged in STAGED_TABLES.items():
            connection.execute(f"DROP TABLE IF EXISTS {live}")
            connection.execute(f"ALTER TABLE {staged} RENAME TO {live}")
        connection.execute(f"DROP TABLE {_DROPPED_TABLE}")
        for statement in _schema_statements():  # indexes and the vocabulary table
            connection.execute(statement)
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        generation = self._bump_generation(connection)
        if changed is None:
            self._reset_changes(connection, generation)
        else:
            self._log_changes(connection, generation, changed)

    @staticmethod
    def _bump_generation(connection) -> int:
        """Every write moves the generation: each process brings its snapshot up to date."""
        return int(connection.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
                                      "DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value").fetchone()[0])

    @staticmethod
    def _log_changes(connection, generation: int, rowids: Iterable[int]) -> None:
        """The row ids this generation wrote, in its transaction; old generations pruned."""
        connection.executemany("INSERT OR IGNORE INTO changes VALUES (?, ?)",
                               ((generation, rowid) for rowid in rowids))
        if generation % CHANGES_PRUNE_EVERY == 0 and generation > CHANGES_KEPT:
            oldest_kept = generation - CHANGES_KEPT
            connection.execute("DELETE FROM changes WHERE generation <= ?", (oldest_kept,))
            connection.execute("UPDATE meta SET value = ? WHERE key = 'changes_since' AND CAST(value AS INTEGER) < ?",
                               (str(oldest_kept), oldest_kept))

    @staticmethod
    def _reset_changes(connection, generation: int) -> None:
        """The log starts again at ``generation``: any older snapshot is loaded whole."""
        connection.execute("DELETE FROM changes")
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('changes_since', ?)", (str(generation),))


    @staticmethod
    def _delete_one(connection, doc_id: str, tables: dict | None = None) -> int | None:
        """The document's rows gone; its row id returned (None: it was not there)."""
        docs, terms, fts = (tables or _LIVE_TABLES)["docs"], (tables or _LIVE_TABLES)["terms"], \
            (tables or _LIVE_TABLES)["docs_fts"]
        row = connection.execute(f"SELECT rowid FROM {docs} WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        connection.execute(f"DELETE FROM {fts} WHERE rowid = ?", row)
        connection.execute(f"DELETE FROM {terms} WHERE doc = ?", row)
        connection.execute(f"DELETE FROM {docs} WHERE rowid = ?", row)
        return row[0]

    @staticmethod
    def _insert(connection, document: dict, tables: dict | None = None, rowid: int | None = None):
        """Into the live tables, or the ones a rebuild loads (``tables=STAGED_TABLES``), at
        ``rowid`` (_Rowids)."""
        docs, terms, fts = (tables or _LIVE_TABLES)["docs"], (tables or _LIVE_TABLES)["terms"], \
            (tables or _LIVE_TABLES)["docs_fts"]
        cursor = connection.execute(
            f"INSERT INTO {docs} (rowid, id, title, summary, description, level, nationwide, has_beneficiaries, "
            "population_min, population_max, population_overseas_min, population_overseas_max, opens_on, deadlines, "
            "last_deadline, next_deadline, closed, first_seen_at, published_at, language, max_rate, max_amount) "
            "VALUES (" + ", ".join("?" * 22) + ")",
            (
                rowid, document["id"], document["title"], document["summary"], document["description"],
                document["level"], int(document["nationwide"]), int(bool(document["beneficiaries"])),
                document["population_min"], document["population_max"], document.get("population_overseas_min"),
                document.get("population_overseas_max"), document["opens_on"],
                json.dumps(document["deadlines"]), document["last_deadline"], document["next_deadline"],
                int(document["closed"]), document["first_seen_at"], document["published_at"],
                document.get("language") or "fr", document.get("max_rate"), document.get("max_amount"),
            ),
        )
        rowid = cursor.lastrowid
        fields = text_fields(document["title"], document["summary"], document["description"],
                             document.get("language") or "fr")
        connection.execute(
            f"INSERT INTO {fts} (rowid, title, summary, description, title_en, summary_en, description_en) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rowid, *(analyse_to_string(fields[name]) for name in ("title", "summary", "description")),
             *(" ".join(english_terms(fields[name + "_en"])) for name in ("title", "summary", "description"))),
        )
        term_rows = []
        for facet, field in (("themes", "theme"), ("aid_types", "aid_type"), ("beneficiaries", "beneficiary"),
                             ("available_regions", "region"), ("available_departments", "department"),
                             ("territories", "territory"), ("funders", "funder"), ("criteria", "criterion")):
            term_rows.extend((field, value, rowid) for value in dict.fromkeys(document.get(facet) or ()))
        if document.get("is_call_for_projects"):
            term_rows.append(("call", "true", rowid))
        term_rows.extend(("aid_programme_name", name, rowid) for name in dict.fromkeys(document.get("aid_programmes") or ()))
        term_rows.extend(("aid_programme", key, rowid) for key in document.get("aid_programme_keys") or ())
        connection.executemany(f"INSERT OR IGNORE INTO {terms} (field, value, doc) VALUES (?, ?, ?)", term_rows)

    # -- reading -----------------------------------------------------------------------------
    def ids(self) -> list[str]:
        """Every document id (the index repair compares them with the store)."""
        try:
            with self._connection() as connection:
                return [row[0] for row in connection.execute("SELECT id FROM docs")]
        except sqlite3.Error as error:
            raise SearchUnavailable(str(error)) from error

    def count(self) -> int:
        with self._connection() as connection:
            return connection.execute("SELECT count(*) FROM docs").fetchone()[0]

    def health(self) -> dict:
        try:
            with self._connection() as connection:
                documents = connection.execute("SELECT count(*) FROM docs").fetchone()[0]
                version = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.Error as error:
            raise SearchUnavailable(str(error)) from error
        return {"backend": self.name, "documents": documents,
                "schema_version": int(version[0]) if version else None,
                "needs_rebuild": not version or int(version[0]) != SCHEMA_VERSION}

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            with self._connection() as connection:
                snapshot = self._snapshot_for(connection)
                return self._search(connection, snapshot, query)
        except sqlite3.OperationalError as error:
            raise SearchUnavailable(str(error)) from error

    def _snapshot_for(self, connection) -> Snapshot:
        """The snapshot at the generation ``connection``'s read sees: the one held if it is
        that generation; else the one held patched with the rows the change log names since
        it (SQLite's WAL gives this read one consistent state of the docs, terms and log);
        loaded whole only when the log no longer reaches back to it (or it is None)."""
        for _attempt in range(3):
            generation, changes_since = (int(value) for value in connection.execute(
                "SELECT COALESCE((SELECT value FROM meta WHERE key = 'generation'), '0'), "
                "COALESCE((SELECT value FROM meta WHERE key = 'changes_since'), '0')").fetchone())
            held = self._snapshot
            if held is None or generation >= held.generation:
                break
            # This read began before another thread brought the snapshot further: read again.
            connection.execute("COMMIT")
            connection.execute("BEGIN")
        if held is not None and held.generation == generation:
            return held
        with self._snapshot_lock:
            held = self._snapshot
            if held is not None and held.generation == generation:
                return held
            fresh = None
            if held is not None and changes_since <= held.generation < generation:
                changed = [row[0] for row in connection.execute(
                    "SELECT DISTINCT doc FROM changes WHERE generation > ? AND generation <= ?",
                    (held.generation, generation))]
                if len(changed) <= max(PATCH_MIN_ROWS, PATCH_SHARE * len(held.titles)):
                    fresh = held.patched(connection, changed, generation)
                    self.refreshes["patched"] += 1
            if fresh is None:
                fresh = load_snapshot(connection, generation)
                self.refreshes["loaded"] += 1
            if held is None or fresh.generation > held.generation:
                self._snapshot = fresh
            return fresh

    def _search(self, connection, snapshot: Snapshot, query: SearchQuery) -> SearchResult:
        scores: dict[int, float] = {}
        ranked: list[int] = []
        text_bitmap = snapshot.all_docs
        clause_bitmaps: list[int] = []
        if query.has_text:
            query = self._spelled(connection, snapshot, query)
            ranked, scores, coverage, clause_bitmaps = self._ranking(connection, query)
            text_bitmap = self._covering(ranked, coverage, query.required_coverage) & snapshot.all_docs

        filters = self._filters(snapshot, query)
        matched = text_bitmap
        for _facet, bitmap in filters:
            matched &= bitmap
        if query.has_text and not matched and query.loosened() is not None:
            # never nothing while a programme holds one meaningful word of the query
            return self._search(connection, snapshot, query.loosened())
        facets = self._facets(snapshot, query, text_bitmap, filters, matched)

        page_rowids = self._page(snapshot, query, matched, ranked)
        hits = self._hits(connection, query, page_rowids, scores)
        return SearchResult(total=matched.bit_count(), hits=hits, facets=facets,
                            corrected_text=query.corrected_text,
                            coverage_counts=self._coverage_counts(snapshot, clause_bitmaps, filters))

    @staticmethod
    def _coverage_counts(snapshot: Snapshot, clause_bitmaps: list[int], filters) -> tuple | None:
        """What the suggestions need, from the bitmaps of the concepts (no extra search):
        programmes covering every concept, and all concepts but each one in turn."""
        if len(clause_bitmaps) < 2:
            return None
        passing = snapshot.all_docs
        for _facet, bitmap in filters:
            passing &= bitmap
        every = passing
        for bitmap in clause_bitmaps:
            every &= bitmap
        without = []
        for index in range(len(clause_bitmaps)):
            others = passing
            for position, bitmap in enumerate(clause_bitmaps):
                if position != index:
                    others &= bitmap
            without.append(others.bit_count())
        return every.bit_count(), tuple(without)

    @staticmethod
    def _ranking(connection, query: SearchQuery) -> tuple[list[int], dict[int, float], dict[int, int], list[int]]:
        """Programmes matching any concept, best first: concepts covered, then BM25; and the
        bitmap of the programmes matching each concept (2+ concepts only)."""
        weights = ", ".join(str(weight) for weight in BM25_WEIGHTS * 2)
        rows = connection.execute(
            f"SELECT rowid, bm25(docs_fts, {weights}) FROM docs_fts "
            "WHERE docs_fts MATCH ?", (match_expression(query),)).fetchall()
        coverage: dict[int, int] = {}
        clause_bitmaps: list[int] = []
        if len(query.clauses) > 1:
            for clause in query.clauses:
                rowids = [rowid for (rowid,) in connection.execute(
                    "SELECT rowid FROM docs_fts WHERE docs_fts MATCH ?", (concept_expression(clause),))]
                for rowid in rowids:
                    coverage[rowid] = coverage.get(rowid, 0) + 1
                clause_bitmaps.append(bitmap_of(rowids))
        scores = {rowid: COVERAGE_WEIGHT * coverage.get(rowid, 1) - bm25 for rowid, bm25 in rows}
        ranked = [rowid for _score, rowid in sorted((-score, rowid) for rowid, score in scores.items())]
        return ranked, scores, coverage, clause_bitmaps

    @staticmethod
    def _covering(ranked: list[int], coverage: dict[int, int], required: int) -> int:
        if required <= 1 or not coverage:
            return bitmap_of(ranked)
        return bitmap_of([rowid for rowid in ranked if coverage.get(rowid, 0) >= required])

    def _spelled(self, connection, snapshot: Snapshot, query: SearchQuery) -> SearchQuery:
        """Typed words unknown to the index replaced by the nearest known term (fts5vocab).

        Only words of five letters or more, without digits, written in lower case somewhere
        (an abbreviation is never corrected); the nearest term by edit distance (one edit up
        to seven letters, two beyond), the most frequent among equals.
        """
        vocabulary = self._vocabulary(connection, snapshot)
        tokens, english, corrections = [], [], []
        for clause in query.clauses:
            # the English term of each typed word, where the clause has them (one per word)
            english.extend(clause.english if len(clause.english) == len(clause.typed) else [""] * len(clause.typed))
            for term in clause.typed:
                replacement = term
                if (term not in vocabulary and len(term) >= SPELLING_MIN_LENGTH and term.isalpha()):
                    limit = 1 if len(term) <= 7 else 2
                    candidates = process.extract(term, vocabulary.keys(), scorer=Levenshtein.distance,
                                                 score_cutoff=limit, limit=20)
                    if candidates:
                        best = min(candidates, key=lambda item: (item[1], -vocabulary[item[0]], item[0]))
                        replacement = best[0]
                        corrections.append((term, replacement))
                tokens.append(replacement)
        if not corrections:
            return query
        text = query.corrected_text or query.text
        for term, replacement in corrections:
            text = self._rewritten(connection, text, term, replacement)
        return query.without(clauses=clauses_of(tokens, english), corrected_text=text)

    @staticmethod
    def _rewritten(connection, text: str, term: str, replacement: str) -> str:
        """``text`` with the word that analyses to ``term`` written as a word of the index."""
        row = connection.execute("SELECT d.title || ' ' || d.summary || ' ' || d.description FROM docs_fts "
                                 "JOIN docs d ON d.rowid = docs_fts.rowid WHERE docs_fts MATCH ? LIMIT 1",
                                 (_quoted((replacement,)),)).fetchone()
        written = next((word.lower() for word in _WORD.findall(row[0] if row else "")
                        if index_term(word.lower()) == replacement), None)
        if written is None:
            written = next((word for folded, word in thesaurus_words().items() if stem(folded) == replacement),
                           replacement)
        return _WORD.sub(lambda match: written if index_term(match.group().lower()) == term else match.group(), text)

    def _vocabulary(self, connection, snapshot: Snapshot) -> dict[str, int]:
        """Terms of the index with their document counts, read again when the generation moves.

        Reading them is a scan of the whole FTS5 index (half a second at 100,000 programmes):
        in a large index, a search while the index is written keeps the last vocabulary read
        and a thread reads the new one (spelling lags the index by that read, no search waits).
        """
        cached = self._vocabulary_cache
        if cached is not None and cached[0] == snapshot.generation:
            return cached[1]
        if cached is None or snapshot.all_docs.bit_count() < VOCABULARY_INLINE_DOCS:
            vocabulary = self._read_vocabulary(connection)
            self._keep_vocabulary(snapshot.generation, vocabulary)
            return vocabulary
        self._read_vocabulary_later()
        return cached[1]

    @staticmethod
    def _read_vocabulary(connection) -> dict[str, int]:
        vocabulary = dict(connection.execute("SELECT term, doc FROM docs_vocab"))
        # the thesaurus's words too (« lampadaire » leads to public lighting even where no
        # programme writes it), after every word of the index
        for word in thesaurus_words():
            vocabulary.setdefault(stem(word), 0)
        return vocabulary

    def _keep_vocabulary(self, generation: int, vocabulary: dict[str, int]) -> None:
        with self._snapshot_lock:
            if self._vocabulary_cache is None or generation > self._vocabulary_cache[0]:
                self._vocabulary_cache = (generation, vocabulary)

    def _read_vocabulary_later(self) -> None:
        """One thread at a time reads the vocabulary of the latest generation."""
        with self._snapshot_lock:
            if self._vocabulary_reader is not None and self._vocabulary_reader.is_alive():
                return
            self._vocabulary_reader = threading.Thread(target=self._vocabulary_reading, daemon=True,
                                                       name="guichet-vocabulary")
            self._vocabulary_reader.start()

    def _vocabulary_reading(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                with _Transaction(connection) as reading:
                    row = reading.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                    vocabulary = self._read_vocabulary(reading)
            finally:
                connection.close()
            self._keep_vocabulary(int(row[0]) if row else 0, vocabulary)
        except sqlite3.Error as error:  # the next search asks again
            log.warning("SQLite index: the spelling vocabulary could not be read: %s", error)

    @staticmethod
    def _filters(snapshot: Snapshot, query: SearchQuery) -> list[tuple[str | None, int]]:
        """(facet name or None, bitmap of the documents that pass) for every active filter."""
        filters: list[tuple[str | None, int]] = []
        for facet, values in (("themes", query.themes), ("levels", query.levels), ("aid_types", query.aid_types),
                              ("calls", query.calls), ("beneficiaries", query.beneficiaries)):
            if values:
                filters.append((facet, snapshot.any_of(TERM_FIELDS[facet], values)))
        if query.aid_programmes:
            filters.append(("aid_programmes", snapshot.any_of("aid_programme", query.aid_programme_keys)))
        # -- funders, aid rate and amount (issue 17)
        if query.funders:
            filters.append(("funders", snapshot.any_of("funder", snapshot.funder_names(
                {funder_key(value) for value in query.funders}, funder_key))))
        if query.rate_at_least is not None:
            filters.append(("rate_at_least", snapshot.at_least("max_rate", query.rate_at_least)))
        if query.amount_at_least is not None:
            filters.append(("amount_at_least", snapshot.at_least("max_amount", query.amount_at_least)))
        if query.regions:
            filters.append(("regions", snapshot.nationwide | snapshot.any_of("region", query.regions)))
        if query.departments:
            filters.append(("departments", snapshot.nationwide | snapshot.any_of("department", query.departments)))
        if query.statuses:
            statuses = snapshot.status(query.today)
            bitmap = 0
            for status in query.statuses:
                bitmap |= statuses[status]
            filters.append(("statuses", bitmap))
        if query.deadline_before:
            filters.append((None, snapshot.deadline_window(query.today, query.deadline_before)))
        if query.population_range:
            filters.append((None, snapshot.population(*query.population_range)))
        if query.published_after:
            filters.append((None, snapshot.published_after(query.published_after.isoformat(timespec="seconds"))))
        if query.eligibility:
            eligibility = query.eligibility
            if eligibility.population is not None:
                # An overseas commune by the overseas bands (DETR: up to 35 000 inhabitants).
                filters.append((None, snapshot.population(eligibility.population, eligibility.population,
                                                          eligibility.overseas)))
            filters.append((None, snapshot.nationwide | snapshot.value("department", eligibility.department)))
            filters.append((None, (snapshot.all_docs & ~snapshot.has_beneficiaries)
                            | snapshot.any_of("beneficiary", eligibility.beneficiaries)))
            # A programme restricted to lists or zonings: the commune must belong to one of them.
            restricted = snapshot.any_of("territory", CONDITIONS)
            filters.append((None, (snapshot.all_docs & ~restricted)
                            | snapshot.any_of("territory", eligibility.any_territories)))
        return filters

    @staticmethod
    def _facets(snapshot: Snapshot, query: SearchQuery, text_bitmap: int, filters, matched: int) -> dict:
        """Counts per value; a facet whose own filter is active counts without it (multi-select)."""
        facets = {}
        for facet in FACET_FIELDS:
            base = matched
            if any(name == facet for name, _bitmap in filters):
                base = text_bitmap
                for name, bitmap in filters:
                    if name != facet:
                        base &= bitmap
            if facet == "statuses":
                counts = {status: (base & bitmap).bit_count() for status, bitmap in snapshot.status(query.today).items()}
            elif facet in ("regions", "departments"):
                codes = geo.REGIONS if facet == "regions" else geo.DEPARTMENTS
                field_name = TERM_FIELDS[facet]
                nationwide = base & snapshot.nationwide
                counts = {code: (nationwide | (base & snapshot.value(field_name, code))).bit_count() for code in codes}
            elif facet in THRESHOLD_FACETS:
                # each threshold's count, and the programmes whose source states no value
                field_name, thresholds = THRESHOLD_FACETS[facet]
                counts = {value: (base & snapshot.at_least(field_name, float(value))).bit_count()
                          for value in thresholds if value != UNKNOWN_VALUE}
                counts[UNKNOWN_VALUE] = (base & ~snapshot.known(field_name)).bit_count()
            elif facet == "funders":
                counts = snapshot.funder_counts(base, query.funder_facet_size)
            else:
                field_name = TERM_FIELDS[facet]
                counts = {value: (base & bitmap).bit_count()
                          for (name, value), bitmap in snapshot.values.items() if name == field_name}
            facets[facet] = {value: count for value, count in counts.items() if count}
        return facets

    @staticmethod
    def _page(snapshot: Snapshot, query: SearchQuery, matched: int, ranked: list[int]) -> list[int]:
        if query.sort == "nouveaute":
            order = snapshot.newest_first
        elif query.sort == "pertinence" and query.has_text:
            order = ranked
        else:
            order = snapshot.by_deadline(query.today)
        membership = Membership(matched)
        page, skipped = [], 0
        for rowid in order:
            if rowid in membership:
                if skipped < query.offset:
                    skipped += 1
                    continue
                page.append(rowid)
                if len(page) == query.per_page:
                    break
        return page

    @staticmethod
    def _hits(connection, query: SearchQuery, rowids: list[int], scores: dict) -> list[Hit]:
        if not rowids:
            return []
        placeholders = ", ".join("?" for _ in rowids)
        rows = {row[0]: row[1:] for row in connection.execute(
            f"SELECT rowid, id, title, summary, description, language FROM docs WHERE rowid IN ({placeholders})",
            rowids)}
        terms = query.highlight_terms()
        english = query.english_terms()
        hits = []
        for rowid in rowids:
            doc_id, title, summary, description, language = rows[rowid]
            highlights = highlights_for(title, summary, description, terms,
                                        english if language == "en" else frozenset()) if terms else {}
            score = scores.get(rowid)
            hits.append(Hit(id=doc_id, score=-score if score is not None else None, highlights=highlights))
        return hits


def _this_process() -> str:
    """host, pid and start time (clock ticks since boot) of this process: who runs a rebuild."""
    return f"{socket.gethostname()} {os.getpid()} {_started(os.getpid())}"


def _started(pid: int) -> str:
    try:
        # the field after the command's parentheses: state is 3rd, start time 22nd
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return "?"


def _process_gone(owner: str) -> bool:
    """Whether the process ``owner`` names (``_this_process``) has ended. A process of
    another host cannot be seen from here: taken as alive (its next rebuild drops its tables)."""
    host, _space, rest = owner.partition(" ")
    pid, _space, started = rest.partition(" ")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if not Path(f"/proc/{pid}").exists():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    now = _started(int(pid))
    return "?" not in (started, now) and now != started  # another process under the same pid


class _Rowids:
    """Row ids for the documents of one write transaction. A document keeps its row id while
    it is in the index, across rebuilds (the live row's, else the new tables'); a new one
    takes the next never-used row id (meta ``next_rowid``, written back by ``close``)."""

    def __init__(self, connection, staged: bool):
        self.connection, self.staged = connection, staged
        self.next: int | None = None

    def __call__(self, doc_id: str, known: bool = True) -> int:
        """``known=False``: the caller knows the new tables lack this id."""
        tables = ("docs", "docs_next") if self.staged and known else ("docs",)
        for table in tables:
            row = self.connection.execute(f"SELECT rowid FROM {table} WHERE id = ?", (doc_id,)).fetchone()
            if row is not None:
                return row[0]
        if self.next is None:
            counter = self.connection.execute("SELECT value FROM meta WHERE key = 'next_rowid'").fetchone()
            self.next = max([int(counter[0]) if counter else 1] + [
                (self.connection.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0] or 0) + 1
                for table in (("docs", "docs_next") if self.staged else ("docs",))])
        rowid, self.next = self.next, self.next + 1
        return rowid

    def close(self) -> None:
        if self.next is not None:
            self.connection.execute("INSERT OR REPLACE INTO meta VALUES ('next_rowid', ?)", (str(self.next),))


class _Transaction:
    """``with`` on a connection in autocommit mode: BEGIN/COMMIT around the block. A writing
    block takes the write lock first (BEGIN IMMEDIATE, bounded retry): a deferred one that
    read first fails « database is locked » at once when another process wrote meanwhile."""

    def __init__(self, connection: sqlite3.Connection, immediate: bool = False, attempts: int = 4):
        self.connection = connection
        self.immediate = immediate
        self.attempts = attempts

    def __enter__(self):
        if self.immediate:
            from guichet.sqlite_writes import begin_immediate

            begin_immediate(self.connection, self.attempts)
        else:
            self.connection.execute("BEGIN")
        return self.connection

    def __exit__(self, exc_type, _exc, _tb):
        if exc_type is None:
            self.connection.execute("COMMIT")
        else:
            self.connection.execute("ROLLBACK")
        return False
