"""Région Grand Est — the regional guide of aids (HTML list, then each aid's page).

List: ``https://www.grandest.fr/aides/?beneficiaire=63`` (63 = collectivités), cards ``a.card``.
A card's header ``div.txt.new_txt span.new_type`` holds either a category ("Environnement") or
"Date limite de dépôt" with the date (dd/mm/yyyy) in its ``strong``.
Pagination: ``a[rel=next]`` points to ``/aides/page/N/?beneficiaire=63`` but the site only
honours the page when ``pg=N`` is repeated in the query (WordPress + a custom filter plugin).
Detail: title in ``meta[property="og:title"]`` (with the site's " - Région Grand Est" suffix),
body ``div.pf-content`` (the print plugin's wrapper, the only stable one), contact ``div.know``.
Id: the last path segment of the aid's URL (its WordPress slug; stable across edits).

What public evidence says (searched 2026-12-01), and why this module is still « non vérifié »:
- MTES-MCT/aides-territoires, ``src/dataproviders/management/commands/import_grand_est_api.py``
  (« 219 aids as of May 2021, 258 aids as of May 2023 ») and
  ``src/dataproviders/data/grand_est_api_fields_mapping.csv``: since 2021 the Region serves one
  JSON list (no pagination) behind HTTP basic auth (``GRAND_EST_API_USERNAME``/``PASSWORD``), at
  an address kept in that project's database (``DataSource.import_api_url``), not in its code.
  Items: ``ID``, ``post_title``, ``post_content`` (HTML), ``post_type`` (``ge_guide`` an aid,
  ``ge_projet`` a call for projects), ``post_date``, ``pro_fin`` (closing date, calls only),
  ``url``, ``gui_dematerialise_url``, ``gui_beneficiaire`` / ``gui_tax_competence`` (lists of
  ``{name}``), ``gui_texte_gris`` (contact), ``gui_nature_aide_financieres`` /
  ``pro_nature_aide_financieres``, ``gui_programme_aides``; audiences in
  ``grand_est_api_audiences_mapping.csv`` (« Collectivité territoriale », « Etablissement
  public » …). Rewriting this module to that API needs the address and credentials from the Region.
- Public scrapers (e.g. a Node « GrandEstConnector » reading ``https://www.grandest.fr/vos-aides-regionales/``)
  show that aid pages now live under ``/vos-aides-regionales/<slug>/``, and one registry notes
  that grandest.fr answers direct fetches with an anti-bot wall: the HTML selectors below date
  from the scraper retired in 2021 and nothing public confirms them today.
"""

from __future__ import annotations

from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, Source
from scrapers.http import Fetched, Request, absolute, replace_query

BASE_URL = "https://www.grandest.fr"
LIST_URL = f"{BASE_URL}/aides/"
COLLECTIVITES = "63"  # the list's "Vous êtes : Collectivité" filter

SELECTORS = pages.Selectors("Grand Est", {
    "card": "a.card",
    "card_type": "div.txt.new_txt span.new_type",
    "card_date": "div.txt.new_txt span.new_type strong",
    "card_title": "div.txt.new_txt h3, div.txt.new_txt h2",
    "next_page": "a[rel=next]",
    "title": 'meta[property="og:title"]',
    "body": "div.pf-content",
    "contact": "div.know",
    "modified": 'meta[property="article:modified_time"]',
    "canonical": 'link[rel="canonical"]',
})
TITLE_SUFFIX = " - Région Grand Est"
# Link texts of the application, most telling first.
APPLY_WORDS = ("deposer", "candidater", "demande en ligne", "plateforme", "portail des aides")


