"""The embedded backend's in-memory snapshot brought up to date from the index's change log
(issue 12, point 4: readers never blocked).

Every write logs the row ids it touched under its generation; a process whose snapshot is
behind re-reads those rows only (``refreshes["patched"]``), and loads the whole snapshot
(``refreshes["loaded"]``) only when the log no longer reaches back to it. A patched
snapshot must be the snapshot a full load gives, derived values included.
"""

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from guichet.search import sqlite
from guichet.search.analysis import index_term
from guichet.search import bitmaps
from guichet.search.bitmaps import load_snapshot
from guichet.search.query import parse_search
from guichet.search.sqlite import CHANGES_KEPT, CHANGES_PRUNE_EVERY, SQLiteBackend
from tests.search.test_sqlite import TODAY, document, search

REPO_ROOT = Path(__file__).resolve().parents[2]
EVERY_STATUS = {"status": ["ouvert", "a_venir", "clos"]}
LISTS = bitmaps._COLUMNS  # every per-row column of a snapshot


@pytest.fixture
def path(tmp_path):
    return tmp_path / "index" / "search.sqlite3"


@pytest.fixture
def writer(path):
    backend = SQLiteBackend(path)
    yield backend
    backend.close()


@pytest.fixture
def reader(path, writer):
    backend = SQLiteBackend(path)  # another process's view: its own connection and snapshot
    yield backend
    backend.close()


