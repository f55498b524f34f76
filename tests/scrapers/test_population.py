"""scrapers/normalise/population.py: a population figure is a condition of the programme only
when it restricts who may apply. Our own phrase set (an independent held-out set measures the
same thing): restrictions, ranges, labelled forms and symbols count; bonuses, higher rates,
amount tiers, priorities, quotas, examples and sub-item restrictions do not."""

import pytest

from scrapers.normalise import population_range, population_rule

RESTRICTIONS = [
    ("L'appel à projets est réservé aux communes de moins de 5 000 habitants.", (None, 4999)),
    ("Bénéficiaires : communes rurales de moins de 2 000 habitants.", (None, 1999)),
    ("Seules les communes de moins de 1 000 habitants peuvent candidater.", (None, 999)),
    ("Peuvent bénéficier de l'aide les communes dont la population est inférieure à 3 500 habitants.", (None, 3499)),
    ("Dispositif ouvert aux communes de 2 000 habitants et plus.", (2000, None)),
    ("Sont éligibles les villes de plus de 20 000 habitants.", (20001, None)),
    ("Aide destinée aux communes de 500 à 3 000 habitants situées en zone de montagne.", (500, 3000)),
    ("Les communes comprises entre 3 500 et 10 000 habitants sont éligibles.", (3500, 10000)),
    ("Communes de moins de 10 000 habitants et leurs groupements.", (None, 9999)),
    ("Ce fonds s'adresse aux bourgs-centres de moins de 7 500 habitants.", (None, 7499)),
    ("Subvention de 40 % pour les communes de moins de 2 000 habitants.", (None, 1999)),
    ("L'aide, au taux de 50 %, est réservée aux communes de moins de 3 500 habitants.", (None, 3499)),
    # ranges from two bounds
    ("Communes de plus de 2 000 habitants et de moins de 10 000 habitants.", (2001, 9999)),
    ("Villes de plus de 5 000 et moins de 50 000 habitants.", (5001, 49999)),
    ("Éligibles : communes d'au moins 1 000 habitants et d'au plus 5 000 habitants.", (1000, 5000)),
    # labelled forms
    ("Seuil de population : 10 000 habitants maximum.", (None, 10000)),
    ("Population minimale requise : 2 000 habitants.", (2000, None)),
    ("Population maximale : 3 500 hab.", (None, 3500)),
    ("Critères d'éligibilité — population minimum : 20 000", (20000, None)),
    ("Plafond de population : 5 000 habitants (population INSEE).", (None, 5000)),
    # symbols
    ("Éligibilité : communes < 5 000 hab.", (None, 4999)),
    ("Communes ≥ 20 000 habitants", (20000, None)),
    ("Public : communes ≤ 3 500 hab.", (None, 3500)),
    ("Cible : population > 50 000", (50001, None)),
    ("Communes rurales (< 2 000 habitants)", (None, 1999)),
    # alternatives: the widest is the programme's
    ("Communes de moins de 2 000 habitants, ainsi que de 2 000 à 20 000 habitants sous condition de ressources.",
     (None, 20000)),
    ("Les communes de moins de 2 000, ainsi que celles de 2 000 à 20 000 habitants sous condition, sont éligibles.",
     (None, 20000)),
    ("Sont éligibles les communes de moins de 3 500 habitants. Les EPCI de moins de 15 000 habitants le sont aussi.",
     (None, 3499)),
    ("Cet appel à projets concerne les communes de moins de 5 000 habitants et les EPCI de moins de 50 000 habitants.",
     (None, 4999)),
    # other spellings
    ("Communes de moins de 3.500 habitants.", (None, 3499)),
    ("Communes rurales (moins de 2 000 habitants) et leurs groupements.", (None, 1999)),
    ("Seuil : 3 500 habitants maximum.", (None, 3500)),
    ("Sont exclues les communes de plus de 100 000 habitants.", (None, 100000)),
    ("Réservé aux communes de moins de 3 500 habitants ; dépôt avant le 1er mars.", (None, 3499)),
]

