"""Commune pages, and the commune field of the search page without JavaScript."""

import re
from datetime import date, timedelta

from bs4 import BeautifulSoup

from guichet.communes.views import COOKIE


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def squash(value: str) -> str:
    """Runs of ordinary white space as one space; narrow no-break spaces (in numbers) kept."""
    return re.sub(r"[ \t\r\n]+", " ", value).strip()


def text(response) -> str:
    return squash(soup(response).get_text(" "))


def in_days(number: int) -> str:
    return (date.today() + timedelta(days=number)).isoformat()


# -- /communes/<insee> -----------------------------------------------------------------------------
def test_commune_page_figures(client, communes):
    response = client.get("/communes/60057")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Beauvais"
    facts = squash(page.select_one("#commune-chiffres").get_text(" "))
    for expected in ("55\u202f550 habitants", "Ville moyenne (de 20\u202f000 à 100\u202f000 habitants)",
                     "Oise (60)", "Hauts-de-France", "CA du Beauvaisis — communauté d’agglomération, 53 communes",
                     "60057", "60000"):
        assert expected in facts
    assert page.find("a", href="/?commune=60057") is not None


def test_commune_page_lists_open_programmes_by_theme_nearest_deadline_first(client, communes, make_programme):
    make_programme(id="velo-loin", title="Plan vélo lointain", themes=["mobilite"], deadlines=[in_days(90)])
    make_programme(id="velo-proche", title="Plan vélo proche", themes=["mobilite/mobilites-actives"],
                   deadlines=[in_days(10)])
    make_programme(id="led", title="Éclairage LED", themes=["energie-climat", "mobilite"], deadlines=[in_days(30)],
                   population_min=20000, population_max=100000)
    make_programme(id="sans-theme", title="Fonds sans thème", themes=[])
    make_programme(id="petites", title="Petites villes seulement", themes=["mobilite"], population_max=20000)
    make_programme(id="ailleurs", title="Programme breton", themes=["mobilite"], level="regional", regions=["53"])
    make_programme(id="clos", title="Programme clos", themes=["mobilite"], deadlines=[in_days(-3)])
    make_programme(id="a-venir", title="Programme à venir", themes=["mobilite"], opens_on=in_days(20),
                   deadlines=[in_days(80)])
    response = client.get("/communes/60057")
    page = soup(response)
    sections = {section["id"]: [link.get_text(strip=True) for link in section.select("tbody a")]
                for section in page.select("section.guichet-theme")}
    assert sections == {
        "theme-mobilite": ["Plan vélo proche", "Éclairage LED", "Plan vélo lointain"],
        "theme-energie-climat": ["Éclairage LED"],
        "theme-autres": ["Fonds sans thème"],
    }
    summary = squash(page.select_one("#commune-resume").get_text(" "))
    assert "4 programmes ouverts" in summary and "1 programme à venir" in summary
    assert "Conditions de population non précisées" in text(response)
    assert "Communes de 20\u202f000 à 100\u202f000 habitants" in text(response)


def test_commune_programmes_past_the_limit_are_counted_not_listed(communes, make_programme):
    from guichet.communes import services

    for number in range(3):
        make_programme(id=f"ouvert-{number}", title=f"Programme ouvert {number}", deadlines=[in_days(10 + number)])
    make_programme(id="plus-tard", title="Programme à venir", opens_on=in_days(20), deadlines=[in_days(80)])
    with communes.app_context():
        commune, _alias = services.get_commune(services.get_session(), "60057")
        result = services.commune_programmes(services.eligibility_of(commune), limit=2)
    listed = [item.programme.id for group in result.groups for item in group.items]
    assert (result.total, result.listed, result.truncated, result.upcoming) == (3, 2, True, 1)
    assert listed == ["ouvert-0", "ouvert-1"]


def test_commune_page_names_the_epci_and_what_it_can_carry(client, communes, make_programme):
    make_programme(id="pour-epci", title="Programme des intercommunalités", beneficiaries=["epci"])
    make_programme(id="pour-communes", title="Programme des communes", beneficiaries=["commune"])
    page = soup(client.get("/communes/60057"))
    epci = page.select_one("#commune-epci")
    assert "Ce que CA du Beauvaisis peut porter" in epci.get_text()
    assert [link.get_text(strip=True) for link in epci.select("ul a")] == ["Programme des intercommunalités"]
    assert epci.find("a", href="/?commune=60057&beneficiary=epci") is not None


def test_commune_without_epci(client, communes):
    page = soup(client.get("/communes/29083"))
    assert "n’appartient à aucun EPCI" in page.select_one("#commune-chiffres").get_text()
    assert page.select_one("#commune-epci") is None


def test_unknown_or_malformed_code_is_a_french_404(client, communes):
    for code in ("99999", "abc", "600577"):
        response = client.get(f"/communes/{code}")
        assert response.status_code == 404
        assert "Aucune commune n’a le code INSEE" in text(response)


def test_former_commune_code_redirects_to_its_commune(client, communes):
    response = client.get("/communes/01120")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/communes/01262?ancienne=01120")
    page = client.get(response.headers["Location"])
    assert "Cordieux (commune associée, code 01120) fait partie de la commune de" in text(page)
    # The delegated commune sharing its code with the commune nouvelle is the commune itself.
    assert client.get("/communes/01015").status_code == 200


