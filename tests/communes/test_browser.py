"""The commune autocomplete in headless Chromium: ARIA combobox, keyboard only."""

import re

from playwright.sync_api import expect


def test_choose_a_commune_with_the_keyboard(live_server, browser_page, communes, make_programme):
    make_programme(title="Programme des grandes villes", population_min=100000)
    make_programme(title="Programme des petites villes", population_max=20000)
    page = browser_page
    page.goto(live_server + "/")
    field = page.get_by_role("combobox", name=re.compile("Ma commune"))
    expect(field).to_have_attribute("aria-expanded", "false")
    field.focus()
    page.keyboard.type("saint d", delay=20)

    listbox = page.get_by_role("listbox", name="Communes proposées")
    expect(listbox).to_be_visible()
    expect(field).to_have_attribute("aria-expanded", "true")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_contain_text("Saint-Denis")
    expect(options.nth(0)).to_contain_text("La Réunion (974)")
    expect(options.nth(1)).to_contain_text("Seine-Saint-Denis (93)")
    # The number of suggestions is announced to screen readers.
    expect(page.locator("#commune-statut")).to_have_text("2 communes proposées.")

    page.keyboard.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", "commune-option-0")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    page.keyboard.press("Enter")

    # Chosen: the search applies at once, with the INSEE code in a shareable URL.
    page.wait_for_url(re.compile(r"commune=93066"))
    assert "Saint-Denis" not in page.url
    assert "commune_saisie" not in page.url  # a chosen commune is an INSEE code, not something typed
    expect(page.locator("#resultats h2")).to_contain_text("pour Saint-Denis")
    expect(page.get_by_role("combobox", name=re.compile("Ma commune"))).to_have_value("Saint-Denis (93)")
    expect(page.locator("#resultats")).to_contain_text("Programme des grandes villes")
    expect(page.locator("#resultats")).not_to_contain_text("Programme des petites villes")


def test_escape_closes_then_clears(live_server, browser_page, communes):
    page = browser_page
    page.goto(live_server + "/")
    field = page.get_by_role("combobox", name=re.compile("Ma commune"))
    field.focus()
    page.keyboard.type("nev", delay=20)
    expect(page.get_by_role("listbox")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(field).to_have_value("nev")
    page.keyboard.press("Escape")
    expect(field).to_have_value("")


def test_commune_search_page_opens_the_chosen_commune(live_server, browser_page, communes):
    page = browser_page
    page.goto(live_server + "/communes")
    field = page.get_by_role("combobox", name=re.compile("Nom, code postal ou code INSEE"))
    field.focus()
    page.keyboard.type("18200", delay=20)
    option = page.get_by_role("option").first
    expect(option).to_contain_text("Saint-Amand-Montrond")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/communes/18197$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Saint-Amand-Montrond")


def test_typed_name_without_choosing_still_works(live_server, browser_page, communes):
    # Typing a name and pressing Enter without picking a suggestion: the server resolves it.
    page = browser_page
    page.goto(live_server + "/")
    field = page.get_by_role("combobox", name=re.compile("Ma commune"))
    field.fill("Lunéville")
    expect(page.get_by_role("listbox")).to_be_visible()
    field.press("Escape")
    field.press("Enter")
    page.wait_for_url(re.compile(r"commune=54329"))
    expect(page.locator("#resultats h2")).to_contain_text("pour Lunéville")
