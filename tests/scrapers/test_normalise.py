"""scrapers/normalise.py: French text into the programme record's values."""

from datetime import date, datetime

import pytest

from scrapers import normalise as norm

POPULATION_SENTENCES = [
    # thresholds from above
    ("Réservé aux communes de moins de 3 500 habitants.", (None, 3499)),
    ("Communes de moins de 2 000 hab. (population DGF)", (None, 1999)),
    ("Communes de moins de 3500 habitants", (None, 3499)),
    ("les communes dont la population est inférieure à 10 000 habitants", (None, 9999)),
    ("population municipale inférieure ou égale à 5 000 habitants", (None, 5000)),
    ("Communes jusqu'à 2 000 habitants", (None, 2000)),
    ("Communes jusqu’à 2 000 habitants (apostrophe typographique)", (None, 2000)),
    ("communes de 2 000 habitants au plus", (None, 2000)),
    ("Villages d'au plus 1 000 habitants", (None, 1000)),
    ("communes dont la population n'excède pas 3 500 habitants", (None, 3500)),
    ("communes ne dépassant pas 5 000 habitants", (None, 5000)),
    ("communes de moins de 10\u00a0000 habitants", (None, 9999)),
    ("communes de moins de 10\u202f000 habitants", (None, 9999)),
    ("Unités urbaines de moins de 100 000 habitants", (None, 99999)),
    # thresholds from below
    ("Communes d'au moins 5 000 habitants", (5000, None)),
    ("les villes de 50 000 habitants et plus", (50000, None)),
    ("Communes de plus de 10 000 habitants", (10001, None)),
    ("communes dont la population est supérieure à 20 000 habitants", (20001, None)),
    ("communes à partir de 3 500 habitants", (3500, None)),
    ("communes de 1 000 habitants minimum", (1000, None)),
    # ranges
    ("Communes comprises entre 2 000 et 20 000 habitants", (2000, 20000)),
    ("villes moyennes de 20 000 à 100 000 habitants", (20000, 100000)),
    ("communes de 500 à 2 000 hab.", (500, 2000)),
    # several conditions: their union
    ("Communes de moins de 2 000 habitants, ou de 2 000 à 20 000 habitants sous condition de potentiel financier",
     (None, 20000)),
    # conditions about towns win over those about groupings
    ("EPCI de plus de 50 000 habitants et communes de moins de 3 500 habitants", (None, 3499)),
    ("Communes de moins de 2 000 habitants et syndicats de communes dont la population n'excède pas 3 000 habitants",
     (None, 1999)),
    # amounts, jobs, projects, years and bare figures are no condition
    ("Subvention de 5 000 € pour les projets de moins de 50 000 euros.", (None, None)),
    ("Aide plafonnée à 5 000 euros, jusqu'à 20 000 € pour les communes.", (None, None)),
    ("Projets créant au moins 50 emplois ; 10 projets retenus au plus.", (None, None)),
    ("Appel à projets 2026 : dépôt avant 2027.", (None, None)),
    ("La commune compte 1 200 habitants.", (None, None)),
    ("Entre 2026 et 2027, pour les communes de moins de 20 000 habitants.", (None, 19999)),
    ("Pas de condition de population.", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
    # inside HTML
    ("<p>Éligibles : <strong>communes de moins de 3&nbsp;500 habitants</strong></p>", (None, 3499)),
    # sentence by sentence: an exclusion turns its condition around, a priority sets no rule
    ("Toutes les communes. Les villes de 50 000 habitants et plus ne sont pas éligibles.", (None, 49999)),
    ("Les communes de moins de 1 000 habitants sont exclues.", (1000, None)),
    ("Communes de moins de 20 000 habitants. Les communes de moins de 2 000 habitants sont prioritaires.",
     (None, 19999)),
    ("Les communes de moins de 3 500 habitants bénéficient d'une bonification.", (None, None)),
    # the subject of a condition may be in the sentence before
    ("Les communes rurales sont éligibles. Elles comptent moins de 3 500 habitants.\n"
     "Les EPCI de moins de 50 000 habitants aussi.", (None, 3499)),
]


@pytest.mark.parametrize("sentence, expected", POPULATION_SENTENCES)
def test_population_range_reads_french_eligibility_text(sentence, expected):
    assert norm.population_range(sentence) == expected


@pytest.mark.parametrize("value, expected", [
    ("31 décembre 2026", date(2026, 12, 31)),
    ("1er mars 2027", date(2027, 3, 1)),
    ("15 août 2022", date(2022, 8, 15)),
    ("le 3 FÉVRIER 2027 à midi", date(2027, 2, 3)),
    ("31/12/2026", date(2026, 12, 31)),
    ("2026-12-31", date(2026, 12, 31)),
    ("2027-04-08T00:00:00.000+0000", date(2027, 4, 8)),
    ("2024-02-07T17:00:00.000+0000", date(2024, 2, 7)),
    # Midnight in Paris sent as UTC the evening before (Île-de-France's campaigns)
    ("2019-07-07T22:00:00.000Z", date(2019, 7, 8)),
    ("2023-12-31T23:59:59+01:00", date(2023, 12, 31)),
    ("2022-07-28T11: 40: 47+02: 00", date(2022, 7, 28)),
    ("32/13/2026", None),
    ("bientôt", None),
    (None, None),
])
def test_parse_date(value, expected):
    assert norm.parse_date(value) == expected


def test_parse_datetime_gives_naive_utc():
    assert norm.parse_datetime("2022-07-28T11: 40: 47+02: 00") == datetime(2022, 7, 28, 9, 40, 47)
    assert norm.parse_datetime("2026-11-02T09:14:03+01:00") == datetime(2026, 11, 2, 8, 14, 3)
    assert norm.parse_datetime(None) is None


def test_find_dates_in_a_sentence():
    text = "Dépôt du 1er mars 2027 au 30/06/2027, au plus tard le 31 décembre 2027."
    assert norm.find_dates(text) == [date(2027, 3, 1), date(2027, 6, 30), date(2027, 12, 31)]


@pytest.mark.parametrize("name, expected", [
    ("ADEME - Agence de la transition écologique", "ADEME"),
    ("Agence de l'Environnement et de la Maîtrise de l'Énergie", "ADEME"),
    ("Conseil régional d’Île-de-France", "Région Île-de-France"),
    ("Conseil Régional Auvergne-Rhône-Alpes", "Région Auvergne-Rhône-Alpes"),
    ("Conseil Départemental de la Drôme", "Département de la Drôme"),
    ("Conseil départemental du Nord", "Département du Nord"),
    ("Caisse des Dépôts", "Banque des Territoires"),
    ("Commission européenne", "Union européenne"),
    ("Ministère de la Culture", "Ministère de la Culture"),
    ("Chambre d’agriculture de la Drôme", "Chambre d’agriculture de la Drôme"),
    ("  ", None),
])
def test_funders_have_one_spelling(name, expected):
    assert norm.normalise_funder(name) == expected


def test_places_become_insee_codes():
    assert norm.places(["Drôme", "Île-de-France", "- France entière -"]) == (["11"], ["26"])
    assert norm.places(["Région Occitanie", "Corse-du-Sud", "2B"]) == (["76"], ["2A", "2B"])
    assert norm.places(["Mayotte"]) == (["06"], ["976"])  # a region of one département
    assert norm.places(["76", "75"]) == ([], ["76", "75"])  # bare codes are départements ...
    assert norm.places([]) == ([], [])


def test_beneficiaries_from_labels_and_codes():
    labels = ["Communes", "Intercommunalités / Pays", "Établissements publics (écoles, bibliothèques…) / Services de l'État",
              "Particuliers", "Associations", "Entreprises privées"]
    assert norm.beneficiaries(labels) == ["commune", "epci", "etablissement_public", "particulier", "association",
                                          "entreprise"]
    assert norm.beneficiaries(["commune", "epci", "department", "region", "private_sector", "public_org",
                               "researcher", "farmer"]) == [
        "commune", "epci", "departement", "region", "entreprise", "etablissement_public", "recherche", "agriculteur"]
    assert norm.beneficiaries(["EPCI à fiscalité propre", {"title": "Associations"}]) == ["epci", "association"]


def test_aid_types_and_recurrence():
    assert norm.aid_types(["grant", "loan", "recoverable_advance", "technical_engineering", "cee"]) == [
        "subvention", "pret", "avance_remboursable", "ingenierie", "autre"]
    assert norm.aid_types([{"name": "Subvention"}, "Ingénierie technique", "Prêt"]) == ["subvention", "ingenierie", "pret"]
    assert [norm.recurrence(value) for value in ("oneoff", "ongoing", "recurring", "Ponctuelle", "Permanente",
                                                 "Récurrente", None)] == [
        "ponctuelle", "permanente", "recurrente", "ponctuelle", "permanente", "recurrente", None]


def test_themes_from_categories_and_from_keywords():
    assert norm.themes_from_categories(["Mobilité / transports|Modes actifs : vélo, marche et aménagements associés"]) == [
        "mobilite", "mobilite/mobilites-actives"]
    themes = norm.themes_from_text("Rénovation énergétique des écoles", "et création de pistes cyclables")
    assert {"energie-climat/renovation-energetique", "energie-climat", "solidarites-sante-education/ecoles",
            "mobilite/mobilites-actives"} <= set(themes)
    assert norm.themes_from_text("") == []


def test_html_is_sanitised_and_summarised():
    dirty = ('<h1>Titre</h1><p onclick="steal()">Texte <script>alert(1)</script><a href="javascript:x()">lien</a> '
             '<a href="https://example.org/">ok</a></p><style>p{}</style><iframe src="https://x"></iframe>')
    clean = norm.sanitise_html(dirty)
    assert "<script" not in clean and "onclick" not in clean and "javascript:" not in clean
    assert "<iframe" not in clean and "<style" not in clean
    assert "<h2>Titre</h2>" in clean
    assert '<a href="https://example.org/" rel="noopener noreferrer">ok</a>' in clean
    assert norm.plain_text("<p>Caf&eacute; &amp; th&eacute;</p><p>Suite</p>") == "Café & thé\nSuite"
    long_text = "<p>" + "Une phrase assez longue pour le résumé. " * 20 + "</p>"
    summary = norm.summary(long_text, limit=100)
    assert len(summary) <= 100 and summary.endswith(".")


def test_amounts_rates_and_urls():
    assert norm.parse_amount("5 000 €") == 5000
    assert norm.parse_amount("2.200.000 € à répartir") == 2200000
    assert norm.parse_amount("5 000 euros") == 5000
    assert norm.parse_amount(None) is None
    assert norm.rate_range("une subvention de 20 % à 80 % de la dépense") == (20, 80)
    assert norm.rate_range("entre 15 % et 55 %") == (15, 55)
    assert norm.rate_range("jusqu'à 70 % du coût") == (None, 70)
    assert norm.rate_range("5 000 €") == (None, None)
    assert norm.clean_url("https: //agirpourlatransition.ademe.fr/a") == "https://agirpourlatransition.ademe.fr/a"
    assert norm.clean_url("pas une adresse") is None


def test_one_aid_type_as_a_string_is_one_type_not_its_characters():
    # The Drôme catalogue sends « aid_types »: "Ingénierie technique" (a string, not a list).
    assert norm.aid_types("Ingénierie technique") == ["ingenierie"]
    assert norm.aid_types(["Subvention", "Prêt"]) == ["subvention", "pret"]


def test_singular_and_plural_audiences_of_aides_territoires():
    assert norm.beneficiaries(["Entreprise publique locale (Sem, Spl, SemOp)"]) == ["etablissement_public"]
    assert norm.beneficiaries(["Entreprises publiques locales (Sem, Spl, SemOp)"]) == ["etablissement_public"]
    assert norm.beneficiaries(["Commune", "Intercommunalité / Pays", "Etablissement public dont services de l'Etat",
                               "Entreprise privée", "Collectivité d’outre-mer à statut particulier"]) == [
        "commune", "epci", "etablissement_public", "entreprise", "autre"]
