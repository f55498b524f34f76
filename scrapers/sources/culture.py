"""Ministère de la Culture — online procedures: calls for projects, grants, declarations (JSON).

Request: ``GET https://www.culture.gouv.fr/api/online-procedures?page=N`` (pages from 1; an
empty list ends the paging). Response: a bare list of procedures ``{id, creationDate,
modificationDate, url, title, deadline ("15 avril 2022"), type[], eztag_theme[],
eztag_region[], public ("Associations, Entreprises privées"), amount (free text), contact,
link{link, text}, summary (HTML), body (HTML)}``.

Evidence: the ministry's payloads in Aides-territoires' importer tests, and
MTES-MCT/aides-territoires-symfony, ``src/Command/ImportFlux/ImportFluxMinistereCultureCommand.php``
(``public`` may be a string or a list; the audience labels below) and
MTES-MCT/aides-territoires, ``src/dataproviders/data/ministere_de_la_culture_audiences_mapping.csv``.
A procedure tagged with one region (« Mayotte ») is a call of that region's DAC (direction
régionale des affaires culturelles): a regional programme.
"""

from __future__ import annotations

import re

from scrapers import normalise as norm
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, replace_query

LIST_URL = "https://www.culture.gouv.fr/api/online-procedures"

# Their themes onto ours; the rest falls to culture in general.
THEMES = {
    "patrimoine": "culture-patrimoine-sport/patrimoine", "monuments historiques": "culture-patrimoine-sport/patrimoine",
    "archeologie": "culture-patrimoine-sport/patrimoine", "architecture": "culture-patrimoine-sport/patrimoine",
    "musees": "culture-patrimoine-sport/culture", "livre et lecture": "culture-patrimoine-sport/culture",
    "education artistique et culturelle": "solidarites-sante-education/ecoles",
    "developpement durable": "environnement", "numerique": "numerique",
    "emploi travail formation professions culturelles": "developpement-economique/emploi",
    "enseignement superieur": "solidarites-sante-education/ecoles",
}


# Their audience labels (folded) → ours; labels our general table already reads are not repeated.
AUDIENCES = {
    "professionnels de la culture": ["entreprise", "association"],
    "collectivites": ["commune", "epci", "departement", "region"],
    "operateurs de travaux": ["commune", "epci", "departement", "region", "etablissement_public"],
    "amenageurs": ["entreprise"], "laboratoires de recherche": ["recherche"], "organismes de recherche": ["recherche"],
    "etudiants ou en recherche d'emploi": ["particulier"], "syndicats mixtes": ["epci"],
    "etablissements publics services de l'etat": ["etablissement_public"],
    "etablissements publics services de l'etat bibliotheques": ["etablissement_public"],
    "entreprises publiques locales": ["etablissement_public"],
    "ecoles d'enseignement superieur culture": ["etablissement_public"],
}


def audiences(public) -> list[str]:
    labels = public if isinstance(public, list) else re.split(r"\s*,\s*", str(public or ""))
    found = []
    for label in labels:
        key = norm.key(str(label))
        if not key:
            continue
        found += AUDIENCES.get(key) or norm.beneficiaries([label])
    return norm.dedupe(found)


class Culture(Source):
    slug = "culture"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = "MTES-MCT/aides-territoires, src/dataproviders/data/ministere_de_la_culture_audiences_mapping.csv et les données de test de son importeur"
    name = "Ministère de la Culture — démarches en ligne"
    level = "national"
    url = "https://www.culture.gouv.fr/Demarches-en-ligne"
    schedule = {"hour": 3, "minute": 15}
    funders = ("Ministère de la Culture",)

    def first_request(self) -> Request:
        return Request(LIST_URL, params={"page": 1})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if isinstance(body, dict):  # some deployments wrap the list
            body = body.get("results", body.get("items"))
        if not isinstance(body, list):
            raise ParseError("réponse du ministère de la Culture qui n’est pas une liste")
        next_request = None
        if body and response.request is not None:
            page = int((response.request.params or {}).get("page", 1))
            next_request = response.request.with_params(page=page + 1)
        return ListPage(body, next_request)

    def entry(self, item) -> Entry:
        if not item.get("id") or not item.get("title"):
            raise ValueError("démarche sans identifiant ou sans titre")
        return Entry(str(item["id"]), norm.clean_url(item.get("url")), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        summary_html, body_html = raw.get("summary") or "", raw.get("body") or ""
        text = norm.plain_text(f"{summary_html}\n{body_html}")
        regions, departments = norm.places(raw.get("eztag_region") or [])  # "- France entière -" → nowhere in particular
        themes = norm.dedupe(THEMES.get(norm._key(theme)) for theme in raw.get("eztag_theme") or [])
        themes = norm.dedupe(["culture-patrimoine-sport/culture"] + themes
                             + norm.themes_from_text(raw["title"], norm.plain_text(summary_html)))
        deadline = norm.parse_date(raw.get("deadline"))
        amount_min, amount_max = _amounts(raw.get("amount"))
        low, high = norm.population_range(text)
        link = raw.get("link") or {}
        record.update({
            "source_url": entry.url,
            "title": " ".join(norm.plain_text(raw["title"]).split()),
            "summary": norm.summary(summary_html),
            "description_html": norm.sanitise_html(summary_html + body_html),
            # One region named: a regional DAC's call, not a national one.
            "level": "regional" if regions or departments else "national",
            "regions": regions,
            "departments": departments,
            # ``public``: one comma-separated string of their labels (or, in places, a list).
            "beneficiaries": audiences(raw.get("public")) or audiences(raw.get("eztag_cible")),
            "population_min": low,
            "population_max": high,
            "themes": _with_parents(themes),
            "aid_types": ["subvention"] if raw.get("amount") or "subvention" in text.lower() else ["autre"],
            "is_call_for_projects": any("appel" in norm._key(kind) for kind in raw.get("type") or []),
            "deadlines": [deadline] if deadline else [],
            "recurrence": "ponctuelle" if deadline else "permanente",
            "amount_min": amount_min,
            "amount_max": amount_max,
            "contact": norm.plain_text(raw.get("contact")) or None,
            "application_url": norm.clean_url(link.get("link") if isinstance(link, dict) else None) or entry.url,
            # Timestamps read "2022-07-28T11: 40: 47+02: 00" (spaces after the colons).
            "source_updated_at": norm.parse_datetime(raw.get("modificationDate") or raw.get("creationDate")),
        })
        return record


def _amounts(text) -> tuple[float | None, float | None]:
    """"Min. 3.000 € par projet" → minimum; "jusqu'à 20 000 €", "Max. ..." → maximum; an envelope
    "à répartir entre les bénéficiaires" is no per-project amount."""
    if not text or "répartir" in text:
        return None, None
    lowered = text.lower()
    amount = norm.parse_amount(text)
    if lowered.startswith("min"):
        return amount, None
    if lowered.startswith("max") or "jusqu" in lowered or "plafond" in lowered:
        return None, amount
    return None, None


def _with_parents(themes):
    from guichet.programmes.themes import expand

    return expand(themes)
