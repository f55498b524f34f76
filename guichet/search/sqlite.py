"""The embedded search backend: SQLite FTS5 in a file of its own beside the store.

Text is analysed in Python (guichet.search.analysis) before it reaches FTS5, on both sides,
so FTS5 only ever sees folded, stemmed words; every query term is quoted, so no user text
reaches MATCH as syntax. Ranking is FTS5's BM25 with title > summary > description.

Multi-valued fields live in a ``terms`` table (field, value, doc) that filters and facets
share. A rebuild replaces every row inside one transaction: readers keep seeing the old
snapshot (WAL) until it commits, so searches never stop.
"""

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterable

from guichet import geo
from guichet.search.analysis import analyse_to_string
from guichet.search.base import FACET_FIELDS, Hit, SearchResult, SearchUnavailable
from guichet.search.highlight import highlight, snippet
from guichet.search.query import SearchQuery

# Bump when analysis or schema changes: an index of another version is rebuilt by `guichet reindex`.
SCHEMA_VERSION = 1
BM25_WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, description

# Facet name → terms field.
TERM_FIELDS = {
    "themes": "theme",
    "aid_types": "aid_type",
    "beneficiaries": "beneficiary",
    "regions": "region",
    "departments": "department",
}

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
    opens_on TEXT,
    deadlines TEXT NOT NULL,
    last_deadline TEXT,
    next_deadline TEXT,
    closed INTEGER NOT NULL,
    first_seen_at TEXT,
    published_at TEXT
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
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(title, summary, description, tokenize = 'unicode61');
"""

STATUS_SQL = (
    "CASE WHEN d.closed = 1 OR (d.last_deadline IS NOT NULL AND d.last_deadline < :today) THEN 'clos' "
    "WHEN d.opens_on IS NOT NULL AND d.opens_on > :today THEN 'a_venir' ELSE 'ouvert' END"
)
# The next deadline from today on; the stored value is exact unless it passed since indexing.
DEADLINE_SQL = (
    "(CASE WHEN d.next_deadline IS NULL OR d.next_deadline >= :today THEN d.next_deadline "
    "ELSE (SELECT min(value) FROM json_each(d.deadlines) WHERE value >= :today) END)"
)


def match_expression(query: SearchQuery) -> str:
    """FTS5 MATCH text: every phrase quoted, alternatives OR-ed, concepts AND-ed."""
    clauses = []
    for clause in query.clauses:
        phrases = ['"' + " ".join(phrase).replace('"', '""') + '"' for phrase in clause.phrases]
        clauses.append("(" + " OR ".join(phrases) + ")")
    return " AND ".join(clauses)


class SQLiteBackend:
    name = "sqlite"

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connection()
        connection = self._local.connection
        connection.executescript(SCHEMA)
        connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

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

    def close(self):
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # -- writing -----------------------------------------------------------------------------
    def index(self, documents: Iterable[dict]) -> int:
        count = 0
        with self._write_lock, self._connection() as connection:
            for document in documents:
                self._delete_one(connection, document["id"])
                self._insert(connection, document)
                count += 1
        return count

    def delete(self, ids: Iterable[str]) -> None:
        with self._write_lock, self._connection() as connection:
            for doc_id in ids:
                self._delete_one(connection, doc_id)

    def rebuild(self, documents: Iterable[dict]) -> int:
        count = 0
        with self._write_lock, self._connection() as connection:
            connection.execute("DELETE FROM terms")
            connection.execute("DELETE FROM docs")
            connection.execute("DELETE FROM docs_fts")
            for document in documents:
                self._insert(connection, document)
                count += 1
            connection.execute("INSERT INTO docs_fts(docs_fts) VALUES ('optimize')")
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        return count

    @staticmethod
    def _delete_one(connection, doc_id: str):
        row = connection.execute("SELECT rowid FROM docs WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return
        connection.execute("DELETE FROM docs_fts WHERE rowid = ?", row)
        connection.execute("DELETE FROM terms WHERE doc = ?", row)
        connection.execute("DELETE FROM docs WHERE rowid = ?", row)

    @staticmethod
    def _insert(connection, document: dict):
        cursor = connection.execute(
            "INSERT INTO docs (id, title, summary, description, level, nationwide, has_beneficiaries, "
            "population_min, population_max, opens_on, deadlines, last_deadline, next_deadline, closed, "
            "first_seen_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document["id"], document["title"], document["summary"], document["description"],
                document["level"], int(document["nationwide"]), int(bool(document["beneficiaries"])),
                document["population_min"], document["population_max"], document["opens_on"],
                json.dumps(document["deadlines"]), document["last_deadline"], document["next_deadline"],
                int(document["closed"]), document["first_seen_at"], document["published_at"],
            ),
        )
        rowid = cursor.lastrowid
        connection.execute(
            "INSERT INTO docs_fts (rowid, title, summary, description) VALUES (?, ?, ?, ?)",
            (rowid, analyse_to_string(document["title"]), analyse_to_string(document["summary"]),
             analyse_to_string(document["description"])),
        )
        terms = []
        for facet, field in (("themes", "theme"), ("aid_types", "aid_type"), ("beneficiaries", "beneficiary"),
                             ("available_regions", "region"), ("available_departments", "department")):
            terms.extend((field, value, rowid) for value in dict.fromkeys(document[facet]))
        connection.executemany("INSERT OR IGNORE INTO terms (field, value, doc) VALUES (?, ?, ?)", terms)

    # -- reading -----------------------------------------------------------------------------
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
                return self._search(connection, query)
        except sqlite3.OperationalError as error:
            raise SearchUnavailable(str(error)) from error

    def _search(self, connection, query: SearchQuery) -> SearchResult:
        params = {"today": query.today.isoformat()}
        source = "docs d"
        if query.has_text:
            params["match"] = match_expression(query)
            w_title, w_summary, w_description = BM25_WEIGHTS
            source = (f"docs d JOIN (SELECT rowid AS doc, bm25(docs_fts, {w_title}, {w_summary}, {w_description}) "
                      "AS score FROM docs_fts WHERE docs_fts MATCH :match) f ON f.doc = d.rowid")
        filters = self._filters(query, params)

        where = " AND ".join(sql for _facet, sql in filters) or "1"
        order = self._order(query)
        score = "f.score" if query.has_text else "NULL"
        rows = connection.execute(
            f"SELECT d.id, {score}, d.title, d.summary, d.description FROM {source} WHERE {where} "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset",
            {**params, "limit": query.per_page, "offset": query.offset},
        ).fetchall()

        total, facets = self._facets(connection, source, filters, params, facet_names=FACET_FIELDS)
        # A facet whose own filter is active counts without it (multi-select choices).
        for facet in {facet for facet, _sql in filters if facet}:
            others = [(name, sql) for name, sql in filters if name != facet]
            _total, counts = self._facets(connection, source, others, params, facet_names=(facet,))
            facets[facet] = counts[facet]

        terms = query.highlight_terms()
        hits = []
        for doc_id, score_value, title, summary, description in rows:
            highlights = {}
            if terms:
                for field, text, make in (("title", title, highlight), ("summary", summary, snippet),
                                          ("description", description, snippet)):
                    marked = make(text, terms)
                    if marked is not None:
                        highlights[field] = marked
            hits.append(Hit(id=doc_id, score=-score_value if score_value is not None else None,
                            highlights=highlights))
        return SearchResult(total=total, hits=hits, facets=facets)

    @staticmethod
    def _filters(query: SearchQuery, params: dict) -> list[tuple[str | None, str]]:
        """(facet name or None, SQL condition) for every active filter."""
        filters: list[tuple[str | None, str]] = []

        def values(name: str, items) -> str:
            placeholders = []
            for number, item in enumerate(sorted(items)):
                key = f"{name}_{number}"
                params[key] = item
                placeholders.append(f":{key}")
            return ", ".join(placeholders)

        def term_filter(facet: str, items) -> str:
            field = TERM_FIELDS[facet]
            return f"d.rowid IN (SELECT doc FROM terms WHERE field = '{field}' AND value IN ({values(field, items)}))"

        if query.themes:
            filters.append(("themes", term_filter("themes", query.themes)))
        if query.levels:
            filters.append(("levels", f"d.level IN ({values('level', query.levels)})"))
        if query.aid_types:
            filters.append(("aid_types", term_filter("aid_types", query.aid_types)))
        if query.beneficiaries:
            filters.append(("beneficiaries", term_filter("beneficiaries", query.beneficiaries)))
        if query.regions:
            filters.append(("regions", f"(d.nationwide = 1 OR {term_filter('regions', query.regions)})"))
        if query.departments:
            filters.append(("departments", f"(d.nationwide = 1 OR {term_filter('departments', query.departments)})"))
        if query.statuses:
            filters.append(("statuses", f"{STATUS_SQL} IN ({values('status', query.statuses)})"))
        if query.deadline_before:
            params["deadline_before"] = query.deadline_before.isoformat()
            filters.append((None, "EXISTS (SELECT 1 FROM json_each(d.deadlines) "
                                  "WHERE value >= :today AND value <= :deadline_before)"))
        if query.population_range:
            low, high = query.population_range
            if high is not None:
                params["population_high"] = high
                filters.append((None, "(d.population_min IS NULL OR d.population_min <= :population_high)"))
            if low is not None:
                params["population_low"] = low
                filters.append((None, "(d.population_max IS NULL OR d.population_max >= :population_low)"))
        if query.published_after:
            params["published_after"] = query.published_after.isoformat(timespec="seconds")
            filters.append((None, "d.published_at > :published_after"))
        if query.eligibility:
            eligibility = query.eligibility
            if eligibility.population is not None:
                params["commune_population"] = eligibility.population
                filters.append((None, "(d.population_min IS NULL OR d.population_min <= :commune_population) "
                                      "AND (d.population_max IS NULL OR d.population_max >= :commune_population)"))
            params["commune_department"] = eligibility.department
            filters.append((None, "(d.nationwide = 1 OR d.rowid IN (SELECT doc FROM terms "
                                  "WHERE field = 'department' AND value = :commune_department))"))
            filters.append((None, "(d.has_beneficiaries = 0 OR d.rowid IN (SELECT doc FROM terms WHERE "
                                  f"field = 'beneficiary' AND value IN ({values('eligible', eligibility.beneficiaries)})))"))
        return filters

    @staticmethod
    def _order(query: SearchQuery) -> str:
        by_deadline = f"{DEADLINE_SQL} IS NULL, {DEADLINE_SQL}, d.title"
        if query.sort == "nouveaute":
            return "d.first_seen_at DESC, d.rowid DESC"
        if query.sort == "date_limite":
            return by_deadline
        if query.has_text:
            return f"f.score, {by_deadline}"
        return by_deadline

    @staticmethod
    def _facets(connection, source: str, filters, params: dict, facet_names) -> tuple[int, dict]:
        where = " AND ".join(sql for _facet, sql in filters) or "1"
        wanted_terms = [TERM_FIELDS[name] for name in facet_names if name in TERM_FIELDS]
        parts = ["SELECT 'total', '', count(*) FROM m"]
        if "levels" in facet_names:
            parts.append("SELECT 'level', level, count(*) FROM m GROUP BY level")
        if "statuses" in facet_names:
            parts.append("SELECT 'status', status, count(*) FROM m GROUP BY status")
        if {"regions", "departments"} & set(facet_names):
            parts.append("SELECT 'nationwide', '', count(*) FROM m WHERE nationwide = 1")
        if wanted_terms:
            fields = ", ".join(f"'{field}'" for field in wanted_terms)
            parts.append(f"SELECT t.field, t.value, count(*) FROM m JOIN terms t ON t.doc = m.doc "
                         f"WHERE t.field IN ({fields}) GROUP BY t.field, t.value")
        sql = (f"WITH m AS MATERIALIZED (SELECT d.rowid AS doc, d.level AS level, d.nationwide AS nationwide, "
               f"{STATUS_SQL} AS status FROM {source} WHERE {where}) " + " UNION ALL ".join(parts))
        total = 0
        nationwide = 0
        facets: dict[str, dict[str, int]] = {name: {} for name in facet_names}
        field_to_facet = {field: facet for facet, field in TERM_FIELDS.items()}
        for field, value, count in connection.execute(sql, params):
            if field == "total":
                total = count
            elif field == "nationwide":
                nationwide = count
            elif field == "level":
                if value is not None:
                    facets["levels"][value] = count
            elif field == "status":
                facets["statuses"][value] = count
            else:
                facets[field_to_facet[field]][value] = count
        # A nationwide programme is available in every région and département.
        if nationwide:
            if "regions" in facets:
                for code in geo.REGIONS:
                    facets["regions"][code] = facets["regions"].get(code, 0) + nationwide
            if "departments" in facets:
                for code in geo.DEPARTMENTS:
                    facets["departments"][code] = facets["departments"].get(code, 0) + nationwide
        return total, facets


class _Transaction:
    """``with`` on a connection in autocommit mode: BEGIN/COMMIT around the block."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self):
        self.connection.execute("BEGIN")
        return self.connection

    def __exit__(self, exc_type, _exc, _tb):
        if exc_type is None:
            self.connection.execute("COMMIT")
        else:
            self.connection.execute("ROLLBACK")
        return False
