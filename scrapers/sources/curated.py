"""The programmes the team writes by hand: ``guichet/programmes/data/curated.jsonl``, one
programme a line with the record's field names. Loaded (published) by ``guichet init``;
``guichet scrape curated`` reloads it with a run record like any source."""

from __future__ import annotations

import json

from guichet.programmes.services import CURATED_DATA
from scrapers.base import Entry, ListPage, Source
from scrapers.http import Fetched


class Curated(Source):
    slug = "curated"
    verified = "team"
    verified_by = "programmes rédigés par l’équipe"
    name = "Programmes rédigés par l’équipe"
    level = "national"
    url = ""
    schedule = None
    schedule_text = "à chaque « guichet init »"
    local = True
    default_state = "published"
    # The file is not the whole source: curators also write `curated` programmes in the back
    # office, and those must never be closed because the file does not list them.
    closes_missing = False

    def local_response(self) -> Fetched:
        return Fetched.from_file(CURATED_DATA, url=CURATED_DATA.as_uri())

    def parse_list(self, response: Fetched) -> ListPage:
        return ListPage([json.loads(line) for line in response.text.splitlines() if line.strip()])

    def entry(self, item) -> Entry:
        if not item.get("source_id"):
            raise ValueError("programme sans source_id")
        return Entry(str(item["source_id"]), item.get("source_url"), item)

    def normalise(self, raw: dict, entry: Entry) -> dict:
        record = {key: value for key, value in raw.items() if key != "state"}
        record.update(id=self.record_id(entry.source_id), source=self.slug, source_id=entry.source_id)
        return record
