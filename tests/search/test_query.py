"""guichet.search.query: user input parsed once, bad input stopped with a French message.

Pure functions: no app, no backend (the behaviour suite checks what each backend does with
the parsed query)."""

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from guichet.search.query import (DEFAULT_PER_PAGE, DEFAULT_STATUSES, MAX_TEXT_LENGTH, Eligibility, InvalidQuery,
                                  SearchQuery, parse_date, parse_population, parse_search, parse_text)

TODAY = date(2027, 3, 15)
BEAUVAIS = Eligibility("60057", "Beauvais", 56_000, "60", "32")


def invalid(args, **options) -> InvalidQuery:
    with pytest.raises(InvalidQuery) as raised:
        parse_search(args, today=TODAY, **options)
    return raised.value


def test_no_parameter_is_every_open_or_upcoming_programme_by_relevance():
    query = parse_search({}, today=TODAY)
    assert (query.text, query.clauses, query.statuses, query.sort, query.page, query.per_page) == (
        "", (), DEFAULT_STATUSES, "pertinence", 1, DEFAULT_PER_PAGE)
    assert query.today == TODAY and query.offset == 0 and not query.has_text and query.eligibility is None


def test_text_becomes_analysed_clauses_with_their_synonyms():
    clauses = parse_text("Les vélos de l'École")
    assert len(clauses) == 2
    assert ("velo",) in clauses[0].phrases and ("ecol",) in clauses[1].phrases
    query = parse_search({"q": "vélos"}, today=TODAY)
    assert query.has_text and "velo" in query.highlight_terms()


@pytest.mark.parametrize("text", ['"éclairage', "vélo*", "vélo AND école", "NOT vélo", "NEAR(vélo école)",
                                  "-vélo", "+vélo", "{titre}", "x" * (MAX_TEXT_LENGTH + 1)])
def test_query_syntax_and_overlong_text_are_refused_in_french(text):
    error = invalid({"q": text})
    assert error.parameter == "q"
    assert "pris en charge : saisissez simplement les mots recherchés" in error.message or (
        "trop longue : 500 caractères au plus" in error.message)


def test_repeatable_parameters_read_lists_and_multidicts_alike():
    args = MultiDict([("theme", "mobilite"), ("theme", "energie-climat"), ("level", "regional")])
    from_multidict = parse_search(args, today=TODAY)
    from_dict = parse_search({"theme": ["mobilite", "energie-climat"], "level": "regional"}, today=TODAY)
    assert from_multidict.themes == from_dict.themes == frozenset({"mobilite", "energie-climat"})
    assert from_multidict.levels == from_dict.levels == frozenset({"regional"})


@pytest.mark.parametrize("args, parameter, words", [
    ({"theme": "inconnu"}, "theme", "Thème inconnu"),
    ({"level": "mondial"}, "level", "Échelon inconnu"),
    ({"aid_type": "don"}, "aid_type", "Type d’aide inconnu"),
    ({"beneficiary": "martiens"}, "beneficiary", "Bénéficiaire inconnu"),
    ({"status": "fini"}, "status", "Statut inconnu"),
    ({"region": "ABC"}, "region", "Code de région inconnu"),
    ({"department": "999"}, "department", "Code de département inconnu"),
    ({"sort": "prix"}, "sort", "Tri inconnu : « prix »"),
    ({"page": "0"}, "page", "à partir de 1"),
    ({"per_page": "101"}, "per_page", "entre 1 et 100"),
    (MultiDict([("q", "vélo"), ("q", "école")]), "q", "ne peut être donné qu’une fois"),
])
def test_each_wrong_parameter_names_itself_in_french(args, parameter, words):
    error = invalid(args)
    assert error.parameter == parameter and words in error.message
    value = None if isinstance(args, MultiDict) else args.get(parameter)
    if parameter not in ("page", "per_page") and isinstance(value, str):
        assert f"« {value} »" in error.message  # the person sees what they typed


def test_departments_are_upper_cased_and_corsica_and_overseas_codes_pass():
    query = parse_search({"department": ["2a", "974", "60"]}, today=TODAY)
    assert query.departments == frozenset({"2A", "974", "60"})


def test_the_caller_sets_the_page_size_limit():
    assert parse_search({"per_page": "50"}, today=TODAY, max_per_page=50).per_page == 50
    assert "entre 1 et 50" in invalid({"per_page": "51"}, max_per_page=50).message


def test_population_is_a_band_or_an_exact_number_of_inhabitants():
    assert parse_population("moins-2000") == ((0, 1999), "Moins de 2 000 hab.")
    assert parse_population("12 500") == ((12_500, 12_500), "12\u202f500 hab.")
    assert parse_population(None) == (None, None)
    for wrong in ("-5", "beaucoup", "3000001"):
        with pytest.raises(InvalidQuery) as raised:
            parse_population(wrong)
        assert raised.value.parameter == "population" and "au plus 3 000 000" in raised.value.message


def test_deadline_is_an_iso_or_a_french_date():
    assert parse_date("2027-12-31", "deadline_before") == date(2027, 12, 31)
    assert parse_date("1/4/2027", "deadline_before") == date(2027, 4, 1)
    assert parse_date("", "deadline_before") is None
    for wrong in ("31/02/2027", "demain"):
        with pytest.raises(InvalidQuery) as raised:
            parse_date(wrong, "deadline_before")
        assert "JJ/MM/AAAA" in raised.value.message


def test_a_commune_is_resolved_by_the_callers_resolver():
    asked = []

    def resolver(code):
        asked.append(code)
        return BEAUVAIS if code == "60057" else None

    assert parse_search({"commune": "60057"}, today=TODAY, commune_resolver=resolver).eligibility == BEAUVAIS
    assert "Commune inconnue" in invalid({"commune": "60999"}, commune_resolver=resolver).message
    assert "Code INSEE de commune invalide" in invalid({"commune": "6005"}, commune_resolver=resolver).message
    assert asked == ["60057", "60999"]  # an ill-formed code is refused before any look-up
    assert "Commune inconnue" in invalid({"commune": "60057"}).message  # no resolver: no commune known


def test_a_query_is_immutable_and_changed_by_copy():
    query = parse_search({"page": "3", "per_page": "10"}, today=TODAY)
    assert query.offset == 20
    first_page = query.without(page=1)
    assert (first_page.page, query.page) == (1, 3) and isinstance(first_page, SearchQuery)
    with pytest.raises(AttributeError):
        query.page = 2
