"""Editing programmes: curator-owned overrides, the source's newer value beside them, bad
input, hand-written programmes, and two curators saving the same programme."""

import re

import pytest
from sqlalchemy import select

from guichet.curation import editing
from guichet.curation.review import held_fields
from guichet.admin.forms import raw_from_programme
from guichet.curation.models import AuditEntry
from guichet.programmes.models import Programme
from guichet.programmes.records import CONTENT_FIELDS
from guichet.programmes.services import upsert_source_record
from tests.admin.conftest import csrf_token
from tests.curation.test_review import rescrape

pytestmark = pytest.mark.both_stores  # store-facing: runs on SQLite and on PostgreSQL


def form_of(client, programme_id) -> dict:
    """The edit form as the page shows it: every field with its current value, version, token."""
    from werkzeug.datastructures import MultiDict

    page = client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    form = re.search(r'<form method="post" action="/admin/programmes/[^"]+" id="modifier".*?</form>', page, re.S).group(0)
    data = MultiDict()
    for match in re.finditer(r'<input([^>]*)>', form):
        attributes = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', match.group(1)))
        if attributes.get("type") == "checkbox":
            if " checked" in match.group(1):
                data.add(attributes["name"], attributes["value"])
        elif "name" in attributes:
            data.add(attributes["name"], _unescape(attributes.get("value", "")))
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = _unescape(value)
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option value="([^"]*)" selected', options)
        data[name] = selected.group(1) if selected else ""
    return data


def _unescape(text):
    import html

    return html.unescape(text)


def save(client, programme_id, data, **changes):
    data = data.copy()
    for name, value in changes.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return client.post(f"/admin/programmes/{programme_id}", data=data)


def test_the_form_resubmitted_unchanged_changes_nothing(curator_client, make_programme, store):
    programme_id = make_programme(themes=["mobilite", "mobilite/voirie"], population_min=500, population_max=5000,
                                  rate_max=40.0, opens_on="2030-01-10", deadlines=["2030-02-01", "2030-06-30"],
                                  regions=["84"], departments=["26", "2A"], contact="Préfecture\nBureau 3")
    response = save(curator_client, programme_id, form_of(curator_client, programme_id))
    assert response.status_code == 302
    assert "Aucune modification à enregistrer." in curator_client.get(response.headers["Location"]).get_data(as_text=True)
    programme = store.get(Programme, programme_id)
    assert programme.curated_fields == [] and programme.version == 1


def test_an_edit_becomes_a_curator_owned_override(curator_client, make_programme, store):
    programme_id = make_programme(title="Titre de la source", rate_max=50.0)
    data = form_of(curator_client, programme_id)
    response = save(curator_client, programme_id, data, title="Titre corrigé par l'équipe", rate_max="45,5",
                    themes=["energie-climat/eclairage-public"])
    assert response.status_code == 302
    page = curator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Modifications enregistrées : Titre, Thèmes, Taux maximal (%)." in page
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre corrigé par l'équipe" and programme.rate_max == 45.5
    # A sub-theme brings its theme.
    assert programme.themes == ["energie-climat", "energie-climat/eclairage-public"]
    assert set(programme.curated_fields) == {"title", "rate_max", "themes"}
    entry = store.scalar(select(AuditEntry).where(AuditEntry.action == "edit"))
    assert entry.user_email == "curatrice@anct.test"
    assert entry.details["changes"]["title"] == ["Titre de la source", "Titre corrigé par l'équipe"]
    assert entry.details["changes"]["rate_max"] == [50.0, 45.5]


def test_a_rescrape_after_a_curators_edit_keeps_the_edit(app, make_programme):
    """Store level: the scraper's upsert never overwrites a curator-owned field. (Not yet
    published: the other fields follow the source at once; test_review covers a published one.)"""
    programme_id = make_programme(title="Titre de la source", summary="Résumé de la source.", rate_max=50.0,
                                  state="pending")
    database = app.extensions["guichet.db"]
    with database.session() as session:
        programme = session.get(Programme, programme_id)
        values = {name: getattr(programme, name) for name in CONTENT_FIELDS}
        values.update(title="Titre de l'équipe", rate_max=40.0)
        editing.apply_edit(session, programme, values, programme.version, None)
        session.commit()

    with database.session() as session:
        programme = session.get(Programme, programme_id)
        data = {**programme.source_values, "id": programme_id, "source": programme.source,
                "source_id": programme.source_id, "title": "Nouveau titre de la source",
                "summary": "Nouveau résumé de la source.", "rate_max": 60.0}
        assert upsert_source_record(session, data) == "updated"
        session.commit()

    with database.session() as session:
        programme = session.get(Programme, programme_id)
        assert programme.title == "Titre de l'équipe" and programme.rate_max == 40.0
        assert programme.summary == "Nouveau résumé de la source."  # not curated: the source's value
        assert programme.source_values["title"] == "Nouveau titre de la source"
        assert programme.source_values["rate_max"] == 60.0
        assert {suggestion.field for suggestion in editing.source_suggestions(programme).values()} == {
            "title", "rate_max"}


