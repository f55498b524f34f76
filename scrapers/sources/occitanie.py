"""Région Occitanie — aids and calls for projects (OpenDataSoft JSON export, then each aid's page).

Export: ``https://data.laregion.fr/explore/dataset/aides-et-appels-a-projets-de-la-region-occitanie/download/?format=json``
— one JSON array of ``{datasetid, recordid, fields{...}, record_timestamp}``, the whole dataset
(an export has no paging). Fields: ``id_aide`` (the Region's own reference: the stable id;
``recordid`` is a hash that changes when the dataset is republished), ``titre``, ``type``
("Appel à projets" / "Dispositif"), ``thematique``, ``public_cible`` (";"-separated),
``resume``, ``date_de_publication``, ``date_de_cloture`` (absent for standing schemes),
``lien`` (the page on laregion.fr, sometimes relative).
Detail: the SPIP page, title ``article h1``, text ``div.article__texte`` (eligibility, amounts,
calendar are only there), optional ``div.article__chapo`` and ``aside.article__contact``.
"""

from __future__ import annotations

from guichet.text import fold
from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, absolute

SITE_URL = "https://www.laregion.fr"
DATASET = "aides-et-appels-a-projets-de-la-region-occitanie"
EXPORT_URL = f"https://data.laregion.fr/explore/dataset/{DATASET}/download/"

SELECTORS = pages.Selectors("Occitanie", {
    "title": "article h1",
    "chapo": "article div.article__chapo",
    "body": "article div.article__texte",
    "contact": "article aside.article__contact",
})
APPLY_WORDS = ("deposer", "candidater", "plateforme", "portail des aides")
# Their themes onto ours where the words alone would not say it.
THEMES = {
    "amenagement du territoire": "urbanisme-logement",
    "environnement": "environnement",
    "culture": "culture-patrimoine-sport/culture",
    "sport": "culture-patrimoine-sport/sport",
    "economie": "developpement-economique",
    "transports": "mobilite",
    "numerique": "numerique",
    "sante": "solidarites-sante-education/sante",
    "tourisme": "tourisme",
    "energie": "energie-climat",
}


class Occitanie(Source):
    slug = "occitanie"
    verified = "none"
    verified_by = "le jeu de données réel n’a pas les champs que ce module lit"
    name = "Région Occitanie"
    level = "regional"
    url = "https://www.laregion.fr/Aides-et-appels-a-projets"
    schedule = {"hour": 4, "minute": 55}
    has_details = True
    funders = ("Région Occitanie",)
    regions = ("76",)

    def first_request(self) -> Request:
        return Request(EXPORT_URL, params={"format": "json"})

    def parse_list(self, response: Fetched) -> ListPage:
        body = response.json()
        if not isinstance(body, list):
            raise ParseError("Occitanie : l'export OpenDataSoft n'est pas une liste d'enregistrements")
        if body and not any(isinstance(item, dict) and isinstance(item.get("fields"), dict) for item in body):
            raise ParseError("Occitanie : enregistrements sans « fields » (format de l'export changé)")
        return ListPage(body)

    def entry(self, item) -> Entry:
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(fields, dict):
            raise ValueError("enregistrement sans « fields »")
        source_id = fields.get("id_aide") or item.get("recordid")
        if not source_id:
            raise ValueError("enregistrement sans identifiant")
        if not fields.get("lien"):
            raise ValueError(f"{source_id} : enregistrement sans lien vers sa page")
        return Entry(str(source_id), absolute(SITE_URL, fields["lien"]), item)

    def parse(self, entry: Entry) -> dict:
        document = pages.html_document(entry.document)
        url = entry.url
        title = SELECTORS.text(document, "title", required=True, url=url)
        body = SELECTORS.one(document, "body", url=url)
        chapo = SELECTORS.one(document, "chapo", required=False)
        contact = SELECTORS.one(document, "contact", required=False)
        if contact is not None and contact.h2:
            contact.h2.decompose()
        return {
            "fields": entry.payload["fields"],
            "record_timestamp": entry.payload.get("record_timestamp"),
            "title": title,
            "chapo": pages.text_of(chapo),
            "text": pages.text_of(body),
            "description_html": pages.fragment_html([chapo, body], url),
            "application_url": pages.link_by_words(body, url, APPLY_WORDS),
            "contact": pages.text_of(contact) or None,
        }

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        fields, text = raw["fields"], raw["text"]
        summary_text = fields.get("resume") or raw["chapo"] or text
        opens_on, deadlines = pages.dates_from_text(text)
        closing = norm.parse_date(fields.get("date_de_cloture"))
        if closing:
            deadlines = sorted({closing, *deadlines})
        audiences = [part.strip() for part in str(fields.get("public_cible") or "").split(";") if part.strip()]
        low, high = norm.population_range("\n".join([raw["chapo"], text]))
        rate_min, rate_max = norm.rate_range(text)
        theme = THEMES.get(fold(str(fields.get("thematique") or "")))
        record.update({
            "source_url": entry.url,
            "title": raw["title"] or fields.get("titre"),
            "summary": norm.summary(summary_text),
            "description_html": raw["description_html"],
            "regions": list(self.regions),
            "beneficiaries": norm.beneficiaries(audiences) or pages.beneficiaries_from_text(text),
            "population_min": low,
            "population_max": high,
            "themes": norm.dedupe([*norm.themes_from_text(raw["title"], summary_text),
                                   *([theme.split("/")[0], theme] if theme else [])]),
            "aid_types": pages.aid_types_from_text(text),
            "is_call_for_projects": fold(str(fields.get("type") or "")).startswith("appel")
            or pages.is_call_for_projects(raw["title"]),
            "opens_on": opens_on,
            "deadlines": deadlines,
            "recurrence": pages.recurrence_from_text(text, deadlines),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": pages.amount_max_from_text(text),
            "contact": raw["contact"] or _mail(text),
            "application_url": raw["application_url"] or entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("record_timestamp")),
        })
        if record["opens_on"] is None and record["is_call_for_projects"]:
            record["opens_on"] = norm.parse_date(fields.get("date_de_publication"))
        return record


def _mail(text: str) -> str | None:
    for line in text.splitlines():
        if line.lower().startswith("contact"):
            return line.split(":", 1)[-1].strip() or None
    return None
