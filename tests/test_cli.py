"""The `guichet` command: init, reindex, export and import."""

import json

import pytest

from guichet.cli import cli

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def test_help_lists_the_commands(monkeypatch, tmp_path):
    from click.testing import CliRunner

    # The group creates an app: its store and index go to the test's folder, not to instance/.
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "run", "serve", "scheduler", "reindex", "export", "import"):
        assert command in result.output


def test_init_loads_curated_programmes_and_indexes_them(app, runner, client):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Prêt." in result.output
    payload = client.get("/api/v1/programmes?q=DETR").get_json()
    assert payload["total"] >= 1
    again = runner.invoke(args=["init"])
    assert "0 ajoutés" in again.output


def test_export_then_import(app, runner, make_programme, tmp_path):
    make_programme(id="x-1", title="Plan vélo")
    path = tmp_path / "programmes.jsonl"
    assert runner.invoke(args=["export", str(path)]).exit_code == 0
    record = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    record["title"] = "Plan vélo du quotidien"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0 and "1 mis à jour" in result.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "y"}\n', encoding="utf-8")
    assert runner.invoke(args=["import", str(bad)]).exit_code == 1


def test_reindex_rebuilds_from_the_store(app, runner, client, make_programme):
    make_programme(title="Plan vélo")
    backend = app.extensions["guichet.search"]
    backend.rebuild([])
    assert client.get("/api/v1/programmes").get_json()["total"] == 0
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "1 programmes indexés" in result.output
    from guichet.search import rebuild_index

    reported = []
    with app.app_context():
        assert rebuild_index(app, progress=reported.append, every=1) == 1
    assert reported == [1]
    assert client.get("/api/v1/programmes").get_json()["total"] == 1
