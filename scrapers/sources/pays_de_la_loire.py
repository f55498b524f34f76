"""Région Pays de la Loire — the regional reference of aids (OpenDataSoft records, JSON).

Dataset ``234400034_referentiel-aides-paysdelaloirefr`` on data.paysdelaloire.fr (234400034 is
the Region's SIREN), read through the OpenDataSoft search API v1, as the public importers do:
``GET /api/records/1.0/search/?dataset=<dataset>&rows=100&start=0`` →
``{nhits, parameters, records[{datasetid, recordid, fields{...}, record_timestamp}]}``; pages
by ``start`` until ``nhits`` records were read.
Fields: ``intervention_id`` (the stable id), ``aide_nom``, ``aid_objet`` and
``aid_operations_ei`` (HTML: the description), ``aidconditions`` (HTML: eligibility),
``aid_benef`` and ``type_de_subvention`` (labels separated by « ; »), ``type_aide`` (« Appel à
projets », « Appel à manifestations d'intérêt » ...), ``temporalite`` (« Permanent » /
« Temporaire »), ``date_de_debut`` / ``date_de_fin``, ``thematique_libelle`` /
``ss_thematique_libelle``, ``source_info`` (the aid's page), ``source_lien`` (where to apply),
``direction`` / ``service`` / ``pole`` / ``contact_prenom`` / ``contact_nom`` /
``contact_email`` / ``tel`` / ``informations_contact``, ``montantintervmini`` /
``montant_interv_max``.

Evidence: MTES-MCT/aides-territoires, ``src/dataproviders/management/commands/import_pays_de_la_loire.py``
(v1 API, ``nhits``, the field names, ``temporalite``, ``type_aide``) and
MTES-MCT/aides-territoires-symfony, ``src/Command/ImportFlux/ImportFluxPaysLoireCommand.php``
(``records[].fields``, the audience and aid-type labels below).
"""

from __future__ import annotations

import html
import re

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request

SITE_URL = "https://www.paysdelaloire.fr"
DATASET = "234400034_referentiel-aides-paysdelaloirefr"
SEARCH_URL = "https://data.paysdelaloire.fr/api/records/1.0/search/"
DATASET_PAGE = f"https://data.paysdelaloire.fr/explore/dataset/{DATASET}/information/"
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
# ``aid_benef`` labels (the Symfony importer's mapping).
AUDIENCES = {
    "collectivites institutions gip": ["commune", "epci", "departement", "etablissement_public"],
    "association": ["association"], "associations": ["association"],
    "entreprise": ["entreprise"], "entreprises": ["entreprise"],
    "etablissements esr organismes de recherche": ["recherche"],
    "lycees et centres de formation": ["etablissement_public"],
    "jeunes": ["particulier"], "particuliers": ["particulier"],
}
# ``type_de_subvention`` labels (same source).
AID_TYPES = {
    "aide": "subvention", "subvention": "subvention", "accompagnement": "ingenierie", "aide en nature": "autre",
    "appel a manifestations d'interet": "subvention", "appel a projets": "autre",
    "avance remboursable": "avance_remboursable", "garantie": "garantie", "pret": "pret", "pret d'honneur": "pret",
    "service": "autre",
}
CALLS = {"appel a projets", "appel a manifestations d'interet"}
RECURRENCES = {"permanent": "permanente", "temporaire": "ponctuelle"}
# Shown to people, the record having no field for them.
EXTRA_FIELDS = (("aid_objet_court", "En bref"), ("ss_thematique_libelle", "Sous-thématiques"),
                ("conditions_de_versement", "Conditions de versement"), ("type_procedure", "Procédure"))


