"""The JSON API: record field names, one programme, themes, OpenAPI."""

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
                                      "funders", "rate_min", "amount_min", "statuses"}


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


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404 and response.is_json
