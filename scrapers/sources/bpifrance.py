"""Bpifrance — its calls for projects and competitions (HTML list, then each call's page),
keeping only those open to local authorities or public bodies.

List: ``https://www.bpifrance.fr/nos-appels-a-projets-concours``, a Drupal view: each
``div.views-row`` holds an ``article.card-aap`` with its kind (``.card-aap__type``: "Appel à
projets" / "Concours"), title link (``.card-aap__title a``), period ("Du 15/09/2026 au
16/02/2027") and targets (``ul.card-aap__cibles li``: "Collectivités territoriales", "Start-up",
"PME" ...). Most calls are for companies: a card whose targets name no local authority nor
public body is skipped at the list (its page is never fetched). A card without targets is kept.
Drupal pages from 0 (``?page=1`` second page) through the pager's ``rel=next`` link.
Id: the last segment of the call's address (Drupal alias; Bpifrance prints no node id).
Detail: ``div.aap-header`` (title ``h1``, dates), text ``div.aap-body``.
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
    "card": "article.card-aap",
    "card_type": ".card-aap__type",
    "card_link": ".card-aap__title a[href]",
    "card_dates": ".card-aap__dates",
    "card_targets": ".card-aap__cibles li",
    "next_page": 'li.pager__item--next a, a[rel="next"]',
    # detail
    "title": "article h1, .aap-header h1",
    "dates": ".aap-header__dates",
    "body": "div.aap-body",
})
# Targets that make a call relevant here (folded, lower case).
PUBLIC_TARGETS = re.compile(r"collectivit|commune|epci|intercommunal|acteurs? publics?|etablissements? publics?|"
                            r"organismes? publics?|secteur public|departement|region")
APPLY_WORDS = ("plateforme", "deposer", "candidater", "extranet")


class Bpifrance(Source):
    slug = "bpifrance"
    verified = "none"
    verified_by = "les cartes réelles diffèrent de nos sélecteurs"
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
            items.append({
                "url": absolute(response.url, link["href"]),
                "title": pages.text_of(link),
                "kind": SELECTORS.text(card, "card_type"),
                "dates": SELECTORS.text(card, "card_dates"),
                "targets": [pages.text_of(target) for target in SELECTORS.all(card, "card_targets", required=False)],
            })
        link = SELECTORS.one(document, "next_page", required=False)
        return ListPage(items, Request(absolute(response.url, link["href"])) if link else None)

    def entry(self, item) -> Entry | None:
        targets = item.get("targets") or []
        if targets and not any(PUBLIC_TARGETS.search(fold(target)) for target in targets):
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
            "application_url": pages.link_by_words(body, url, APPLY_WORDS),
            "card": entry.payload,
        }

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        card, text = raw.get("card") or {}, raw["text"]
        dates_text = "\n".join([card.get("dates") or "", *re.split(r"\s{2,}|(?=Clôture)", raw["dates"] or ""), text])
        opens_on, deadlines = norm.dates_from_text(dates_text)
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(text)
        found = norm.beneficiaries_from_text(" ".join(card.get("targets") or []) + "\n" + text)
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
