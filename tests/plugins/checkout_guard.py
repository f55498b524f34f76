"""No test writes into the checkout: every test keeps to its temporary directories.

The session starts with ``GUICHET_INSTANCE_PATH`` pointing at a temporary folder, so that an
app created without one (``guichet --help`` through click's runner, a subprocess) never opens
``instance/`` of the checkout; and the session fails if, at its end, a file of the checkout
appeared, disappeared or changed (build caches and virtualenvs aside).
"""

import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Caches that tools keep in the checkout on purpose (never written by a test's own code).
IGNORED_DIRECTORIES = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache",
                       ".ruff_cache"}
IGNORED_PATHS = {"tools/elasticsearch/lib", "tools/elasticsearch/target"}

_state: dict = {}


def checkout_files(root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """Path → (size, modification time) of every file of the checkout but the caches."""
    files = {}
    for directory, subdirectories, names in os.walk(root):
        relative = Path(directory).relative_to(root).as_posix()
        subdirectories[:] = [name for name in subdirectories
                             if name not in IGNORED_DIRECTORIES and not name.endswith(".egg-info")
                             and (f"{relative}/{name}" if relative != "." else name) not in IGNORED_PATHS]
        for name in names:
            path = Path(directory, name)
            try:
                status = path.stat()
            except FileNotFoundError:
                continue
            files[path.relative_to(root).as_posix()] = (status.st_size, status.st_mtime_ns)
    return files


def changes(before: dict, after: dict) -> list[str]:
    return sorted([f"nouveau : {path}" for path in after.keys() - before.keys()]
                  + [f"disparu : {path}" for path in before.keys() - after.keys()]
                  + [f"modifié : {path}" for path in before.keys() & after.keys() if before[path] != after[path]])


def pytest_configure(config):
    if hasattr(config, "workerinput"):
        return
    _state["instance"] = tempfile.mkdtemp(prefix="guichet-instance-")
    _state["previous"] = os.environ.get("GUICHET_INSTANCE_PATH")
    os.environ["GUICHET_INSTANCE_PATH"] = _state["instance"]
    _state["before"] = checkout_files()


def pytest_sessionfinish(session, exitstatus):
    if "before" not in _state:
        return
    found = changes(_state["before"], checkout_files())
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.ensure_newline()
        reporter.write_sep("=", "des tests ont écrit dans le dépôt (ils doivent rester dans leurs dossiers "
                                "temporaires)", red=True)
        for line in found[:50]:
            reporter.write_line(f"  {line}", red=True)
        session.exitstatus = 1


def pytest_unconfigure(config):
    if "instance" not in _state:
        return
    if _state["previous"] is None:
        os.environ.pop("GUICHET_INSTANCE_PATH", None)
    else:
        os.environ["GUICHET_INSTANCE_PATH"] = _state["previous"]
    shutil.rmtree(_state.pop("instance"), ignore_errors=True)