# -- /communes (find a commune) --------------------------------------------------------------------
def test_commune_search_page(client, communes):
    empty = client.get("/communes")
    assert empty.status_code == 200 and soup(empty).find("label", attrs={"for": "commune-q"}) is not None
    unique = client.get("/communes?q=nevers")
    assert unique.status_code == 303 and unique.headers["Location"].endswith("/communes/58194")
    by_postcode = client.get("/communes?q=18200")
    assert by_postcode.headers["Location"].endswith("/communes/18197")
    ambiguous = client.get("/communes?q=Saint-Denis")
    assert ambiguous.status_code == 200
    links = [link["href"] for link in soup(ambiguous).select(".guichet-commune-choices a")]
    assert links == ["/communes/97411", "/communes/93066"]
    unknown = client.get("/communes?q=Zzyzx")
    assert unknown.status_code == 400
    assert "Aucune commune ne correspond à « Zzyzx »" in text(unknown)


# -- the commune field of the search page ----------------------------------------------------------
def test_a_typed_name_becomes_the_insee_code(client, communes):
    for typed in ("Beauvais", "beauvais", "Beauvais (60)", "60057"):
        response = client.get("/", query_string={"commune": typed, "q": "vélo"})
        if typed == "60057":
            assert response.status_code == 200
        else:
            assert response.status_code == 303
            assert response.headers["Location"] == "/?q=v%C3%A9lo&commune=60057"
    # A postcode of one commune, a former commune's name, an arrondissement's code.
    assert client.get("/?commune=18200").headers["Location"] == "/?commune=18197"
    assert client.get("/?commune=Arbignieu").headers["Location"] == "/?commune=01015"
    assert client.get("/?commune=13201").headers["Location"] == "/?commune=13055"


def test_an_ambiguous_name_offers_the_communes_to_choose_from(client, communes):
    response = client.get("/", query_string={"commune": "Saint-Denis", "theme": "mobilite"})
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Quelle commune ?"
    links = [(link.get_text(strip=True), link["href"]) for link in page.select(".guichet-commune-choices a")]
    assert links == [("Saint-Denis", "/?theme=mobilite&commune=97411"), ("Saint-Denis", "/?theme=mobilite&commune=93066")]
    shared_postcode = soup(client.get("/?commune=60000"))
    assert [link["href"] for link in shared_postcode.select(".guichet-commune-choices a")] == [
        "/?commune=60057", "/?commune=60009"]


def test_an_unknown_name_is_a_french_400(client, communes):
    response = client.get("/?commune=Zzyzx")
    assert response.status_code == 400
    assert "Aucune commune ne correspond à « Zzyzx »" in text(response)
    partial = client.get("/?commune=600")
    assert partial.status_code == 400
    assert "Code INSEE de commune invalide" in text(partial)


def test_the_chosen_commune_is_remembered_for_the_visit(client, communes):
    response = client.get("/?commune=58194")
    assert response.status_code == 200
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=58194") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # for the visit only
    chosen = soup(response).select_one("#commune-choisie").get_text(" ")
    assert "Nevers" in chosen and "ville moyenne" in chosen and "CA de Nevers" in chosen
    assert soup(response).select_one("#commune")["value"] == "Nevers (58)"

    # Back on the search page without a commune: it is offered, not applied behind the person's back.
    later = client.get("/?q=vélo")
    page = soup(later)
    offer = page.select_one("#commune-memorisee")
    assert "Votre commune : Nevers" in squash(offer.get_text(" "))
    assert offer.find("a", href="/?q=v%C3%A9lo&commune=58194") is not None
    assert "pour Nevers" not in page.select_one("#resultats").get_text()

    # « Changer de commune » forgets it.
    forget = client.get(offer.find("a", string="Changer de commune")["href"])
    assert forget.status_code == 303 and forget.headers["Location"] == "/#commune"
    assert client.get_cookie(COOKIE) is None
    assert soup(client.get("/")).select_one("#commune-memorisee") is None


def test_a_failed_search_does_not_remember(client, communes):
    response = client.get("/?commune=99999")
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_search_field_is_labelled_and_points_at_the_autocomplete(client, communes):
    page = soup(client.get("/"))
    field = page.select_one("input#commune")
    assert field["name"] == "commune"
    assert page.find("label", attrs={"for": "commune"}) is not None
    assert field["data-autocomplete"] == "/api/v1/communes"
    assert page.find("script", src=re.compile(r"^/static/communes\.js\?v=[0-9a-f]{12}$")) is not None


def test_commune_page_says_which_local_sources_cover_it(client, communes):
    """Issue 17, point 5: a mayor in Centre-Val de Loire learns that no regional source covers it."""
    covered = squash(soup(client.get("/communes/93066")).select_one("#commune-couverture").get_text(" "))
    assert "Région : Région Île-de-France — guide des aides." in covered
    assert "Aucune source départementale pour" in covered
    uncovered = squash(soup(client.get("/communes/18197")).select_one("#commune-couverture").get_text(" "))
    assert "Aucune source régionale ne couvre encore la région Centre-Val de Loire" in uncovered
    assert "Aucune source départementale pour Cher" in uncovered
