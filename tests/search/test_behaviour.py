"""One behaviour suite for every search backend (tests/search/backends.py lists them).

French analysis (accents, case, elision, plurals), synonyms, every filter, town size, facets
and their counts, sorts, paging, highlight and bad input, through the JSON API.
"""

from datetime import date, timedelta

import pytest

TODAY = date.today()


def days(number: int) -> str:
    return (TODAY + timedelta(days=number)).isoformat()


def search(client, **params):
    response = client.get("/api/v1/programmes", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def ids(payload) -> list[str]:
    return [result["id"] for result in payload["results"]]


def facet(payload, name) -> dict[str, int]:
    return {value["value"]: value["count"] for value in payload["facets"][name]}


@pytest.fixture
def lighting(make_programme):
    return make_programme(id="eclairage", title="Rénovation de l'éclairage public",
                          summary="Remplacer les luminaires énergivores des communes.",
                          themes=["energie-climat/eclairage-public"])


@pytest.mark.parametrize("text", ["éclairage", "eclairage", "l'Éclairage", "ECLAIRAGE", "l’éclairage",
                                  "éclairages"])
def test_accents_case_elision_and_plural_are_ignored(client, lighting, make_programme, text):
    make_programme(title="Maisons de santé pluriprofessionnelles")
    assert ids(search(client, q=text)) == [lighting]


@pytest.mark.parametrize("typed, stored", [("l'éclairage", "Rénovation de l’éclairage public"),
                                           ("l’éclairage", "Rénovation de l'éclairage public"),
                                           ("Val-d'Oise", "Vélo dans le Val-d’Oise"),
                                           ("Val-d’Oise", "Vélo dans le Val-d'Oise")])
def test_straight_and_typographic_apostrophes_meet(client, make_programme, typed, stored):
    """Pages write « ’ », people type « ' » (and sources write either): a query finds the text
    whichever apostrophe each has."""
    expected = make_programme(title=stored)
    make_programme(title="Maisons de santé pluriprofessionnelles")
    assert ids(search(client, q=typed)) == [expected]


@pytest.mark.parametrize("typed, stored", [("vélos", "Plan vélo du quotidien"), ("vélo", "Parkings à vélos"),
                                           ("communes", "Aide à la commune"), ("locaux", "Commerce local")])
def test_plurals_match_singulars(client, make_programme, typed, stored):
    expected = make_programme(title=stored)
    make_programme(title="Restauration du patrimoine")
    assert ids(search(client, q=typed)) == [expected]


@pytest.mark.parametrize("typed, stored", [
    ("LED", "Rénovation de l'éclairage public"),
    ("éclairage public", "Passage aux LED des luminaires"),
    ("cyclable", "Plan vélo"),
    ("mobilités actives", "Parkings à vélos"),
    ("digital", "Transformation numérique des mairies"),
    ("numérique", "Stratégie digitale"),
    ("coworking", "Création d'un tiers-lieu"),
    ("fablab", "Tiers-lieux en milieu rural"),
    ("tiers-lieu", "Espace de coworking"),
    ("THD", "Raccordement à la fibre optique"),
    ("très haut débit", "Déploiement de la fibre"),
    ("fibre", "Réseaux THD"),
    ("centre-bourg", "Revitalisation du cœur de ville"),
    ("cœur de ville", "Commerces du centre-ville"),
])
def test_synonyms_of_the_field(client, make_programme, typed, stored):
    expected = make_programme(title=stored)
    make_programme(title="Restauration du patrimoine religieux")
    assert ids(search(client, q=typed)) == [expected]


def test_covering_more_of_the_query_ranks_first(client, make_programme):
    # Issue 13 replaced "every word must match": a programme covering more concepts ranks
    # higher, one covering fewer still appears below, one covering none does not appear.
    only_bike = make_programme(title="Vélo seulement", summary="Vélo, vélo et encore vélo.")
    both = make_programme(title="Vélo et patrimoine")
    make_programme(title="Restauration des écoles")
    assert ids(search(client, q="vélo patrimoine")) == [both, only_bike]


def test_a_synonym_group_counts_as_one_concept(client, make_programme):
    # « éclairage public » and « LED » are one concept: holding both is not more coverage
    # than holding the lighting concept and the other word of the query.
    lighting_twice = make_programme(title="Éclairage public à LED", summary="Luminaires LED.")
    lighting_and_school = make_programme(title="Éclairage de l'école")
    assert ids(search(client, q="LED école")) == [lighting_and_school, lighting_twice]


def test_an_exact_phrase_outranks_scattered_words(client, make_programme):
    scattered = make_programme(title="Toiture et vitraux : rénovation")
    exact = make_programme(title="Rénovation toiture des bâtiments communaux anciens")
    assert ids(search(client, q="rénovation toiture")) == [exact, scattered]


def test_never_zero_while_a_meaningful_word_matches(client, make_programme):
    bike = make_programme(title="Plan vélo")
    payload = search(client, q="vélo zorglub mairie cybersécurité")
    assert ids(payload) == [bike]
    # a multi-word term of the thesaurus that no programme holds falls back to its words
    data = make_programme(title="Données des communes")
    assert ids(search(client, q="données publiques")) == [data]
    assert search(client, q="zorglub")["total"] == 0


@pytest.fixture
def english_call(make_programme):
    """An EU call as the Funding & Tenders portal gives it: English text, French labels."""
    return make_programme(
        id="eu-funding-tenders:community-led", source="eu-funding-tenders", level="europe", language="en",
        title="Community-led local development for climate-neutral cities",
        summary="LIFE · Sujet d'appel à propositions · statut à la source : ouvert. Communities lead "
                "the energy transition of their neighbourhoods with local authorities.")


def test_led_does_not_find_the_community_led_call(client, english_call, lighting):
    # « LED » is French lighting (the thesaurus): never the « led » of English « community-led »
    assert ids(search(client, q="LED")) == [lighting]


def test_an_english_record_is_found_by_its_english_words(client, english_call, lighting):
    payload = search(client, q="climate neutral cities")
    assert ids(payload) == [english_call]
    # English analysis: « communities » and « community » are one term, « neighbourhoods » too
    assert ids(search(client, q="community neighbourhood"))[:1] == [english_call]
    assert "<mark>" in payload["results"][0]["highlights"]["title"]


def test_an_english_record_is_found_by_the_french_words_of_its_source(client, english_call, lighting):
    make_programme_ids = ids(search(client, q="appel à propositions"))
    assert make_programme_ids == [english_call]


def test_an_english_record_carries_its_language(client, english_call, lighting):
    page = client.get(f"/programmes/{english_call}").get_data(as_text=True)
    assert "en anglais" in page and 'lang="en"' in page
    assert "en anglais" not in client.get(f"/programmes/{lighting}").get_data(as_text=True)
    results = client.get("/", query_string={"q": "cities"}).get_data(as_text=True)
    assert results.count(">en anglais<") == 1


def test_a_query_of_stop_words_is_no_text(client, make_programme):
    make_programme(title="Plan vélo")
    make_programme(title="Écoles")
    assert search(client, q="de la et les")["total"] == 2


@pytest.mark.parametrize("typed, expected_title", [
    ("eclairage publique", "Rénovation de l'éclairage public"),
    ("biblioteque", "Construire une bibliothèque"),
    ("cybersecurite", "Cybersécurité des collectivités"),
])
def test_typos_find_what_the_right_spelling_finds(client, make_programme, typed, expected_title):
    expected = make_programme(title=expected_title)
    make_programme(title="Restauration du patrimoine religieux")
    assert ids(search(client, q=typed))[:1] == [expected]


def test_an_unknown_word_is_corrected_to_the_thesaurus(client, make_programme):
    """« lampadère » is a word of no programme: the spelling step (on Elasticsearch, when the
    search finds nothing) finds « lampadaire » in the thesaurus, hence public lighting."""
    expected = make_programme(title="Rénovation de l'éclairage public")
    payload = search(client, q="lampadère")
    assert ids(payload) == [expected] and payload["corrected_text"] == "lampadaire"


def test_an_unknown_word_is_corrected_to_a_word_of_the_index(client, make_programme):
    # one edit from « piscines », as a programme writes it (too short for Elasticsearch's fuzziness)
    expected = make_programme(title="Rénover les piscines municipales")
    make_programme(title="Restauration du patrimoine religieux")
    payload = search(client, q="pissines")
    assert ids(payload) == [expected] and payload["corrected_text"] == "piscines"


def test_a_corrected_phrase_is_said(client, make_programme):
    make_programme(title="Rénovation de l'éclairage public")
    payload = search(client, q="eclairage publique")
    assert payload["corrected_text"] == "éclairage public"
    page = client.get("/", query_string={"q": "eclairage publique"}).get_data(as_text=True)
    assert "Résultats pour « <strong>éclairage public</strong> » (au lieu de « eclairage publique »)" in page


def test_a_correction_keeps_the_filters(client, make_programme):
    make_programme(title="Rénovation de l'éclairage public", level="national")
    regional = make_programme(title="Éclairage public régional", level="regional", regions=["44"])
    assert ids(search(client, q="eclairage publique", level="regional")) == [regional]


def test_weak_results_suggest_dropping_a_word_and_themes(client, make_programme):
    make_programme(title="Cybersécurité des collectivités")
    make_programme(title="Sécurité informatique des communes")
    make_programme(title="Plan vélo de la mairie")
    payload = search(client, q="cybersécurité vélo")
    without = [item for item in payload["suggestions"] if item["kind"] == "without"]
    assert without and without[0]["label"] == "vélo" and without[0]["count"] == 2
    assert without[0]["params"] == {"q": "cybersécurité"}
    themes = [item["params"]["theme"] for item in payload["suggestions"] if item["kind"] == "theme"]
    assert "numerique/cybersecurite" in themes
    page = client.get("/", query_string={"q": "cybersécurité vélo"}).get_data(as_text=True)
    assert "Essayez sans « vélo »</a> : 2 programmes" in page


def test_suggestion_counts_from_the_search_equal_the_extra_searches(app, make_programme):
    """The counts a backend gives with its results (SQLite: from its bitmaps) are the counts
    the extra searches would find, filters included."""
    from werkzeug.datastructures import MultiDict

    from guichet.search import get_backend, services

    make_programme(title="Cybersécurité des collectivités", level="national")
    make_programme(title="Sécurité informatique des communes", level="regional", regions=["44"])
    make_programme(title="Cybersécurité et vélo", level="national")
    make_programme(title="Plan vélo de la mairie", level="national")
    make_programme(title="Vélo et patrimoine", level="national")
    for params in ({"q": "cybersécurité vélo"}, {"q": "cybersécurité vélo patrimoine"},
                   {"q": "cybersécurité vélo", "level": "national"}):
        with app.test_request_context():
            query = services.parse(MultiDict(params))
            result = get_backend().search(query)
            asked = services.suggestions(query, result.total)
            given = services.suggestions(query, result.total, result.coverage_counts)
            assert given == asked, params
            if get_backend().name == "sqlite":
                assert result.coverage_counts is not None
    assert any(item.kind == "without" for item in asked)


def test_highlighting_marks_matched_words_only(client, make_programme):
    make_programme(title="Éclairage public de la commune", summary="Travaux d'éclairage — rénovation des luminaires.")
    result = search(client, q="éclairage de la commune")["results"][0]
    title = result["highlights"]["title"]
    assert "<mark>Éclairage</mark>" in title and "<mark>commune</mark>" in title
    assert "<mark>de</mark>" not in title and "<mark>la</mark>" not in title
    assert "<mark>—</mark>" not in str(result["highlights"])


def test_title_ranks_above_summary_above_description(client, make_programme):
    in_description = make_programme(title="Programme A", summary="Rien.",
                                    description_html="<p>Un projet de médiathèque.</p>")
    in_title = make_programme(title="Médiathèques et lecture", summary="Rien.")
    in_summary = make_programme(title="Programme B", summary="Construire une médiathèque.")
    assert ids(search(client, q="médiathèque")) == [in_title, in_summary, in_description]


def test_matched_words_are_highlighted(client, lighting):
    result = search(client, q="éclairage")["results"][0]
    assert "<mark>éclairage</mark>" in result["highlights"]["title"]


def test_an_elided_article_stays_outside_the_mark(client, lighting):
    title = search(client, q="éclairage")["results"][0]["highlights"]["title"]
    assert "l&#39;<mark>éclairage</mark>" in title


def test_filters_by_theme_level_aid_type_and_beneficiary(client, make_programme):
    lighting = make_programme(themes=["energie-climat/eclairage-public"], level="national",
                              aid_types=["subvention"], beneficiaries=["commune"])
    bikes = make_programme(themes=["mobilite"], level="regional", regions=["44"], aid_types=["pret"],
                           beneficiaries=["epci"])
    assert ids(search(client, theme="energie-climat")) == [lighting]  # a sub-theme implies its theme
    assert ids(search(client, theme="energie-climat/eclairage-public")) == [lighting]
    assert ids(search(client, level="regional")) == [bikes]
    assert ids(search(client, aid_type="pret")) == [bikes]
    assert ids(search(client, beneficiary="epci")) == [bikes]
    assert sorted(ids(search(client, theme=["mobilite", "energie-climat"]))) == sorted([lighting, bikes])


def test_geography_keeps_nationwide_programmes(client, make_programme):
    nationwide = make_programme(level="national")
    grand_est = make_programme(level="regional", regions=["44"])
    oise = make_programme(level="departmental", departments=["60"])
    assert sorted(ids(search(client, region="44"))) == sorted([nationwide, grand_est])
    assert sorted(ids(search(client, region="32"))) == sorted([nationwide, oise])  # Oise is in Hauts-de-France
    assert sorted(ids(search(client, department="60"))) == sorted([nationwide, oise])
    assert sorted(ids(search(client, department="67"))) == sorted([nationwide, grand_est])  # Bas-Rhin, Grand Est


def test_status_is_derived_from_dates(client, make_programme):
    open_now = make_programme(opens_on=days(-10), deadlines=[days(20)])
    upcoming = make_programme(opens_on=days(30), deadlines=[days(90)])
    closed = make_programme(opens_on=days(-100), deadlines=[days(-1)])
    permanent = make_programme(deadlines=[], recurrence="permanente")
    two_stages = make_programme(deadlines=[days(-5), days(40)])
    assert sorted(ids(search(client))) == sorted([open_now, upcoming, permanent, two_stages])
    assert ids(search(client, status="clos")) == [closed]
    assert ids(search(client, status="a_venir")) == [upcoming]
    payload = search(client, status="ouvert")
    assert sorted(ids(payload)) == sorted([open_now, permanent, two_stages])
    # Status counts ignore the status filter itself, so every choice shows what it would add.
    assert facet(payload, "statuses") == {"ouvert": 3, "a_venir": 1, "clos": 1}
    assert search(client, q="", status="clos")["results"][0]["status"] == "clos"


def test_deadline_before(client, make_programme):
    soon = make_programme(deadlines=[days(10)])
    make_programme(deadlines=[days(100)])
    make_programme(deadlines=[], recurrence="permanente")
    later_stage = make_programme(deadlines=[days(-3), days(15)])
    assert sorted(ids(search(client, deadline_before=days(30)))) == sorted([soon, later_stage])
    typed = (TODAY + timedelta(days=30)).strftime("%d/%m/%Y")
    assert sorted(ids(search(client, deadline_before=typed))) == sorted([soon, later_stage])


def test_town_size_exact_population_and_bands(client, make_programme):
    small = make_programme(population_max=3499)
    petites_villes = make_programme(population_min=2000, population_max=20000)
    mid_size = make_programme(population_min=20000, population_max=100000)
    big = make_programme(population_min=50000)
    anyone = make_programme()
    assert sorted(ids(search(client, population="1500"))) == sorted([small, anyone])
    assert sorted(ids(search(client, population="12 000"))) == sorted([petites_villes, anyone])
    assert sorted(ids(search(client, population="60000"))) == sorted([mid_size, big, anyone])
    assert sorted(ids(search(client, population="moins-2000"))) == sorted([small, anyone])
    assert sorted(ids(search(client, population="2000-20000"))) == sorted([small, petites_villes, anyone])
    assert sorted(ids(search(client, population="20000-100000"))) == sorted([petites_villes, mid_size, big, anyone])
    assert sorted(ids(search(client, population="plus-100000"))) == sorted([big, anyone])


def test_an_overseas_commune_is_filtered_by_the_overseas_bands(app, client, make_programme):
    from guichet.communes.reference import load_reference
    from tests.communes.conftest import FIXTURE_DATA

    load_reference(app.extensions["guichet.db"], FIXTURE_DATA)
    # DETR-like: overseas bands wider than the metropolitan ones, and the other way round.
    overseas_wider = make_programme(population_bands=[
        {"max": 2000}, {"min": 2001, "max": 20000, "criterion": "potentiel-financier"},
        {"max": 3500, "overseas": True}, {"min": 3501, "max": 200000, "criterion": "potentiel-financier",
                                          "overseas": True}])
    overseas_narrower = make_programme(population_bands=[{"max": 200000}, {"max": 20000, "overseas": True}])
    metropolitan_rule = make_programme(population_max=100000)
    anyone = make_programme()
    # Saint-Denis (La Réunion, 155 634 inhabitants), Beauvais (Oise, 55 550).
    assert sorted(ids(search(client, commune="97411", per_page=50))) == sorted([overseas_wider, anyone])
    assert sorted(ids(search(client, commune="60057", per_page=50))) == sorted(
        [overseas_narrower, metropolitan_rule, anyone])
    # Without a commune, a town size reads the metropolitan bands' widest union.
    assert sorted(ids(search(client, population="15000"))) == sorted(
        [overseas_wider, overseas_narrower, metropolitan_rule, anyone])
    assert sorted(ids(search(client, population="150000"))) == sorted([overseas_narrower, anyone])


def test_facets_count_each_choice(client, make_programme):
    make_programme(themes=["mobilite"], level="national", aid_types=["subvention"])
    make_programme(themes=["mobilite", "numerique"], level="europe", aid_types=["subvention", "pret"])
    make_programme(themes=["numerique"], level="regional", regions=["53"], aid_types=["ingenierie"])
    payload = search(client)
    assert facet(payload, "themes") == {"mobilite": 2, "numerique": 2}
    assert facet(payload, "levels") == {"national": 1, "europe": 1, "regional": 1}
    assert facet(payload, "aid_types") == {"subvention": 2, "pret": 1, "ingenierie": 1}
    assert facet(payload, "regions")["53"] == 3 and facet(payload, "regions")["11"] == 2
    labels = {value["value"]: value["label"] for value in payload["facets"]["themes"]}
    assert labels["numerique"] == "Numérique et ville intelligente"
    filtered = search(client, theme="mobilite")
    assert filtered["total"] == 2
    # Theme counts ignore the theme filter (choices add up); other facets follow it.
    assert facet(filtered, "themes") == {"mobilite": 2, "numerique": 2}
    assert facet(filtered, "levels") == {"national": 1, "europe": 1}
    # Level counts ignore the level filter too.
    by_level = search(client, level="europe")
    assert by_level["total"] == 1
    assert facet(by_level, "levels") == {"national": 1, "europe": 1, "regional": 1}


def test_aid_programme_filter_and_its_facet(client, make_programme):
    # Aides-territoires' « programmes d'aides »: an open list of names, filtered and counted by name.
    fonds_vert = make_programme(title="Renaturation des villes", themes=["mobilite"],
                                aid_programmes=["Fonds vert - Édition 2024"])
    both = make_programme(title="Revitalisation des centres", themes=["mobilite"],
                          aid_programmes=["Petites villes de demain", "Fonds vert - Édition 2024"])
    pvd = make_programme(title="Ingénierie des petites villes", themes=["numerique"],
                         aid_programmes=["Petites villes de demain"])
    make_programme(title="Sans programme", themes=["mobilite"])
    everything = search(client)
    assert facet(everything, "aid_programmes") == {"Fonds vert - Édition 2024": 2, "Petites villes de demain": 2}
    assert {value["value"]: value["label"] for value in everything["facets"]["aid_programmes"]} == {
        "Fonds vert - Édition 2024": "Fonds vert - Édition 2024", "Petites villes de demain": "Petites villes de demain"}
    chosen = search(client, aid_programme="Fonds vert - Édition 2024")
    assert sorted(ids(chosen)) == sorted([fonds_vert, both])
    # its own counts ignore its filter (choices add up); the other facets follow it
    assert facet(chosen, "aid_programmes") == {"Fonds vert - Édition 2024": 2, "Petites villes de demain": 2}
    assert facet(chosen, "themes") == {"mobilite": 2}
    either = search(client, aid_programme=["Fonds vert - Édition 2024", "Petites villes de demain"])
    assert sorted(ids(either)) == sorted([fonds_vert, both, pvd])
    # spaces as people paste them are those of the stored name; another filter narrows the counts
    assert ids(search(client, aid_programme="  Petites  villes de demain ", theme="numerique")) == [pvd]
    narrowed = search(client, theme="numerique")
    assert facet(narrowed, "aid_programmes") == {"Petites villes de demain": 1}
    assert search(client, aid_programme="Programme inconnu")["total"] == 0


def test_an_aid_programme_is_one_whatever_its_spelling(client, make_programme):
    # Aides-territoires writes « l’Économie », a curator « l'économie », another capitals: one programme.
    source = make_programme(aid_programmes=["LEADER - Liaison entre Actions de Développement de l’Économie Rurale"])
    again = make_programme(aid_programmes=["LEADER - Liaison entre Actions de Développement de l’Économie Rurale"])
    curated = make_programme(aid_programmes=["Leader - liaison entre actions de développement de l'économie rurale"])
    make_programme(aid_programmes=["FEDER - Fonds européen de développement régional"])
    everything = search(client)
    assert facet(everything, "aid_programmes") == {
        "LEADER - Liaison entre Actions de Développement de l’Économie Rurale": 3,
        "FEDER - Fonds européen de développement régional": 1}
    for spelling in ("LEADER - Liaison entre Actions de Développement de l’Économie Rurale",
                     "leader liaison entre actions de developpement de l economie rurale"):
        chosen = search(client, aid_programme=spelling)
        assert sorted(ids(chosen)) == sorted([source, again, curated])
        (leader,) = [value for value in chosen["facets"]["aid_programmes"] if value["value"].startswith("LEADER")]
        assert leader["count"] == 3


@pytest.mark.parametrize("value", ["« — »", "x" * 201])
def test_an_aid_programme_that_cannot_be_a_name_is_a_french_400(client, value):
    response = client.get("/api/v1/programmes", query_string={"aid_programme": value})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["parameter"] == "aid_programme" and error["message"].startswith("Programme d’aides")
# -- funders, aid rate and amount (issue 17) -------------------------------------------------
def test_funder_filter_ignores_case_and_accents_and_counts_each_funder(client, make_programme):
    ademe = make_programme(title="Fonds chaleur", funders=["ADEME"])
    both = make_programme(title="Rénovation énergétique", funders=["ADEME", "Région Île-de-France"])
    region = make_programme(title="Plan vélo régional", funders=["Région Île-de-France"])
    make_programme(title="Dotation", funders=["État"])
    payload = search(client)
    assert facet(payload, "funders") == {"ADEME": 2, "Région Île-de-France": 2, "État": 1}
    # the most frequent first, then by name
    assert [value["value"] for value in payload["facets"]["funders"]] == ["ADEME", "Région Île-de-France", "État"]
    assert sorted(ids(search(client, funder="ademe"))) == sorted([ademe, both])
    assert sorted(ids(search(client, funder="region ile-de-france"))) == sorted([both, region])
    # repeated: one or the other; its own counts ignore it, the other facets follow it
    several = search(client, funder=["ADEME", "RÉGION ÎLE-DE-FRANCE"])
    assert sorted(ids(several)) == sorted([ademe, both, region])
    assert facet(search(client, funder="ADEME"), "funders") == {"ADEME": 2, "Région Île-de-France": 2, "État": 1}
    # a chosen funder stays in its facet (as typed) even with no programme left
    chosen = search(client, funder="ademe", q="vélo")
    assert facet(chosen, "funders") == {"Région Île-de-France": 1, "ademe": 0}
    # counted, it keeps the value its URL holds under the name the index spells
    typed = search(client, funder="ademe")["facets"]["funders"]
    assert {"value": "ademe", "label": "ADEME", "count": 2} in typed
    assert search(client, funder="Bpifrance")["total"] == 0


def test_rate_and_amount_filters_leave_out_programmes_without_a_known_value(client, make_programme):
    full = make_programme(title="Travaux A", rate_max=100, amount_max=2_000_000)
    half = make_programme(title="Travaux B", rate_min=20, rate_max=50, amount_min=5_000, amount_max=80_000)
    from_only = make_programme(title="Travaux C", rate_min=30, amount_min=15_000)  # « à partir de 30 % »
    make_programme(title="Travaux D")  # the source says nothing of rate nor amount
    payload = search(client)
    assert facet(payload, "rate_at_least") == {"25": 3, "50": 2, "80": 1, "100": 1, "sans": 1}
    assert facet(payload, "amount_at_least") == {"10000": 3, "50000": 2, "100000": 1, "500000": 1, "1000000": 1,
                                            "sans": 1}
    labels = {value["value"]: value["label"] for value in payload["facets"]["rate_at_least"]}
    assert labels["50"] == "50\u202f% ou plus" and labels["sans"] == "Taux d’aide non communiqué"
    assert sorted(ids(search(client, rate_at_least="50"))) == sorted([full, half])
    assert sorted(ids(search(client, rate_at_least="30"))) == sorted([full, half, from_only])
    assert ids(search(client, rate_at_least="100")) == [full]
    assert sorted(ids(search(client, amount_at_least="10000"))) == sorted([full, half, from_only])
    assert ids(search(client, amount_at_least="100 000 €")) == [full]
    # its own counts ignore it (the programmes it leaves out for lack of a rate are counted);
    # the other filters apply to them
    rated = search(client, rate_at_least="80")
    assert facet(rated, "rate_at_least") == {"25": 3, "50": 2, "80": 1, "100": 1, "sans": 1}
    assert facet(rated, "amount_at_least") == {"10000": 1, "50000": 1, "100000": 1, "500000": 1, "1000000": 1}
    assert facet(search(client, amount_at_least="50000"), "rate_at_least") == {"25": 2, "50": 2, "80": 1, "100": 1}


def test_funders_autocomplete_finds_names_by_the_start_of_their_words(client, make_programme):
    make_programme(funders=["ADEME"])
    make_programme(funders=["ADEME", "Agence nationale de l’habitat (Anah)"])
    make_programme(funders=["Région Île-de-France"])
    make_programme(funders=["Banque des Territoires"], deadlines=[days(-5)])  # closed: not offered

    def found(**params):
        response = client.get("/api/v1/porteurs", query_string=params)
        assert response.status_code == 200, response.get_json()
        return [(value["value"], value["count"]) for value in response.get_json()]

    assert found(q="ade") == [("ADEME", 2)]
    assert found(q="ILE de fr") == [("Région Île-de-France", 1)]
    assert found(q="ANAH") == [("Agence nationale de l’habitat (Anah)", 1)]
    # a name starting with the text first, then the most frequent
    assert found(q="a") == [("ADEME", 2), ("Agence nationale de l’habitat (Anah)", 1)]
    assert found() == [("ADEME", 2), ("Agence nationale de l’habitat (Anah)", 1), ("Région Île-de-France", 1)]
    assert found(limit="1") == [("ADEME", 2)]
    assert found(q="banque") == [] and found(q="zorglub") == []


def test_sorts(client, make_programme):
    later = make_programme(title="Vélo A", deadlines=[days(50)])
    sooner = make_programme(title="Vélo B", deadlines=[days(5)])
    permanent = make_programme(title="Vélo C", deadlines=[], recurrence="permanente")
    assert ids(search(client, sort="date_limite")) == [sooner, later, permanent]
    assert ids(search(client, sort="nouveaute")) == [permanent, sooner, later]
    assert ids(search(client, q="vélo", sort="date_limite")) == [sooner, later, permanent]


def test_paging(client, make_programme):
    created = [make_programme(title=f"Vélo {number}", deadlines=[days(number + 1)]) for number in range(5)]
    first = search(client, sort="date_limite", per_page=2)
    second = search(client, sort="date_limite", per_page=2, page=2)
    last = search(client, sort="date_limite", per_page=2, page=3)
    assert (first["total"], first["pages"], first["per_page"]) == (5, 3, 2)
    assert ids(first) + ids(second) + ids(last) == created
    assert ids(search(client, sort="date_limite", per_page=2, page=9)) == []


@pytest.mark.parametrize("params", [
    {"population": "abc"}, {"population": "-5"}, {"population": "99999999999"}, {"theme": "inconnu"},
    {"sort": "prix"}, {"page": "0"}, {"page": "-1"}, {"page": "deux"}, {"per_page": "101"}, {"per_page": "0"},
    {"q": "x" * 501}, {"q": '"éclairage'}, {"q": "vélo*"}, {"q": "NEAR(vélo école)"}, {"q": "vélo AND école"},
    {"q": "vélo OR école"}, {"q": "NOT vélo"}, {"q": "-vélo"}, {"level": "mondial"}, {"status": "fini"},
    {"deadline_before": "31/02/2027"}, {"deadline_before": "demain"}, {"region": "ABC"}, {"department": "999"}, {"commune": "123"},
    {"aid_type": "don"}, {"beneficiary": "martiens"}, {"q": "{titre}"},
    {"rate_at_least": "0"}, {"rate_at_least": "150"}, {"rate_at_least": "moitié"}, {"amount_at_least": "-10"}, {"amount_at_least": "beaucoup"},
    {"rate_at_least": ["50", "80"]}, {"funder": "A" * 201},
])
def test_bad_input_is_a_french_400(client, make_programme, params):
    make_programme(title="Plan vélo")
    response = client.get("/api/v1/programmes", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["parameter"]
    assert any(char in error["message"] for char in "éèêàâçùûôî«»"), error["message"]


@pytest.mark.parametrize("text", ["tiers-lieu", "l'école", "vélo, école", "(vélo)", "vélo:école", "a&b", "100 %",
                                  "éclairage public 2027"])
def test_harmless_punctuation_is_searched_as_words(client, make_programme, text):
    make_programme(title="Plan vélo")
    response = client.get("/api/v1/programmes", query_string={"q": text})
    assert response.status_code == 200
