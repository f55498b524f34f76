"""The programme record in the store: import/export, curation never overwritten, change tracking."""

import io
import json

import pytest

from guichet.programmes.models import Programme
from guichet.programmes.services import export_records, import_records, load_curated, upsert_source_record
from tests.conftest import programme_data

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def test_curator_fields_survive_a_rescrape(db_session):
    data = programme_data(id="source-1", title="Titre de la source", state="pending")
    assert upsert_source_record(db_session, data) == "added"
    programme = db_session.get(Programme, "source-1")
    programme.title = "Titre corrigé par l'ANCT"
    programme.curated_fields = ["title"]
    db_session.commit()
    changed = dict(data, title="Nouveau titre de la source", summary="Nouveau résumé.")
    assert upsert_source_record(db_session, changed) == "updated"
    db_session.commit()
    programme = db_session.get(Programme, "source-1")
    assert programme.title == "Titre corrigé par l'ANCT"
    assert programme.summary == "Nouveau résumé."
    assert programme.source_values["title"] == "Nouveau titre de la source"


def test_unchanged_content_is_detected(db_session):
    data = programme_data(id="source-2")
    assert upsert_source_record(db_session, data, raw_payload={"raw": 1}) == "added"
    first_hash = db_session.get(Programme, "source-2").content_hash
    assert upsert_source_record(db_session, data) == "unchanged"
    assert upsert_source_record(db_session, dict(data, deadlines=["2099-12-31"])) == "updated"
    assert db_session.get(Programme, "source-2").content_hash != first_hash


def test_export_import_round_trip(db_session):
    upsert_source_record(db_session, programme_data(id="a-1", title="Éclairage", themes=["numerique"]),
                         default_state="published")
    db_session.commit()
    out = io.StringIO()
    assert export_records(db_session, out) == 1
    record = json.loads(out.getvalue())
    assert record["title"] == "Éclairage" and record["state"] == "published" and record["status"] == "ouvert"
    record["title"] = "Éclairage public"
    counts = import_records(db_session, [json.dumps(record), "{pas du json", json.dumps({"id": "x"})])
    db_session.commit()
    assert counts["updated"] == 1 and len(counts["errors"]) == 2
    assert db_session.get(Programme, "a-1").title == "Éclairage public"


def test_curated_programmes_are_valid_and_well_known(db_session):
    counts = load_curated(db_session)
    db_session.commit()
    assert counts["errors"] == [] and counts["added"] >= 40
    titles = " ".join(programme.title for programme in db_session.query(Programme))
    for name in ("DETR", "DSIL", "Fonds vert", "FNADT", "Action Cœur de ville", "Petites villes de demain",
                 "Très Haut Débit", "France Mobilités", "FEDER", "FSE+", "URBACT", "LIFE", "Digital Europe"):
        assert name in titles, name
    detr = next(programme for programme in db_session.query(Programme) if "DETR" in programme.title)
    assert detr.population_max == 20000 and "commune" in detr.beneficiaries
