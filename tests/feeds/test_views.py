"""Feeds and exports of a search, each read back with a real parser of its format."""

import csv
import io
from datetime import date, datetime

import feedparser
import icalendar


def test_atom_feed_is_valid_atom_with_the_search_results(client, make_programme):
    make_programme(title="Plan vélo des communes", summary="Pistes cyclables.", funders=["ADEME"],
                   themes=["mobilite"], deadlines=["2099-03-31"])
    make_programme(title="Fonds friches", summary="Recyclage foncier.", deadlines=["2099-01-01"])
    response = client.get("/flux.atom?q=vélo")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.language == "fr" and "vélo" in feed.feed.title
    assert [entry.title for entry in feed.entries] == ["Plan vélo des communes"]
    entry = feed.entries[0]
    assert entry.link.endswith("/programmes/" + entry.id.rsplit("/programmes/", 1)[1])
    assert entry.summary == "Pistes cyclables."
    assert entry.author == "ADEME"
    assert entry.updated_parsed is not None
    assert feed.feed.links[1]["rel"] == "self" and "q=" in feed.feed.links[1]["href"]


def test_atom_feed_lists_newest_publications_first(client, make_programme, app):
    from guichet.programmes.models import Programme

    first = make_programme(title="Programme ancien")
    second = make_programme(title="Programme récent")
    with app.app_context():
        database = app.extensions["guichet.db"]
        with database.session() as session:
            session.get(Programme, first).published_at = datetime(2026, 1, 1)
            session.get(Programme, second).published_at = datetime(2026, 6, 1)
            session.commit()
    feed = feedparser.parse(client.get("/flux.atom").data)
    assert [entry.title for entry in feed.entries][:2] == ["Programme récent", "Programme ancien"]


def test_search_page_links_its_feed_and_exports(client, make_programme):
    make_programme(title="Plan vélo")
    page = client.get("/?q=vélo").get_data(as_text=True)
    assert 'type="application/atom+xml"' in page
    for path in ("/flux.atom?q=v%C3%A9lo", "/calendrier.ics?q=v%C3%A9lo", "/export.csv?q=v%C3%A9lo",
                 "/impression?q=v%C3%A9lo"):
        assert path in page


def test_calendar_has_one_all_day_event_per_deadline(client, make_programme):
    programme_id = make_programme(title="Appel vélo", deadlines=["2099-03-31", "2099-09-30"])
    make_programme(title="Sans date", deadlines=[])
    response = client.get("/calendrier.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["version"] == "2.0" and calendar["x-wr-timezone"] == "Europe/Paris"
    events = calendar.walk("VEVENT")
    assert sorted(event.decoded("dtstart") for event in events) == [date(2099, 3, 31), date(2099, 9, 30)]
    assert {str(event["uid"]) for event in events} == {f"{programme_id}-2099-03-31@guichet",
                                                       f"{programme_id}-2099-09-30@guichet"}
    assert all(str(event["summary"]) == "Date limite : Appel vélo" for event in events)
    assert all(event.walk("VALARM") for event in events)


def test_one_programme_calendar_and_unknown(client, make_programme):
    programme_id = make_programme(title="Appel vélo", deadlines=["2099-03-31"])
    calendar = icalendar.Calendar.from_ical(client.get(f"/programmes/{programme_id}/calendrier.ics").data)
    assert [event.decoded("dtstart") for event in calendar.walk("VEVENT")] == [date(2099, 3, 31)]
    assert f'href="/programmes/{programme_id}/calendrier.ics"' in client.get(
        f"/programmes/{programme_id}").get_data(as_text=True)
    response = client.get("/programmes/inconnu/calendrier.ics")
    assert response.status_code == 404 and "Aucun programme" in response.get_data(as_text=True)


def test_csv_export_opens_in_a_french_spreadsheet(client, make_programme):
    make_programme(title="Plan vélo", funders=["ADEME", "Région"], rate_max=80.0, amount_max=12500.5,
                   deadlines=["2099-03-31"], level="national",
                   aid_programmes=["Fonds vert - Édition 2024", "Petites villes de demain"])
    make_programme(title="=HYPERLINK(\"http://example.org\")")
    response = client.get("/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    by_title = {row["Titre"]: row for row in rows}
    velo = by_title["Plan vélo"]
    assert velo["Financeurs"] == "ADEME, Région"
    assert velo["Programmes d’aides"] == "Fonds vert - Édition 2024, Petites villes de demain"
    assert velo["Échelon"] == "National"
    assert velo["Prochaine date limite"] == "31/03/2099"
    assert velo["Taux maximum (%)"] == "80" and velo["Montant maximum (€)"] == "12500,5"
    assert velo["Statut"] == "Ouvert"
    assert velo["Page sur Guichet"].startswith("http")
    # A formula is never handed to the spreadsheet as one.
    assert "'=HYPERLINK(\"http://example.org\")" in by_title


def test_export_refuses_more_than_its_limit_in_french(client, make_programme, monkeypatch):
    from guichet.feeds import views

    monkeypatch.setattr(views, "EXPORT_LIMIT", 1)
    make_programme(title="Un")
    make_programme(title="Deux")
    response = client.get("/export.csv")
    assert response.status_code == 400
    assert "limité à 1 lignes" in response.get_data(as_text=True)


def test_bad_parameters_are_french_400s_on_every_format(client):
    for path in ("/flux.atom", "/calendrier.ics", "/export.csv"):
        response = client.get(path + "?level=galaxie")
        assert response.status_code == 400, path
        assert "Échelon" in response.get_data(as_text=True) or "level" in response.get_data(as_text=True)
    response = client.get("/impression?deadline_before=demain")
    assert response.status_code == 400


def test_printable_view_of_a_selection_and_of_a_search(client, make_programme):
    first = make_programme(title="Plan vélo", deadlines=["2099-03-31"])
    make_programme(title="Fonds friches")
    page = client.get(f"/impression?programme={first}&programme=inconnu").get_data(as_text=True)
    assert "Plan vélo" in page and "Fonds friches" not in page
    page = client.get("/impression?q=friches").get_data(as_text=True)
    assert "Fonds friches" in page and "Plan vélo" not in page and "Mots : « friches »" in page
