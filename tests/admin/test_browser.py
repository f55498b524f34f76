"""The back office in headless Chromium against a real server: login, edit, publish, merge."""

import re

from playwright.sync_api import expect

from guichet.programmes.models import Programme
from tests.admin.conftest import ADMIN, CURATOR, SECOND_CURATOR


def log_in(page, base, credentials, start="/admin/"):
    page.goto(base + start)
    expect(page).to_have_url(re.compile(r"/admin/login\?next="))
    page.get_by_label("Adresse électronique").fill(credentials[0])
    page.get_by_label("Mot de passe").fill(credentials[1])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Vous êtes connecté·e.")).to_be_visible()


def test_login_edit_and_publish(live_server, browser_page, staff, make_programme, store):
    page = browser_page
    programme_id = make_programme(state="pending", title="Fonds vert : éclairage public", rate_max=60.0)
    make_programme(state="pending", title="Autre programme en attente")

    # A wrong password first, then the right one.
    page.goto(live_server + "/admin/")
    page.get_by_label("Adresse électronique").fill(CURATOR[0])
    page.get_by_label("Mot de passe").fill("mauvais mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse électronique ou mot de passe incorrect.")
    page.get_by_label("Mot de passe").fill(CURATOR[1])
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Programmes à revoir")).to_be_visible()
    expect(page.get_by_text("2 programmes à revoir")).to_be_visible()

    page.get_by_role("link", name="Fonds vert : éclairage public").click()
    # Bad input: French message next to the field, nothing saved.
    page.get_by_label("Taux maximal (%)").fill("120")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#rate_max-erreur")).to_have_text("Le taux doit être compris entre 0 et 100 %.")
    assert store.get(Programme, programme_id).rate_max == 60.0

    page.get_by_label("Titre (obligatoire)").fill("Fonds vert : rénovation de l'éclairage public")
    page.get_by_label("Taux maximal (%)").fill("80")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Modifications enregistrées : Titre, Taux maximal (%).")).to_be_visible()
    expect(page.get_by_text("Corrigé par l’équipe").first).to_be_visible()

    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("« Fonds vert : rénovation de l’éclairage public » publié.")).to_be_visible()
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert programme.state == "published" and programme.rate_max == 80.0 and "title" in programme.curated_fields

    page.goto(f"{live_server}/programmes/{programme_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Fonds vert : rénovation de l’éclairage public")

    # The queue holds one programme left; publish it with its checkbox.
    page.goto(live_server + "/admin/")
    # DSFR draws the box on the label: people click the label.
    page.locator("label", has_text="Sélectionner « Autre programme en attente »").click()
    expect(page.get_by_label("Sélectionner « Autre programme en attente »")).to_be_checked()
    page.get_by_role("button", name="Publier la sélection").click()
    expect(page.get_by_text("1 programme publié.")).to_be_visible()
    expect(page.get_by_text("Rien à revoir.")).to_be_visible()

    # Logout ends the session.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(live_server + "/admin/journal")
    expect(page).to_have_url(re.compile(r"/admin/login"))


def test_second_save_is_refused_and_nothing_is_lost(live_server, chromium, staff, make_programme, store):
    programme_id = make_programme(title="Titre d'origine")
    first_context, second_context = chromium.new_context(locale="fr-FR"), chromium.new_context(locale="fr-FR")
    try:
        first, second = first_context.new_page(), second_context.new_page()
        for page, credentials in ((first, CURATOR), (second, SECOND_CURATOR)):
            page.set_default_timeout(10_000)
            log_in(page, live_server, credentials, start=f"/admin/programmes/{programme_id}")
            expect(page.get_by_label("Titre (obligatoire)")).to_have_value("Titre d'origine")

        first.get_by_label("Titre (obligatoire)").fill("Titre de la première")
        first.get_by_role("button", name="Enregistrer les modifications").click()
        expect(first.get_by_text("Modifications enregistrées : Titre.")).to_be_visible()

        second.get_by_label("Titre (obligatoire)").fill("Titre de la seconde")
        second.get_by_role("button", name="Enregistrer les modifications").click()
        expect(second.locator("#conflit")).to_contain_text("Ce programme a été modifié par quelqu’un d’autre")
        expect(second.locator("#title-conflit")).to_contain_text("Titre de la première")
        expect(second.get_by_label("Titre (obligatoire)")).to_have_value("Titre de la seconde")
        store.expire_all()
        assert store.get(Programme, programme_id).title == "Titre de la première"

        second.get_by_role("button", name="Enregistrer les modifications").click()
        expect(second.get_by_text("Modifications enregistrées : Titre.")).to_be_visible()
        store.expire_all()
        assert store.get(Programme, programme_id).title == "Titre de la seconde"
    finally:
        first_context.close()
        second_context.close()


