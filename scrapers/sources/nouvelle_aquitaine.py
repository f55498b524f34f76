"""Région Nouvelle-Aquitaine — the guide of aids (a JSON feed of every published aid sheet).

Feed: one JSON array, no paging. Each sheet: ``Nom``, ``Lien`` (its page on
les-aides.nouvelle-aquitaine.fr, at times relative), ``Date de début``, ``Date de fin``,
``Resumé``, ``Objectifs``, ``Montant`` (HTML: the description), ``Bénéficiaires``, ``Comment
faire ma demande``, ``Critère de sélection`` (HTML: eligibility and how to apply),
``Thématiques`` and ``Profils`` (comma-separated labels), ``Fonds européens``. The sheet's
address is its only identifier: its last path segment is our id.

Evidence: MTES-MCT/aides-territoires-symfony, ``src/Command/ImportFlux/ImportFluxNouvelleAquitaineCommand.php``
(the field names, ``Lien`` as the unique id, the ``Profils`` labels below, one-off when dated);
the feed's address itself is configured in Aides-territoires' database and not public: ours
(``FEED_URL``) is to be confirmed with the Region. The former RSS feed and its detail-page
selectors (``div.mod-content``) appear in no public code and are no longer read.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, absolute

BASE_URL = "https://les-aides.nouvelle-aquitaine.fr"
FEED_URL = f"{BASE_URL}/fiches.json"
APPLY_WORDS = ("deposer", "deposez", "candidater", "portail des aides", "demande en ligne")
DESCRIPTION_FIELDS = (("Resumé", None), ("Objectifs", None), ("Montant", None))
ELIGIBILITY_FIELDS = (("Bénéficiaires", "Bénéficiaires"), ("Critère de sélection", "Critères de sélection"),
                      ("Comment faire ma demande", "Comment faire ma demande"))
# ``Profils`` labels → ours (the Symfony importer's mapping).
PROFILES = {
    "agriculteur": ["agriculteur"], "association": ["association"],
    "collectivite territoriale": ["commune", "epci", "departement", "region"], "entreprise": ["entreprise"],
    "etablissement public": ["etablissement_public"], "incubateur pepiniere et tiers lieu": ["association"],
    "laboratoire de recherche": ["recherche"], "organisation professionnelle": ["entreprise"],
    "universite enseignement superieur recherche": ["etablissement_public"],
    **{label: ["particulier"] for label in ("apprenti", "collegien", "demandeur d'emploi", "etudiant", "jeune actif",
                                            "lyceen", "particulier", "salarie")},
}
THEMES = {
    "politique contractuelle": "urbanisme-logement", "politique de la ville": "urbanisme-logement",
    "foncier": "urbanisme-logement/friches", "logement": "urbanisme-logement/logement",
    "tiers lieux": "revitalisation-commerce/tiers-lieux", "transports": "mobilite", "sport": "culture-patrimoine-sport/sport",
    "equipements culturels": "culture-patrimoine-sport/culture", "patrimoine et inventaire": "culture-patrimoine-sport/patrimoine",
    "biodiversite": "environnement/biodiversite", "environnement": "environnement", "climat": "energie-climat",
    "dechets": "environnement/dechets", "economie circulaire": "environnement/dechets",
    "economies d'energie": "energie-climat/renovation-energetique",
    "energies renouvelables": "energie-climat/energies-renouvelables", "numerique": "numerique",
    "tourisme": "tourisme", "emploi": "developpement-economique/emploi", "sante": "solidarites-sante-education/sante",
}


class NouvelleAquitaine(Source):
    slug = "nouvelle-aquitaine"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = ("MTES-MCT/aides-territoires-symfony, src/Command/ImportFlux/ImportFluxNouvelleAquitaineCommand.php "
                   "(noms des champs ; l’adresse du flux reste à confirmer)")
    name = "Région Nouvelle-Aquitaine"
    level = "regional"
    url = "https://les-aides.nouvelle-aquitaine.fr/"
    schedule = {"hour": 4, "minute": 35}
    funders = ("Région Nouvelle-Aquitaine",)
    regions = ("75",)

    def first_request(self) -> Request:
        return Request(FEED_URL, headers={"Accept": "application/json"})

    def parse_list(self, response: Fetched) -> ListPage:
        try:
            body = response.json()
        except ValueError as error:  # HTML where JSON was expected (a maintenance page ...)
            raise ParseError(f"Nouvelle-Aquitaine : {error}") from None
        if not isinstance(body, list):
            raise ParseError("Nouvelle-Aquitaine : le flux n’est pas une liste de fiches")
        return ListPage(body)

    def entry(self, item) -> Entry:
        if not isinstance(item, dict):
            raise ValueError("fiche illisible : un objet JSON était attendu")
        link = str(item.get("Lien") or "").strip()
        if not link:
            raise ValueError("fiche sans « Lien »")
        url = absolute(BASE_URL + "/", link)
        source_id = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        if not source_id:
            raise ValueError(f"fiche au lien illisible : {link}")
        return Entry(source_id, url, item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        title = " ".join(norm.plain_text(raw.get("Nom")).split())
        if not title:
            raise ValueError("fiche sans « Nom »")
        description = "".join(_html(raw, name) for name, _heading in DESCRIPTION_FIELDS)
        eligibility = "".join(f"<h2>{heading}</h2>{_html(raw, name)}" for name, heading in ELIGIBILITY_FIELDS
                              if norm.plain_text(_html(raw, name)))
        text = norm.plain_text(f"{description}\n{eligibility}")
        opens_on, deadline = norm.parse_date(raw.get("Date de début")), norm.parse_date(raw.get("Date de fin"))
        profiles = _labels(raw, "Profils")
        audiences = [value for label in profiles for value in PROFILES.get(norm.key(label), [])]
        themes = [THEMES.get(norm.key(label)) for label in _labels(raw, "Thématiques")]
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(_html(raw, "Montant"))
        how_to = pages.html_fragment(_html(raw, "Comment faire ma demande"))
        facts = [f"Fonds européens : {norm.plain_text(str(raw['Fonds européens']))}"] if norm.key(
            str(raw.get("Fonds européens") or "")) not in ("", "non", "false", "0") else []
        record.update({
            "source_url": entry.url,
            "title": title,
            "summary": norm.summary(_html(raw, "Resumé") or description),
            "description_html": pages.fragment_html(
                [pages.html_fragment(description + eligibility + "".join(f"<p>{fact}</p>" for fact in facts))],
                entry.url),
            "regions": list(self.regions),
            "beneficiaries": norm.dedupe(audiences) or norm.beneficiaries_from_text(_html(raw, "Bénéficiaires")),
            "population_min": low,
            "population_max": high,
            "themes": norm.dedupe([*norm.themes_from_text(title, norm.plain_text(_html(raw, "Resumé"))),
                                   *(part for theme in themes if theme for part in (theme.split("/")[0], theme))]),
            "aid_types": norm.aid_types_from_text(text),
            "is_call_for_projects": norm.is_call_for_projects(title),
            "opens_on": opens_on,
            "deadlines": [deadline] if deadline else [],
            # Dated: one-off; otherwise a standing scheme (the importer says « récurrente »; no
            # date and no cycle stated reads as permanent for people).
            "recurrence": "ponctuelle" if opens_on or deadline else "permanente",
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": norm.amount_max_from_text(norm.plain_text(_html(raw, "Montant"))),
            "contact": _contact(how_to),
            "application_url": pages.link_by_words(how_to, entry.url, APPLY_WORDS)
            or pages.link_by_words(pages.html_fragment(description), entry.url, APPLY_WORDS) or entry.url,
        })
        return record


def _html(raw, name) -> str:
    value = raw.get(name)
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError(f"champ « {name} » : du texte était attendu, pas {type(value).__name__}")
    return value if "<" in value else f"<p>{value}</p>"


def _labels(raw, name) -> list[str]:
    value = raw.get(name)
    values = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip() for item in values if str(item).strip()]


def _contact(how_to) -> str | None:
    text = pages.text_of(how_to)
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.lower().startswith("contact"):
            rest = line.split(":", 1)[-1].strip()
            return rest or "\n".join(lines[index + 1:]).strip() or None
    return None
