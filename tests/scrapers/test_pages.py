"""scrapers/pages.py: reading HTML pages (selectors that fail loudly, fragments with absolute
links, links by their words) — and, in scrapers/normalise, what their French text says."""

from datetime import date

import pytest

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import ParseError
from scrapers.http import Fetched

PAGE = """<html><head><meta charset="utf-8"></head><body><main>
<h1 class="titre">Fonds de soutien aux tiers-lieux</h1>
<div class="texte"><h2>Objectifs</h2><p>Soutenir les tiers-lieux <strong>ruraux</strong>.</p>
<p>Déposez votre dossier sur la <a href="/plateforme">plateforme des aides</a> ou
écrivez à <a href="mailto:aides@example.fr">aides@example.fr</a>.</p>
<p><a href="docs/reglement.pdf">Règlement</a> <script>alert(1)</script></p></div>
<dl><dt>Bénéficiaires</dt><dd>Communes et associations</dd></dl>
</main></body></html>"""
SELECTORS = pages.Selectors("Région test", {"title": "h1.titre", "body": "div.texte", "cards": "div.carte"})
URL = "https://www.example.fr/aides/fonds-tiers-lieux"


def document():
    return pages.html_document(Fetched(URL, 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()))


def test_selectors_read_and_fail_loudly_when_the_layout_changed():
    page = document()
    assert SELECTORS.text(page, "title") == "Fonds de soutien aux tiers-lieux"
    assert SELECTORS.one(page, "cards", required=False) is None
    with pytest.raises(ParseError) as error:
        SELECTORS.all(page, "cards", url=URL)
    assert "Région test : la mise en page a changé, le sélecteur « div.carte »" in str(error.value)
    assert URL in str(error.value)


def test_an_empty_page_is_a_parse_error_not_an_empty_list():
    with pytest.raises(ParseError, match="page vide"):
        pages.html_document(Fetched(URL, 200, {}, b"  \n"))
    with pytest.raises(ParseError, match="flux vide"):
        pages.xml_document(Fetched(URL, 200, {}, b""))


def test_fragments_are_sanitised_and_their_links_absolute():
    html = pages.fragment_html(SELECTORS.one(document(), "body"), URL)
    assert "<script" not in html and "alert(1)" not in html
    assert 'href="https://www.example.fr/plateforme"' in html
    assert 'href="https://www.example.fr/aides/docs/reglement.pdf"' in html
    assert "<strong>ruraux</strong>" in html


def test_an_html_string_from_a_json_source_reads_like_a_page_part():
    fragment = pages.html_fragment("<p>Candidater sur le <a href='/portail'>portail des aides</a></p>")
    assert pages.link_by_words(fragment, URL, ("portail des aides",)) == "https://www.example.fr/portail"
    assert pages.html_fragment("") is None and pages.html_fragment(None) is None


def test_links_by_their_words_skip_mail_and_follow_preference():
    body = SELECTORS.one(document(), "body")
    assert pages.link_by_words(body, URL, ("deposer", "plateforme")) == "https://www.example.fr/plateforme"
    assert pages.link_by_words(body, URL, ("aides@example",)) is None  # a mailto link is no application page
    assert pages.link_by_words(None, URL, ("plateforme",)) is None


def test_section_after_a_heading_and_the_last_path_segment():
    text = "Objectifs\nSoutenir les tiers-lieux.\nBénéficiaires :\nCommunes et associations\nMontant"
    assert pages.section_after(text, "Bénéficiaires") == "Communes et associations"
    assert pages.section_after(text, "beneficiaires", lines=2) == "Communes et associations\nMontant"
    assert pages.section_after(text, "Calendrier") == ""
    assert pages.last_path_segment("https://www.example.fr/aides/fonds-tiers-lieux/") == "fonds-tiers-lieux"
    with pytest.raises(ValueError):
        pages.last_path_segment("https://www.example.fr/")


def test_paragraphs_summary_leaves_headings_out():
    assert pages.paragraphs_summary(SELECTORS.one(document(), "body")).startswith("Soutenir les tiers-lieux ruraux.")


@pytest.mark.parametrize("text, expected", [
    ("Date limite de dépôt : 31/03/2027", (None, [date(2027, 3, 31)])),
    ("Appel ouvert du 15 septembre 2026 au 15 janvier 2027.", (date(2026, 9, 15), [date(2027, 1, 15)])),
    ("Ouverture le 1er février 2027\nClôture des candidatures le 30 avril 2027",
     (date(2027, 2, 1), [date(2027, 4, 30)])),
    ("Dossiers à déposer au fil de l'eau.", (None, [])),
])
def test_dates_a_french_text_announces(text, expected):
    assert norm.dates_from_text(text) == expected


def test_what_french_text_says_of_audiences_amounts_and_kinds():
    assert norm.beneficiaries_from_text("Communes, EPCI et associations") == ["commune", "epci", "association"]
    assert norm.beneficiaries_from_text("La Région Occitanie finance les entreprises") == ["entreprise"]
    assert norm.amount_max_from_text("Subvention plafonnée à 150 000 €, ou jusqu'à 200 000 € en montagne") == 200000.0
    assert norm.amount_max_from_text("50 % de la dépense") is None
    assert norm.aid_types_from_text("Prêt à taux zéro et avance remboursable") == ["pret", "avance_remboursable"]
    assert norm.aid_types_from_text("Un accompagnement") == ["subvention"]  # the default when none is named
    assert norm.recurrence_from_text("Dépôt possible toute l'année", []) == "permanente"
    assert norm.recurrence_from_text("Clôture le 30/06/2026", [date(2026, 6, 30)]) == "ponctuelle"
    assert norm.is_call_for_projects("Appel à manifestation d'intérêt 2027") and not norm.is_call_for_projects("Fonds")