def in_another_process(path, script: str) -> None:
    """Run ``script`` (with ``backend`` on the index and ``document``) in a Python process of its own."""
    code = ("from guichet.search.sqlite import SQLiteBackend\n"
            "from tests.search.test_sqlite import document\n"
            f"backend = SQLiteBackend({str(path)!r})\n{script}\nbackend.close()\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True, timeout=120)


def programme(number: int, **fields) -> dict:
    """Documents of varied fields, so every bitmap and list has something to change."""
    defaults = dict(themes=[["mobilite"], ["numerique"], ["mobilite", "energie-climat"]][number % 3],
                    level=["national", "regional", "europe"][number % 3],
                    available_departments=["01", "75"] if number % 4 == 0 else [],
                    nationwide=number % 4 != 0, population_max=[None, 2000, 20000][number % 3],
                    days=[-10, 15, 200][number % 3], opens_on=(TODAY + timedelta(days=5)).isoformat()
                    if number % 5 == 0 else None, first_seen_at=f"2027-01-{1 + number % 28:02d}T00:00:00",
                    published_at=f"2027-02-{1 + number % 28:02d}T00:00:00",
                    funders=[["ADEME"], ["Région Grand Est", "ADEME"], []][number % 3],
                    max_rate=[None, 50, 80][number % 3], max_amount=[100_000, None, 20_000][number % 3],
                    population_overseas_max=[None, 35000, 20000][number % 3])
    title = fields.pop("title", f"Aide vélo {number}")
    return document(f"p-{number}", title, **{**defaults, **fields})


def everything(backend, **params):
    """A search over every status (the default leaves closed programmes out)."""
    return search(backend, **EVERY_STATUS, **params)


def assert_same_snapshot(patched, path):
    """``patched`` holds exactly what a full load of the file holds, derived values included."""
    backend = SQLiteBackend(path)
    try:
        with backend._connection() as connection:
            generation = int(connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
            loaded = load_snapshot(connection, generation)
    finally:
        backend.close()
    assert patched.generation == loaded.generation
    for name in ("all_docs", "nationwide", "has_beneficiaries", "closed", "newest_first"):
        assert getattr(patched, name) == getattr(loaded, name), name
    assert patched.values == loaded.values
    for name in LISTS:
        mine, theirs = list(getattr(patched, name)), list(getattr(loaded, name))
        size = max(len(mine), len(theirs))
        assert mine + [None] * (size - len(mine)) == theirs + [None] * (size - len(theirs)), name
    assert patched._derived, "the derived values were carried over"
    for (kind, arguments), value in patched._derived.items():
        assert value == getattr(loaded, "_" + kind)(*arguments, loaded.rowids()), kind


def prime(backend):
    """Searches that compute the derived values (status, orders, windows, population)."""
    search(backend, q="vélo", population="5000")
    search(backend, sort="nouveaute")
    search(backend, rate_at_least="50", amount_at_least="10000")  # thresholds, their counts, the funders'
    search(backend, sort="date_limite", deadline_before=(TODAY + timedelta(days=30)).isoformat())
    backend.search(parse_search({}, today=TODAY).without(published_after=datetime(2027, 2, 10)))


def test_an_edit_in_another_process_is_patched_in_without_a_reload(path, writer, reader):
    writer.index([programme(number) for number in range(20)])
    assert everything(reader, q="vélo").total == 20 and reader.refreshes == {"patched": 0, "loaded": 1}

    in_another_process(path, "backend.index([document('p-3', 'Aide piétons corrigée', themes=['numerique'])])")
    corrected = search(reader, q="piétons")
    assert [hit.id for hit in corrected.hits] == ["p-3"]
    assert everything(reader, q="vélo").total == 19  # the old title left with the edit
    assert reader.refreshes == {"patched": 1, "loaded": 1}  # the reload path was not taken
    assert_same_snapshot(reader._snapshot, path)


def test_deletes_unpublished_and_new_rows_facets_and_orders_stay_right(path, writer, reader):
    writer.index([programme(number) for number in range(30)])
    prime(reader)
    before = everything(reader, q="vélo")
    assert before.total == 30 and before.facets["themes"] == {"mobilite": 20, "numerique": 10, "energie-climat": 10}

    writer.delete(["p-0", "p-1", "p-29"])  # unpublished (p-29 had the highest row id)
    writer.index([programme(number) for number in range(30, 34)])  # new row ids beyond the snapshot
    writer.index([programme(4, themes=["numerique"], level="europe", days=-3, population_max=500)])  # edited
    writer.index([programme(1)])  # unpublished, then published again
    writer.index([programme(5, closed=True, first_seen_at="2030-01-01T00:00:00")])

    result = everything(reader, q="vélo", per_page="50")
    assert reader.refreshes == {"patched": 1, "loaded": 1}  # five writes, one refresh
    ids = {hit.id for hit in result.hits}
    assert result.total == 32 and len(ids) == 32
    assert not {"p-0", "p-29"} & ids and {"p-1", "p-30", "p-33"} <= ids
    assert result.facets["themes"] == {"mobilite": 21, "numerique": 11, "energie-climat": 10}
    assert [hit.id for hit in everything(reader, theme="numerique", level="europe").hits] == ["p-4"]  # edited
    assert everything(reader, sort="nouveaute").hits[0].id == "p-5"  # seen last
    assert "p-5" not in {hit.id for hit in search(reader, per_page="50").hits}  # closed now
    assert "p-4" in {hit.id for hit in search(reader, status="clos", population="400").hits}
    # The same answers as a process that loads the whole file now.
    fresh = SQLiteBackend(path)
    try:
        for params in ({"q": "vélo", "population": "5000"}, {"sort": "nouveaute", "per_page": "50"}, {},
                       {"sort": "date_limite", "per_page": "50"}, {"status": "clos"}, {"status": "a_venir"},
                       {"region": "11"}, {"department": "01"}, {"q": "vélo", **EVERY_STATUS},
                       {"funder": "ademe"}, {"rate_at_least": "50", **EVERY_STATUS}, {"amount_at_least": "50000"}):
            mine, theirs = search(reader, **params), search(fresh, **params)
            assert [hit.id for hit in mine.hits] == [hit.id for hit in theirs.hits], params
            assert (mine.total, mine.facets) == (theirs.total, theirs.facets), params
    finally:
        fresh.close()
    assert_same_snapshot(reader._snapshot, path)


def test_a_rebuild_of_the_same_programmes_is_patched_in_not_reloaded(path, writer, reader):
    writer.index([programme(number) for number in range(40)])
    prime(reader)
    documents = [programme(number) for number in range(40) if number != 7]
    documents[2] = programme(2, title="Aide vélo corrigée par la source")
    documents.append(programme(40))
    assert writer.rebuild(iter(documents), batch=10) == 40
    result = everything(reader, q="vélo", per_page="50")
    assert result.total == 40 and "p-7" not in {hit.id for hit in result.hits}
    assert search(reader, q="corrigée").hits[0].id == "p-2"
    # Every programme kept its row id: only the three that changed were re-read.
    assert reader.refreshes == {"patched": 1, "loaded": 1}
    with writer._connection() as connection:
        generation = connection.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
        logged = connection.execute("SELECT count(*) FROM changes WHERE generation = ?", (generation,)).fetchone()
    assert logged[0] == 3
    assert_same_snapshot(reader._snapshot, path)


def test_a_rebuild_that_changes_most_rows_or_a_pruned_log_loads_the_snapshot_whole(path, writer, reader,
                                                                                    monkeypatch):
    monkeypatch.setattr(sqlite, "PATCH_MIN_ROWS", 0)  # a small index behaves as a large one
    writer.index([programme(number) for number in range(20)])
    search(reader)
    writer.rebuild(iter([programme(number, themes=["numerique"]) for number in range(20, 40)]), batch=10)
    result = everything(reader, q="vélo")
    assert result.total == 20 and result.facets["themes"] == {"numerique": 20}
    assert reader.refreshes == {"patched": 0, "loaded": 2}  # the log started again at the swap

    # A process further behind than the log reaches: loaded whole, and right.
    with writer._writing() as connection:
        connection.execute("UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'generation'",
                           (CHANGES_KEPT + CHANGES_PRUNE_EVERY,))
    writer.delete(["p-20"])
    for number in range(CHANGES_PRUNE_EVERY):  # up to the next pruning
        writer.index([programme(21, title=f"Aide vélo {number}")])
    with writer._connection() as connection:
        since = connection.execute("SELECT value FROM meta WHERE key = 'changes_since'").fetchone()[0]
    assert int(since) > reader._snapshot.generation  # pruned past the reader's snapshot
    result = everything(reader, q="vélo")
    assert result.total == 19 and "p-20" not in {hit.id for hit in result.hits}
    assert reader.refreshes == {"patched": 0, "loaded": 3}

    # The log lost (a file written by an older version): loaded whole too.
    writer.index([programme(22, title="Aide piétons")])
    with writer._writing() as connection:
        connection.execute("DROP TABLE changes")
    other = SQLiteBackend(path)  # recreates the log, complete from now on
    try:
        assert [hit.id for hit in search(reader, q="piétons").hits] == ["p-22"]
        assert reader.refreshes == {"patched": 0, "loaded": 4}
        other.delete(["p-22"])
        assert search(reader, q="piétons").total == 0 and reader.refreshes == {"patched": 1, "loaded": 4}
    finally:
        other.close()
    assert_same_snapshot(reader._snapshot, path)


def test_writes_during_a_rebuild_keep_their_row_ids_through_the_swap(path, writer, reader):
    writer.index([programme(number) for number in range(20)])
    search(reader)

    def documents():
        for number in range(25):
            if number == 12:
                in_another_process(path, "backend.index([document('p-3', 'Aide piétons')]); "
                                         "backend.index([document('p-50', 'Aide piétons nouvelle')]); "
                                         "backend.delete(['p-15'])")
                assert sorted(hit.id for hit in search(reader, q="piétons").hits) == ["p-3", "p-50"]
            yield programme(number)

    writer.rebuild(documents(), batch=5)
    assert sorted(hit.id for hit in search(reader, q="piétons").hits) == ["p-3", "p-50"]
    ids = {hit.id for hit in everything(reader, per_page="50").hits}
    assert len(ids) == 25 and "p-15" not in ids and {"p-20", "p-24", "p-50"} <= ids
    assert reader.refreshes["loaded"] == 1
    assert_same_snapshot(reader._snapshot, path)


def test_a_large_index_reads_its_new_spelling_vocabulary_beside_the_searches(path, writer, reader, monkeypatch):
    monkeypatch.setattr(sqlite, "VOCABULARY_INLINE_DOCS", 0)  # a small index behaves as a large one
    writer.index([programme(1, title="Rénover les piscines municipales")])
    assert search(reader, q="pissines").corrected_text == "piscines"  # the first vocabulary: read at once
    writer.index([programme(2, title="Restaurer les carillons")])
    term = index_term("carillons")
    assert term not in reader._vocabulary_cache[1]
    # The search does not wait for the new vocabulary: a thread reads it …
    assert search(reader, q="carillon").total == 1
    reader._vocabulary_reader.join(timeout=30)
    # … for the generation the search saw, and the next search spells with it.
    assert reader._vocabulary_cache[0] == reader._snapshot.generation and term in reader._vocabulary_cache[1]
    assert search(reader, q="carrillons").corrected_text == "carillons"
    assert reader.refreshes == {"patched": 1, "loaded": 1}
