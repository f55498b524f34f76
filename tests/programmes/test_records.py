"""The record contract (guichet/programmes/records.py): the strict check, and every record the
project ships (the sources' recorded responses parsed by the real parsers, the curated data)
passes it."""

import io
import json

import pytest

from guichet.programmes.records import (CONTENT_FIELDS, RECORD_FIELDS, InvalidRecord, ProgrammeRecord,
                                        clean_record)
from guichet.programmes.services import CURATED_DATA, import_records
from guichet.sources.services import run_source
from scrapers.registry import all_sources
from tests.conftest import programme_data
from tests.fixtures.replay import replay_server, replay_settings  # noqa: F401


def test_the_typed_record_declares_every_field():
    assert RECORD_FIELDS == tuple(ProgrammeRecord.__annotations__)
    assert set(CONTENT_FIELDS) < set(RECORD_FIELDS)
    assert {"id", "source", "source_id", "status", "next_deadline", "state", "content_hash"} <= set(RECORD_FIELDS)


@pytest.mark.parametrize("change, message", [
    ({"beneficiary": ["commune"]}, "unknown field: beneficiary"),
    ({"titel": "Faute de frappe", "aidtypes": []}, "unknown fields: titel, aidtypes"),
    ({"beneficiaries": ["commune", "chercheur"]}, "beneficiaries: unknown value 'chercheur'"),
    ({"aid_types": ["don", "pret", "credit"]}, "aid_types: unknown values 'don', 'credit'"),
    ({"themes": ["lune"]}, "themes: unknown value 'lune' (allowed: see guichet/programmes/vocabulary.py)"),
    ({"level": "planetaire"}, "level must be one of europe, national, regional, departmental, local"),
    ({"recurrence": "parfois"}, "recurrence must be one of ponctuelle, recurrente, permanente"),
    ({"state": "brouillon"}, "state must be one of pending, published, rejected, merged"),
    ({"status": "ferme"}, "status must be one of ouvert, a_venir, clos"),
    ({"beneficiaries": "commune"}, "beneficiaries must be a list, not str"),
    ({"regions": ["84", "99"]}, "regions: unknown INSEE code '99'"),
    ({"departments": ["26", "2a", "100"]}, "departments: unknown INSEE codes '2a', '100'"),
])
def test_unknown_keys_and_values_are_refused_with_a_clear_message(change, message):
    with pytest.raises(InvalidRecord) as raised:
        clean_record(programme_data(**change))
    assert message in str(raised.value)


def test_the_message_lists_the_allowed_values():
    with pytest.raises(InvalidRecord) as raised:
        clean_record(programme_data(beneficiaries=["chercheur"]))
    assert "(allowed: commune, epci, departement" in str(raised.value) and "recherche" in str(raised.value)


def test_an_exported_record_is_accepted_back():
    record = clean_record(programme_data(beneficiaries=["commune", "recherche"], aid_types=["subvention", "autre"]))
    exported = dict(record, next_deadline=None, status="ouvert", first_seen_at="2026-01-02T03:04:05",
                    last_seen_at=None, source_updated_at=None, content_hash="abc", state="published")
    assert clean_record(exported)["beneficiaries"] == ["commune", "recherche"]


def test_an_import_line_with_an_unknown_field_is_an_error_of_that_line(db_session):
    lines = io.StringIO(json.dumps(programme_data(id="bon-1")) + "\n"
                        + json.dumps(programme_data(id="faux-2", beneficiares=["commune"])) + "\n")
    counts = import_records(db_session, lines)
    assert counts["added"] == 1
    assert len(counts["errors"]) == 1 and "beneficiares" in counts["errors"][0]


def test_every_curated_programme_passes_the_strict_check():
    lines = [line for line in CURATED_DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 20
    for line in lines:
        clean_record(json.loads(line))


def test_every_recorded_response_parses_into_valid_records(app_config, replay_server, request):  # noqa: F811
    """Every source's recorded responses through its real parser (as `guichet scrape SOURCE
    --dry-run` does, every page followed), each record strictly checked twice: by the harvest
    (a refused record would be a « normalise » error) and again as the JSON it prints."""
    app_config.update(replay_settings(replay_server))
    app = request.getfixturevalue("app")
    counts, errors = {}, []
    for slug in all_sources():
        records = run_source(app, slug, dry_run=True,
                             report=lambda kind, slug=slug, **info: kind == "error" and errors.append(
                                 (slug, info["error"].stage, info["error"].message)))
        for record in records:
            try:
                clean_record(record)
            except InvalidRecord as error:
                errors.append((slug, "contract", f"{record['id']}: {error}"))
        counts[slug] = len(records)
    assert errors == []
    assert set(counts) == set(all_sources()) and all(counts.values()), counts


def test_aid_programmes_are_names_trimmed_with_one_spelling_each():
    record = clean_record(programme_data(aid_programmes=["  Fonds vert -  Édition 2024 ", "Action cœur de ville",
                                                         "Action Cœur de Ville", ""]))
    assert record["aid_programmes"] == ["Fonds vert - Édition 2024", "Action cœur de ville"]
    assert clean_record(programme_data())["aid_programmes"] == []


@pytest.mark.parametrize("value, message", [
    ([{"name": "Fonds vert"}], "Programme d’aides : un nom (du texte) est attendu, pas un objet."),
    ([12], "Programme d’aides : un nom (du texte) est attendu, pas un nombre."),
    ({"name": "Fonds vert"}, "Programme d’aides : une liste de noms est attendue, pas un objet."),
    (["« — »"], "Programme d’aides : « « — » » n’est pas un nom (ni lettre ni chiffre)."),
    (["x" * 201], "le nom « " + "x" * 60 + "… » est trop long (200 caractères au plus)."),
    ([f"Programme {number}" for number in range(21)], "Programme d’aides : 21 programmes, 20 au plus."),
])
def test_aid_programmes_that_are_not_names_are_refused_in_french(value, message):
    with pytest.raises(InvalidRecord) as raised:
        clean_record(programme_data(aid_programmes=value))
    assert message in str(raised.value)


def test_an_empty_aid_programme_list_leaves_the_content_hash_as_it_was():
    from guichet.programmes.records import content_hash

    record = clean_record(programme_data())
    without = {key: value for key, value in record.items() if key != "aid_programmes"}
    assert content_hash(record) == content_hash(without)
    assert content_hash(dict(record, aid_programmes=["Fonds vert"])) != content_hash(record)
