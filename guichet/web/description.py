"""The French description of a search, one filter at a time, from the parameter declarations
(``guichet.search.params``): the search page's « filtres actifs » tags and the filters a
subscription's pages and emails list are the same words.
"""

from dataclasses import dataclass

from guichet.programmes.vocabulary import DEFAULT_STATUSES
from guichet.search.params import DEPARTMENTS, PARAMS, REGIONS, SearchParam
from guichet.search.query import SearchQuery
from guichet.web.formatting import date_fr, euros, number_fr


@dataclass(frozen=True)
class Filter:
    """One parameter of a search, in French.

    ``text`` is the whole filter (« Thème : Mobilité et transports, Tourisme »); ``values`` are
    (value in the URL, « Thème : Tourisme ») for the filters whose values are removed one by
    one, empty for those removed whole (text, commune, status ...).
    """

    name: str
    text: str
    values: tuple[tuple[str, str], ...] = ()


def _value_label(param: SearchParam, value: str) -> str:
    if param.name == "department":
        return f"{DEPARTMENTS.label(value)} ({value})"
    if param.name == "region":
        return REGIONS.label(value)
    if param.vocabulary is None:  # open values (aid programmes, funders): the value is its own label
        return value
    return param.vocabulary.label(value)


def _ordered(param: SearchParam, values) -> list[str]:
    known = list(param.vocabulary) if param.vocabulary is not None else sorted(values)
    return [value for value in known if value in values] + sorted(value for value in values if value not in known)


def describe(query: SearchQuery) -> list[Filter]:
    """The filters a person set, in the parameters' order; paging and sorting are no filters."""
    filters = []
    for param in PARAMS:
        if not param.saved or param.field is None:
            continue
        if param.name == "q":
            if query.text:
                filters.append(Filter("q", f"{param.label} : « {query.text} »"))
        elif param.name == "commune":
            if query.eligibility:
                filters.append(Filter("commune", f"{param.label} : {query.eligibility.commune_name} "
                                                 f"({query.eligibility.commune_code})"))
        elif param.name == "population":
            if query.population_label:
                filters.append(Filter("population", f"{param.label} : {query.population_label}"))
        elif param.name == "deadline_before":
            if query.deadline_before:
                filters.append(Filter("deadline_before", f"{param.label} {date_fr(query.deadline_before)}"))
        elif param.name == "rate_at_least":
            if query.rate_at_least is not None:
                filters.append(Filter("rate_at_least",
                                      f"{param.label} : {number_fr(query.rate_at_least)}\u202f% ou plus"))
        elif param.name == "amount_at_least":
            if query.amount_at_least is not None:
                filters.append(Filter("amount_at_least", f"{param.label} : {euros(query.amount_at_least)} ou plus"))
        elif param.name == "status":
            if query.statuses != DEFAULT_STATUSES:
                labels = ", ".join(param.vocabulary.label(value) for value in _ordered(param, query.statuses))
                filters.append(Filter("status", f"{param.label} : {labels}"))
        else:
            values = _ordered(param, getattr(query, param.field))
            if values:
                labels = [_value_label(param, value) for value in values]
                filters.append(Filter(param.name, f"{param.label} : {', '.join(labels)}",
                                      tuple((value, f"{param.label} : {label}") for value, label in zip(values, labels))))
    return filters


def describe_lines(query: SearchQuery) -> list[str]:
    """The filters of a search, one line each (subscription pages and emails)."""
    return [item.text for item in describe(query)] or ["Tous les programmes ouverts ou à venir"]
