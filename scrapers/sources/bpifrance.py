"""Bpifrance — its calls for projects and competitions (HTML list, then each call's page),
keeping only those open to local authorities or public bodies.

List: ``https://www.bpifrance.fr/nos-appels-a-projets-concours``, a Drupal view of cards
``div.article-card.card-our-project``: kind ``span.rubrique`` (« Appels à projets »,
« Concours »), period ``span.card-date`` (« 17/04/2025 au 02/06/2026 »), title link
``.desc h3 a``, one-line description ``.desc p``. Cards name no audience: a card whose
title and description name companies only (start-up, PME, ETI ...) and no public body is
skipped at the list (its page is never fetched); the others are read. A card may carry the
application link (``div.bottom-block a.see-more``, « Candidater »). Pages from 0 (``?page=1``
second page) through the pager ``ul.pager__items`` (``a[href="?page=N"]``); its
``li.pager__item--last`` link names the last page: a listing that stops before it is incomplete.
Id: the last segment of the call's address (Drupal alias; Bpifrance prints no node id).
Detail: the text is the element of class ``body-content`` (older layout: ``div.aap-body``), the
title the page's ``h1``; a call page with neither is that record's parse error. Dates are the card's.

Evidence for the detail page and the pager: github.com/La-Forge/bpi-to-rss,
``scrappers/BpifranceScrapper.py`` and ``scrappers/WebScrapper.py`` (each call's full text read
from ``class="body-content"``, the cards ``.article-card``, ``.desc-block .desc h3 a``,
``.rubrique.rubrique-project``, ``.card-date``), and its real list response
``tests/bpi_data.html`` (pager ``ul.pager__items`` with ``li.pager__item--last``, card
``div.bottom-block a.see-more``), read, not copied.

Evidence for the list: public scrapers of the Bpifrance listing found with the search tool
(« Real structure (verified 2026-04): Cards div.article-card.card-our-project, Title h3 a,
Date span.card-date "DD/MM/YYYY au DD/MM/YYYY", Desc div.desc p, Category span.rubrique,
Pager li.pager__item a »), and MTES-MCT/aides-territoires,
``src/dataproviders/management/commands/import_bpi.py``.
"""

from __future__ import annotations

import re

from guichet.text import fold
from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, Source
from scrapers.http import Fetched, Request, absolute

BASE_URL = "https://www.bpifrance.fr"
LIST_URL = f"{BASE_URL}/nos-appels-a-projets-concours"

SELECTORS = pages.Selectors("Bpifrance", {
    # list
    "card": "div.article-card.card-our-project",
    "card_type": "span.rubrique",
    "card_link": ".desc h3 a[href]",
    "card_dates": "span.card-date",
    "card_desc": ".desc p",
    "card_apply": "div.bottom-block a.see-more[href]",
    "pager_links": "ul.pager__items a[href], li.pager__item a[href]",
    "pager_last": "li.pager__item--last a[href]",
    # detail
    "title": "h1",
    "dates": ".aap-header__dates",
    "body": ".body-content, div.aap-body",
})
# Targets that make a call relevant here (folded, lower case).
PUBLIC_TARGETS = re.compile(r"collectivit|commune|epci|intercommunal|acteurs? publics?|etablissements? publics?|"
                            r"organismes? publics?|secteur public|departement|region")
COMPANY_TARGETS = re.compile(r"\bstart-?ups?\b|\bpme\b|\beti\b|\btpe\b|entreprises?|industriel")
APPLY_WORDS = ("plateforme", "deposer", "candidater", "extranet")


