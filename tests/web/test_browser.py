"""The search page in headless Chromium: type, filter, page through, open a programme."""

import re
from datetime import date, timedelta


def test_search_page_end_to_end(live_server, browser_page, make_programme):
    deadline = (date.today() + timedelta(days=12)).isoformat()
    make_programme(title="Rénovation de l'éclairage public", themes=["energie-climat"], deadlines=[deadline],
                   summary="Remplacer les luminaires par des LED.")
    make_programme(title="Éclairage des équipements sportifs", themes=["culture-patrimoine-sport"])
    make_programme(title="Plan vélo du quotidien", themes=["mobilite"])
    page = browser_page
    page.goto(live_server + "/")
    assert page.title().endswith("Guichet des financements pour les communes")

    page.get_by_label("Rechercher un programme").fill("l'Éclairage")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=l%27%C3%89clairage"))
    results = page.locator("article.guichet-result")
    assert results.count() == 2
    assert page.locator("article.guichet-result mark").first.inner_text().lower() == "éclairage"

    # Choosing a facet applies it at once (JavaScript enhancement), as a shareable URL.
    page.locator("label", has_text="Énergie et climat").click()  # DSFR draws the box on the label
    page.wait_for_url(re.compile(r"theme=energie-climat"))
    assert results.count() == 1
    assert "clôture dans 12 jours" in results.first.inner_text()
    assert "commune=" not in page.url and "population=" not in page.url  # empty fields stay out of the URL

    results.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/programmes/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Rénovation de l’éclairage public"


def test_search_page_is_keyboard_usable(live_server, browser_page, make_programme):
    make_programme(title="Plan vélo du quotidien")
    page = browser_page
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#contenu"
