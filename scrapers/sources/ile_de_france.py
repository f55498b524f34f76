"""Région Île-de-France — the guide of regional aids (JSON API of mesdemarches.iledefrance.fr).

Request: ``GET https://mesdemarches.iledefrance.fr/guide-des-aides/api/public/tenants/cridfprd/aides?top=2500``:
every aid in one response (a bare list). Each aid ``{reference, title, statut, date, tags[{title}],
entete, objectif, publicsBeneficiaire[{title}], publicsBeneficiairePrecision, modalite, demarches,
notes, contact, competences[{title}], dateOuvertureCampagne, dateFinCampagne, dateDebutFuturCampagne,
referenceAdministrative, libelle, AAP}``.

Evidence: the region's payloads in Aides-territoires' importer tests, and
MTES-MCT/aides-territoires-symfony, ``src/Command/ImportFlux/ImportFluxIleDeFranceCommand.php``:
the administrative reference is ``referenceAdministrative`` (shown; our id stays
``reference``, as in MTES-MCT/aides-territoires, ``src/dataproviders/management/commands/import_ile_de_france.py``), the name ``libelle`` (else ``title``), ``AAP == "1"``
marks a call for projects, and the public page is
``https://www.iledefrance.fr/aides-et-appels-a-projets/<slug of the name>`` (apostrophes and
« à » dropped, dates « 2024-2025 » written « 20242025 », then slugged).
"""

from __future__ import annotations

import html
import re
import unicodedata

from scrapers import normalise as norm
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request

LIST_URL = "https://mesdemarches.iledefrance.fr/guide-des-aides/api/public/tenants/cridfprd/aides"
AID_PAGE = "https://www.iledefrance.fr/aides-et-appels-a-projets/{}"

# Their "compétences" onto our themes (keyword rules cover the rest).
THEMES = {
    "sport": "culture-patrimoine-sport/sport", "culture": "culture-patrimoine-sport/culture",
    "patrimoine": "culture-patrimoine-sport/patrimoine", "citoyennete": "solidarites-sante-education/solidarite",
    "jeunesse": "solidarites-sante-education/jeunesse", "sante": "solidarites-sante-education/sante",
    "handicap": "solidarites-sante-education/solidarite", "lycees": "solidarites-sante-education/ecoles",
    "transports": "mobilite", "environnement": "environnement", "energie": "energie-climat",
    "amenagement du territoire": "urbanisme-logement", "logement": "urbanisme-logement/logement",
    "tourisme": "tourisme", "agriculture": "environnement/alimentation", "ruralite": "revitalisation-commerce",
    "developpement economique": "developpement-economique", "emploi et formation": "developpement-economique/emploi",
    "numerique": "numerique", "securite": "solidarites-sante-education/solidarite",
}
# Their audience labels that our generic table does not know.
AUDIENCES = {"collectivites institutions": ["commune", "epci", "departement"], "collectivites": ["commune", "epci"],
             "communes": ["commune"], "intercommunalites": ["epci"], "etablissements publics": ["etablissement_public"],
             "bailleurs sociaux": ["bailleur_social"], "professionnels": ["entreprise"]}
# Filler left in fields by their migration: not content.
PLACEHOLDERS = ("a definir apres reprise", "a definr apres reprise", "champ non publie")


