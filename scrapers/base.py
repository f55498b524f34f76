"""What a source is, and the stages every source goes through.

    gather     list the source's records, page after page (each with a stable id)
    fetch      get each record's own document when the list is not enough (detail pages)
    parse      read the fields out of that document
    normalise  turn them into the programme record (DESIGN.md field names)

A source module subclasses ``Source`` and fills in what differs: its first list request, how
to read one list page (``parse_list``), how to find a record's id (``entry``), and the
field mapping (``normalise``). List + detail sources also set ``has_details`` and write
``parse`` for the detail document. ``harvest`` runs the stages and yields one ``Outcome`` per
record: either a normalised record or the stage that failed. The store stage lives in
``guichet.sources.services``.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit

from scrapers.http import FetchError, Fetched, HttpClient, Request

if TYPE_CHECKING:
    from guichet.programmes.records import ProgrammeRecord

log = logging.getLogger(__name__)

STAGES = ("gather", "fetch", "parse", "normalise", "store")


class ParseError(ValueError):
    """A document is not what the source module expects (a changed layout, a missing key,
    selectors that find nothing): never read as "no records"."""


@dataclass
class StageError:
    stage: str
    message: str
    record_id: str | None = None
    url: str | None = None


@dataclass
class ListPage:
    """One list response read: its items (raw, one per record) and the next list request."""

    items: list
    next_request: Request | None = None
    # How many items the whole listing holds, when the source announces it (an API's ``count``):
    # a listing that ends with fewer is incomplete (issue 12, M6).
    announced: int | None = None
    # The source's end-of-list marker: True on the page it marks as the last one, False on a page
    # it marks as not the last; None when the source has no such marker.
    last_page: bool | None = None


@dataclass
class Entry:
    """One record found while gathering: its id at the source, its page, the list's item."""

    source_id: str
    url: str | None = None
    payload: object = None
    document: Fetched | None = None
    not_modified: bool = False


@dataclass
class Outcome:
    entry: Entry | None
    record: dict | None = None
    raw: object = None
    error: StageError | None = None
    # The source answered 304 for this record's document (or its whole list page).
    not_modified: bool = False


class Source:
    """Base of every source module. Class attributes describe the source; an instance lives
    for one run (it may keep state, e.g. a token) and reads ``settings`` (the app config)."""

    slug = ""
    name = ""
    level = "national"
    url = ""                        # the source's public page (shown to people)
    schedule = None                 # CronTrigger fields (Europe/Paris); None: no scheduled job
    schedule_text = ""              # for people, when it is no cron time ("chaque nuit à 2 h 00" is derived)
    enabled = True
    has_details = False             # list + detail source: fetch each entry's page
    local = False                   # read from a file of the project, not over HTTP
    default_state = "pending"       # state of a new programme (curators publish scraped ones)
    closes_missing = True           # a healthy run closes the source's programmes it no longer lists
    funders: tuple = ()             # funders when the records do not say
    # How the format was verified (scrapers.coverage): "responses", "importer", "none", "team".
    verified = "none"
    verified_on: str | None = None  # ISO date of that verification
    verified_by = ""                # the evidence (payloads, public importer's repository + path)
    regions: tuple = ()             # INSEE codes of the regions a regional/departmental source covers
    # Hosts whose pages may be fetched besides those of ``url`` and of the first request (M5).
    hosts: tuple = ()

    def __init__(self, settings: dict | None = None):
        self.settings = dict(settings or {})

    # -- to write in each source module ----------------------------------------------------
    def first_request(self) -> Request:
        raise NotImplementedError

    def parse_list(self, response: Fetched) -> ListPage:
        raise NotImplementedError

    def entry(self, item) -> Entry | None:
        """The record's id and page from a list item; None to skip an item on purpose
        (duplicates, empty stubs). Raise for a malformed item."""
        raise NotImplementedError

    def normalise(self, raw: dict, entry: Entry) -> ProgrammeRecord:
        """The programme record (``guichet.programmes.records.ProgrammeRecord``): its keys and
        vocabulary values are checked strictly (``clean_record``), a stray one is this record's
        « normalise » error."""
        raise NotImplementedError

    # -- defaults that list + detail or authenticated sources override ---------------------
    def send(self, client: HttpClient, request: Request) -> Fetched:
        """Every request of the source goes through here (authentication goes here)."""
        return client.send(request)

    def local_response(self) -> Fetched:
        """The document of a local source (``local = True``)."""
        raise NotImplementedError

    def detail_request(self, entry: Entry) -> Request:
        return Request(entry.url)

    def parse(self, entry: Entry) -> dict:
        """The record's fields: the list item itself for JSON APIs; read from the detail page
        (``entry.document``) for list + detail sources."""
        return entry.payload

    # -- helpers ---------------------------------------------------------------------------
    def own_hosts(self) -> set[str]:
        """The hosts this source's documents may be fetched from: ``hosts`` as declared, and the
        hosts of its public page and of its first list request."""
        if getattr(self, "_own_hosts", None) is not None:
            return self._own_hosts
        found = {host.lower() for host in self.hosts}
        for url in (self.url, _first_url(self)):
            host = urlsplit(url or "").hostname
            if host:
                found.add(host.lower())
        self._own_hosts = found
        return found

    def refused_url(self, url: str) -> str | None:
        """Why a URL found in a document (a detail page, the next list page) may not be fetched:
        only http(s) on the source's own hosts, on their usual ports (issue 12, M5); None if it may."""
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https"):
            return f"adresse refusée : « {url} » n’est pas une adresse http ou https"
        try:
            port = parts.port
        except ValueError:
            return f"adresse refusée : port illisible dans « {url} »"
        host = (parts.hostname or "").lower()
        if host not in self.own_hosts() or port not in (None, 80, 443):
            return (f"adresse refusée : « {parts.netloc} » n’est pas un hôte de la source {self.name or self.slug} "
                    "(seules ses propres pages sont lues)")
        return None

    def record_id(self, source_id) -> str:
        return f"{self.slug}-{source_id}"

    def base_record(self, entry: Entry) -> ProgrammeRecord:
        return {"id": self.record_id(entry.source_id), "source": self.slug, "source_id": str(entry.source_id),
                "level": self.level, "funders": list(self.funders)}


