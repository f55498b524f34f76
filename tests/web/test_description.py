"""One French description of a search (guichet/web/description.py): the search page's
« filtres actifs » and the subscription page say the same words."""

from urllib.parse import parse_qsl

from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from guichet.search.query import parse_search
from guichet.web.description import describe, describe_lines

SEARCH = ("q=vélo&theme=mobilite&theme=tourisme&level=regional&level=europe&beneficiary=recherche"
          "&department=26&region=84&status=clos&deadline_before=2027-03-01&population=moins-2000")


def test_the_filters_of_a_search_in_french():
    query = parse_search(MultiDict(parse_qsl(SEARCH)))
    assert describe_lines(query) == [
        "Mots : « vélo »",
        "Thème : Mobilité et transports, Tourisme",
        "Taille de la commune : Moins de 2 000 hab.",
        "Échelon : Europe, Région",
        "Bénéficiaire : Organismes de recherche",
        "Région : Auvergne-Rhône-Alpes",
        "Département : Drôme (26)",
        "Statut : Clos",
        "Date limite au plus tard le 1er mars 2027",
    ]
    themes = next(item for item in describe(query) if item.name == "theme")
    assert themes.values == (("mobilite", "Thème : Mobilité et transports"), ("tourisme", "Thème : Tourisme"))
    assert describe_lines(parse_search({})) == ["Tous les programmes ouverts ou à venir"]


def test_search_page_tags_and_subscription_page_agree(client):
    tags = BeautifulSoup(client.get("/?" + SEARCH).get_data(as_text=True), "lxml").select(
        "ul[aria-label='Filtres actifs'] a")
    tag_labels = [tag.get_text(strip=True).removesuffix("✕").strip() for tag in tags]
    lines = [item.get_text(strip=True) for item in BeautifulSoup(
        client.get("/abonnement?" + SEARCH).get_data(as_text=True), "lxml").select("#filtres-recherche li")]
    assert "Échelon : Europe, Région" in lines and "Échelon : Europe" in tag_labels and "Échelon : Région" in tag_labels
    # Every tag is a line, or one value of a line's filter.
    for label in tag_labels:
        name, _, value = label.partition(" : ")
        assert label in lines or any(line.startswith(name + " : ") and value in line for line in lines), label
    assert len(lines) == 9


def test_an_aid_programme_is_described_by_its_name_and_removed_alone(client):
    query = parse_search(MultiDict([("aid_programme", "Petites villes de demain"),
                                    ("aid_programme", "Fonds vert - Édition 2024")]))
    assert describe_lines(query) == ["Programme d’aides : Fonds vert - Édition 2024, Petites villes de demain"]
    (item,) = describe(query)
    assert item.values == (("Fonds vert - Édition 2024", "Programme d’aides : Fonds vert - Édition 2024"),
                           ("Petites villes de demain", "Programme d’aides : Petites villes de demain"))
    # the subscription page of that search says it too, and keeps it in the form
    page = BeautifulSoup(client.get("/abonnement?aid_programme=Petites+villes+de+demain").get_data(as_text=True), "lxml")
    assert [item.get_text(strip=True) for item in page.select("#filtres-recherche li")] == [
        "Programme d’aides : Petites villes de demain"]
    assert page.select_one("input[name=aid_programme][value='Petites villes de demain']") is not None
def test_funders_rate_and_amount_in_french():
    query = parse_search(MultiDict([("funder", "ADEME"), ("funder", "Région Grand Est"), ("rate_at_least", "50"),
                                    ("amount_at_least", "10000")]))
    assert describe_lines(query) == ["Porteur d’aide : ADEME, Région Grand Est", "Taux d’aide : 50\u202f% ou plus",
                                     "Montant d’aide : 10\u202f000\u202f€ ou plus"]
    funders = next(item for item in describe(query) if item.name == "funder")
    assert funders.values == (("ADEME", "Porteur d’aide : ADEME"), ("Région Grand Est", "Porteur d’aide : Région Grand Est"))


def test_a_subscription_keeps_funders_rate_and_amount(client):
    lines = [item.get_text(strip=True) for item in BeautifulSoup(
        client.get("/abonnement?funder=ADEME&rate_at_least=50&amount_at_least=10000").get_data(as_text=True), "lxml").select(
        "#filtres-recherche li")]
    assert lines == ["Porteur d’aide : ADEME", "Taux d’aide : 50\u202f% ou plus",
                     "Montant d’aide : 10\u202f000\u202f€ ou plus"]
