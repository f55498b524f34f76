"""`guichet projects import`, and `guichet init` loading the shipped lists once."""

from sqlalchemy import func, select

from guichet.projects import cli
from guichet.projects.models import FundedProject
from tests.projects.conftest import DOTATIONS, FONDS_VERT


def count_projects(app) -> int:
    with app.extensions["guichet.db"].session() as session:
        return session.scalar(select(func.count(FundedProject.id)))


def test_import_reports_every_rejected_line_and_indexes(communes, curated):
    runner = communes.test_cli_runner()
    result = runner.invoke(args=["projects", "import", str(FONDS_VERT), "--kind", "fonds-vert"])

    assert result.exit_code == 1  # some lines were rejected
    assert "fonds-vert-2023-test.csv (fonds-vert, 2023) : 11 lignes lues" in result.output
    assert "7 projets ajoutés, 0 mis à jour, 0 inchangés, 4 ligne(s) écartée(s)." in result.output
    assert "ligne 6 : commune inconnue : aucun code INSEE « 99999 » dans le référentiel" in result.output
    assert "ligne 8 : doublon de la ligne 2" in result.output
    assert "Index des projets financés : 7 projets" in result.output
    assert communes.test_client().get("/api/v1/projects").get_json()["total"] == 7

    again = runner.invoke(args=["projects", "import", str(FONDS_VERT), "--kind", "fonds-vert"])
    assert "0 projets ajoutés, 0 mis à jour, 7 inchangés" in again.output
    assert "Index des projets financés" not in again.output  # nothing changed, nothing rebuilt
    assert count_projects(communes) == 7


def test_import_refuses_a_file_of_another_kind_and_changes_nothing(communes):
    result = communes.test_cli_runner().invoke(args=["projects", "import", str(DOTATIONS), "--kind", "fonds-vert"])
    assert result.exit_code == 1
    assert "ne ressemble pas à une liste « fonds-vert »" in result.output
    assert count_projects(communes) == 0


def test_import_needs_the_year_when_the_file_name_has_none(communes, tmp_path):
    unnamed = tmp_path / "laureats.csv"
    unnamed.write_bytes(FONDS_VERT.read_bytes())
    runner = communes.test_cli_runner()
    result = runner.invoke(args=["projects", "import", str(unnamed), "--kind", "fonds-vert"])
    assert result.exit_code == 1 and "indiquez-la avec --year" in result.output
    result = runner.invoke(args=["projects", "import", str(unnamed), "--kind", "fonds-vert", "--year", "2024"])
    assert "(fonds-vert, 2024)" in result.output and count_projects(communes) == 7


def test_init_loads_the_shipped_lists_once(communes, monkeypatch):
    monkeypatch.setattr(cli, "SHIPPED", (("fonds-vert", FONDS_VERT), ("dotations", DOTATIONS)))
    runner = communes.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "Projets financés…" in first.output and "Index des projets financés : 15 projets" in first.output
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0
    assert "lignes lues" not in second.output and "Index des projets financés" not in second.output
    assert count_projects(communes) == 15


def test_an_import_that_fails_half_way_leaves_nothing(communes, curated, monkeypatch):
    """The store refuses one row in the middle (a trigger standing for a full disk): the rows
    inserted before it, one statement each, are not kept either."""
    from sqlalchemy import text

    from guichet.projects import importer

    monkeypatch.setattr(importer, "BATCH", 1)
    with communes.extensions["guichet.db"].engine.begin() as connection:
        connection.execute(text("CREATE TRIGGER refuse_line_12 BEFORE INSERT ON funded_projects "
                                "WHEN NEW.source_line = 12 BEGIN SELECT RAISE(ABORT, 'disque plein'); END"))
    result = communes.test_cli_runner().invoke(args=["projects", "import", str(DOTATIONS), "--kind", "dotations"])
    assert result.exit_code == 1
    assert "L’import a échoué et rien n’a été enregistré" in result.output and "disque plein" in result.output
    assert count_projects(communes) == 0