class GrandEst(Source):
    slug = "grand-est"
    verified = "none"
    # MTES-MCT/aides-territoires, src/dataproviders/management/commands/import_grand_est_api.py: since
    # 2021 the Region serves an API behind HTTP basic auth (a list of {ID, post_title, post_content,
    # gui_beneficiaire[{name}], gui_tax_competence[{name}], url, gui_dematerialise_url, post_type,
    # pro_fin ...}) whose address is not public; these HTML selectors are those of the scraper retired then.
    verified_by = ("aucune réponse réelle ni code public ne confirme ces sélecteurs HTML, qui datent d’un scraper "
                   "retiré en 2021 ; d’après le code public d’Aides-territoires (import_grand_est_api.py, 2021–2023), "
                   "la Région sert une API JSON à accès authentifié dont l’adresse n’est pas publique, et ses pages "
                   "d’aides sont désormais sous /vos-aides-regionales/ : à réécrire dès que la Région donne l’accès")
    name = "Région Grand Est"
    level = "regional"
    url = "https://www.grandest.fr/aides/"
    schedule = {"hour": 4, "minute": 15}
    has_details = True
    funders = ("Région Grand Est",)
    regions = ("44",)

    def first_request(self) -> Request:
        return Request(LIST_URL, params={"beneficiaire": COLLECTIVITES})

    def parse_list(self, response: Fetched) -> ListPage:
        document = pages.html_document(response)
        cards = SELECTORS.all(document, "card", url=response.url)
        items = []
        for card in cards:
            header = SELECTORS.one(card, "card_type", required=False)
            strong = SELECTORS.one(card, "card_date", required=False)
            items.append({
                "url": absolute(response.url, card.get("href")),
                "title": pages.text_of(SELECTORS.one(card, "card_title", required=False)),
                "deadline": norm.parse_date(pages.text_of(strong)) if strong else None,
                # The header is a category unless it announces the deadline.
                "category": None if strong else pages.text_of(header) or None,
            })
        link = SELECTORS.one(document, "next_page", required=False)
        return ListPage(items, self._next_request(absolute(response.url, link.get("href"))) if link else None)

    @staticmethod
    def _next_request(href: str) -> Request:
        # ".../aides/page/2/?beneficiaire=63": the page number is the second-last path segment.
        segments = [segment for segment in href.split("?")[0].split("/") if segment]
        numbers = [segment for segment in segments[-2:] if segment.isdigit()]
        return Request(replace_query(href, pg=numbers[-1]) if numbers else href)

    def entry(self, item) -> Entry:
        if not item.get("url"):
            raise ValueError("carte sans lien")
        return Entry(pages.last_path_segment(item["url"]), item["url"], item)

    def parse(self, entry: Entry) -> dict:
        document = pages.html_document(entry.document)
        url = entry.url
        title = SELECTORS.one(document, "title", url=url).get("content", "").strip()
        if not title:
            raise SELECTORS.missing("title", url)
        body = SELECTORS.one(document, "body", url=url)
        contact = SELECTORS.one(document, "contact", required=False)
        modified = SELECTORS.one(document, "modified", required=False)
        if contact is not None and contact.h2:
            contact.h2.decompose()  # the block's own "Contact" heading
        return {
            "title": title.removesuffix(TITLE_SUFFIX).strip(),
            "text": pages.text_of(body),
            "summary": pages.paragraphs_summary(body),
            "description_html": pages.fragment_html(body, url),
            "application_url": pages.link_by_words(body, url, APPLY_WORDS),
            "contact": pages.text_of(contact) or None,
            "modified": modified.get("content") if modified else None,
            "card": entry.payload,
        }

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        text, card = raw["text"], raw.get("card") or {}
        opens_on, deadlines = norm.dates_from_text(text)
        if card.get("deadline"):
            deadlines = sorted({card["deadline"], *deadlines})
        # The list was filtered on collectivités: they are always among the beneficiaries.
        found = norm.beneficiaries_from_text(pages.section_after(text, "Bénéficiaires") or text)
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(text)
        record.update({
            "source_url": entry.url,
            "title": raw["title"] or card.get("title"),
            "summary": raw["summary"],
            "description_html": raw["description_html"],
            "regions": list(self.regions),
            "beneficiaries": norm.dedupe(["commune", *found]),
            "population_min": low,
            "population_max": high,
            # Keyword rules read the title and the summary: the whole page names too many things.
            "themes": norm.themes_from_text(raw["title"], card.get("category"), raw["summary"]),
            "aid_types": norm.aid_types_from_text(pages.section_after(text, "Montant de l’aide") or text),
            "is_call_for_projects": norm.is_call_for_projects(raw["title"]),
            "opens_on": opens_on,
            "deadlines": deadlines,
            "recurrence": norm.recurrence_from_text(text, deadlines),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": norm.amount_max_from_text(text),
            "contact": raw["contact"],
            "application_url": raw["application_url"] or entry.url,
            "source_updated_at": norm.parse_datetime(raw.get("modified")),
        })
        return record