class IleDeFrance(Source):
    slug = "ile-de-france"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = "MTES-MCT/aides-territoires, src/dataproviders/data/ile_de_france_api_fields_mapping.csv et les données de test de son importeur"
    regions = ('11',)
    name = "Région Île-de-France — guide des aides"
    level = "regional"
    url = "https://www.iledefrance.fr/aides-et-appels-a-projets"
    schedule = {"hour": 3, "minute": 45}
    funders = ("Région Île-de-France",)

    def first_request(self) -> Request:
        return Request(LIST_URL, params={"top": 2500})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, list):
            raise ParseError("réponse de la Région Île-de-France qui n’est pas une liste")
        return ListPage(body)

    def entry(self, item) -> Entry:
        if not isinstance(item, dict):
            raise ValueError("aide illisible : un objet JSON était attendu")
        # ``reference`` stays the id (stored programmes keep theirs); the administrative
        # reference is shown to people.
        source_id = item.get("reference")
        if not source_id or not _name(item):
            raise ValueError("aide sans référence ou sans titre")
        return Entry(str(source_id), AID_PAGE.format(page_slug(_name(item))), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        fields = {name: _content(raw.get(name)) for name in
                  ("entete", "objectif", "publicsBeneficiairePrecision", "modalite", "demarches", "notes")}
        description = "".join(f"<h2>{heading}</h2><p>{fields[name]}</p>" for name, heading in (
            ("objectif", "Objectif"), ("publicsBeneficiairePrecision", "Bénéficiaires"),
            ("modalite", "Modalités"), ("demarches", "Démarches"), ("notes", "Notes")) if fields[name])
        facts = [f"<li>{label} : {html.escape(norm.plain_text(str(raw[name])))}</li>" for name, label in (
            ("referenceAdministrative", "Référence administrative"), ("deliberationCadre", "Délibération cadre"))
            if raw.get(name)]
        engagements = [item.get("title") for item in raw.get("engagementsAssocies") or [] if isinstance(item, dict)]
        if engagements:
            facts.append(f"<li>Engagements demandés : {html.escape(' ; '.join(filter(None, engagements)))}</li>")
        if facts:
            description += "<h2>En bref</h2><ul>" + "".join(facts) + "</ul>"
        eligibility = f"{fields['publicsBeneficiairePrecision']}\n{fields['modalite']}"
        labels = [item.get("title", "") for item in raw.get("publicsBeneficiaire") or []]
        audiences = norm.beneficiaries(labels) + [value for label in labels for value in AUDIENCES.get(norm._key(label), [])]
        competences = [item.get("title", "") for item in (raw.get("competences") or []) + (raw.get("tags") or [])]
        themes = norm.dedupe(THEMES.get(norm._key(name)) for name in competences)
        opens_on, closes_on = norm.parse_date(raw.get("dateOuvertureCampagne")), norm.parse_date(raw.get("dateFinCampagne"))
        low, high = norm.population_range(eligibility)
        rate_min, rate_max = norm.rate_range(fields["modalite"])
        text = norm.plain_text(f"{fields['entete']} {fields['objectif']}")
        record.update({
            "source_url": entry.url,
            "title": _name(raw),
            "summary": norm.summary(fields["entete"] or fields["objectif"]),
            "description_html": norm.sanitise_html(description),
            "regions": ["11"],
            "beneficiaries": norm.dedupe(audiences),
            "population_min": low,
            "population_max": high,
            "themes": _with_parents(themes + norm.themes_from_text(_name(raw), text)),
            "aid_types": ["subvention"],
            "is_call_for_projects": str(raw.get("AAP")) in ("1", "True", "true") if raw.get("AAP") is not None
            else "appel a projets" in norm._key(_name(raw) + " " + fields["entete"]),
            "opens_on": opens_on,
            "deadlines": [closes_on] if closes_on else [],
            # A next campaign announced → recurring; a closing date → one-off; else ongoing.
            "recurrence": "recurrente" if raw.get("dateDebutFuturCampagne") else (
                "ponctuelle" if closes_on else "permanente"),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "contact": norm.plain_text(_content(raw.get("contact"))) or None,
            "application_url": "https://mesdemarches.iledefrance.fr/",
            "source_updated_at": norm.parse_datetime(raw.get("date")),
        })
        return record


def _name(item) -> str:
    return " ".join(norm.plain_text(item.get("libelle") or item.get("title") or "").split())


def page_slug(name: str) -> str:
    """The slug of an aid's page at iledefrance.fr, as the region builds it from the name."""
    name = re.sub(r"(\d{2,4})[-.](\d{2})[-.](\d{2,4})", r"\1\2\3", name)
    name = name.replace("'", "").replace("’", "").replace("à", "")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _content(value) -> str:
    value = (value or "").strip()
    return "" if norm._key(norm.plain_text(value)) in PLACEHOLDERS else value


def _with_parents(themes):
    from guichet.programmes.themes import expand

    return norm.dedupe(expand(themes))
