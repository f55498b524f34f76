"""scrapers/normalise/population.py: a population figure is a condition of the programme only
when it restricts who may apply. Our own phrase set (an independent held-out set measures the
same thing): restrictions, ranges, labelled forms and symbols count; bonuses, higher rates,
amount tiers, priorities, quotas, examples and sub-item restrictions do not."""

import pytest

from scrapers.normalise import population_range

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
