"""Folding commune names: what people type and what the COG spells meet."""

import pytest

from guichet.communes.names import name_keys, query_keys, search_key, without_article
from guichet.text import match_key as fold


@pytest.mark.parametrize("typed, expected", [
    ("Lunéville", "luneville"),
    ("SAINT-AMAND-MONTROND", "saint amand montrond"),
    ("L'Abergement-Clémenciat", "l abergement clemenciat"),
    ("L’Île-Saint-Denis", "l ile saint denis"),
    ("Cœuvres-et-Valsery", "coeuvres et valsery"),
    ("  Beauvais   (60) ", "beauvais 60"),
])
def test_fold_drops_case_accents_ligatures_and_punctuation(typed, expected):
    assert fold(typed) == expected


@pytest.mark.parametrize("typed", ["St-Amand-Montrond", "st amand montrond", "Saint Amand Montrond",
                                   "ST AMAND-MONTROND"])
def test_saint_abbreviations_meet_the_official_spelling(typed):
    assert search_key(typed) == search_key("Saint-Amand-Montrond")


def test_sainte_abbreviation_but_not_inside_a_word():
    assert search_key("Ste-Geneviève-des-Bois") == "sainte genevieve des bois"
    assert search_key("Strasbourg") == "strasbourg"
    assert search_key("Steenvoorde") == "steenvoorde"


def test_article_variants_and_inner_words():
    assert without_article("le mans") == "mans"
    assert without_article("l abergement clemenciat") == "abergement clemenciat"
    assert without_article("lens") is None
    key, main, inner = name_keys("Saint-Amand-Montrond")
    assert key == "saint amand montrond"
    assert main == ["saint amand montrond"]
    assert inner == ["amand montrond", "montrond"]
    assert name_keys("Le Mans")[1] == ["le mans", "mans"]


def test_a_trailing_st_is_looked_up_both_ways():
    # « st » may be the start of « Strasbourg » as well as « Saint ».
    assert query_keys("st") == ["saint", "st"]
    assert query_keys("st amand") == ["saint amand"]
    assert query_keys("Nevers") == ["nevers"]
