"""The search parameters declared once (guichet/search/params.py): what the parser, the URLs,
saved searches and the backends' facets derive from them. Pure functions: no backend here."""

from dataclasses import fields
from datetime import date

import pytest

from guichet.programmes import vocabulary
from guichet.search.base import FACET_FIELDS
from guichet.search.params import FACET_LABELS, PAGE_PARAMS, PARAMS, SAVED_PARAMS, VOCABULARY_FILTERS
from guichet.search.query import InvalidQuery, SearchQuery, parse_search

TODAY = date(2026, 12, 1)


def test_urls_and_saved_searches_keep_their_parameters_in_their_order():
    # The order is part of every saved search's canonical spelling: it never changes.
    assert PAGE_PARAMS == ("q", "theme", "commune", "population", "level", "aid_type", "call_for_projects", "beneficiary", "region",
                           "department", "funder", "rate_at_least", "amount_at_least", "status", "deadline_before",
                           "aid_programme", "sort", "page")
    assert tuple(param.name for param in SAVED_PARAMS) == (
        "q", "theme", "commune", "population", "level", "aid_type", "call_for_projects", "beneficiary", "region", "department",
        "funder", "rate_at_least", "amount_at_least", "status", "deadline_before", "aid_programme")


def test_every_parameter_fills_a_field_of_the_query():
    query_fields = {item.name for item in fields(SearchQuery)}
    for param in PARAMS:
        assert param.field is None or param.field in query_fields, param.name
        assert param.label and param.help and param.schema, param.name
    assert FACET_FIELDS == tuple(FACET_LABELS)
    assert [param.name for param in VOCABULARY_FILTERS] == ["theme", "level", "aid_type", "call_for_projects", "beneficiary", "status"]


@pytest.mark.parametrize("param", VOCABULARY_FILTERS, ids=lambda param: param.name)
def test_a_vocabulary_filter_takes_its_values_and_refuses_others(param):
    values = list(param.vocabulary)[:2]
    query = parse_search({param.name: values}, today=TODAY)
    assert getattr(query, param.field) == frozenset(values)
    with pytest.raises(InvalidQuery) as raised:
        parse_search({param.name: [values[0], "pas-une-valeur"]}, today=TODAY)
    assert raised.value.parameter == param.name
    assert raised.value.message == param.vocabulary.unknown("pas-une-valeur")


def test_unknown_values_read_in_agreed_french():
    messages = {}
    for name in ("theme", "level", "aid_type", "beneficiary", "status"):
        with pytest.raises(InvalidQuery) as raised:
            parse_search({name: "lune"}, today=TODAY)
        messages[name] = raised.value.message
    assert messages == {"theme": "Thème inconnu : « lune ».", "level": "Échelon inconnu : « lune ».",
                        "aid_type": "Type d’aide inconnu : « lune ».", "beneficiary": "Bénéficiaire inconnu : « lune ».",
                        "status": "Statut inconnu : « lune »."}


def test_the_default_statuses_are_the_vocabularys():
    assert parse_search({}, today=TODAY).statuses == vocabulary.DEFAULT_STATUSES
    assert parse_search({"status": "clos"}, today=TODAY).statuses == {"clos"}
    assert parse_search({"beneficiary": "recherche"}, today=TODAY).beneficiaries == {"recherche"}


def test_aid_programme_names_are_written_as_the_record_check_writes_them():
    query = parse_search({"aid_programme": ["  Fonds vert -  Édition 2024 ", "", "Petites villes de demain"]},
                         today=TODAY)
    assert query.aid_programmes == frozenset({"Fonds vert - Édition 2024", "Petites villes de demain"})
    assert query.aid_programme_keys == frozenset({"fonds-vert-edition-2024", "petites-villes-de-demain"})
    with pytest.raises(InvalidQuery) as raised:
        parse_search({"aid_programme": [f"Programme {number}" for number in range(21)]}, today=TODAY)
    assert raised.value.parameter == "aid_programme" and "20 programmes au plus" in raised.value.message
