"""Département de la Drôme — the "espace collectivités" catalogue of engineering and aids for
local authorities (JSON shaped like the older Aides-territoires export).

``GET https://collectivites.ladrome.fr/wp-json/aides-territoires/v1/aides/?page=N`` →
``{count, next, previous, results[]}``; follow ``next`` (null on the last page). ``count`` is the
catalogue's total, not the length of ``results``: a page may hold fewer (never compare them).
Fields are Aides-territoires' older names with labels, not codes: ``name``, ``short_title``
(often suffixed "| espace collectivités"), ``description`` (HTML, sections announced by
upper-case words and ``<br>``), ``eligibility``, ``origin_url``, ``application_url``,
``targeted_audiences`` ("Communes", "Intercommunalités / Pays", "Établissements publics
(écoles, bibliothèques…) / Services de l'État" ...), ``aid_types`` ("Ingénierie technique",
"Subvention"), ``recurrence`` ("Permanente"), ``perimeter`` ("Drôme"), ``financers`` (one
string), ``categories`` (labels), ``contact`` (HTML), ``submission_deadline`` / ``start_date``
(ISO or null), ``subvention_rate`` (a number as text, or null), ``is_call_for_project``.
"""

from __future__ import annotations

import html
import re

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, absolute

SITE_URL = "https://collectivites.ladrome.fr"
AIDS_URL = f"{SITE_URL}/wp-json/aides-territoires/v1/aides/"
DEPARTMENT = "26"


class DepartementDrome(Source):
    slug = "departement-drome"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = "les données de test de l’importeur Drôme d’Aides-territoires (MTES-MCT/aides-territoires)"
    regions = ('84',)
    departments = ('26',)
    name = "Département de la Drôme"
    level = "departmental"
    url = "https://collectivites.ladrome.fr/"
    schedule = {"hour": 6, "minute": 15}
    funders = ("Département de la Drôme",)

    def first_request(self) -> Request:
        return Request(AIDS_URL, params={"page": 1})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise ParseError("Drôme : réponse sans liste « results » (format changé ?)")
        next_url = body.get("next")
        return ListPage(body["results"], Request(absolute(AIDS_URL, next_url)) if next_url else None)

    def entry(self, item) -> Entry:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise ValueError("aide sans identifiant")
        if not (item.get("name") or item.get("short_title")):
            raise ValueError(f"aide {item.get('id')} sans nom")
        return Entry(str(item["id"]), norm.clean_url(item.get("origin_url")), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        description = _headings(raw.get("description") or "")
        eligibility = raw.get("eligibility") or ""
        title = html.unescape(" ".join(str(raw.get("name") or raw.get("short_title")).split()))
        text = norm.plain_text(f"{description}\n{eligibility}")
        perimeter = raw.get("perimeter")
        regions, departments = norm.places([perimeter] if isinstance(perimeter, str) else perimeter or [])
        low, high = norm.population_range(text)
        deadline = norm.parse_date(raw.get("submission_deadline"))
        rate = _number(raw.get("subvention_rate"))
        funders = raw.get("financers")
        funders = [funders] if isinstance(funders, str) else funders or []
        categories = raw.get("categories") or []
        record.update({
            "source_url": entry.url,
            "title": title,
            "summary": norm.summary(_HEADING.sub(" ", description)),
            "description_html": norm.sanitise_html(_absolute_links(description) + (
                f"<h2>Éligibilité</h2>{eligibility}" if norm.plain_text(eligibility) else "")),
            "funders": norm.dedupe(norm.normalise_funder(name) for name in funders) or list(self.funders),
            # A catalogue of the département: restricted to it even when the perimeter is missing.
            "regions": [],
            "departments": departments or ([DEPARTMENT] if not regions else []),
            "beneficiaries": norm.beneficiaries(raw.get("targeted_audiences")),
            "population_min": low,
            "population_max": high,
            "themes": norm.themes_from_categories(categories) or norm.themes_from_text(
                title, norm.summary(_HEADING.sub(" ", description))),
            "aid_types": norm.aid_types(raw.get("aid_types")),
            "is_call_for_projects": bool(raw.get("is_call_for_project")) or norm.is_call_for_projects(title),
            "opens_on": norm.parse_date(raw.get("start_date")),
            "deadlines": [deadline] if deadline else [],
            "recurrence": norm.recurrence(raw.get("recurrence")),
            "rate_min": None,
            "rate_max": rate if rate is not None else norm.rate_range(raw.get("subvention_comment"))[1],
            "amount_max": norm.amount_max_from_text(text),
            "contact": norm.plain_text(raw.get("contact")) or None,
            "application_url": norm.clean_url(raw.get("application_url")) or entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("date_updated")),
        })
        return record


# Sections are announced by an upper-case line ended by <br> ("OPÉRATIONS CONCERNÉES<br>").
_UPPER_LINE = re.compile(r"(?:^|(?<=<br>)|(?<=\n))\s*([A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒ0-9][A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒ0-9 '’,/()-]{5,})\s*<br\s*/?>")
_HEADING = re.compile(r"<h3>.*?</h3>", re.DOTALL)


def _headings(description: str) -> str:
    return _UPPER_LINE.sub(lambda match: f"<h3>{match.group(1).strip().capitalize()}</h3>", description)


def _number(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).replace(",", ".").strip(" %"))
    except ValueError:
        return None
    return number if 0 < number <= 100 else None


def _absolute_links(description: str) -> str:
    """Links of the catalogue are sometimes relative to its site."""
    return re.sub(r'href="(/[^"]*)"', lambda match: f'href="{SITE_URL}{match.group(1)}"', description)