class Harvest:
    """The stages run over a source; iterate it for outcomes. ``gather_complete`` says, once
    iterated, whether every list page was read (otherwise the listing is partial and nothing
    may be closed)."""

    def __init__(self, source: Source, client: HttpClient | None, *, first_response: Fetched | None = None,
                 follow_pages: bool = True, known=None):
        self.source = source
        # known(record_id): the store holds this record as last read, so a 304 needs no re-reading.
        self.known = known or (lambda record_id: False)
        self.client = client
        self.first_response = first_response
        self.follow_pages = follow_pages
        self.gather_complete = False
        # List items whose id could not be read: their records are unseen, not gone.
        self.unlisted_errors = 0
        self.seen_ids: list[str] = []
        self.pages = 0
        # Items of every list page (skipped ones included) and the total the source announced.
        self.listed = 0
        self.announced: int | None = None
        # Why the listing is incomplete although no list page failed (French, for people).
        self.incomplete_reason: str | None = None

    def __iter__(self) -> Iterator[Outcome]:
        source, seen = self.source, set()
        response = self.first_response
        if response is None and source.local:
            response = source.local_response()
        request = None if response is not None else source.first_request()
        while True:
            try:
                if response is None:
                    if self.pages:  # a next page found in the listing: on the source's hosts only
                        with self._documents_of_source():
                            response = source.send(self.client, request)
                    else:
                        response = source.send(self.client, request)
                page = source.parse_list(response)
                page_url = response.url
            except (FetchError, ParseError, ValueError, KeyError, TypeError) as error:
                url = getattr(error, "url", None) or (response.url if response is not None else
                                                      request.full_url if request is not None else None)
                yield Outcome(None, error=StageError("gather", _message(error), url=url))
                return
            self.pages += 1
            self.listed += len(page.items)
            if page.announced is not None and self.announced is None:
                self.announced = page.announced
            page_not_modified = response.not_modified
            for item in page.items:
                try:
                    entry = source.entry(item)
                except Exception as error:  # noqa: BLE001 - a malformed item is that record's error
                    self.unlisted_errors += 1
                    yield Outcome(None, raw=item, error=StageError("parse", f"élément illisible : {_message(error)}",
                                                                   url=response.url))
                    continue
                if entry is None:
                    continue
                entry.source_id = str(entry.source_id).strip()
                record_id = source.record_id(entry.source_id)
                if not entry.source_id or record_id in seen:
                    continue  # the same record listed twice (EU topics, paging overlaps): keep the first
                seen.add(record_id)
                self.seen_ids.append(record_id)
                entry.not_modified = page_not_modified and not source.has_details
                yield self._record(entry)
            request, response = page.next_request, None
            if not self.follow_pages:
                break
            if request is None:
                reason = self._incomplete(page)
                if reason:
                    self.incomplete_reason = reason
                    yield Outcome(None, error=StageError("gather", reason, url=page_url))
                    return
                break
            refused = source.refused_url(request.full_url)
            if refused:
                yield Outcome(None, error=StageError("gather", refused, url=request.full_url))
                return
        self.gather_complete = True

    @contextmanager
    def _documents_of_source(self):
        """While a document found in a page is fetched, its redirects stay on the source's hosts."""
        if self.client is None:
            yield
            return
        self.client.document_hosts = self.source.own_hosts()
        try:
            yield
        finally:
            self.client.document_hosts = None

    def _incomplete(self, page: ListPage) -> str | None:
        """The listing ended (no next page) without reaching its end: before the source's end
        marker, or with fewer items than it announced."""
        if page.last_page is False:
            return (f"la liste s’arrête à la page {self.pages} sans atteindre sa dernière page "
                    "(pagination perdue) : liste incomplète")
        if self.announced is not None and self.listed < self.announced:
            return (f"la liste s’arrête à {self.listed} éléments sur {self.announced} annoncés par la source : "
                    "liste incomplète")
        return None

    def _record(self, entry: Entry) -> Outcome:
        source, record_id = self.source, self.source.record_id(entry.source_id)
        if source.has_details:
            request = source.detail_request(entry)
            refused = source.refused_url(request.full_url)
            if refused:
                return Outcome(entry, error=StageError("fetch", refused, record_id, request.full_url))
            try:
                with self._documents_of_source():
                    entry.document = source.send(self.client, request)
                entry.not_modified = entry.document.not_modified
            except FetchError as error:
                return Outcome(entry, error=StageError("fetch", _message(error), record_id, error.url or entry.url))
        if entry.not_modified and self.known(record_id):
            return Outcome(entry, not_modified=True)
        try:
            raw = source.parse(entry)
        except Exception as error:  # noqa: BLE001 - any failure of one record is recorded, the run goes on
            return Outcome(entry, error=StageError("parse", _message(error), record_id, entry.url))
        try:
            record = source.normalise(raw, entry)
            record = finish_record(record)
        except Exception as error:  # noqa: BLE001
            return Outcome(entry, raw=raw, error=StageError("normalise", _message(error), record_id, entry.url))
        return Outcome(entry, record=record, raw=raw, not_modified=entry.not_modified)


