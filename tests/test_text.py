"""guichet.text: the one folding, words, keys, slugs and terms every feature uses."""

import pytest

from guichet.text import fold, match_key, slugify, stem, terms, words


def test_fold_drops_case_accents_and_ligatures_and_plains_apostrophes():
    assert fold("L’Éclairage du Cœur") == "l'eclairage du coeur"
    assert fold("ÆSOPE Straße") == "aesope strasse"


def test_words_are_the_folded_runs_of_letters_and_digits():
    assert words("Appel à projets 2027 : « Vélo-routes » !") == ["appel", "a", "projets", "2027", "velo", "routes"]


@pytest.mark.parametrize("text, expected, with_apostrophes", [
    ("  Saint-Amand   MONTROND ", "saint amand montrond", "saint amand montrond"),
    ("Conseil régional d’Île-de-France", "conseil regional d ile de france", "conseil regional d'ile de france"),
    ("« — »", "", ""),
])
def test_match_key_joins_words_and_keeps_apostrophes_only_when_asked(text, expected, with_apostrophes):
    assert match_key(text) == expected
    assert match_key(text, apostrophes=True) == with_apostrophes


def test_slugify_makes_an_address_part_and_respects_the_length():
    assert slugify("Fonds « Cœur de ville » 2027 !") == "fonds-coeur-de-ville-2027"
    assert slugify("—") == ""
    assert slugify("a " * 100, max_length=9) == "a-a-a-a-a"
    assert not slugify("abc " * 40, max_length=8).endswith("-")


def test_terms_drop_stop_words_and_stem_plurals_so_vélos_meet_vélo():
    assert terms("L'éclairage des vélos") == ["eclairag", "velo"]
    assert terms("vélo") == terms("Vélos")
    assert stem("travaux") == "traval"
    assert stem("2027") == "2027"
