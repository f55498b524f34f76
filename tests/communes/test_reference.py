"""Loading the commune reference: `guichet init`, `guichet communes refresh`, idempotence."""

import json
import shutil

import pytest
from sqlalchemy import func, select

from guichet.communes.models import Commune, CommuneAlias, Department, ReferenceVersion, Region
from guichet.communes.reference import load_reference
from tests.communes.conftest import FIXTURE_DATA

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_load_builds_communes_aliases_and_epci(app, db_session):
    result = load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    assert result.loaded
    assert result.counts["communes"] == 27
    assert count(db_session, Commune) == 27
    assert count(db_session, Region) == 26 and count(db_session, Department) == 109

    beauvais = db_session.get(Commune, "60057")
    assert (beauvais.name, beauvais.population, beauvais.department, beauvais.region) == ("Beauvais", 55550, "60", "32")
    assert beauvais.postcodes == ["60000"]
    assert beauvais.epci.name == "CA du Beauvaisis"
    assert beauvais.epci.type_label == "communauté d’agglomération"
    assert beauvais.epci.member_count == 53  # every member, even those outside the extract
    assert beauvais.epci.population > beauvais.population
    assert beauvais.search_name == "beauvais"
    assert "60057" in [member.code for member in beauvais.epci.members]

    # Former communes and arrondissements point at the commune that applies today.
    arbignieu = db_session.scalar(select(CommuneAlias).where(CommuneAlias.name == "Arbignieu"))
    assert (arbignieu.kind, arbignieu.commune_code) == ("commune-deleguee", "01015")
    cordieux = db_session.scalar(select(CommuneAlias).where(CommuneAlias.code == "01120"))
    assert (cordieux.kind, cordieux.commune_code) == ("commune-associee", "01262")
    arrondissement = db_session.scalar(select(CommuneAlias).where(CommuneAlias.code == "13201"))
    assert (arrondissement.kind, arrondissement.commune_code) == ("arrondissement-municipal", "13055")
    old_codes = db_session.scalars(select(CommuneAlias).where(CommuneAlias.kind == "ancien-code",
                                                              CommuneAlias.commune_code == "60057")).all()
    assert {alias.code for alias in old_codes} == {"60384", "60467", "60580", "60696"}

    # A commune without any EPCI (an island).
    assert db_session.get(Commune, "29083").epci_code is None


def test_the_same_version_is_not_loaded_twice_but_refresh_forces_it(app, db_session):
    database = app.extensions["guichet.db"]
    first = load_reference(database, FIXTURE_DATA)
    again = load_reference(database, FIXTURE_DATA)
    assert first.loaded and not again.loaded and again.version == first.version
    forced = load_reference(database, FIXTURE_DATA, force=True)
    assert forced.loaded
    assert count(db_session, ReferenceVersion) == 1
    assert count(db_session, Commune) == 27


def test_a_new_version_replaces_the_previous_one(app, db_session, tmp_path):
    database = app.extensions["guichet.db"]
    load_reference(database, FIXTURE_DATA)
    changed = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, changed)
    rows = json.loads((changed / "communes.json").read_text(encoding="utf-8"))
    rows = [row for row in rows if row["code"] != "80829"]  # « Y » disappears
    for row in rows:
        if row["code"] == "60057":
            row["population"] = 56000
    (changed / "communes.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = load_reference(database, changed)
    assert result.loaded
    db_session.expire_all()
    assert db_session.get(Commune, "80829") is None
    assert db_session.get(Commune, "60057").population == 56000


def test_init_loads_the_reference_once(runner, db_session):
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Référentiel des communes" in result.output and "27 communes" in result.output
    assert count(db_session, Commune) == 27
    again = runner.invoke(args=["init"])
    assert again.exit_code == 0
    assert "déjà à jour" in again.output


def test_init_without_the_data_warns_and_carries_on(app, runner, tmp_path, db_session):
    app.config["COMMUNES_DATA_DIR"] = str(tmp_path / "absent")
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    assert "Données des communes introuvables" in result.output
    assert "Prêt." in result.output
    assert count(db_session, Commune) == 0


def test_refresh_command_reloads_with_progress(runner, db_session, tmp_path):
    result = runner.invoke(args=["communes", "refresh"])
    assert result.exit_code == 0, result.output
    assert "communes : 27/27" in result.output
    assert "27 communes, " in result.output
    again = runner.invoke(args=["communes", "refresh"])
    assert again.exit_code == 0 and "chargé" in again.output  # refresh always reloads
    unchanged = runner.invoke(args=["communes", "refresh", "--if-changed"])
    assert "déjà à jour" in unchanged.output
    missing = runner.invoke(args=["communes", "refresh", "--data-dir", str(tmp_path / "absent")])
    assert missing.exit_code != 0
    assert "Données des communes introuvables" in missing.output


def test_a_reload_by_another_process_reaches_the_running_app(communes, client, monkeypatch, tmp_path):
    from guichet.communes import services

    assert [item["code"] for item in client.get("/api/v1/communes?q=Y").get_json()] == ["80829"]
    changed = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, changed)
    rows = json.loads((changed / "communes.json").read_text(encoding="utf-8"))
    (changed / "communes.json").write_text(json.dumps([row for row in rows if row["code"] != "80829"]),
                                           encoding="utf-8")
    # Loaded straight into the store, as `guichet communes refresh` in another process would.
    assert load_reference(communes.extensions["guichet.db"], changed).loaded
    monkeypatch.setattr(services, "VERSION_CHECK_SECONDS", 0)
    assert client.get("/api/v1/communes?q=Y").get_json() == []
