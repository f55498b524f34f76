"""« Trouver des projets comme le mien » and the filters of /projets in headless Chromium."""

import re

from playwright.sync_api import expect


def test_from_the_commune_page_to_projects_like_mine_then_filter(live_server, browser_page, projects):
    page = browser_page
    page.goto(live_server + "/communes/54329")  # Lunéville
    section = page.locator("#projets-comparables")
    expect(section).to_contain_text("Ce que des communes comme la vôtre ont obtenu")
    section.get_by_role("link", name="Trouver des projets comme le mien").click()

    page.wait_for_url(re.compile(r"/projets\?population=2000-20000$"))
    expect(page.locator("#nombre-projets")).to_have_text("4 projets financés")  # Lunéville's own one too
    expect(page.get_by_role("checkbox", name=re.compile("2 000 à 20 000 hab."))).to_be_checked()

    # One more filter, by its checkbox, and the form: a shareable URL, fewer projects.
    page.locator("#facette-programme label", has_text="Fonds vert — Développement du covoiturage").click()
    expect(page.get_by_role("checkbox", name=re.compile(r"^Fonds vert — Développement du covoiturage"))).to_be_checked()
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url(re.compile(r"programme=fonds-vert-developpement-du-covoiturage"))
    expect(page.locator("#nombre-projets")).to_have_text("1 projet financé")
    expect(page.locator("#resultats")).to_contain_text("Aire de covoiturage près de la mairie")

    # The tag removes its filter.
    page.get_by_role("link", name=re.compile("Retirer le filtre Taille")).click()
    expect(page.locator("#nombre-projets")).to_have_text("1 projet financé")
    assert "population=" not in page.url
