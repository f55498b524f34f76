"""Every page type in headless Chromium at 390 and 1280 px, checked by axe-core (npm, served
from node_modules): 0 violations of impact serious or critical (issue 17, point 1). The same
session checks the mobile layout (first result before the filters on a phone, « Filtrer »,
menu behind its button, no horizontal scrolling) and that a filter changed with the keyboard
gives the focus back to it. Screenshots of the main pages go to the folder named by
GUICHET_SCREENSHOTS, when set (outside the checkout: the checkout guard fails a test writing
into it)."""

import os
import re
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from guichet.config import ROOT
from tests.communes.conftest import FIXTURE_DATA

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = Path(os.environ["GUICHET_SCREENSHOTS"]) if os.environ.get("GUICHET_SCREENSHOTS") else None
WIDTHS = (390, 1280)


@pytest.fixture
def site(app, live_server, make_programme):
    from guichet.communes.reference import load_reference
    from guichet.digests.models import Subscription
    from guichet.digests.links import manage_url

    load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    deadline = (date.today() + timedelta(days=30)).isoformat()
    programme = make_programme(title="Rénovation de l’éclairage public", themes=["energie-climat"],
                               deadlines=[deadline], summary="Remplacer les luminaires par des LED.",
                               rate_max=80, application_url="https://depot.example/")
    for number in range(3):
        make_programme(title=f"Plan vélo du quotidien {number}", themes=["mobilite"], population_max=20000)
    with app.app_context():
        with app.extensions["guichet.db"].session() as session:
            subscription = Subscription(email="maire@commune.example", search="q=v%C3%A9lo", frequency="weekly",
                                        status="confirmed", link_key=secrets.token_hex(16),
                                        created_at=datetime.utcnow(), permanent_failures=0)
            session.add(subscription)
            session.commit()
            manage = manage_url(subscription)
    manage = re.sub(r"^https?://[^/]+", "", manage)
    return {"programme": programme, "manage": manage}


def _axe(page):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return result


def test_every_page_type_is_accessible_at_both_widths(chromium, live_server, site):
    assert AXE.exists(), "axe-core is missing: make install-test"
    pages = {
        "recherche": "/?q=v%C3%A9lo",
        "recherche-vide": "/?q=introuvablezz",
        "recherche-porteur-taux": "/?funder=ADEME&rate_at_least=50&amount_at_least=10000",
        "programme": f"/programmes/{site['programme']}?commune=93066",
        "commune": "/communes/93066",
        "communes": "/communes",
        "abonnement": "/abonnement?q=v%C3%A9lo",
        "gestion-abonnement": site["manage"],
        "sources": "/sources",
        "a-propos": "/a-propos",
        "projets": "/projets",
        "api": "/api/",
        "erreur-404": "/une/page/inconnue",
        "erreur-400": "/?population=nulle",
        "admin-connexion": "/admin/login",
    }
    faults = []
    for width in WIDTHS:
        context = chromium.new_context(locale="fr-FR", viewport={"width": width, "height": 844},
                                       bypass_csp=True)  # only to add axe's script tag
        page = context.new_page()
        page.set_default_timeout(15_000)
        for name, path in pages.items():
            page.goto(live_server + path)
            faults += [f"{name} @ {width}px: {fault}" for fault in _axe(page)]
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 1:
                faults.append(f"{name} @ {width}px: {overflow}px of horizontal scrolling")
            if SCREENS is not None and name in ("recherche", "programme", "commune", "abonnement"):
                page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
        context.close()
    assert faults == []


def test_on_a_phone_the_first_result_comes_before_the_filters(chromium, live_server, site):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server + "/?q=v%C3%A9lo&theme=mobilite")
        first = page.locator("article.guichet-result").first
        assert first.bounding_box()["y"] < 844  # visible without scrolling
        assert page.locator("#filtres").bounding_box()["y"] > first.bounding_box()["y"]
        expect(page.locator("#bouton-filtrer")).to_be_visible()
        expect(page.locator("#bouton-filtrer")).to_contain_text("Filtrer (2 actifs)")  # the words and the theme
        # The active filter shows as a removable tag above the results.
        tag = page.get_by_role("link", name=re.compile("Retirer le filtre"))
        assert tag.count() == 2 and tag.first.bounding_box()["y"] < first.bounding_box()["y"]
        # The header menu sits behind its button.
        expect(page.locator(".fr-nav")).to_be_hidden()
        page.locator("#bouton-menu").click()
        expect(page.locator(".fr-nav").get_by_role("link", name="À propos des données")).to_be_visible()
        page.locator("#menu-principal .fr-btn--close").click()

        # A filter changed with the keyboard: the page reloads with the focus back on it.
        page.locator("#bouton-filtrer").click()
        box = page.locator("#filtres input[name=theme][value=mobilite]")
        box.focus()
        page.keyboard.press("Space")
        page.wait_for_url(re.compile(r"^(?!.*theme=mobilite).*#filtre:"))
        page.wait_for_load_state()
        assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "theme=mobilite"
    finally:
        context.close()

    # On a wide screen the filters sit on the left of the results, and the menu is shown.
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(live_server + "/?q=v%C3%A9lo")
        assert page.locator("#filtres").bounding_box()["x"] < page.locator("#resultats").bounding_box()["x"]
        expect(page.locator("#bouton-filtrer")).to_be_hidden()
        expect(page.locator(".fr-nav")).to_be_visible()
    finally:
        context.close()


def test_without_javascript_the_menu_and_filters_work(chromium, live_server, site):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/?q=v%C3%A9lo")
        expect(page.locator(".fr-nav").get_by_role("link", name="À propos des données")).to_be_visible()
        page.locator("#bouton-filtrer").click()
        assert page.url.endswith("#filtres")
        page.locator("label", has_text="Mobilité").first.click()
        page.get_by_role("button", name="Appliquer les filtres").click()
        page.wait_for_url(re.compile(r"theme=mobilite"))
        expect(page.locator("article.guichet-result")).to_have_count(3)
    finally:
        context.close()


def test_the_funder_field_suggests_from_the_api_and_works_without_javascript(chromium, live_server, site,
                                                                            make_programme):
    """« Porteur d’aide » (issue 17): a text field with a datalist; JavaScript refreshes its
    suggestions from /api/v1/porteurs as one types, and without it the field still filters."""
    make_programme(title="Fonds chaleur renouvelable", funders=["ADEME"], rate_max=60)
    make_programme(title="Agence de l’eau : assainissement", funders=["Agence de l’eau Seine-Normandie"])
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server + "/")
        with page.expect_response(re.compile(r"/api/v1/porteurs\?limit=20&q=eau")):
            page.locator("#funder").fill("eau")
        expect(page.locator("datalist#porteurs option")).to_have_count(1)
        assert page.locator("datalist#porteurs option").first.get_attribute("value") == "Agence de l’eau Seine-Normandie"
    finally:
        context.close()
    context = chromium.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/#filtres")
        page.locator("#funder").fill("ademe")
        page.locator("#rate_at_least").select_option("50")
        page.get_by_role("button", name="Appliquer les filtres").click()
        page.wait_for_url(re.compile(r"funder=ademe"))
        expect(page.locator("article.guichet-result")).to_have_count(1)
        expect(page.get_by_role("link", name="Retirer le filtre Porteur d’aide : ADEME")).to_be_visible()
        expect(page.get_by_role("link", name=re.compile("Retirer le filtre Taux d’aide"))).to_be_visible()
    finally:
        context.close()