NOT_CONDITIONS = [
    # a bonus, a higher rate, an amount tier
    ("Le taux est porté à 60 % pour les communes de moins de 2 000 habitants.", (None, None)),
    ("Taux de base 30 % ; 50 % pour les communes de moins de 1 000 habitants.", (None, None)),
    ("Une bonification de 10 points est accordée aux communes de moins de 3 500 habitants.", (None, None)),
    ("Majoration de 20 % pour les communes de moins de 5 000 habitants.", (None, None)),
    ("Plafond de l'aide : 100 000 € pour les communes de plus de 10 000 habitants, 50 000 € pour les autres.",
     (None, None)),
    ("Montant forfaitaire de 3 000 € par commune de moins de 500 habitants.", (None, None)),
    ("Aide supplémentaire de 5 000 € pour les villes de plus de 20 000 habitants.", (None, None)),
    ("Le montant est modulé selon la strate : moins de 2 000 habitants, 2 000 à 10 000 habitants.", (None, None)),
    ("Communes de moins de 3 500 habitants : 50 % ; autres communes : 30 %.", (None, None)),
    ("Le plafond est porté à 500 000 € pour les communes de plus de 20 000 habitants.", (None, None)),
    ("Taux : 40 % (communes < 2 000 hab.), 30 % (autres).", (None, None)),
    # priority, quota
    ("Les projets des communes de moins de 2 000 habitants seront examinés en priorité.", (None, None)),
    ("Une attention particulière sera portée aux communes de moins de 1 000 habitants, qui seront privilégiées.",
     (None, None)),
    ("Dans la limite de deux dossiers par commune de moins de 5 000 habitants.", (None, None)),
    ("L'aide est limitée à un dossier par an pour les communes de moins de 1 000 habitants.", (None, None)),
    # a description of an applicant town, an example
    ("Exemple : la commune de Saint-Martin, de moins de 900 habitants, a obtenu 12 000 €.", (None, None)),
    ("En 2023, une commune de plus de 10 000 habitants a bénéficié du dispositif pour son école.", (None, None)),
    ("Notre commune compte 3 200 habitants et porte un projet de médiathèque.", (None, None)),
    # a restriction on one sub-item
    ("Sont financés les travaux et les études AMO (uniquement pour les communes de moins de 5 000 habitants).",
     (None, None)),
    ("Dépenses éligibles : travaux, maîtrise d'œuvre, assistance à maîtrise d'ouvrage (pour les communes de "
     "moins de 2 000 habitants).", (None, None)),
    # numbers that are no population
    ("Projets de moins de 50 000 € HT ; dépôt entre 2026 et 2027.", (None, None)),
    ("Aide de 20 % à 80 % des dépenses.", (None, None)),
]


@pytest.mark.parametrize("phrase, expected", RESTRICTIONS + NOT_CONDITIONS)
def test_population_condition(phrase, expected):
    assert population_range(phrase) == expected


def test_the_phrase_set_is_large_enough():
    assert len(RESTRICTIONS) + len(NOT_CONDITIONS) >= 40


# Phrasings modelled on the real Aides-territoires payloads (our own words, same forms).
REAL_FORMS = [
    # an exemption from an obligation, for employees: no rule of who may apply
    ("Cette obligation ne s'applique pas aux salariés :\n- domiciliés dans un ressort territorial dont la "
     "population est inférieure à 50 000 habitants,\n- dont le trajet dépasse deux heures.", (None, None)),
    # an exclusion of large agglomerations
    ("Tout le territoire régional est éligible, hors agglomérations de plus de 150 000 habitants.", (None, 150000)),
    # a footnote on the applicants
    ("Ce dispositif s'adresse aux collectivités et à leurs groupements (1).\nAide de 100 % de l'étude dans la "
     "limite de 10 000 €.\n(1) de moins de 100 000 habitants, sauf PETR", (None, 99999)),
    # a sub-item restriction, figure glued to its unit's number
    ("Sont financés : les études ; une offre de services de proximité en milieu rural (uniquement pour les "
     "communes de moins de 3000 habitants).", (None, None)),
    ("Sont éligibles les communes et groupements de communes des agglomérations < 100 000 habitants.", (None, 99999)),
    # descriptions of a territory
    ("Elle compte 25 communes adhérentes, soit une population totale de 53 139 habitants.", (None, None)),
    ("Avec 1,3 million d'habitants permanents, le littoral attire des millions de touristes.", (None, None)),
]


@pytest.mark.parametrize("phrase, expected", REAL_FORMS)
def test_population_condition_in_real_forms(phrase, expected):
    assert population_range(phrase) == expected


def band(low, high, criterion=None, overseas=False):
    return {"min": low, "max": high, "criterion": criterion, "overseas": overseas}