def _first_url(source: Source) -> str | None:
    try:
        return source.first_request().full_url
    except Exception:  # noqa: BLE001 - a source that needs settings to build it: its page's host only
        return None


def _message(error: Exception) -> str:
    """What people read of a stage's failure: our own messages (FetchError, ParseError, the
    ValueErrors the source modules raise) are French already; anything else is a bug of ours
    on an unexpected input, said so in French with its Python name for the developers."""
    text = str(error) or type(error).__name__
    if isinstance(error, (FetchError, ParseError)) or type(error) is ValueError:
        return text
    return f"donnée inattendue ({type(error).__name__} : {text})"


def finish_record(record: dict) -> dict:
    """Checks the record as the store will (``clean_record``) and keeps the extra fields; the
    population bands and criteria its text states are read here, once (``add_population_rule``)."""
    from guichet.programmes.records import clean_record

    cleaned = clean_record(add_population_rule(record))
    cleaned["source_updated_at"] = record.get("source_updated_at")
    return cleaned


def add_population_rule(record: dict) -> dict:
    """The record with the bands and criteria of its text (``population_rule`` of its summary and
    description) when its source set none: only when that reading agrees with the source's own
    ``population_min``/``population_max``, so that nothing the source said is contradicted."""
    if record.get("population_bands") or record.get("criteria"):
        return record
    from scrapers.normalise.population import population_rule

    rule = population_rule(f"{record.get('summary') or ''}\n{record.get('description_html') or ''}")
    if not (rule.bands or rule.criteria) or rule.range != (record.get("population_min"), record.get("population_max")):
        return record
    return {**record, "population_bands": list(rule.bands), "criteria": list(rule.criteria)}


def record_json(record: dict, today: date | None = None) -> dict:
    """A normalised record as JSON (DESIGN.md names, dates as YYYY-MM-DD): for --dry-run --json."""
    from guichet.programmes.models import programme_status
    from guichet.programmes.records import CONTENT_FIELDS

    today = today or date.today()
    output = {field: record.get(field) for field in ("id", "source", "source_id")}
    for name in CONTENT_FIELDS:
        value = record.get(name)
        output[name] = value.isoformat() if hasattr(value, "isoformat") else value
    output["language"] = record.get("language")
    deadlines = record.get("deadlines") or []
    upcoming = [value for value in deadlines if value >= today.isoformat()]
    output["next_deadline"] = min(upcoming) if upcoming else (max(deadlines) if deadlines else None)
    output["status"] = programme_status(record.get("opens_on"), deadlines, False, today)
    updated = record.get("source_updated_at")
    output["source_updated_at"] = updated.isoformat(timespec="seconds") if hasattr(updated, "isoformat") else updated
    return output
