"""Région Occitanie — aids and calls for projects (a JSON feed of the region's site).

Export: ``https://data.laregion.fr/explore/dataset/aides-et-appels-a-projets-de-la-region-occitanie/download/?format=json``
— one JSON array, the whole catalogue (no paging). Each aid: ``id_article`` (the SPIP
article: the stable id), ``titre``, ``url`` (its page on laregion.fr, at times relative),
``chapo`` and ``introduction`` (HTML: the description, the conditions, amounts and calendar
as the region writes them), ``thematiques`` and ``sous_thematiques`` (comma-separated),
``aides_appels_a_projets`` (« Appels à projets », « Aides », « Budgets participatifs »),
``date_publication``, ``date_modification``. There is **no closing date field**: deadlines are
read from the text. Rows wrapped as OpenDataSoft records (``{fields: {...}}``) are read too.

Evidence: MTES-MCT/aides-territoires-symfony, ``src/Command/ImportFlux/ImportFluxOccitanieCommand.php``
(the field names, « Appels à projets », the comma-separated themes) and MTES-MCT/aides-territoires,
``src/dataproviders/management/commands/import_occitanie.py`` (the dataset, the types).
"""

from __future__ import annotations

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, absolute

SITE_URL = "https://www.laregion.fr"
DATASET = "aides-et-appels-a-projets-de-la-region-occitanie"
EXPORT_URL = f"https://data.laregion.fr/explore/dataset/{DATASET}/download/"
APPLY_WORDS = ("deposer", "candidater", "plateforme", "portail des aides")
# Their themes onto ours where the words alone would not say it.
THEMES = {
    "amenagement du territoire": "urbanisme-logement",
    "environnement climat": "environnement", "environnement": "environnement",
    "eau": "eau-assainissement",
    "culture": "culture-patrimoine-sport/culture", "art de la scene": "culture-patrimoine-sport/culture",
    "sport": "culture-patrimoine-sport/sport",
    "economie et vie des entreprises": "developpement-economique", "economie": "developpement-economique",
    "transport et mobilite": "mobilite", "transports": "mobilite",
    "transformation numerique": "numerique", "numerique": "numerique",
    "sante": "solidarites-sante-education/sante", "tourisme": "tourisme", "economie touristique": "tourisme",
    "energie": "energie-climat", "biodiversite": "environnement/biodiversite", "logement": "urbanisme-logement/logement",
}
CALLS = "appels a projets"


class Occitanie(Source):
    slug = "occitanie"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = "MTES-MCT/aides-territoires-symfony, src/Command/ImportFlux/ImportFluxOccitanieCommand.php"
    name = "Région Occitanie"
    level = "regional"
    url = "https://www.laregion.fr/Aides-et-appels-a-projets"
    schedule = {"hour": 4, "minute": 55}
    funders = ("Région Occitanie",)
    regions = ("76",)

    def first_request(self) -> Request:
        return Request(EXPORT_URL, params={"format": "json"})

    def parse_list(self, response: Fetched) -> ListPage:
        try:
            body = response.json()
        except ValueError as error:  # HTML where JSON was expected (a maintenance page ...)
            raise ParseError(f"Occitanie : {error}") from None
        if not isinstance(body, list):
            raise ParseError("Occitanie : le flux n’est pas une liste d’aides")
        return ListPage([item.get("fields") if isinstance(item, dict) and isinstance(item.get("fields"), dict)
                         else item for item in body])

    def entry(self, item) -> Entry:
        if not isinstance(item, dict):
            raise ValueError("aide illisible : un objet JSON était attendu")
        source_id = item.get("id_article")
        if source_id in (None, ""):
            raise ValueError("aide sans « id_article »")
        if not item.get("url"):
            raise ValueError(f"{source_id} : aide sans lien vers sa page")
        return Entry(str(source_id), absolute(SITE_URL, str(item["url"])), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        title = " ".join(norm.plain_text(raw.get("titre")).split())
        if not title:
            raise ValueError("aide sans « titre »")
        chapo, introduction = (_html(raw, name) for name in ("chapo", "introduction"))
        text = norm.plain_text(f"{chapo}\n{introduction}")
        opens_on, deadlines = norm.dates_from_text(text)
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(text)
        labels = [part.strip() for name in ("thematiques", "sous_thematiques")
                  for part in str(raw.get(name) or "").split(",") if part.strip()]
        themes = [THEMES.get(norm.key(label)) for label in labels]
        is_call = norm.key(str(raw.get("aides_appels_a_projets") or "")) == CALLS or norm.is_call_for_projects(title)
        description = pages.fragment_html([pages.html_fragment(chapo), pages.html_fragment(introduction)], entry.url)
        record.update({
            "source_url": entry.url,
            "title": title,
            "summary": norm.summary(chapo or introduction),
            "description_html": description,
            "regions": list(self.regions),
            "beneficiaries": norm.beneficiaries_from_text(text),
            "population_min": low,
            "population_max": high,
            "themes": norm.dedupe([*norm.themes_from_text(title, norm.plain_text(chapo)),
                                   *(part for theme in themes if theme for part in (theme.split("/")[0], theme))]),
            "aid_types": norm.aid_types_from_text(text),
            "is_call_for_projects": is_call,
            "opens_on": opens_on or (norm.parse_date(raw.get("date_publication")) if is_call else None),
            "deadlines": deadlines,
            "recurrence": norm.recurrence_from_text(text, deadlines),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": norm.amount_max_from_text(text),
            "contact": _contact(text),
            "application_url": pages.link_by_words(pages.html_fragment(introduction), entry.url, APPLY_WORDS)
            or entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("date_modification") or raw.get("date_publication")),
        })
        return record


def _html(raw, name) -> str:
    value = raw.get(name)
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise ValueError(f"champ « {name} » : du texte était attendu, pas {type(value).__name__}")
    return value


def _contact(text: str) -> str | None:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        lowered = line.lower()
        if lowered.startswith("contact"):
            rest = line.split(":", 1)[-1].strip() if ":" in line else ""
            return rest or (lines[index + 1].strip() if index + 1 < len(lines) else None)
    return None
