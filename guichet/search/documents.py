"""From a programme of the store to the document a search backend indexes."""

import re
from datetime import date
from functools import lru_cache

import lxml.html
from lxml.etree import ParserError

from guichet import geo
from guichet.programmes import themes as theme_taxonomy
from guichet.programmes.aid_programmes import programme_key
from guichet.programmes.conditions import overseas_range
from guichet.search.analysis import language_parts, record_language


_TAG = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    if not html or not html.strip():
        return ""
    try:
        root = lxml.html.fromstring(html)
    except ParserError:
        return ""
    # Block elements end with a space so that words of two paragraphs never stick together.
    for element in root.iter():
        if element.tail is None and element.tag in ("p", "li", "br", "div", "h1", "h2", "h3", "h4", "td"):
            element.tail = " "
        elif element.tag in ("p", "li", "br", "div", "h1", "h2", "h3", "h4", "td"):
            element.tail = " " + element.tail
    return " ".join(root.text_content().split())


def text_language(programme) -> str:
    """The language of a programme's text: the source's word (``language``), else told from
    the text (guichet.search.analysis.detect_language), French when it cannot tell. Cheap
    enough for every result of a page: function words are counted, tags need no parsing."""
    if programme.language:
        return programme.language
    return _told_language(programme.title or "", programme.summary or "", (programme.description_html or "")[:4000])


@lru_cache(maxsize=1024)
def _told_language(title: str, summary: str, description_html: str) -> str:
    # Keyed by the text itself (a page shows the same programmes again and again; an edited
    # text is another key): telling the language is most of a result card's rendering time.
    return record_language(None, title, summary, _TAG.sub(" ", description_html))


def text_fields(title: str, summary: str, description: str, language: str) -> dict:
    """The text of each field for the French fields, and for the English ones (``*_en``).

    French records fill the French fields only; an English record's French sentences and
    labels stay in the French fields, the rest goes to the English ones.
    """
    fields = {}
    for name, text in (("title", title), ("summary", summary), ("description", description)):
        fields[name], fields[name + "_en"] = language_parts(text, language)
    return fields


def _highest(minimum, maximum) -> float | None:
    """The maximum, else the minimum (« à partir de 20 % »: at least that much can be had)."""
    return float(maximum) if maximum is not None else (float(minimum) if minimum is not None else None)


def programme_document(programme, today: date | None = None) -> dict:
    today = today or date.today()
    description = html_to_text(programme.description_html)
    language = text_language(programme)
    nationwide, available_regions, available_departments = geo.availability(
        programme.regions, programme.departments)
    deadlines = sorted(programme.deadlines or [])
    next_deadline = programme.next_deadline(today)
    bands = list(getattr(programme, "population_bands", None) or [])
    overseas_min, overseas_max = overseas_range(programme.population_min, programme.population_max, bands)
    return {
        "id": programme.id,
        "source": programme.source,
        "title": programme.title,
        "summary": programme.summary or "",
        "description": description,
        "language": language,
        "funders": list(programme.funders or []),
        "level": programme.level,
        "regions": list(programme.regions or []),
        "departments": list(programme.departments or []),
        "nationwide": nationwide,
        "available_regions": available_regions,
        "available_departments": available_departments,
        "beneficiaries": list(programme.beneficiaries or []),
        "population_min": programme.population_min,
        "population_max": programme.population_max,
        # An overseas commune is filtered by the overseas bands' widest range (DETR: 35 000).
        "population_overseas_min": overseas_min,
        "population_overseas_max": overseas_max,
        "population_bands": bands,
        "territories": list(programme.territories or []),
        "criteria": list(getattr(programme, "criteria", None) or []),
        "themes": theme_taxonomy.expand(programme.themes or []),
        "aid_programmes": list(programme.aid_programmes or []),
        # what the filter matches: one key per programme, whatever its spelling
        "aid_programme_keys": sorted({programme_key(name) for name in programme.aid_programmes or []}),
        "aid_types": list(programme.aid_types or []),
        "is_call_for_projects": bool(programme.is_call_for_projects),
        # the highest rate (%) and amount (EUR) the source states, None when it states none
        "max_rate": _highest(programme.rate_min, programme.rate_max),
        "max_amount": _highest(programme.amount_min, programme.amount_max),
        "opens_on": programme.opens_on.isoformat() if programme.opens_on else None,
        "deadlines": deadlines,
        "last_deadline": deadlines[-1] if deadlines else None,
        "next_deadline": next_deadline.isoformat() if next_deadline else None,
        "closed": programme.closed_at is not None,
        "recurrence": programme.recurrence,
        "first_seen_at": programme.first_seen_at.isoformat(timespec="seconds") if programme.first_seen_at else None,
        "published_at": programme.published_at.isoformat(timespec="seconds") if programme.published_at else None,
    }
