"""Région Pays de la Loire — the regional reference of aids (OpenDataSoft records, JSON).

Dataset ``234400034_referentiel-aides-paysdelaloirefr`` on data.paysdelaloire.fr (234400034 is
the Region's SIREN), read through the Explore API v2.0:
``GET /api/explore/v2.0/catalog/datasets/<dataset>/records?limit=100&offset=0`` →
``{total_count, links[], records[{links, record{id, timestamp, size, fields{...}}}]}``.
Paging: follow ``links`` ``rel=next`` (the API caps ``limit`` at 100).
Fields: ``id_aid`` (the Region's reference: the stable id; ``record.id`` changes when the
dataset is republished), ``aid_nom``, ``aid_objet`` / ``aid_conditions`` / ``aid_montant``
(HTML), ``aid_benef`` (labels separated by "," or ";"), ``date_de_debut``, ``date_de_fin``
(ISO, null for standing schemes), ``thematique_libelle``, ``url_aide`` (the aid's page on
paysdelaloire.fr, sometimes relative).
"""

from __future__ import annotations

import re

from guichet.text import fold
from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, absolute

SITE_URL = "https://www.paysdelaloire.fr"
DATASET = "234400034_referentiel-aides-paysdelaloirefr"
RECORDS_URL = f"https://data.paysdelaloire.fr/api/explore/v2.0/catalog/datasets/{DATASET}/records"
PAGE_SIZE = 100
THEMES = {
    "amenagement du territoire": "urbanisme-logement",
    "transports et mobilites": "mobilite",
    "transition energetique": "energie-climat",
    "environnement": "environnement",
    "sport": "culture-patrimoine-sport/sport",
    "culture": "culture-patrimoine-sport/culture",
    "economie": "developpement-economique",
    "tourisme": "tourisme",
    "numerique": "numerique",
    "sante": "solidarites-sante-education/sante",
}


class PaysDeLaLoire(Source):
    slug = "pays-de-la-loire"
    verified = "none"
    verified_by = "les importeurs publics lisent l’API v1 OpenDataSoft avec d’autres champs"
    regions = ('52',)
    name = "Région Pays de la Loire"
    level = "regional"
    url = "https://www.paysdelaloire.fr/les-aides"
    schedule = {"hour": 5, "minute": 15}
    funders = ("Région Pays de la Loire",)
    regions = ("52",)

    def first_request(self) -> Request:
        return Request(RECORDS_URL, params={"limit": PAGE_SIZE, "offset": 0})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            message = body.get("message") if isinstance(body, dict) else None
            raise ParseError("Pays de la Loire : réponse OpenDataSoft sans « records »"
                             + (f" ({message})" if message else ""))
        next_url = next((link.get("href") for link in body.get("links") or []
                         if isinstance(link, dict) and link.get("rel") == "next"), None)
        return ListPage(body["records"], Request(absolute(RECORDS_URL, next_url)) if next_url else None)

    def entry(self, item) -> Entry:
        record = item.get("record") if isinstance(item, dict) else None
        fields = record.get("fields") if isinstance(record, dict) else None
        if not isinstance(fields, dict):
            raise ValueError("enregistrement sans « record.fields »")
        source_id = fields.get("id_aid") or record.get("id")
        if not source_id:
            raise ValueError("enregistrement sans identifiant")
        page = absolute(SITE_URL, fields["url_aide"]) if fields.get("url_aide") else None
        return Entry(str(source_id), page, record)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        fields = raw["fields"]
        title = " ".join(str(fields.get("aid_nom") or "").split())
        purpose, conditions, amount = (fields.get(name) or "" for name in ("aid_objet", "aid_conditions", "aid_montant"))
        description = purpose + (f"<h2>Conditions</h2>{conditions}" if norm.plain_text(conditions) else "") + (
            f"<h2>Montant</h2>{amount}" if norm.plain_text(amount) else "")
        audiences = [part.strip() for part in re.split(r"[;,]", str(fields.get("aid_benef") or "")) if part.strip()]
        # The rule is in the conditions; the purpose may speak of a company's town, not the applicant.
        low, high = norm.population_range(conditions or purpose)
        rate_min, rate_max = norm.rate_range(amount)
        deadline = norm.parse_date(fields.get("date_de_fin"))
        theme = THEMES.get(fold(str(fields.get("thematique_libelle") or "")))
        record.update({
            "source_url": entry.url,
            "title": title,
            "summary": norm.summary(purpose),
            "description_html": norm.sanitise_html(_absolute_links(description)),
            "regions": list(self.regions),
            "beneficiaries": norm.beneficiaries(audiences) or pages.beneficiaries_from_text(conditions),
            "population_min": low,
            "population_max": high,
            "themes": norm.dedupe([*norm.themes_from_text(title, norm.plain_text(purpose)),
                                   *([theme.split("/")[0], theme] if theme else [])]),
            "aid_types": pages.aid_types_from_text(norm.plain_text(amount)),
            "is_call_for_projects": pages.is_call_for_projects(title),
            "opens_on": norm.parse_date(fields.get("date_de_debut")),
            "deadlines": [deadline] if deadline else [],
            "recurrence": "ponctuelle" if deadline else "permanente",
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": pages.amount_max_from_text(norm.plain_text(amount)) or _single_amount(amount),
            "contact": None,
            "application_url": entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("timestamp")),
        })
        return record


def _absolute_links(html: str) -> str:
    return re.sub(r'href="(/[^"]*)"', lambda match: f'href="{SITE_URL}{match.group(1)}"', html)


def _single_amount(amount_html: str) -> float | None:
    """"Subvention de 5 000 à 7 500 €": the upper amount."""
    numbers = re.findall(r"(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)\s*(?:€|euros)", norm.plain_text(amount_html))
    values = [norm.parse_amount(number) for number in numbers]
    return max(values) if values else None
