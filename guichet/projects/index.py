"""The embedded index of funded projects: a SQLite file of its own, with an FTS5 table.

Modelled on the programmes' embedded backend (guichet/search/sqlite.py): text is analysed in
Python with the same French analysis and synonyms (guichet.search.analysis) before FTS5 sees
it, every query term is quoted, BM25 ranks; filters and facets run on in-memory bitmaps
(guichet.search.bitmaps), reloaded when the file's generation moves.

Row ids are given in order of amount, smallest first: an amount range is then one contiguous
run of bits (no scan), and « largest amount first » is reading the bitmap from its top.

Relevance is tiered rather than BM25 (which costs ~15 ms per common word at this size): FTS5
gives, for each concept of the text, the projects where it is in the project's own words and
those where it is only in the measure or the place (unranked look-ups, under a millisecond);
projects whose words hold every concept come first — short titles (« about » the words)
before long ones — then those holding some, then the rest; the largest amounts first within
a tier. The bitmaps of a concept are cached per index generation.
The index is rebuilt from the store (`guichet projects reindex`, after every import, at
`guichet init` when the store changed) inside one transaction: readers keep the old snapshot
until it commits.
"""

import functools
import sqlite3
import statistics
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from guichet.communes.models import Commune, Epci
from guichet.projects.models import FundedProject, ProjectImport
from guichet.search.analysis import analyse_to_string
from guichet.search.sqlite import SCHEMA_VERSION as ANALYSIS_VERSION
from guichet.search.bitmaps import bitmap_of

