"""The vocabulary (guichet/programmes/vocabulary.py) is the one list of values: the OpenAPI
document, the search parameters and the scrapers' mappings agree with it."""

import pytest

from guichet.programmes import vocabulary
from guichet.programmes.themes import THEME_LABELS
from guichet.search.params import PARAMS_BY_NAME
from scrapers import normalise as norm


def test_labels_are_french_and_agree_in_gender():
    assert vocabulary.THEMES.unknown("lune") == "Thème inconnu : « lune »."
    assert vocabulary.RECURRENCES.unknown("parfois") == "Récurrence inconnue : « parfois »."
    assert vocabulary.AID_TYPES.unknown("x" * 100) == f"Type d’aide inconnu : « {'x' * 60} »."
    assert vocabulary.BENEFICIARIES.label("recherche") == "Organismes de recherche"
    assert vocabulary.BENEFICIARIES.label("valeur-inconnue") == "valeur-inconnue"
    assert vocabulary.LEVELS.describe({"regional", "europe"}) == "Échelon : Europe, Région"
    assert set(vocabulary.LEVEL_ADJECTIVES) == set(vocabulary.LEVELS)
    assert set(vocabulary.THEMES) == set(THEME_LABELS)


def test_territorial_conditions_have_the_agreed_slugs():
    assert list(vocabulary.TERRITORIAL_CONDITIONS) == [
        "acv", "pvd", "villages-avenir", "qpv", "frr", "montagne", "territoires-industrie", "ort", "rural"]
    assert vocabulary.TERRITORIAL_CONDITIONS["acv"] == "Action Cœur de ville"


def _enum(schema):
    return schema["items"]["enum"] if schema.get("type") == "array" else schema["enum"]


def test_the_openapi_enums_equal_the_vocabulary(client):
    document = client.get("/api/v1/openapi.json").get_json()
    parameters = {parameter["name"]: parameter for parameter in document["paths"]["/programmes"]["get"]["parameters"]}
    assert set(parameters) == set(PARAMS_BY_NAME)
    for name, expected in (("theme", vocabulary.THEMES), ("level", vocabulary.LEVELS),
                           ("aid_type", vocabulary.AID_TYPES), ("beneficiary", vocabulary.BENEFICIARIES),
                           ("status", vocabulary.STATUSES)):
        assert _enum(parameters[name]["schema"]) == list(expected), name
    assert parameters["population"]["schema"]["pattern"] == "^([0-9]{1,7}|" + "|".join(vocabulary.POPULATION_BANDS) + ")$"
    programme = document["components"]["schemas"]["Programme"]["properties"]
    for field, expected in (("level", vocabulary.LEVELS), ("status", vocabulary.STATUSES),
                            ("state", vocabulary.STATES), ("themes", vocabulary.THEMES),
                            ("aid_types", vocabulary.AID_TYPES), ("beneficiaries", vocabulary.BENEFICIARIES)):
        assert _enum(programme[field]) == list(expected), field
    assert programme["recurrence"]["enum"] == [*vocabulary.RECURRENCES, None]


@pytest.mark.parametrize("value", ["recherche", "chercheur", "agriculteur", "autre"])
def test_every_beneficiary_is_a_search_filter(client, value):
    response = client.get("/api/v1/programmes", query_string={"beneficiary": value})
    if value in vocabulary.BENEFICIARIES:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert response.get_json()["error"]["message"] == f"Bénéficiaire inconnu : « {value} »."


def test_the_scrapers_map_onto_the_vocabulary():
    words = ["Communes", "EPCI", "syndicats", "Département", "Conseil régional", "associations", "PME",
             "public_org", "particuliers", "farmer", "researcher", "chercheur", "Chercheurs",
             "laboratoires", "bailleurs sociaux"]
    assert set(norm.beneficiaries(words)) <= set(vocabulary.BENEFICIARIES)
    assert norm.beneficiaries(["chercheur"]) == ["recherche"]
    kinds = ["grant", "loan", "recoverable_advance", "technical_engineering", "guarantee", "CEE", "Autre aide",
             "une aide jamais vue"]
    assert set(norm.aid_types(kinds)) == set(vocabulary.AID_TYPES)
    for word in ("oneoff", "ongoing", "recurring", "annuelle", "au fil de l'eau"):
        assert norm.recurrence(word) in vocabulary.RECURRENCES
    for scale in ("continent", "pays", "region", "departement", "commune", "bassin hydrographique"):
        assert norm.level_from_scale(scale, "national") in vocabulary.LEVELS


def test_the_migration_moves_chercheur_to_recherche(tmp_path):
    """Programmes a curator gave ``chercheur`` and saved searches asking for it (migration
    vocabulary_0001)."""
    from alembic import command
    from sqlalchemy import text

    from guichet import migrations
    from guichet.db import Database

    database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with database.engine.begin() as connection:
        config = migrations.alembic_config(database.url, connection)
        for revision in ("0001", "digests_0001"):
            command.upgrade(config, revision)
        connection.execute(text(
            "INSERT INTO programmes (id, source, source_id, title, summary, description_html, funders, level, regions,"
            " departments, beneficiaries, themes, aid_types, is_call_for_projects, deadlines, state, curated_fields,"
            " source_values, first_seen_at, last_seen_at, created_at, updated_at, version)"
            " VALUES (:id, 'x', :id, 'T', '', '', '[]', 'national', '[]', '[]', :beneficiaries, '[]', '[]', 0, '[]',"
            " 'published', '[]', '{}', :now, :now, :now, :now, 1)"),
            [{"id": "a", "beneficiaries": '["chercheur", "commune", "recherche"]', "now": "2026-01-01 00:00:00"},
             {"id": "b", "beneficiaries": '["commune"]', "now": "2026-01-01 00:00:00"}])
        connection.execute(text(
            "INSERT INTO subscriptions (email, search, frequency, status, link_key, created_at, updated_at,"
            " permanent_failures)"
            " VALUES (:email, :search, 'weekly', 'active', 'k', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0)"),
            [{"email": "a@mairie.example", "search": "beneficiary=chercheur&beneficiary=commune&level=europe"},
             {"email": "b@mairie.example", "search": "beneficiary=recherche"},
             {"email": "b@mairie.example", "search": "beneficiary=chercheur"}])
    migrations.upgrade(database)
    with database.engine.connect() as connection:
        beneficiaries = dict(connection.execute(text("SELECT id, beneficiaries FROM programmes")).all())
        searches = [row[0] for row in connection.execute(text("SELECT search FROM subscriptions ORDER BY id"))]
    database.dispose()
    assert beneficiaries == {"a": '["recherche", "commune"]', "b": '["commune"]'}
    # The second address already followed the new spelling: its old one stays as it was.
    assert searches == ["beneficiary=commune&beneficiary=recherche&level=europe", "beneficiary=recherche",
                        "beneficiary=chercheur"]
