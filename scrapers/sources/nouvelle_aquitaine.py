"""Région Nouvelle-Aquitaine — the guide of aids (RSS feed of the aid sheets, then each sheet's page).

Feed: ``https://les-aides.nouvelle-aquitaine.fr/fiches-rss.xml`` (Drupal RSS 2.0, every published
sheet, no paging). ``<guid>`` reads "4521 at https://les-aides..." (Drupal's node id): that
number is the stable id, the sheet's address changes when its theme is renamed. Some ``<link>``
are relative (resolved against ``xml:base`` / the channel's link).
Detail: ``h1.headline-aide``, summary ``div.mod-chapo``, ``span.tag-appel-projet`` on calls for
projects, key facts in ``div.mod-infos`` (``dt``/``dd``: Bénéficiaires, Ouverture, Date de
clôture), body ``div.mod-content``, contact ``div.mod-contactAddress``.
"""

from __future__ import annotations

import re

from guichet.text import fold
from scrapers import normalise as norm
from scrapers import pages
from scrapers.base import Entry, ListPage, ParseError, Source
from scrapers.http import Fetched, Request, absolute

BASE_URL = "https://les-aides.nouvelle-aquitaine.fr"
FEED_URL = f"{BASE_URL}/fiches-rss.xml"

SELECTORS = pages.Selectors("Nouvelle-Aquitaine", {
    # feed
    "channel": "rss > channel",
    "item": "channel > item",
    # detail page
    "title": "h1.headline-aide",
    "chapo": "div.mod-chapo",
    "call_tag": "span.tag-appel-projet",
    "facts": "div.mod-infos dl",
    "body": "div.mod-content",
    "contact": "div.mod-contactAddress",
})
APPLY_WORDS = ("deposer", "deposez", "candidater", "portail des aides", "demande en ligne")
_DRUPAL_GUID = re.compile(r"^\s*(\d+)\s+at\s+")


class NouvelleAquitaine(Source):
    slug = "nouvelle-aquitaine"
    verified = "none"
    verified_by = "l’opérateur publie un flux JSON que ce module ne lit pas encore"
    name = "Région Nouvelle-Aquitaine"
    level = "regional"
    url = "https://les-aides.nouvelle-aquitaine.fr/"
    schedule = {"hour": 4, "minute": 35}
    has_details = True
    funders = ("Région Nouvelle-Aquitaine",)
    regions = ("75",)

    def first_request(self) -> Request:
        return Request(FEED_URL)

    def parse_list(self, response: Fetched) -> ListPage:
        document = pages.xml_document(response)
        channel = SELECTORS.one(document, "channel", url=response.url)
        base = (document.find("rss") or {}).get("xml:base") or _text(channel.find("link")) or BASE_URL
        items = []
        for item in SELECTORS.all(channel, "item", url=response.url):
            link = _text(item.find("link"))
            items.append({
                "guid": _text(item.find("guid")),
                "title": _text(item.find("title")),
                "url": absolute(base, link) if link else None,
                "description": _text(item.find("description")),
                "published": _text(item.find("pubDate")),
            })
        return ListPage(items)  # the feed holds every sheet

    def entry(self, item) -> Entry:
        if not item.get("url"):
            raise ValueError("fiche sans lien")
        match = _DRUPAL_GUID.match(item.get("guid") or "")
        source_id = match.group(1) if match else pages.last_path_segment(item["url"])
        return Entry(source_id, item["url"], item)

    def parse(self, entry: Entry) -> dict:
        document = pages.html_document(entry.document)
        url = entry.url
        title = SELECTORS.text(document, "title", required=True, url=url)
        if not title:
            raise ParseError(f"Nouvelle-Aquitaine : fiche sans titre ({url})")
        body = SELECTORS.one(document, "body", url=url)
        chapo = SELECTORS.one(document, "chapo", required=False)
        contact = SELECTORS.one(document, "contact", required=False)
        if contact is not None and contact.h2:
            contact.h2.decompose()
        facts = {}
        facts_list = SELECTORS.one(document, "facts", required=False)
        if facts_list is not None:
            for term in facts_list.find_all("dt"):
                value = term.find_next_sibling("dd")
                facts[fold(pages.text_of(term))] = pages.text_of(value)
        return {
            "title": title,
            "chapo": pages.text_of(chapo),
            "is_call": SELECTORS.one(document, "call_tag", required=False) is not None,
            "facts": facts,
            "text": pages.text_of(body),
            "description_html": pages.fragment_html([chapo, body], url),
            "application_url": pages.link_by_words(body, url, APPLY_WORDS),
            "contact": pages.text_of(contact) or None,
            "published": (entry.payload or {}).get("published"),
        }

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = self.base_record(entry)
        facts, text = raw["facts"], raw["text"]
        everything = "\n".join([raw["chapo"], *(f"{name} : {value}" for name, value in facts.items()), text])
        opens_on, deadlines = pages.dates_from_text(everything)
        opening = norm.parse_date(facts.get("ouverture"))
        closing = norm.find_dates(facts.get("date de cloture", ""))
        deadlines = sorted(set(deadlines) | set(closing[:1]))
        low, high = norm.population_range("\n".join([raw["chapo"], text]))
        rate_min, rate_max = norm.rate_range(text)
        who = facts.get("beneficiaires") or pages.section_after(text, "Qui peut en bénéficier ?") or text
        record.update({
            "source_url": entry.url,
            "title": raw["title"],
            "summary": norm.summary(raw["chapo"] or text),
            "description_html": raw["description_html"],
            "regions": list(self.regions),
            "beneficiaries": pages.beneficiaries_from_text(who),
            "population_min": low,
            "population_max": high,
            "themes": norm.themes_from_text(raw["title"], raw["chapo"]),
            "aid_types": pages.aid_types_from_text(pages.section_after(text, "Quelle aide ?") or text),
            "is_call_for_projects": raw["is_call"] or pages.is_call_for_projects(raw["title"]),
            "opens_on": opening or opens_on,
            "deadlines": deadlines,
            "recurrence": pages.recurrence_from_text(everything, deadlines),
            "rate_min": rate_min,
            "rate_max": rate_max,
            "amount_max": pages.amount_max_from_text(text),
            "contact": raw["contact"],
            "application_url": raw["application_url"] or entry.url,
            "source_updated_at": norm.parse_datetime(_rfc822(raw.get("published"))),
        })
        return record


def _text(tag) -> str:
    return tag.get_text(strip=True) if tag is not None else ""


def _rfc822(value: str | None):
    """RSS dates ("Mon, 12 Oct 2026 07:45:00 +0000") as datetimes."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None

