"""French grammar of names in sentences."""

import pytest
from markupsafe import Markup

from guichet.web.french import Name, a, de, le, typographic, typographic_html


@pytest.mark.parametrize("name, expected", [
    ("Nevers", "de Nevers"),
    ("Auxerre", "d’Auxerre"),
    ("Évreux", "d’Évreux"),
    ("Yssingeaux", "d’Yssingeaux"),
    ("Le Mans", "du Mans"),
    ("Les Sables-d'Olonne", "des Sables-d'Olonne"),
    ("La Rochelle", "de La Rochelle"),
    ("Hyères", "d’Hyères"),
    ("Haguenau", "de Haguenau"),
    ("ADEME", "d’ADEME"),
    (Name("Région Grand Est", "la"), "de la Région Grand Est"),
    (Name("ministère de la Culture", "le"), "du ministère de la Culture"),
    (Name("Agence nationale de la cohésion des territoires", "l'"), "de l’Agence nationale de la cohésion des territoires"),
    (Name("Hauts-de-France", "les"), "des Hauts-de-France"),
    (Name("Bpifrance"), "de Bpifrance"),
])
def test_de(name, expected):
    assert de(name) == expected


def test_de_keeps_a_capital_l_article_of_a_place_name():
    # « L'Isle-Adam » keeps its article, as French writes « de L'Isle-Adam ».
    assert de("L'Isle-Adam") == "de L'Isle-Adam"
    assert de("Isle") == "d’Isle"


@pytest.mark.parametrize("name, expected", [
    ("Nevers", "à Nevers"), ("Le Mans", "au Mans"), ("Les Sables-d'Olonne", "aux Sables-d'Olonne"),
    ("La Rochelle", "à La Rochelle"), (Name("Région Grand Est", "la"), "à la Région Grand Est"),
    (Name("ministère de la Culture", "le"), "au ministère de la Culture"),
])
def test_a(name, expected):
    assert a(name) == expected


def test_le_and_typographic():
    assert le(Name("CA de Nevers", "la")) == "la CA de Nevers"
    assert le(Name("ADEME", "l'")) == "l’ADEME"
    assert le("Nevers") == "Nevers"
    assert typographic("L'essentiel d'une aide") == "L’essentiel d’une aide"
    assert de("Auxerre", apostrophe="'") == "d'Auxerre"


def test_typographic_only_between_letters():
    assert typographic("« l'aide » aujourd'hui, 'x', l' 2'3") == "« l’aide » aujourd’hui, 'x', l' 2'3"


def test_typographic_html_changes_the_text_only():
    html = Markup('<a href="/l\'aide" title="d\'un">l&#39;aide</a> <textarea>d\'un</textarea> l\'<mark>éclairage</mark>')
    assert typographic_html(html) == ('<a href="/l\'aide" title="d\'un">l’aide</a> <textarea>d\'un</textarea> '
                                      'l’<mark>éclairage</mark>')


def test_templates_show_values_with_typographic_apostrophes_and_typed_ones_as_typed(app):
    template = app.jinja_env.from_string(
        '{{ name }} <input value="{{ typed|as_typed }}"> <a href="{{ url }}">{{ mail }}</a> {{ html }} {{ count }}')
    page = template.render(name="Côte-d'Or", typed="l'éclairage", url="/?q=l'eclairage", mail="o'brien@example.fr",
                           html=Markup("<b title='x'>l'aide</b>"), count=3)
    assert page == ('Côte-d’Or <input value="l&#39;éclairage"> <a href="/?q=l&#39;eclairage">o&#39;brien@example.fr</a> '
                    "<b title='x'>l’aide</b> 3")


@pytest.mark.parametrize("name, expected", [
    ("Région Grand Est", "de la Région Grand Est"),
    ("Ministère de la Culture — démarches en ligne", "du ministère de la Culture — démarches en ligne"),
    ("Département de la Drôme", "du Département de la Drôme"),
    ("Banque des Territoires", "de la Banque des Territoires"),
    ("Agence nationale du sport", "de l’Agence nationale du sport"),
    ("Programmes rédigés par l'équipe", "des programmes rédigés par l'équipe"),
    ("ADEME — Agir pour la transition", "d’ADEME — Agir pour la transition"),
    ("Aides-territoires", "d’Aides-territoires"),
    ("CA de Nevers", "de la CA de Nevers"),
])
def test_organisations_take_the_article_of_their_first_noun(name, expected):
    assert de(name) == expected


def test_an_organisation_as_a_subject():
    assert le("CA de Nevers") == "la CA de Nevers"
    assert a("Région Occitanie") == "à la Région Occitanie"


def test_numbers_and_times_are_french_everywhere():
    from datetime import datetime

    from guichet.web.formatting import datetime_fr, number_fr, rate_range, time_fr

    assert number_fr(1234) == "1\u202f234" and number_fr(1234567) == "1\u202f234\u202f567"
    assert number_fr(80.0) == "80" and number_fr(12.5) == "12,5" and number_fr(None) == ""
    assert rate_range(None, 80.0) == "80\u202f% au plus"
    assert time_fr(datetime(2026, 3, 1, 2, 45)) == "2 h 45"
    assert datetime_fr(datetime(2026, 3, 1, 14, 5)) == "1er mars 2026 à 14 h 05"
