"""The guard that fails a test session which wrote into the checkout (tests/plugins/checkout_guard.py)."""

import os

from tests.plugins import checkout_guard


def test_new_changed_and_removed_files_are_reported_and_caches_are_not(tmp_path):
    (tmp_path / "kept.txt").write_text("a")
    (tmp_path / "changed.txt").write_text("a")
    (tmp_path / "removed.txt").write_text("a")
    (tmp_path / ".venv").mkdir()
    before = checkout_guard.checkout_files(tmp_path)
    (tmp_path / "changed.txt").write_text("bb")
    (tmp_path / "removed.txt").unlink()
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "search.sqlite3").write_text("index")
    (tmp_path / ".venv" / "cache").write_text("ignored")
    (tmp_path / "guichet.egg-info").mkdir()
    (tmp_path / "guichet.egg-info" / "PKG-INFO").write_text("ignored")

    assert checkout_guard.changes(before, checkout_guard.checkout_files(tmp_path)) == [
        "disparu : removed.txt", "modifié : changed.txt", "nouveau : instance/search.sqlite3"]


def test_the_session_runs_with_an_instance_folder_outside_the_checkout():
    instance = os.environ["GUICHET_INSTANCE_PATH"]
    assert not os.path.abspath(instance).startswith(str(checkout_guard.ROOT) + os.sep)