def test_the_new_source_value_is_shown_beside_and_can_be_accepted(app, curator_client, make_programme, store):
    programme_id = make_programme(title="Titre de la source")
    save(curator_client, programme_id, form_of(curator_client, programme_id), title="Titre de l'équipe")
    rescrape(app, programme_id, title="Titre revu par la source")
    page = curator_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    assert "Nouvelle valeur de la source :</strong> Titre revu par la source" in page
    assert 'form="accepter-title"' in page

    version = store.get(Programme, programme_id).version
    response = curator_client.post(f"/admin/programmes/{programme_id}/accepter", data={
        "csrf_token": csrf_token(curator_client, f"/admin/programmes/{programme_id}"), "field": "title",
        "version": version})
    assert response.status_code == 302
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre revu par la source" and "title" not in programme.curated_fields
    # Back with the source: the next scrape brings its title again, which waits for a
    # gestionnaire since the programme is published (issue 16.3).
    rescrape(app, programme_id, title="Titre encore revu")
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre revu par la source" and programme.source_values["title"] == "Titre encore revu"
    assert held_fields(programme) == ["title"]
    actions = store.scalars(select(AuditEntry.action).where(AuditEntry.programme_id == programme_id)
                            .order_by(AuditEntry.id)).all()
    assert actions[:2] == ["edit", "accept_source"]


