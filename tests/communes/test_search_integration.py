"""``commune=`` on the search page and the API, beyond the backends' semantics
(tests/communes/test_eligibility.py): former codes, the population mark, bad input."""

import pytest

from tests.communes.helpers import BEAUVAIS, EXPECTED, found, make_eligibility_programmes


@pytest.fixture
def programmes(communes, make_programme):
    make_eligibility_programmes(make_programme)


def test_a_former_commune_code_applies_its_current_commune(client, programmes):
    # 60384 is an old code merged into Beauvais.
    assert found(client, commune="60384") == EXPECTED[BEAUVAIS]


def test_search_page_marks_programmes_without_population_rule(client, programmes):
    page = client.get("/", query_string={"commune": BEAUVAIS})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "programmes trouvés" in html and "pour Beauvais" in html
    assert "Conditions de population non précisées" in html
    assert "Communes de 20\u202f000 à 100\u202f000 habitants" in html


@pytest.mark.parametrize("params, parameter, message", [
    ({"commune": "99999"}, "commune", "Commune inconnue : aucun code INSEE « 99999 »."),
    ({"commune": "6005"}, "commune", "Code INSEE de commune invalide"),
    ({"population": "-5"}, "population", "La population doit être un nombre d’habitants positif"),
    ({"population": "99999999"}, "population", "au plus 3 000 000"),
    ({"population": "beaucoup"}, "population", "La population doit être un nombre d’habitants positif"),
])
def test_bad_commune_or_population_is_a_french_400(client, programmes, params, parameter, message):
    response = client.get("/api/v1/programmes", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == parameter and message in error["message"]
    page = client.get("/", query_string=params)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True).replace("&#39;", "'")


def test_a_commune_is_resolved_once_per_search_request(app, client, programmes):
    """The commune field, the search parser and the field's summary share one look-up."""
    from sqlalchemy import event

    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["guichet.db"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/", query_string={"commune": BEAUVAIS})
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert page.status_code == 200 and "pour Beauvais" in page.get_data(as_text=True)
    lookups = [statement for statement in statements if "FROM communes" in statement and "WHERE communes.code" in statement]
    assert len(lookups) == 1, lookups
