"""Unknown query parameters: a French 400 on the API, feeds, calendars and exports (issue 17
point 4); the search page ignores them, tracking parameters included, and keeps working."""

import pytest

from guichet.search.query import InvalidQuery, parse_search


def test_parser_refuses_an_unknown_parameter_only_when_strict():
    assert parse_search({"q": "vélo", "funder2": "ADEME"}).text == "vélo"
    with pytest.raises(InvalidQuery) as raised:
        parse_search({"q": "vélo", "funder2": "ADEME"}, strict=True)
    assert raised.value.parameter == "funder2"
    assert "Paramètre inconnu : « funder2 »" in raised.value.message
    assert "theme" in raised.value.message  # the known ones are listed, from guichet.search.params
    # every declared parameter passes the strict check
    parse_search({"q": "vélo", "theme": "mobilite", "sort": "nouveaute", "page": "1", "per_page": "5"},
                 strict=True)


@pytest.mark.parametrize("path", ["/api/v1/programmes", "/flux.atom", "/calendrier.ics", "/export.csv"])
def test_machine_readable_searches_answer_a_french_400(client, make_programme, path):
    make_programme(title="Plan vélo des communes", funders=["ADEME"])
    response = client.get(path + "?q=vélo&utm_source=lettre&inconnu=1")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    if response.is_json:
        body = response.get_json()["error"]["message"]
    assert "Paramètre inconnu" in body and ("utm_source" in body or "inconnu" in body)
    assert client.get(path + "?q=vélo").status_code == 200


def test_search_page_ignores_tracking_parameters(client, make_programme):
    make_programme(title="Plan vélo des communes")
    response = client.get("/?utm_source=lettre&utm_medium=email&fbclid=abc&gclid=x")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Plan vélo des communes" in page
    assert "utm_source" not in page and "fbclid" not in page  # not carried into the page's links


def test_curated_programmes_carry_sub_themes_the_search_finds(client, make_programme):
    """Curated programmes have their sub-themes (« numerique/cybersecurite » finds the ANSSI
    programme), on both backends."""
    import json

    from guichet.programmes.records import clean_record
    from guichet.programmes.services import CURATED_DATA

    records = {record["id"]: record for record in map(json.loads, CURATED_DATA.read_text(encoding="utf-8").splitlines())}
    with_sub_themes = [record for record in records.values() if any("/" in theme for theme in record["themes"])]
    assert len(with_sub_themes) >= 40
    for record in with_sub_themes:  # a sub-theme always sits under its theme, and passes the record check
        assert all(theme.split("/")[0] in record["themes"] for theme in record["themes"]), record["id"]
        clean_record(record)
    anssi = records["curated-anssi-cybersecurite-collectivites"]
    make_programme(id=anssi["id"], title=anssi["title"], themes=anssi["themes"])
    make_programme(title="Très haut débit", themes=["numerique", "numerique/tres-haut-debit"])
    payload = client.get("/api/v1/programmes?theme=numerique/cybersecurite").get_json()
    assert [result["id"] for result in payload["results"]] == [anssi["id"]]


def test_calls_for_projects_only_filter_with_its_count(client, make_programme):
    """« Appels à projets / AMI uniquement »: a filter with its count, on both backends, in the
    search page's form and in the API's facets."""
    call = make_programme(title="Appel à projets vélo", is_call_for_projects=True, themes=["mobilite"])
    make_programme(title="Dotation vélo permanente", is_call_for_projects=False, themes=["mobilite"])
    payload = client.get("/api/v1/programmes?q=vélo").get_json()
    assert payload["total"] == 2
    assert payload["facets"]["calls"] == [{"value": "true", "label": "Appels à projets et AMI uniquement",
                                           "count": 1}]
    only = client.get("/api/v1/programmes?q=vélo&call_for_projects=true").get_json()
    assert [result["id"] for result in only["results"]] == [call] and only["total"] == 1
    # its own filter does not shrink its count (multi-select facets), the others do
    assert only["facets"]["calls"][0]["count"] == 1
    assert client.get("/api/v1/programmes?call_for_projects=oui").status_code == 400
    page = client.get("/?q=vélo").get_data(as_text=True)
    assert 'name="call_for_projects" value="true"' in page and "Appels à projets et AMI uniquement" in page