class PaysDeLaLoire(Source):
    slug = "pays-de-la-loire"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = ("MTES-MCT/aides-territoires, src/dataproviders/management/commands/import_pays_de_la_loire.py ; "
                   "MTES-MCT/aides-territoires-symfony, src/Command/ImportFlux/ImportFluxPaysLoireCommand.php")
    name = "Région Pays de la Loire"
    level = "regional"
    url = "https://www.paysdelaloire.fr/les-aides"
    schedule = {"hour": 5, "minute": 15}
    funders = ("Région Pays de la Loire",)
    regions = ("52",)

    def first_request(self) -> Request:
        return Request(SEARCH_URL, params={"dataset": DATASET, "rows": PAGE_SIZE, "start": 0})

    def parse_list(self, response: Fetched) -> ListPage:
        try:
            body = response.json()
        except ValueError as error:  # HTML where JSON was expected (a maintenance page ...)
            raise ParseError(f"Pays de la Loire : {error}") from None
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            message = (body.get("error") or body.get("message")) if isinstance(body, dict) else None
            raise ParseError("Pays de la Loire : réponse OpenDataSoft sans « records »"
                             + (f" ({message})" if message else ""))
        records = body["records"]
        next_request = None
        request = response.request
        if records and request is not None and isinstance(body.get("nhits"), int):
            start = int((request.params or {}).get("start", 0))
            if start + len(records) < body["nhits"]:
                next_request = request.with_params(start=start + len(records))
        total = body.get("nhits")
        return ListPage(records, next_request, announced=total if isinstance(total, int) else None)

    def entry(self, item) -> Entry:
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(fields, dict):
            raise ValueError("enregistrement sans « fields »")
        source_id = fields.get("intervention_id")
        if source_id in (None, ""):
            raise ValueError("enregistrement sans « intervention_id »")
        page = norm.clean_url(fields.get("source_info")) or norm.clean_url(fields.get("source_lien")) or DATASET_PAGE
        return Entry(str(source_id), page, item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        fields = raw["fields"]
        title = " ".join(norm.plain_text(fields.get("aide_nom")).split())
        if not title:
            raise ValueError("aide sans « aide_nom »")
        purpose = "".join(_html(fields.get(name)) for name in ("aid_objet", "aid_operations_ei"))
        conditions = _html(fields.get("aidconditions"))
        facts = [f"<li>{label} : {html.escape(norm.plain_text(str(fields[name])).replace(';', ' ; '))}</li>"
                 for name, label in EXTRA_FIELDS if fields.get(name)]
        description = purpose + (f"<h2>Conditions</h2>{conditions}" if norm.plain_text(conditions) else "") + (
            "<h2>En bref</h2><ul>" + "".join(facts) + "</ul>" if facts else "")
        audiences = [AUDIENCES.get(norm.key(label)) or norm.beneficiaries([label]) for label in _labels(fields, "aid_benef")]
        kinds = [AID_TYPES.get(norm.key(label), "autre") for label in _labels(fields, "type_de_subvention")]
        # The rule is in the conditions; the purpose may speak of a company's town, not the applicant.
        low, high = norm.population_range(conditions or purpose)
        rate_min, rate_max = norm.rate_range(conditions)
        deadline = norm.parse_date(fields.get("date_de_fin"))
        themes = [THEMES.get(norm.key(name)) for name in _labels(fields, "thematique_libelle")]
        record.update({
            "source_url": entry.url,
            "title": title,
            "summary": norm.summary(purpose),
            "description_html": norm.sanitise_html(_absolute_links(description)),
            "regions": list(self.regions),
            "beneficiaries": norm.dedupe(value for values in audiences for value in values)
            or norm.beneficiaries_from_text(conditions),
            "population_min": low,
            "population_max": high,
            "themes": norm.dedupe([*norm.themes_from_text(title, norm.plain_text(purpose)),
                                   *(part for theme in themes if theme for part in (theme.split("/")[0], theme))]),
            "aid_types": norm.dedupe(kinds) or norm.aid_types_from_text(norm.plain_text(purpose)),
            "is_call_for_projects": norm.key(str(fields.get("type_aide") or "")) in CALLS
            or norm.is_call_for_projects(title),
            "opens_on": norm.parse_date(fields.get("date_de_debut")),
            "deadlines": [deadline] if deadline else [],
            "recurrence": RECURRENCES.get(norm.key(str(fields.get("temporalite") or "")))
            or ("ponctuelle" if deadline else "permanente"),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_min": norm.parse_amount(fields.get("montantintervmini")),
            "amount_max": norm.parse_amount(fields.get("montant_interv_max")),
            "contact": _contact(fields),
            "application_url": norm.clean_url(fields.get("source_lien")) or entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("record_timestamp")),
        })
        return record


def _html(value) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError(f"texte attendu, reçu {type(value).__name__}")
    return value if "<" in value else f"<p>{html.escape(value)}</p>"


def _labels(fields, name) -> list[str]:
    value = fields.get(name)
    if value in (None, ""):
        return []
    values = value if isinstance(value, list) else re.split(r"\s*;\s*", str(value))
    return [str(item).strip() for item in values if str(item).strip()]


def _contact(fields) -> str | None:
    person = " ".join(str(fields.get(name) or "").strip() for name in ("contact_prenom", "contact_nom")).strip()
    lines = [str(fields.get(name)).strip() for name in ("direction", "service", "pole") if fields.get(name)]
    lines += [value for value in (person, fields.get("contact_email"), fields.get("tel")) if value]
    if fields.get("informations_contact"):
        lines.append(norm.plain_text(str(fields["informations_contact"])))
    return "\n".join(str(line) for line in lines) or None


def _absolute_links(text: str) -> str:
    return re.sub(r'href="(/[^"]*)"', lambda match: f'href="{SITE_URL}{match.group(1)}"', text)