@pytest.mark.parametrize("changes, field, message", [
    ({"opens_on": "31/02/2030"}, "opens_on", "Date invalide : « 31/02/2030 ». Utilisez le format JJ/MM/AAAA."),
    ({"deadlines": "12/13/2030"}, "deadlines", "Date invalide : « 12/13/2030 »"),
    ({"rate_max": "120"}, "rate_max", "Le taux doit être compris entre 0 et 100 %."),
    ({"rate_min": "-5"}, "rate_min", "Le taux doit être compris entre 0 et 100 %."),
    ({"population_min": "5000", "population_max": "2000"}, "population_min",
     "La population minimale (5\u202f000 hab.) dépasse la population maximale (2\u202f000 hab.)."),
    ({"opens_on": "15/03/2030", "deadlines": "01/03/2030"}, "deadlines",
     "La date limite du 1er mars 2030 précède la date d’ouverture (15 mars 2030)."),
    ({"title": ""}, "title", "Le titre est obligatoire."),
    ({"population_max": "beaucoup"}, "population_max", "Indiquez un nombre d’habitants entier et positif."),
    ({"application_url": "javascript:alert(1)"}, "application_url", "Adresse web invalide"),
    ({"departments": "26, 999"}, "departments", "Code de département inconnu : 999."),
    ({"aid_programmes": "Fonds vert\n" + "x" * 201}, "aid_programmes", "est trop long (200 caractères au plus)."),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(curator_client, make_programme, store,
                                                                  changes, field, message):
    programme_id = make_programme(title="Titre d'origine")
    data = form_of(curator_client, programme_id)
    response = save(curator_client, programme_id, data, summary="Un résumé retouché.", **changes)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="fr-error-text" id="{field}-erreur">(.*?)</p>', page, re.S)
    assert error and message in _unescape(error.group(1))
    assert f'aria-describedby="{field}-aide {field}-erreur"' in page or f'{field}-erreur' in page
    assert "Rien n’a été enregistré" in page
    # What was typed is still there.
    assert "Un résumé retouché." in page
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre d'origine" and programme.summary != "Un résumé retouché."
    assert programme.version == 1 and programme.curated_fields == []


def test_description_html_is_sanitised(curator_client, make_programme, store):
    programme_id = make_programme()
    save(curator_client, programme_id, form_of(curator_client, programme_id),
         description_html='<p onclick="x()">Texte <script>alert(1)</script><a href="https://a.fr">lien</a></p>')
    html = store.get(Programme, programme_id).description_html
    assert "script" not in html and "onclick" not in html and '<a href="https://a.fr"' in html


def test_two_curators_editing_the_same_programme(app, curator_client, second_curator_client, make_programme, store):
    programme_id = make_programme(title="Titre commun", summary="Résumé d'origine.")
    first_form = form_of(curator_client, programme_id)
    second_form = form_of(second_curator_client, programme_id)
    assert first_form["version"] == second_form["version"] == "1"

    assert save(curator_client, programme_id, first_form, title="Titre de la première").status_code == 302
    response = save(second_curator_client, programme_id, second_form, title="Titre de la seconde",
                    summary="Résumé de la seconde.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Ce programme a été modifié par quelqu’un d’autre pendant votre saisie" in page
    assert "curatrice@anct.test" in page  # who changed it
    # The other person's value is shown; what this curator typed is kept in the form.
    assert "Valeur enregistrée entre-temps par l’autre personne :</strong> Titre de la première" in page
    assert 'value="Titre de la seconde"' in page and "Résumé de la seconde." in page
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre de la première" and programme.summary == "Résumé d'origine."

    # Having seen it, the second curator saves again: the form now carries the new version.
    retry = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert retry == "2"
    second_form["version"] = retry
    response = save(second_curator_client, programme_id, second_form, title="Titre de la seconde",
                    summary="Résumé de la seconde.")
    assert response.status_code == 302
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre de la seconde" and programme.version == 3


def test_a_scrape_during_an_edit_is_a_conflict_too(app, curator_client, make_programme, store):
    programme_id = make_programme(title="Titre de la source")
    form = form_of(curator_client, programme_id)
    rescrape(app, programme_id, summary="La source a changé pendant la saisie.")
    response = save(curator_client, programme_id, form, title="Titre de l'équipe")
    assert response.status_code == 409
    assert "La source a changé pendant la saisie." in response.get_data(as_text=True)


def test_stale_write_is_refused_by_the_store(app, make_programme):
    """The version column guards the write itself, not only the form's check."""
    from sqlalchemy.orm.exc import StaleDataError

    programme_id = make_programme()
    database = app.extensions["guichet.db"]
    with database.session() as first, database.session() as second:
        mine, theirs = first.get(Programme, programme_id), second.get(Programme, programme_id)
        theirs.title = "Enregistré d'abord"
        second.commit()
        mine.title = "Enregistré ensuite"
        with pytest.raises(StaleDataError):
            first.commit()


def test_create_and_edit_a_hand_written_programme(app, curator_client, store):
    page = curator_client.get("/admin/programmes/nouveau").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "title": "Petites villes de demain : ingénierie", "level": "national",
            "summary": "Un accompagnement en ingénierie.", "funders": "ANCT\nBanque des Territoires",
            "beneficiaries": ["commune", "epci"], "themes": ["revitalisation-commerce/centre-ville"],
            "aid_types": ["ingenierie"], "population_max": "20000", "opens_on": "2030-01-01",
            "deadlines": "30/06/2030", "recurrence": "permanente", "publish": "1"}
    response = curator_client.post("/admin/programmes/nouveau", data=data)
    assert response.status_code == 302
    programme = store.scalar(select(Programme).where(Programme.source == "curated"))
    assert programme.id == "curated-petites-villes-de-demain-ingenierie"
    assert programme.state == "published" and programme.funders == ["ANCT", "Banque des Territoires"]
    assert programme.deadlines == ["2030-06-30"] and programme.population_max == 20000
    assert app.test_client().get(f"/programmes/{programme.id}").status_code == 200
    assert [entry.action for entry in store.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
        "create", "publish"]

    # A second one with the same title gets its own id; bad input is refused.
    data["publish"] = "0"
    assert curator_client.post("/admin/programmes/nouveau", data=data).status_code == 302
    assert store.get(Programme, "curated-petites-villes-de-demain-ingenierie-2").state == "pending"
    response = curator_client.post("/admin/programmes/nouveau", data={**data, "rate_max": "150"})
    assert response.status_code == 400 and "Le taux doit être compris entre 0 et 100 %." in response.get_data(
        as_text=True)

    # Edited entirely; nothing is « suggested » by a source.
    form = form_of(curator_client, programme.id)
    response = save(curator_client, programme.id, form, summary="Accompagnement renforcé.", level="regional")
    assert response.status_code == 302
    store.expire_all()
    programme = store.get(Programme, programme.id)
    assert programme.summary == "Accompagnement renforcé." and programme.level == "regional"
    assert editing.source_suggestions(programme) == {}
    assert "Nouvelle valeur de la source" not in curator_client.get(f"/admin/programmes/{programme.id}").get_data(
        as_text=True)


def test_raw_form_round_trip(make_programme, store):
    programme_id = make_programme(rate_min=12.5, amount_max=150000.0, deadlines=["2030-01-31"])
    raw = raw_from_programme(store.get(Programme, programme_id))
    assert raw["rate_min"] == "12,5" and raw["amount_max"] == "150000" and raw["deadlines"] == "31/01/2030"


def test_unknown_programme_is_a_french_404(curator_client):
    response = curator_client.get("/admin/programmes/nulle-part")
    assert response.status_code == 404
    assert "Aucun programme ne porte cet identifiant." in response.get_data(as_text=True)


def test_a_conflict_names_only_what_the_other_person_changed(curator_client, second_curator_client, make_programme):
    programme_id = make_programme(title="Titre commun", summary="Résumé commun.")
    first_form = form_of(curator_client, programme_id)
    second_form = form_of(second_curator_client, programme_id)
    save(curator_client, programme_id, first_form, title="Titre de la première")
    response = save(second_curator_client, programme_id, second_form, summary="Résumé de la seconde.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'id="title-conflit"' in page and 'id="summary-conflit"' not in page
    assert "Résumé de la seconde." in page


def test_list_order_is_not_a_change(curator_client, make_programme, store):
    programme_id = make_programme(beneficiaries=["epci", "commune"], aid_types=["pret", "subvention"],
                                  themes=["mobilite/voirie", "mobilite"], departments=["50", "26"])
    response = save(curator_client, programme_id, form_of(curator_client, programme_id))
    assert "Aucune modification à enregistrer." in curator_client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert store.get(Programme, programme_id).curated_fields == []


def test_a_scraped_beneficiary_survives_a_curators_save(curator_client, make_programme, store):
    """The scrapers' « recherche » is a value of the form: saving another change keeps it."""
    programme_id = make_programme(beneficiaries=["commune", "recherche", "autre"], title="Titre de la source")
    data = form_of(curator_client, programme_id)
    assert data.getlist("beneficiaries") == ["commune", "recherche", "autre"]
    assert save(curator_client, programme_id, data, title="Titre corrigé").status_code == 302
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre corrigé" and programme.beneficiaries == ["commune", "recherche", "autre"]


def test_publish_saves_what_was_typed_first(curator_client, make_programme, store):
    programme_id = make_programme(state="pending", title="Fonds vert : éclairage", rate_max=80.0)
    data = form_of(curator_client, programme_id)
    data["amount_max"] = "80"  # the parser read « jusqu'à 80 € »: the curator corrects the rate instead
    data["rate_max"] = "80"
    data["amount_max"] = ""
    data["title"] = "Fonds vert : rénovation de l'éclairage public"
    data["action"] = "publish"
    response = curator_client.post(f"/admin/programmes/{programme_id}", data=data)
    assert response.status_code == 302
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.state == "published"
    assert programme.title == "Fonds vert : rénovation de l'éclairage public"
    actions = [entry.action for entry in store.scalars(
        select(AuditEntry).where(AuditEntry.programme_id == programme_id).order_by(AuditEntry.id))]
    assert actions == ["edit", "publish"]


def test_a_rejection_needs_its_reason(curator_client, make_programme, store):
    programme_id = make_programme(state="pending", title="Hors champ")
    data = form_of(curator_client, programme_id)
    data["action"] = "reject"
    refused = curator_client.post(f"/admin/programmes/{programme_id}", data=data)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="reject_reason-erreur"' in page and "Indiquez le motif du rejet" in page
    store.expire_all()
    assert store.get(Programme, programme_id).state == "pending"
    data["reject_reason"] = "Réservé aux entreprises : hors du champ des collectivités."
    assert curator_client.post(f"/admin/programmes/{programme_id}", data=data).status_code == 302
    store.expire_all()
    assert store.get(Programme, programme_id).state == "rejected"
    entry = store.scalars(select(AuditEntry).where(AuditEntry.programme_id == programme_id,
                                                    AuditEntry.action == "reject")).one()
    assert "hors du champ des collectivités" in entry.summary
    assert entry.details["reason"] == "Réservé aux entreprises : hors du champ des collectivités."


def test_after_a_decision_the_next_programme_to_review_opens(curator_client, make_programme):
    first = make_programme(state="pending", title="Premier")
    make_programme(state="pending", title="Second")
    data = form_of(curator_client, first)
    data["action"] = "publish"
    response = curator_client.post(f"/admin/programmes/{first}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/programmes/") and first not in response.headers["Location"]


def test_white_space_list_order_and_equivalent_html_are_not_changes(curator_client, make_programme, store):
    programme_id = make_programme(title="Plan vélo", contact="Mairie\nService urbanisme",
                                  description_html="<p>Texte <strong>gras</strong></p>", themes=["mobilite", "numerique"])
    data = form_of(curator_client, programme_id)
    data["contact"] = "Mairie\r\nService urbanisme  "  # what a browser's textarea sends back
    data["description_html"] = "<p>Texte  <strong>gras</strong></p>\n"
    response = curator_client.post(f"/admin/programmes/{programme_id}", data=data)
    assert response.status_code == 302
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.curated_fields in ([], None)
    assert store.scalars(select(AuditEntry).where(AuditEntry.programme_id == programme_id)).all() == []


def test_the_programme_page_links_the_next_one_to_review(curator_client, make_programme):
    first = make_programme(state="pending", title="Premier à revoir")
    second = make_programme(state="pending", title="Second à revoir")
    page = curator_client.get(f"/admin/programmes/{first}").get_data(as_text=True)
    assert "Programme suivant à revoir" in page
    assert f'href="/admin/programmes/{second}" data-shortcut="n"' in page


def test_regions_and_departements_are_chosen_by_name(curator_client, make_programme, store):
    programme_id = make_programme(regions=["84"], departments=["26"])
    page = curator_client.get(f"/admin/programmes/{programme_id}").get_data(as_text=True)
    assert "<summary>Régions : Auvergne-Rhône-Alpes</summary>" in page
    assert "<summary>Départements : Drôme (26)</summary>" in page
    assert re.search(r'id="departments-26" name="departments" value="26" checked>\s*'
                     r'<label class="fr-label" for="departments-26">Drôme \(26\)</label>', page)
    data = form_of(curator_client, programme_id)
    data.setlist("departments", ["26", "2A"])
    assert save(curator_client, programme_id, data).status_code == 302
    store.expire_all()
    assert store.get(Programme, programme_id).departments == ["26", "2A"]


def test_the_preview_shows_the_public_page_with_the_typed_values_and_saves_nothing(curator_client,
                                                                                   make_programme, store):
    programme_id = make_programme(title="Titre publié", state="pending", summary="Résumé publié.")
    data = form_of(curator_client, programme_id)
    data["title"], data["summary"] = "Titre en cours de saisie", "Résumé <b>retouché</b>."
    response = curator_client.post(f"/admin/programmes/{programme_id}/apercu", data=data)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "Aperçu : rien n’est enregistré ni publié" in page and "Titre en cours de saisie" in page
    assert "<b>retouché</b>" not in page  # escaped like the public page does
    assert '<meta name="robots" content="noindex">' in page
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.title == "Titre publié" and programme.version == 1 and programme.state == "pending"
    data["opens_on"] = "31/02/2030"
    refused = curator_client.post(f"/admin/programmes/{programme_id}/apercu", data=data)
    assert refused.status_code == 400 and "Date invalide" in refused.get_data(as_text=True)
    # Staff only.
    curator_client.post("/admin/logout", data={"csrf_token": data["csrf_token"]})
    assert curator_client.post(f"/admin/programmes/{programme_id}/apercu", data=data).status_code in (400, 401)


def test_a_curator_sets_the_aid_programmes_one_a_line(curator_client, make_programme, store):
    programme_id = make_programme(title="Renaturation", aid_programmes=["Fonds vert - Édition 2024"])
    data = form_of(curator_client, programme_id)
    assert data["aid_programmes"] == "Fonds vert - Édition 2024"
    response = save(curator_client, programme_id, data,
                    aid_programmes="Fonds vert - Édition 2024\n  Petites villes   de demain \n\n")
    assert response.status_code == 302
    page = curator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Modifications enregistrées : Programmes d&#39;aides." in page or \
        "Modifications enregistrées : Programmes d’aides." in page
    programme = store.get(Programme, programme_id)
    assert programme.aid_programmes == ["Fonds vert - Édition 2024", "Petites villes de demain"]
    assert programme.curated_fields == ["aid_programmes"]