class Bpifrance(Source):
    slug = "bpifrance"
    verified = "importer"
    verified_on = "2026-12-01"
    verified_by = ("la liste et la pagination d’après une réponse réelle publiée par La-Forge/bpi-to-rss "
                   "(tests/bpi_data.html) et le code public de ce scraper ; la page de chaque appel d’après le même "
                   "code (texte dans « body-content »), sans page réelle d’appel pour le vérifier")
    name = "Bpifrance — appels à projets et concours"
    level = "national"
    url = LIST_URL
    schedule = {"hour": 5, "minute": 55}
    has_details = True
    funders = ("Bpifrance",)

    def first_request(self) -> Request:
        return Request(LIST_URL)

    def parse_list(self, response: Fetched) -> ListPage:
        document = pages.html_document(response)
        items = []
        for card in SELECTORS.all(document, "card", url=response.url):
            link = SELECTORS.one(card, "card_link", url=response.url)
            apply = SELECTORS.one(card, "card_apply", required=False)
            items.append({
                "apply_url": absolute(response.url, apply["href"]) if apply is not None else None,
                "url": absolute(response.url, link["href"]),
                "title": pages.text_of(link),
                "kind": SELECTORS.text(card, "card_type"),
                "dates": SELECTORS.text(card, "card_dates"),
                "description": SELECTORS.text(card, "card_desc"),
            })
        current = self._current_page(response)
        last = self._last_page(document)
        if last is not None:
            self.expected_last = max(last, getattr(self, "expected_last", 0) or 0)
        expected = getattr(self, "expected_last", None)
        next_request = self._next_page(document, current)
        # The pager named a last page: the listing is whole only once it is reached. No pager
        # ever seen: a single page, whole.
        last_page = current >= expected if expected is not None else (True if next_request is None else None)
        return ListPage(items, next_request, last_page=last_page)

    @staticmethod
    def _last_page(document) -> int | None:
        link = SELECTORS.one(document, "pager_last", required=False)
        found = re.search(r"page=(\d+)", link["href"]) if link is not None else None
        return int(found.group(1)) if found else None

    @staticmethod
    def _current_page(response: Fetched) -> int:
        current = 0
        request = response.request
        if request is not None and (request.params or {}).get("page") is not None:
            current = int(request.params["page"])
        elif "page=" in response.url:
            current = int(re.search(r"page=(\d+)", response.url).group(1))
        return current

    def _next_page(self, document, current: int) -> Request | None:
        """The pager's link to the page after this one (Drupal counts from 0)."""
        for link in SELECTORS.all(document, "pager_links", required=False):
            found = re.search(r"page=(\d+)", link["href"])
            if found and int(found.group(1)) == current + 1:
                return Request(LIST_URL, params={"page": current + 1})
        return None

    def entry(self, item) -> Entry | None:
        if not isinstance(item, dict) or not item.get("url"):
            raise ValueError("carte sans lien vers son appel")
        words = fold(f"{item.get('title') or ''} {item.get('description') or ''}")
        if COMPANY_TARGETS.search(words) and not PUBLIC_TARGETS.search(words):
            return None  # for companies only: not for this service
        return Entry(pages.last_path_segment(item["url"]), item["url"], item)

    def parse(self, entry: Entry) -> dict:
        document = pages.html_document(entry.document)
        url = entry.url
        title = SELECTORS.text(document, "title", required=True, url=url)
        body = SELECTORS.one(document, "body", url=url)
        return {
            "title": title,
            "dates": SELECTORS.text(document, "dates"),
            "text": pages.text_of(body),
            "summary": pages.paragraphs_summary(body),
            "description_html": pages.fragment_html(body, url),
            "application_url": pages.link_by_words(body, url, APPLY_WORDS) or (entry.payload or {}).get("apply_url"),
            "card": entry.payload,
        }

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        card, text = raw.get("card") or {}, raw["text"]
        dates_text = "\n".join([f"Du {card['dates']}" if card.get("dates") else "", *re.split(r"\s{2,}|(?=Clôture)", raw["dates"] or ""), text])
        opens_on, deadlines = norm.dates_from_text(dates_text)
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(text)
        found = norm.beneficiaries_from_text(f"{card.get('description') or ''}\n{text}")
        funders = list(self.funders)
        # Calls run for the State (France 2030, "pour le compte de l'État") are the State's money.
        if re.search(r"france 2030|pour le compte de l['’][ée]tat", text, re.IGNORECASE):
            funders.append("État")
        record.update({
            "source_url": entry.url,
            "title": raw["title"],
            "summary": raw["summary"],
            "description_html": raw["description_html"],
            "funders": funders,
            "beneficiaries": found or ["commune"],
            "population_min": low,
            "population_max": high,
            "themes": norm.themes_from_text(raw["title"], raw["summary"]),
            "aid_types": norm.aid_types_from_text(text),
            "is_call_for_projects": True,  # calls for projects and competitions only
            "opens_on": opens_on,
            "deadlines": deadlines,
            "recurrence": "ponctuelle",
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": norm.amount_max_from_text(text),
            "application_url": raw["application_url"] or entry.url,
        })
        return record