def test_merge_duplicates(live_server, browser_page, staff, make_programme, store):
    page = browser_page
    keep = make_programme(title="Fonds friches", source="aides-territoires")
    drop = make_programme(title="Recyclage des friches", source="ademe-agir")
    log_in(page, live_server, ADMIN, start="/admin/doublons")
    page.get_by_label("Identifiant du premier programme").fill(keep)
    page.get_by_label("Identifiant du second programme").fill(drop)
    page.get_by_role("button", name="Comparer").click()
    expect(page.get_by_role("heading", name="Comparer deux programmes")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Garder « Fonds friches »")).click()
    expect(page.get_by_role("status")).to_contain_text("« Recyclage des friches » (ademe-agir) fusionné dans « Fonds friches »")
    expect(page.get_by_text("Doublons fusionnés dans ce programme")).to_be_visible()

    response = page.goto(f"{live_server}/programmes/{drop}")
    assert response.request.redirected_from.url.endswith(f"/programmes/{drop}")
    assert response.request.redirected_from.redirected_to is response.request
    assert page.url.endswith(f"/programmes/{keep}")
    store.expire_all()
    merged = store.get(Programme, drop)
    assert merged.state == "merged" and merged.merged_into == keep and merged.source == "ademe-agir"


def test_publishing_keeps_the_typed_edit_and_leaving_warns(live_server, browser_page, staff, make_programme, store):
    page = browser_page
    programme_id = make_programme(state="pending", title="Fonds vert : éclairage public", amount_max=80.0)
    other = make_programme(state="pending", title="Programme suivant")
    log_in(page, live_server, CURATOR, start=f"/admin/programmes/{programme_id}")

    # Leaving with a change typed and not saved: the browser asks first.
    page.get_by_label("Taux maximal (%)").fill("80")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Journal").click()
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(f"/admin/programmes/{programme_id}$"))

    # « Enregistrer et publier » at the top saves what was typed in the form below, then publishes.
    page.get_by_label("Montant maximal (€)").fill("")
    page.get_by_role("button", name="Enregistrer et publier").click()
    expect(page.get_by_text("« Fonds vert : éclairage public » publié.")).to_be_visible()
    # The next programme of the queue opens.
    expect(page).to_have_url(re.compile(f"/admin/programmes/{other}$"))
    store.expire_all()
    programme = store.get(Programme, programme_id)
    assert (programme.state, programme.rate_max, programme.amount_max) == ("published", 80.0, None)


def test_the_description_is_edited_as_rich_text(live_server, browser_page, staff, make_programme, store):
    page = browser_page
    programme_id = make_programme(state="pending", title="Aide aux halles de marché",
                                  description_html="<p>Texte d'origine.</p>")
    csp_errors = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    log_in(page, live_server, CURATOR, start=f"/admin/programmes/{programme_id}")
    editor = page.locator(".guichet-editor .ql-editor")
    expect(editor).to_have_text("Texte d'origine.")
    expect(page.locator("textarea#description_html")).to_be_hidden()
    expect(editor).to_have_attribute("role", "textbox")

    # The editor loaded and left alone changes nothing: only the title counts as modified.
    page.get_by_label("Titre (obligatoire)").fill("Aide aux halles et marchés couverts")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Modifications enregistrées : Titre.")).to_be_visible()

    editor = page.locator(".guichet-editor .ql-editor")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.locator(".ql-toolbar button.ql-bold").click()
    page.keyboard.type("Important")
    page.locator(".ql-toolbar button.ql-bold").click()
    page.keyboard.press("Enter")
    page.locator(".ql-toolbar button.ql-list[value='bullet']").click()
    page.keyboard.type("Premier point")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.get_by_text("Modifications enregistrées : Description.")).to_be_visible()
    store.expire_all()
    html = store.get(Programme, programme_id).description_html
    assert "<p>Texte d'origine.</p>" in html and "<strong>Important</strong>" in html
    assert re.search(r"<ul>\s*<li>Premier point</li>\s*</ul>", html) and "&nbsp;" not in html
    assert csp_errors == []