SCHEMA_VERSION = 2
# A title of at most this many index terms is « about » its words (first relevance tier).
SHORT_TITLE_TERMS = 8
TEXT_CACHE_SIZE = 256
ROWS_PER_QUERY = 5000
# Town-size bands of DESIGN.md, contiguous (every population has one).
BANDS = (("moins-2000", 2000), ("2000-20000", 20000), ("20000-100000", 100000), ("plus-100000", None))
SMALL_COMMUNE = 2000
FACET_FIELDS = ("programme", "year", "region", "department", "population")
COLUMNS = ("id", "kind", "year", "programme_key", "programme_label", "programme_id", "measure", "category", "title",
           "beneficiary", "level", "commune_code", "commune_name", "epci_code", "epci_name", "department", "region",
           "population", "band", "density", "amount", "total_cost", "title_terms")

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    rowid INTEGER PRIMARY KEY, id INTEGER NOT NULL, kind TEXT NOT NULL, year INTEGER NOT NULL,
    programme_key TEXT NOT NULL, programme_label TEXT NOT NULL, programme_id TEXT, measure TEXT NOT NULL,
    category TEXT, title TEXT NOT NULL, beneficiary TEXT, level TEXT NOT NULL, commune_code TEXT,
    commune_name TEXT, epci_code TEXT, epci_name TEXT, department TEXT, region TEXT, population INTEGER,
    band TEXT, density TEXT, amount REAL NOT NULL, total_cost REAL, title_terms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS places (
    commune TEXT NOT NULL, doc INTEGER NOT NULL, via TEXT NOT NULL, PRIMARY KEY (commune, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stats (
    programme_key TEXT NOT NULL, year INTEGER NOT NULL, projects INTEGER NOT NULL, communes INTEGER NOT NULL,
    median_amount REAL, small_communes INTEGER NOT NULL, PRIMARY KEY (programme_key, year)
);
CREATE VIRTUAL TABLE IF NOT EXISTS projects_fts USING fts5(title, measure, place, tokenize = 'unicode61');
"""


class IndexUnavailable(RuntimeError):
    pass


def _reading(method):
    """A broken or half-written index file is « unavailable » (pages leave the section out,
    the API answers 503), never a 500."""
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except sqlite3.Error as error:
            raise IndexUnavailable(f"index des projets illisible : {error}") from error

    return wrapper


def band_of(population: int | None) -> str | None:
    if population is None:
        return None
    for slug, upper in BANDS:
        if upper is None or population < upper:
            return slug
    return None


def density_levels(session) -> dict[str, str]:
    """INSEE density level of every commune, from the territories feature when it is there."""
    try:
        from guichet.territories import density_levels as territory_density_levels
    except ImportError:
        return {}
    try:
        levels = territory_density_levels(session) or {}
    except Exception:  # the territories data may not be loaded yet: compare without density
        return {}
    return {code: str(level) for code, level in levels.items() if level is not None}


# -- building ------------------------------------------------------------------------------
def store_fingerprint(session) -> str:
    """What the index was built from: the projects (every change is an import), the commune
    reference (populations, EPCI members) and the density grid."""
    from guichet.communes.services import loaded_version

    count = session.scalar(select(func.count(FundedProject.id)))
    last_import = session.scalar(select(func.max(ProjectImport.id)))
    # The density grid may be loaded after the projects (another feature's init step).
    densities = len(density_levels(session))
    # The text analysis is the programmes' one: a change of it (their index version) rebuilds ours.
    return (f"{SCHEMA_VERSION}:{ANALYSIS_VERSION}:{count}:{last_import or 0}:{loaded_version(session)}:"
            f"{densities}")


def index_rows(session):
    """Rows of the index from the store, smallest amount first (row ids follow)."""
    communes = {code: (name, population, epci) for code, name, population, epci in session.execute(
        select(Commune.code, Commune.name, Commune.population, Commune.epci_code))}
    epcis = {code: (name, population) for code, name, population in session.execute(
        select(Epci.code, Epci.name, Epci.population))}
    members: dict[str, list[str]] = {}
    for code, (_name, _population, epci) in communes.items():
        if epci:
            members.setdefault(epci, []).append(code)
    densities = density_levels(session)
    projects = session.execute(select(
        FundedProject.id, FundedProject.kind, FundedProject.year, FundedProject.programme_key,
        FundedProject.programme_label, FundedProject.programme_id, FundedProject.measure, FundedProject.category,
        FundedProject.title, FundedProject.beneficiary, FundedProject.level, FundedProject.commune_code,
        FundedProject.epci_code, FundedProject.department, FundedProject.region, FundedProject.amount,
        FundedProject.total_cost, FundedProject.territory_name, FundedProject.extra)
        .order_by(FundedProject.amount, FundedProject.id)).all()
    for (project_id, kind, year, programme_key, programme_label, programme_id, measure, category, title, beneficiary,
         level, commune_code, epci_code, department, region, amount, total_cost, territory_name, extra) in projects:
        commune_name = population = epci_name = None
        if commune_code and commune_code in communes:
            commune_name, population, _epci = communes[commune_code]
        if epci_code and epci_code in epcis:
            epci_name, epci_population = epcis[epci_code]
            if commune_code is None:
                population = epci_population
        row = {
            "id": project_id, "kind": kind, "year": year, "programme_key": programme_key,
            "programme_label": programme_label, "programme_id": programme_id, "measure": measure,
            "category": category, "title": title, "beneficiary": beneficiary, "level": level,
            "commune_code": commune_code, "commune_name": commune_name or (None if commune_code else territory_name),
            "epci_code": epci_code, "epci_name": epci_name, "department": department, "region": region,
            "population": population, "band": band_of(population) if level != "departement" else None,
            "density": densities.get(commune_code) if commune_code else None, "amount": amount,
            "total_cost": total_cost, "summary": (extra or {}).get("summary"),
        }
        places = []
        if commune_code:
            places.append((commune_code, "commune"))
        if epci_code and commune_code is None:
            places.extend((member, "epci") for member in members.get(epci_code, ()))
        yield row, places


def rebuild_index(app) -> int:
    database = app.extensions["guichet.db"]
    index = get_index(app)
    with database.session() as session:
        fingerprint = store_fingerprint(session)
        rows = list(index_rows(session))
    return index.rebuild(rows, fingerprint)


def index_is_current(app) -> bool:
    database = app.extensions["guichet.db"]
    with database.session() as session:
        fingerprint = store_fingerprint(session)
    return get_index(app).meta("fingerprint") == fingerprint


# -- reading -------------------------------------------------------------------------------
@dataclass
class Snapshot:
    generation: int
    size: int = 0
    all_docs: int = 0
    values: dict = field(default_factory=dict)  # (field, value) → bitmap
    amounts: list = field(default_factory=list)  # amount of row id i + 1, ascending
    labels: dict = field(default_factory=dict)  # programme key → label
    programme_ids: dict = field(default_factory=dict)  # programme key → curated programme id
    has_commune: int = 0
    short_title: int = 0
    text_cache: dict = field(default_factory=dict)  # concept's FTS5 expression → (in title, elsewhere)

    def value(self, field_name: str, value) -> int:
        return self.values.get((field_name, value), 0)

    def any_of(self, field_name: str, values) -> int:
        bitmap = 0
        for value in values:
            bitmap |= self.value(field_name, value)
        return bitmap

    def field_values(self, field_name: str):
        return [(value, bitmap) for (name, value), bitmap in self.values.items() if name == field_name]

    def amount_range(self, low: float | None, high: float | None) -> int:
        """Row ids with low ≤ amount ≤ high: contiguous, since row ids follow the amount."""
        first = bisect_left(self.amounts, low) + 1 if low is not None else 1
        last = bisect_right(self.amounts, high) if high is not None else self.size
        if last < first:
            return 0
        return ((1 << (last + 1)) - 1) ^ ((1 << first) - 1)


def rowids_descending(bitmap: int, offset: int, count: int) -> list[int]:
    """Row ids of a bitmap from the highest, skipping ``offset`` of them (largest amounts first)."""
    if not bitmap or count <= 0:
        return []
    if offset == 0 and count <= 64:
        # A first page: peel the top bits off (each step is in C), no walk over the bytes.
        found = []
        while bitmap and len(found) < count:
            top = bitmap.bit_length() - 1
            found.append(top)
            bitmap ^= 1 << top
        return found
    data = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    found = []
    for position in range(len(data) - 1, -1, -1):
        byte = data[position]
        if not byte:
            continue
        bits = byte.bit_count()
        if offset >= bits:
            offset -= bits
            continue
        for bit in range(7, -1, -1):
            if byte >> bit & 1:
                if offset:
                    offset -= 1
                    continue
                found.append(position * 8 + bit)
                if len(found) == count:
                    return found
    return found


class ProjectIndex:
    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._ensure_schema(self.connection())

    @staticmethod
    def _ensure_schema(connection):
        """The tables of this version; an index of another version is emptied (it is derived
        data: the next `guichet init` or import rebuilds it)."""
        connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and row[0] != str(SCHEMA_VERSION):
            for table in ("projects", "places", "stats", "projects_fts"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.execute("DELETE FROM meta WHERE key IN ('schema_version', 'fingerprint')")
            connection.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
                               "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        connection.executescript(SCHEMA)
        connection.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            try:
                connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA synchronous=NORMAL")
                connection.execute("PRAGMA mmap_size=268435456")
                connection.execute("PRAGMA cache_size=-32000")
            except sqlite3.Error as error:
                raise IndexUnavailable(f"index des projets illisible : {error}") from error
            self._local.connection = connection
        return connection

    def close(self):
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    @_reading
    def meta(self, key: str) -> str | None:
        row = self.connection().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    # -- writing ---------------------------------------------------------------------------
    def rebuild(self, rows: list[tuple[dict, list]], fingerprint: str) -> int:
        connection = self.connection()
        stats: dict[tuple[str, int], dict] = {}
        with self._lock:
            connection.execute("BEGIN IMMEDIATE")
            try:
                for table in ("projects", "places", "stats", "projects_fts"):
                    connection.execute(f"DELETE FROM {table}")
                project_rows, fts_rows, place_rows = [], [], []
                # Measures and places repeat across thousands of projects: each is analysed once.
                analysed: dict[str, str] = {}

                def analysed_once(text: str) -> str:
                    if text not in analysed:
                        analysed[text] = analyse_to_string(text)
                    return analysed[text]

                for rowid, (row, places) in enumerate(rows, start=1):
                    title_terms = analyse_to_string(row["title"])
                    row["title_terms"] = len(title_terms.split())
                    if row.get("summary"):  # the project's own words too (Fonds vert from 2024 on)
                        title_terms += " " + analyse_to_string(row["summary"])
                    project_rows.append((rowid, *(row[name] for name in COLUMNS)))
                    place_words = " ".join(filter(None, (row["commune_name"], row["epci_name"], row["beneficiary"])))
                    measure_words = " ".join(filter(None, (row["programme_label"], row["measure"], row["category"])))
                    fts_rows.append((rowid, title_terms, analysed_once(measure_words), analysed_once(place_words)))
                    place_rows.extend((commune, rowid, via) for commune, via in places)
                    entry = stats.setdefault((row["programme_key"], row["year"]),
                                             {"projects": 0, "communes": set(), "amounts": [], "small": set()})
                    entry["projects"] += 1
                    entry["amounts"].append(row["amount"])
                    if row["commune_code"]:
                        entry["communes"].add(row["commune_code"])
                        if row["population"] is not None and row["population"] < SMALL_COMMUNE:
                            entry["small"].add(row["commune_code"])
                placeholders = ", ".join("?" for _ in range(len(COLUMNS) + 1))
                connection.executemany(f"INSERT INTO projects (rowid, {', '.join(COLUMNS)}) VALUES ({placeholders})",
                                       project_rows)
                connection.executemany("INSERT INTO projects_fts (rowid, title, measure, place) VALUES (?, ?, ?, ?)",
                                       fts_rows)
                connection.executemany("INSERT OR IGNORE INTO places (commune, doc, via) VALUES (?, ?, ?)", place_rows)
                connection.executemany(
                    "INSERT INTO stats VALUES (?, ?, ?, ?, ?, ?)",
                    [(key, year, entry["projects"], len(entry["communes"]), statistics.median(entry["amounts"]),
                      len(entry["small"])) for (key, year), entry in stats.items()])
                connection.execute("INSERT INTO projects_fts(projects_fts) VALUES ('optimize')")
                for key, value in (("schema_version", str(SCHEMA_VERSION)), ("fingerprint", fingerprint)):
                    connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
                connection.execute("INSERT INTO meta VALUES ('generation', '1') ON CONFLICT(key) "
                                   "DO UPDATE SET value = CAST(value AS INTEGER) + 1")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return len(rows)

    # -- the in-memory snapshot ------------------------------------------------------------
    @_reading
    def snapshot(self) -> Snapshot:
        connection = self.connection()
        row = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        generation = int(row[0]) if row else 0
        snapshot = self._snapshot
        if snapshot is None or snapshot.generation != generation:
            with self._lock:
                snapshot = self._snapshot
                if snapshot is None or snapshot.generation != generation:
                    snapshot = self._load(connection, generation)
                    self._snapshot = snapshot
        return snapshot

    @staticmethod
    def _load(connection, generation: int) -> Snapshot:
        snapshot = Snapshot(generation=generation)
        groups: dict[tuple[str, object], list[int]] = {}
        amounts, with_commune = [], []
        rows = connection.execute("SELECT rowid, programme_key, programme_label, programme_id, year, region, "
                                  "department, band, density, kind, level, commune_code, amount, title_terms "
                                  "FROM projects ORDER BY rowid").fetchall()
        short = []
        for (rowid, programme_key, programme_label, programme_id, year, region, department, band, density, kind, level,
             commune_code, amount, title_terms) in rows:
            if title_terms <= SHORT_TITLE_TERMS:
                short.append(rowid)
            amounts.append(amount)
            snapshot.labels.setdefault(programme_key, programme_label)
            if programme_id:
                snapshot.programme_ids.setdefault(programme_key, programme_id)
            for field_name, value in (("programme", programme_key), ("year", year), ("region", region),
                                      ("department", department), ("population", band), ("density", density),
                                      ("kind", kind), ("level", level)):
                if value is not None:
                    groups.setdefault((field_name, value), []).append(rowid)
            if commune_code:
                with_commune.append(rowid)
        snapshot.size = len(rows)
        snapshot.amounts = amounts
        snapshot.values = {key: bitmap_of(rowids) for key, rowids in groups.items()}
        snapshot.all_docs = bitmap_of(row[0] for row in rows)
        snapshot.has_commune = bitmap_of(with_commune)
        snapshot.short_title = bitmap_of(short)
        return snapshot

    # -- queries ---------------------------------------------------------------------------
    @_reading
    def concept(self, snapshot: Snapshot, expression: str) -> tuple[int, int]:
        """(projects whose own words match, projects where only the measure or place does) for
        one concept's FTS5 expression (its alternatives OR-ed, each quoted)."""
        cached = snapshot.text_cache.get(expression)
        if cached is None:
            connection = self.connection()
            sql = "SELECT rowid FROM projects_fts WHERE projects_fts MATCH ?"
            in_title = bitmap_of(rowid for (rowid,) in connection.execute(sql, (f"{{title}} : {expression}",)))
            elsewhere = bitmap_of(rowid for (rowid,) in connection.execute(sql, (f"{{measure place}} : {expression}",)))
            cached = (in_title, elsewhere & ~in_title)
            if len(snapshot.text_cache) >= TEXT_CACHE_SIZE:
                snapshot.text_cache.pop(next(iter(snapshot.text_cache)))
            snapshot.text_cache[expression] = cached
        return cached

    @_reading
    def place_docs(self, commune: str, via: str | None = None) -> int:
        sql, params = "SELECT doc FROM places WHERE commune = ?", [commune]
        if via:
            sql += " AND via = ?"
            params.append(via)
        return bitmap_of(doc for (doc,) in self.connection().execute(sql, params))

    @_reading
    def rows(self, rowids: list[int]) -> list[dict]:
        found = {}
        for start in range(0, len(rowids), ROWS_PER_QUERY):  # SQLite caps the parameters of a statement
            chunk = rowids[start:start + ROWS_PER_QUERY]
            placeholders = ", ".join("?" for _ in chunk)
            found.update((row[0], dict(zip(("rowid", *COLUMNS), row))) for row in self.connection().execute(
                f"SELECT rowid, {', '.join(COLUMNS)} FROM projects WHERE rowid IN ({placeholders})", chunk))
        return [found[rowid] for rowid in rowids if rowid in found]

    @_reading
    def stats(self, programme_key: str) -> list[dict]:
        return [dict(zip(("year", "projects", "communes", "median_amount", "small_communes"), row))
                for row in self.connection().execute(
                    "SELECT year, projects, communes, median_amount, small_communes FROM stats "
                    "WHERE programme_key = ? ORDER BY year DESC", (programme_key,))]


def index_path(app) -> Path:
    return Path(app.config.get("PROJECTS_INDEX_PATH") or Path(app.instance_path) / "projects.sqlite3")


def get_index(app=None) -> ProjectIndex:
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()
    index = app.extensions.get("guichet.projects.index")
    if index is None:
        try:
            index = ProjectIndex(index_path(app))
        except sqlite3.Error as error:  # not an SQLite file: unavailable until rebuilt
            raise IndexUnavailable(f"index des projets illisible : {error}") from error
        app.extensions["guichet.projects.index"] = index
    return index