DETR = ("Sont éligibles : les communes de 2 000 habitants au plus (3 500 en outre-mer) ; les communes de 2 000 à "
        "20 000 habitants (35 000 en outre-mer) dont le potentiel financier par habitant ne dépasse pas 1,3 fois la "
        "moyenne de leur strate.")


@pytest.mark.parametrize("phrase, widest, bands, criteria", [
    # alternatives with a condition: each a band, the widest for search, the criterion named
    (DETR, (None, 20000), [band(None, 2000), band(2001, 20000, "potentiel-financier"), band(None, 3500, None, True),
                           band(3501, 35000, "potentiel-financier", True)], ["potentiel-financier"]),
    ("Communes de moins de 2 000 habitants, ainsi que de 2 000 à 20 000 habitants sous condition de ressources.",
     (None, 20000), [band(None, 1999), band(2000, 20000, "autre")], ["autre"]),
    ("Communes < 2 000 hab. ; communes de 2 000 à 10 000 hab. sous conditions.", (None, 10000),
     [band(None, 1999), band(2000, 10000, "autre")], ["autre"]),
    ("Sont éligibles les communes de moins de 2 000 habitants (3 500 en outre-mer).", (None, 1999),
     [band(None, 1999), band(None, 3499, None, True)], []),
    ("Peuvent candidater les communes de moins de 5 000 habitants dont l'effort fiscal est supérieur à la moyenne.",
     (None, 4999), [band(None, 4999, "effort-fiscal")], ["effort-fiscal"]),
    ("Communes de plus de 10 000 habitants éligibles à la dotation de solidarité urbaine.", (10001, None),
     [band(10001, None, "dsu")], ["dsu"]),
    # a criterion without a town size concerns every commune
    ("Bénéficiaires : communes dont le revenu par habitant est inférieur à la moyenne nationale.", (None, None), [],
     ["revenu-par-habitant"]),
    # a criterion that modulates a rate, or is only named, is no condition
    ("Pour les collectivités : 40 %, 45 % ou 50 % selon le potentiel financier et l'effort fiscal de la commune "
     "par rapport à la strate.", (None, None), [], []),
    ("La DSU est une dotation de l'État versée aux villes.", (None, None), [], []),
    ("Le taux est modulé en fonction du potentiel financier ; communes de moins de 3 500 habitants.", (None, 3499),
     [], []),
    # one plain rule needs no band
    ("L'appel à projets est réservé aux communes de moins de 5 000 habitants.", (None, 4999), [], []),
])
def test_population_rule_bands_and_criteria(phrase, widest, bands, criteria):
    rule = population_rule(phrase)
    assert rule.range == widest
    assert list(rule.bands) == bands
    assert list(rule.criteria) == criteria
    # What the parser gives, the record holds as it is (its vocabulary, its widest band).
    from guichet.programmes.records import clean_record
    from tests.conftest import programme_data

    record = clean_record(programme_data(population_min=widest[0], population_max=widest[1],
                                         population_bands=list(rule.bands), criteria=list(rule.criteria)))
    assert (record["population_min"], record["population_max"]) == widest
    assert record["population_bands"] == bands


def test_a_normalised_record_stores_the_bands_and_criteria_of_its_text():
    from scrapers.base import finish_record
    from tests.conftest import programme_data

    record = finish_record(programme_data(description_html=f"<p>{DETR}</p>", population_max=20000))
    assert record["criteria"] == ["potentiel-financier"]
    assert record["population_bands"][1] == band(2001, 20000, "potentiel-financier")
    # The source read another range from its own fields: its reading stands, no bands added.
    other = finish_record(programme_data(description_html=f"<p>{DETR}</p>", population_max=5000))
    assert (other["population_bands"], other["criteria"], other["population_max"]) == ([], [], 5000)
    # What the source set itself is kept.
    own = finish_record(programme_data(description_html=f"<p>{DETR}</p>", population_max=20000,
                                       criteria=["effort-fiscal"]))
    assert (own["population_bands"], own["criteria"]) == ([], ["effort-fiscal"])
    # A text whose figure only modulates a rate stores nothing.
    plain = finish_record(programme_data(description_html="<p>Taux de 40 % ou 50 % selon le potentiel financier."
                                                          "</p>"))
    assert (plain["population_bands"], plain["criteria"]) == ([], [])
