"""The JSON API: record field names, one programme, themes, OpenAPI."""

import pytest

from guichet.programmes.records import RECORD_FIELDS


def test_results_carry_the_record_fields(client, make_programme):
    make_programme(title="Plan vélo", deadlines=["2099-01-01"])
    payload = client.get("/api/v1/programmes?q=vélo").get_json()
    assert payload["total"] == 1 and payload["page"] == 1 and payload["per_page"] == 20
    result = payload["results"][0]
    assert set(RECORD_FIELDS) <= set(result)
    assert result["next_deadline"] == "2099-01-01" and result["status"] == "ouvert"
    assert result["url"].endswith(f"/programmes/{result['id']}")
    assert set(payload["facets"]) == {"themes", "levels", "aid_types", "calls", "beneficiaries", "regions", "departments",
                                      "funders", "rate_at_least", "amount_at_least", "statuses", "aid_programmes"}


def test_one_programme_and_unknown(client, make_programme):
    programme_id = make_programme(title="Plan vélo")
    assert client.get(f"/api/v1/programmes/{programme_id}").get_json()["title"] == "Plan vélo"
    response = client.get("/api/v1/programmes/inconnu")
    assert response.status_code == 404
    assert "inconnu" in response.get_json()["error"]["message"]


def test_themes(client):
    themes = client.get("/api/v1/themes").get_json()["themes"]
    numerique = next(theme for theme in themes if theme["value"] == "numerique")
    assert numerique["label"] == "Numérique et ville intelligente"
    assert {sub["label"] for sub in numerique["subthemes"]} >= {"Très haut débit et téléphonie mobile",
                                                                 "Cybersécurité", "Éclairage intelligent"}


def test_openapi_document_describes_every_parameter(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    parameters = {parameter["name"] for parameter in document["paths"]["/programmes"]["get"]["parameters"]}
    assert parameters >= {"q", "theme", "commune", "population", "level", "aid_type", "beneficiary", "region",
                          "department", "status", "deadline_before", "sort", "page", "per_page"}


def test_the_aid_programmes_are_in_the_record_the_facets_and_the_openapi_document(client, make_programme):
    programme_id = make_programme(title="Renaturation", aid_programmes=["Fonds vert - Édition 2024"])
    assert client.get(f"/api/v1/programmes/{programme_id}").get_json()["aid_programmes"] == ["Fonds vert - Édition 2024"]
    payload = client.get("/api/v1/programmes", query_string={"aid_programme": "fonds vert édition 2024"}).get_json()
    assert [result["id"] for result in payload["results"]] == [programme_id]
    assert payload["facets"]["aid_programmes"] == [
        {"value": "Fonds vert - Édition 2024", "label": "Fonds vert - Édition 2024", "count": 1}]
    document = client.get("/api/v1/openapi.json").get_json()
    (parameter,) = [item for item in document["paths"]["/programmes"]["get"]["parameters"]
                    if item["name"] == "aid_programme"]
    assert parameter["schema"] == {"type": "array", "items": {"type": "string", "maxLength": 200}}
    assert parameter["description"].startswith("Programme d’aides")
    schema = document["components"]["schemas"]["Programme"]["properties"]["aid_programmes"]
    assert schema["type"] == "array" and schema["items"]["type"] == "string"


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404 and response.is_json


# -- funders' autocomplete (issue 17) ------------------------------------------------------------
def test_funders_autocomplete_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    funders = document["paths"]["/porteurs"]["get"]
    assert {parameter["name"] for parameter in funders["parameters"]} == {"q", "limit"}
    assert set(funders["responses"]) == {"200", "400", "503"}
    search = {parameter["name"]: parameter for parameter in document["paths"]["/programmes"]["get"]["parameters"]}
    assert search["funder"]["schema"]["type"] == "array"
    assert search["rate_at_least"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert search["amount_at_least"]["schema"]["minimum"] == 1


@pytest.mark.parametrize("params, parameter", [
    ({"q": "x" * 101}, "q"), ({"q": ["ademe", "anah"]}, "q"), ({"limit": "0"}, "limit"), ({"limit": "51"}, "limit"),
    ({"limit": "dix"}, "limit"), ({"limit": "²"}, "limit"), ({"financeur": "ADEME"}, "financeur"),
])
def test_funders_autocomplete_refuses_bad_parameters_in_french(client, params, parameter):
    response = client.get("/api/v1/porteurs", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter
    assert any(word in error["message"] for word in ("caractères", "entier", "inconnu", "qu’une fois")), error
