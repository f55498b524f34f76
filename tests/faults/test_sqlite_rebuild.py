"""The embedded index's rebuild in batches with a swap (issue 12, point 4; H4).

Searches keep answering from the old tables while a rebuild loads, another writer gets the
write lock between two batches (not after the whole rebuild), a change indexed during the
rebuild survives the swap, and a rebuild that dies half-way leaves the old index whole.
"""

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from guichet.search.query import parse_search
from guichet.search.sqlite import SQLiteBackend, _staging_statements
from tests.search.test_sqlite import TODAY, document

REPO_ROOT = Path(__file__).resolve().parents[2]


def search(backend, **params):
    return backend.search(parse_search(params, today=TODAY))


@pytest.fixture
def path(tmp_path):
    return tmp_path / "index" / "search.sqlite3"


@pytest.fixture
def backend(path):
    backend = SQLiteBackend(path)
    backend.index([document(f"old-{n}", f"Ancienne aide vélo {n}") for n in range(30)])
    yield backend
    backend.close()


def test_searches_and_writers_go_on_during_a_rebuild_and_its_changes_survive_the_swap(backend, path):
    other = SQLiteBackend(path)  # another worker's connection to the same file
    seen = {}

    def writer():
        # During the rebuild: a curator's edit of a programme the rebuild already read,
        # and a programme unpublished before the rebuild reaches it.
        other.index([document("new-3", "Aide rénovation des écoles corrigée")])
        other.delete(["new-40"])
        seen["writer_done"] = True

    def documents():
        for n in range(60):
            if n == 25:
                # Between batches: the old index still answers, whole, from another connection.
                seen["during"] = search(other, q="vélo").total
                thread = threading.Thread(target=writer)
                thread.start()
                # The writer is not made to wait for the end of the rebuild.
                thread.join(timeout=20)
                seen["writer_alive"] = thread.is_alive()
                seen["new_during"] = search(other, q="rénovation").total  # the edit is live at once
            yield document(f"new-{n}", f"Aide rénovation {n}")

    try:
        assert backend.rebuild(documents(), batch=10) == 60
    finally:
        other.close()
    assert seen["during"] == 30 and seen["new_during"] == 1
    assert seen["writer_alive"] is False and seen["writer_done"]
    assert search(backend, q="vélo").total == 0  # the old documents went with the swap
    assert backend.count() == 59  # 60 loaded, new-40 deleted during the rebuild stays deleted
    assert "new-40" not in backend.ids()
    corrected = search(backend, q="corrigée")
    assert [hit.id for hit in corrected.hits] == ["new-3"]  # the newer edit, not the rebuild's read
    # Indexes and the spelling vocabulary are back after the swap.
    with backend._connection() as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert {"terms_by_doc", "docs_by_level", "docs_by_published_at", "docs_vocab"} <= names
        assert not {"docs_next", "terms_next", "docs_fts_next", "rebuild_dropped"} & names
        assert connection.execute("SELECT count(*) FROM docs_vocab WHERE term = 'renov'").fetchone()[0] == 1
    reopened = SQLiteBackend(path)
    try:
        assert reopened.health()["needs_rebuild"] is False and reopened.count() == 59
    finally:
        reopened.close()


def test_a_rebuild_that_dies_half_way_leaves_the_old_index_and_the_next_one_works(backend, path):
    def failing():
        for n in range(25):
            yield document(f"new-{n}", f"Aide rénovation {n}")
        raise RuntimeError("store lost mid-rebuild")

    with pytest.raises(RuntimeError):
        backend.rebuild(failing(), batch=10)
    assert backend.count() == 30 and search(backend, q="vélo").total == 30
    assert search(backend, q="rénovation").total == 0  # nothing of the half-loaded tables shows
    backend.index([document("old-1", "Ancienne aide vélo corrigée")])  # writes go on normally
    assert search(backend, q="corrigée").total == 1

    # A process killed mid-rebuild leaves its tables in the file: the next rebuild drops them.
    with backend._writing() as connection:
        for statement in _staging_statements():
            connection.execute(statement)
        connection.execute("INSERT INTO docs_next (id, title, summary, description, nationwide, "
                           "has_beneficiaries, deadlines, closed) VALUES ('ghost', 'Fantôme', '', '', 1, 1, '[]', 0)")
    assert backend.rebuild([document("n-1", "Aide rénovation")], batch=10) == 1
    assert backend.ids() == ["n-1"]


def test_a_rebuild_killed_mid_way_leaves_no_tables_that_a_later_start_keeps(backend, path):
    """kill -9 of the rebuilding process: the next process to open the index drops the
    half-loaded tables (writes would otherwise go on filling them for a swap that never comes);
    a rebuild whose process is alive keeps its tables when another process starts."""
    code = ("import os, signal\n"
            "from guichet.search.sqlite import SQLiteBackend\n"
            "from tests.search.test_sqlite import document\n"
            f"backend = SQLiteBackend({str(path)!r})\n"
            "def documents():\n"
            "    for n in range(40):\n"
            "        if n == 25:\n"
            "            os.kill(os.getpid(), signal.SIGKILL)\n"
            "        yield document(f'new-{n}', f'Aide rénovation {n}')\n"
            "backend.rebuild(documents(), batch=10)\n")
    killed = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    with backend._connection() as connection:
        assert backend._rebuild_running(connection)  # the dead rebuild's tables are in the file
        assert connection.execute("SELECT count(*) FROM docs_next").fetchone()[0] == 20

    started = SQLiteBackend(path)  # a process starting after the kill
    try:
        with started._connection() as connection:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert not {"docs_next", "terms_next", "docs_fts_next", "rebuild_dropped"} & names
        started.index([document("old-2", "Ancienne aide vélo corrigée")])
        assert search(started, q="vélo").total == 30 and search(started, q="rénovation").total == 0
    finally:
        started.close()

    seen = {}

    def documents():
        for n in range(20):
            if n == 15:
                other = SQLiteBackend(path)  # starts while this rebuild is alive
                with other._connection() as connection:
                    seen["kept"] = other._rebuild_running(connection)
                other.close()
            yield document(f"new-{n}", f"Aide rénovation {n}")

    assert backend.rebuild(documents(), batch=10) == 20
    assert seen["kept"] is True and search(backend, q="rénovation").total == 20
