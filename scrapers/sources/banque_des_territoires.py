"""Banque des Territoires (Caisse des Dépôts) — its calls for projects and for expressions of
interest (HTML list, then each call's page).

List: ``https://www.banquedesterritoires.fr/appels-a-projets-et-manifestations-d-interet``, a
Drupal view of ``article`` cards; the title is an ``h3`` (sometimes an ``h2``: featured cards)
holding the link. Drupal pages from 0: ``?page=1`` is the second page, reached through the
pager's ``rel=next`` link (relative, "?page=1"). Every call on this list is aimed at local
authorities (the bank's public-sector arm), so no filter is needed.
Id: the node id (``data-history-node-id``) — the address changes when a call is renamed.
Detail: title ``h1.page-title``, key facts ``div.aap-infos`` (label/value: Ouverture, Date de
clôture, Bénéficiaires), text ``div.field--name-body``, application button ``div.aap-cta a``.

Evidence (searched 2026-12-01): none for the detail page. Aides-territoires never imported this
source (no command in MTES-MCT/aides-territoires ``src/dataproviders/management/commands/`` nor
in MTES-MCT/aides-territoires-symfony ``src/Command/ImportFlux/``); the only public scripts that
read the list (monitoring scripts mailing calls for projects) confirm its address and read its
cards as generic ``article`` elements with an ``h2``/``h3`` title and a link — as we do — and
nothing else. The remaining selectors are unconfirmed: declared « non vérifié ».
"""

from __future__ import annotations

from guichet.text import fold
from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, Source
from scrapers.http import Fetched, Request, absolute

BASE_URL = "https://www.banquedesterritoires.fr"
LIST_URL = f"{BASE_URL}/appels-a-projets-et-manifestations-d-interet"

SELECTORS = pages.Selectors("Banque des Territoires", {
    # list
    "card": "article",
    "card_link": "h2 a[href], h3 a[href]",
    "card_type": ".card__type",
    "card_date": ".card__date time, .card__date",
    "next_page": 'li.pager__item--next a, a[rel="next"]',
    # detail
    "title": "h1",
    "facts": "div.aap-infos__item",
    "fact_label": ".label",
    "fact_value": ".value",
    "body": "div.field--name-body",
    "apply": "div.aap-cta a[href]",
})


class BanqueDesTerritoires(Source):
    slug = "banque-des-territoires"
    verified = "none"
    verified_by = ("aucune réponse réelle ni importeur public : seuls l’adresse de la liste et ses cartes « article » "
                   "à titre h2/h3 sont lues de la même façon par des scripts publics ; la page de chaque appel "
                   "(dates, bénéficiaires, bouton de candidature) n’est confirmée par rien")
    name = "Banque des Territoires"
    level = "national"
    url = LIST_URL
    schedule = {"hour": 5, "minute": 35}
    has_details = True
    funders = ("Banque des Territoires",)

    def first_request(self) -> Request:
        return Request(LIST_URL)

    def parse_list(self, response: Fetched) -> ListPage:
        document = pages.html_document(response)
        items = []
        for card in SELECTORS.all(document, "card", url=response.url):
            link = SELECTORS.one(card, "card_link", required=False)
            if link is None:
                continue  # an article that is not a call (a news teaser in the sidebar)
            date_tag = SELECTORS.one(card, "card_date", required=False)
            items.append({
                "node": card.get("data-history-node-id"),
                "url": absolute(response.url, link["href"]),
                "title": pages.text_of(link),
                "kind": pages.text_of(SELECTORS.one(card, "card_type", required=False)),
                "deadline": norm.parse_date((date_tag.get("datetime") if date_tag is not None else None)
                                            or pages.text_of(date_tag)),
            })
        if not items:
            raise SELECTORS.missing("card_link", response.url)
        link = SELECTORS.one(document, "next_page", required=False)
        return ListPage(items, Request(absolute(response.url, link["href"])) if link else None)

    def entry(self, item) -> Entry:
        source_id = item.get("node") or pages.last_path_segment(item["url"])
        return Entry(str(source_id), item["url"], item)

    def parse(self, entry: Entry) -> dict:
        document = pages.html_document(entry.document)
        url = entry.url
        title = SELECTORS.text(document, "title", required=True, url=url)
        body = SELECTORS.one(document, "body", url=url)
        facts = {}
        for fact in SELECTORS.all(document, "facts", required=False):
            label = fold(SELECTORS.text(fact, "fact_label"))
            facts[label] = SELECTORS.text(fact, "fact_value")
        apply = SELECTORS.one(document, "apply", required=False)
        return {
            "title": title,
            "facts": facts,
            "text": pages.text_of(body),
            "summary": pages.paragraphs_summary(body),
            "description_html": pages.fragment_html(body, url),
            "application_url": absolute(url, apply["href"]) if apply is not None else None,
            "card": entry.payload,
        }

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        facts, text, card = raw["facts"], raw["text"], raw.get("card") or {}
        opens_on, deadlines = norm.dates_from_text(text)
        closing = norm.parse_date(facts.get("date de cloture")) or card.get("deadline")
        if closing:
            deadlines = sorted({closing, *deadlines})
        who = facts.get("beneficiaires") or text
        low, high = norm.population_range(text)
        rate_min, rate_max = norm.rate_range(text)
        record.update({
            "source_url": entry.url,
            "title": raw["title"],
            "summary": raw["summary"],
            "description_html": raw["description_html"],
            "beneficiaries": norm.beneficiaries_from_text(who) or ["commune", "epci"],
            "population_min": low,
            "population_max": high,
            "themes": norm.themes_from_text(raw["title"], raw["summary"]),
            "aid_types": norm.aid_types_from_text(text),
            "is_call_for_projects": True,  # the list holds calls for projects and for expressions of interest
            "opens_on": norm.parse_date(facts.get("ouverture")) or opens_on,
            "deadlines": deadlines,
            "recurrence": "ponctuelle",
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": norm.amount_max_from_text(text),
            "application_url": raw["application_url"] or entry.url,
        })
        return record
