"""The API's per-process cache of records never serves a programme as it was before a change."""

from guichet.programmes.models import Programme


def test_a_changed_programme_is_served_as_it_is_now(app, client, make_programme):
    programme = make_programme(title="Plan vélo du quotidien", funders=["État"])
    first = client.get("/api/v1/programmes", query_string={"q": "vélo"}).get_json()
    assert [result["title"] for result in first["results"]] == ["Plan vélo du quotidien"]

    with app.app_context():
        with app.extensions["guichet.db"].session() as session:  # a curator's edit, say
            stored = session.get(Programme, programme)
            stored.funders = ["État", "ADEME"]
            stored.summary = "Pistes cyclables et stationnement."
            session.commit()

    again = client.get("/api/v1/programmes", query_string={"q": "vélo"}).get_json()
    [result] = again["results"]
    assert result["funders"] == ["État", "ADEME"] and result["summary"] == "Pistes cyclables et stationnement."
    assert client.get("/api/v1/programmes", query_string={"q": "vélo"}).get_json()["results"] == [result]
    assert "highlights" in result and "<mark>" in result["highlights"]["title"]
