"""Département de la Manche — the "guide des aides" of manche.fr (JSON ``{count, aides}``).

``GET https://www.manche.fr/wp-json/cd50/v1/aides-territoires?page=N`` → ``{count, aides[]}``:
``count`` is the catalogue's total, pages hold 10 aids; there is no ``next``, so pages are asked
until ``count`` aids were received or a page comes back empty.
Quirks: ``id`` is a string; ``name`` keeps WordPress HTML entities ("d&rsquo;un"); timestamps
may carry spaces ("2023-08-03T16: 08: 40.000Z"); ``description`` is often empty (the text is then
in ``eligibility``); ``aid_types`` holds the Département's programme names ("Contrat de
territoire Manche 2022-2028"), not kinds of aid; audiences mix singular and plural labels and
"Collectivité ou établissement public" names two audiences; ``contact`` is "name - service -
formulaire de contact : URL" with the phones apart in ``contact_phone``. The site's catalogue
also carries its editors' test sheets ("Test AB", lorem ipsum): they are passed on like any
record (the dry run shows every record the response holds) and stay pending for curators.
"""

from __future__ import annotations

import html
import re

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request

AIDS_URL = "https://www.manche.fr/wp-json/cd50/v1/aides-territoires"
DEPARTMENT = "50"
# Programme names in ``aid_types`` that are grant schemes of the Département.
_GRANT_PROGRAMMES = re.compile(r"contrat|fonds?\b|fond d|dotation|subvention", re.IGNORECASE)


class DepartementManche(Source):
    slug = "departement-manche"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = "les données de test de l’importeur Manche d’Aides-territoires (MTES-MCT/aides-territoires)"
    regions = ('28',)
    departments = ('50',)
    name = "Département de la Manche"
    level = "departmental"
    url = "https://www.manche.fr/guide-des-aides/"
    schedule = {"hour": 6, "minute": 35}
    funders = ("Département de la Manche",)

    def __init__(self, settings=None):
        super().__init__(settings)
        self.received = 0

    def first_request(self) -> Request:
        return Request(AIDS_URL, params={"page": 1})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("aides"), list):
            raise ParseError("Manche : réponse sans liste « aides » (format changé ?)")
        aids = body["aides"]
        self.received += len(aids)
        total = body.get("count")
        next_request = None
        if aids and isinstance(total, int) and self.received < total and response.request is not None:
            page = int((response.request.params or {}).get("page", 1))
            next_request = Request(AIDS_URL, params={"page": page + 1})
        return ListPage(aids, next_request, announced=total if isinstance(total, int) else None)

    def entry(self, item) -> Entry:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise ValueError("aide sans identifiant")
        if not item.get("name"):
            raise ValueError(f"aide {item.get('id')} sans nom")
        return Entry(str(item["id"]), norm.clean_url(item.get("origin_url")), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        description = raw.get("description") or ""
        eligibility = raw.get("eligibility") or ""
        title = " ".join(html.unescape(str(raw["name"])).split())
        text = norm.plain_text(f"{description}\n{eligibility}")
        low, high = norm.population_range(text)
        deadline = norm.parse_date(raw.get("submission_deadline"))
        categories = raw.get("categories") or []
        kinds = norm.aid_types([kind for kind in raw.get("aid_types") or [] if not _GRANT_PROGRAMMES.search(kind)])
        if any(_GRANT_PROGRAMMES.search(kind) for kind in raw.get("aid_types") or []):
            kinds = norm.dedupe(["subvention", *kinds])
        body_html = (f"<p>{html.escape(description)}</p>" if description and "<" not in description else description)
        # What the record has no field for is shown: the expenses covered. Their programmes (in
        # ``aid_types``) are the record's aid programmes.
        facts = [f"<li>{label} : {html.escape(' ; '.join(values))}</li>" for label, values in (
            ("Dépenses couvertes", [str(value) for value in raw.get("destinations") or []]),) if values]
        if facts:
            body_html += "<h2>En bref</h2><ul>" + "".join(facts) + "</ul>"
        record.update({
            "source_url": entry.url,
            "title": title,
            "summary": norm.summary(description or eligibility),
            "description_html": norm.sanitise_html(body_html + (
                f"<h2>Conditions d'éligibilité</h2><p>{html.escape(norm.plain_text(eligibility))}</p>"
                if norm.plain_text(eligibility) else "")),
            "departments": [DEPARTMENT],
            "beneficiaries": norm.beneficiaries(_audiences(raw.get("targeted_audiences"))),
            "population_min": low,
            "population_max": high,
            "themes": norm.dedupe([*norm.themes_from_categories(categories),
                                   *norm.themes_from_text(title, " ; ".join(categories))]),
            "aid_types": kinds,
            "aid_programmes": [str(value) for value in raw.get("aid_types") or []
                               if _GRANT_PROGRAMMES.search(str(value))],
            "is_call_for_projects": bool(raw.get("is_call_for_project")) or norm.is_call_for_projects(title),
            "opens_on": norm.parse_date(raw.get("start_date")),
            "deadlines": [deadline] if deadline else [],
            "recurrence": norm.recurrence(raw.get("recurrence")),
            "amount_max": norm.amount_max_from_text(text),
            "contact": _contact(raw),
            "application_url": norm.clean_url(raw.get("application_url")) or entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("date_updated") or raw.get("date_created")),
        })
        rate_min, rate_max = norm.rate_range(text)
        record["rate_min"], record["rate_max"] = rate_min, rate_max
        return record


def _audiences(values) -> list[str]:
    """"Collectivité ou établissement public" names two audiences."""
    found = []
    for value in values or []:
        found.extend(part.strip() for part in re.split(r"\s+ou\s+", str(value)) if part.strip())
    return found


def _contact(raw) -> str | None:
    parts = [html.unescape(str(raw.get(name))).strip() for name in ("contact", "contact_phone") if raw.get(name)]
    return "\n".join(parts) or None
