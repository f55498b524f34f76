"""From a programme of the store to the document a search backend indexes."""

from datetime import date

import lxml.html
from lxml.etree import ParserError

from guichet import geo
from guichet.programmes import themes as theme_taxonomy


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


def programme_document(programme, today: date | None = None) -> dict:
    today = today or date.today()
    nationwide, available_regions, available_departments = geo.availability(
        programme.regions, programme.departments)
    deadlines = sorted(programme.deadlines or [])
    next_deadline = programme.next_deadline(today)
    return {
        "id": programme.id,
        "source": programme.source,
        "title": programme.title,
        "summary": programme.summary or "",
        "description": html_to_text(programme.description_html),
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
        "territories": list(programme.territories or []),
        "themes": theme_taxonomy.expand(programme.themes or []),
        "aid_types": list(programme.aid_types or []),
        "is_call_for_projects": bool(programme.is_call_for_projects),
        "opens_on": programme.opens_on.isoformat() if programme.opens_on else None,
        "deadlines": deadlines,
        "last_deadline": deadlines[-1] if deadlines else None,
        "next_deadline": next_deadline.isoformat() if next_deadline else None,
        "closed": programme.closed_at is not None,
        "recurrence": programme.recurrence,
        "first_seen_at": programme.first_seen_at.isoformat(timespec="seconds") if programme.first_seen_at else None,
        "published_at": programme.published_at.isoformat(timespec="seconds") if programme.published_at else None,
    }
