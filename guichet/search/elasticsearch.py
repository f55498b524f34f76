"""The Elasticsearch 8 search backend, with the official ``elasticsearch`` client.

The index definition is ``index_mappings/programmes.json``; at creation the backend puts into
it the synonym lines of ``guichet/search/synonyms.txt`` and the stop words and elided articles
of ``guichet.search.analysis`` (one source for both backends). Its ``_meta.version`` is the index
version: an index built from another version reports ``needs_rebuild`` in ``health()``.

Searches go to an alias (``ELASTICSEARCH_INDEX``, "guichet-programmes" by default) over a
concrete index ``<alias>-<timestamp>``; ``rebuild()`` builds a new one and swaps the alias in
one ``update_aliases`` call, so searches never stop. A search is two requests side by side
(``msearch``): the page of hits, and the facet counts with ``size: 0``, which Elasticsearch
keeps in its request cache until the index changes.

Same semantics as the embedded backend (guichet.search.sqlite):

- the text is analysed once in Python (guichet.search.analysis: Snowball French, thesaurus,
  corrections) and the fields search with the ``whitespace`` analyzer, so both backends get
  the same terms; the index analyzer runs the same steps (tests/search/test_analysis.py);
- English records (``language`` « en »: EU calls) have their English text in ``*_en`` fields
  analysed as English (``english_index``, Snowball English), their French sentences in the
  French fields; a concept searches the English fields with its words analysed as English,
  except a single word of the thesaurus (« LED » never reaches « community-led »);
- ranking by coverage: one should clause per concept (a synonym group is one concept), each a
  ``constant_score`` of COVERAGE_WEIGHT plus its BM25F (``combined_fields``, title ×10,
  summary ×4, as FTS5's weighted BM25), with ``minimum_should_match`` =
  ``query.required_coverage``; two neighbouring words as typed earn a phrase bonus; a search
  that finds nothing is run again looser (``SearchQuery.loosened``), never zero while one
  meaningful word matches;
- status is computed from the dates of the day of the query, never stored: closed when
  ``closed`` or the last deadline is past, upcoming when it opens later, open otherwise
  (``open_from``/``open_until`` hold the dates with far sentinels, so that every status is a
  conjunction of positive, cacheable clauses);
- a town size (range or exact) overlaps ``[population_min, population_max]`` (an
  ``integer_range``, open ends where the programme sets none);
- a commune matches nationwide programmes or those available in its département, whose
  population range holds its population, whose beneficiaries are empty or include communes
  or EPCI, and whose territorial conditions are empty or include a list or zoning of the commune;
- facets are disjunctive: each facet counts with every filter but its own (the facet filters
  go in ``post_filter``, each aggregation filters by the others; the status filter, on by
  default, goes in the query and its counts come from a global aggregation, so that the usual
  search aggregates its hits directly); régions and départements count nationwide programmes
  for every code;
- "date limite" sorts by the next deadline from the query's day on (a nested field, so past
  deadlines are skipped at query time), programmes without one last, then by title.

Known differences (written down in docs/elasticsearch.md too):

- Relevance: BM25F over three fields here, FTS5's BM25 with column weights there; the order of
  results by "pertinence" can differ between backends (bench/bench_relevance.py measures
  both), never the set of results.
- Typos: fuzziness on typed words of nine letters or more here, and, when a search finds
  nothing, the embedded backend's spelling step (a word unknown to the index becomes the
  nearest term of the index or of the thesaurus, and the page says so); the embedded backend
  runs its spelling step on every search, so « lampadère LED » is corrected there and only
  matched through « LED » here.
- A multi-word phrase matches with one word between here (slop 1, the gap of a dropped stop
  word) and NEAR within one word there (in any order).
- Snippets come from Elasticsearch's unified highlighter: same ``<mark>`` markup, window of
  about the same size, cut at different places.
- Paging stops at ``index.max_result_window`` (10,000 results: page 500 at 20 per page); a
  page beyond it is empty (total and facets are still right).
- Ties (same score, same date) go by indexing order on both, which a rebuild resets to the
  order of programme ids on both; an index with several shards would break ties per shard.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError, helpers
from markupsafe import Markup

from guichet import geo
from rapidfuzz.distance import Levenshtein

from guichet.search.analysis import (ELISIONS, ENGLISH_STOP_WORDS, STOP_WORDS, SYNONYMS_PATH, fold, index_term, stem,
                                     synonym_lines, thesaurus_words)
from guichet.search.base import FACET_FIELDS, Hit, SearchResult, SearchUnavailable
from guichet.search.documents import text_fields
from guichet.search.params import THRESHOLD_FACETS, UNKNOWN_VALUE
from guichet.search.query import Clause, SearchQuery, clauses_of, funder_key

log = logging.getLogger(__name__)

MAPPINGS_PATH = Path(__file__).resolve().parents[2] / "index_mappings" / "programmes.json"
INTEGER_MAX = 2**31 - 1
# open_from / open_until of a programme without opening day / without deadline
OPEN_FROM_ALWAYS = "0001-01-01"
OPEN_UNTIL_ALWAYS = "9999-12-31"
# Facet name → keyword field of the document.
FACET_TERM_FIELDS = {
    "themes": "themes",
    "levels": "level",
    "aid_types": "aid_types",
    "calls": "is_call_for_projects",
    "beneficiaries": "beneficiaries",
    "funders": "funders.keyword",
    # Aid programmes: counted by name (merged by key when labelled), matched by key.
    "aid_programmes": "aid_programmes",
}
# The funders' facet asked for every funder (/api/v1/porteurs): more buckets than funders
ALL_FUNDERS = 20_000
TEXT_FIELDS = ("title^10", "summary^4", "description")
FIELD_BOOSTS = {"title": 10, "summary": 4, "description": 1}
# The same fields of English records, analysed as English (guichet.search.analysis.english_terms).
ENGLISH_TEXT_FIELDS = ("title_en^10", "summary_en^4", "description_en")
ENGLISH_FIELD_BOOSTS = {"title_en": 10, "summary_en": 4, "description_en": 1}
# As the embedded backend: each concept covered outweighs any BM25 difference.
COVERAGE_WEIGHT = 1000.0
# Query terms come analysed (guichet.search.analysis) and the fields search with the
# whitespace analyzer; a multi-word phrase allows the gap a dropped stop word leaves in the
# index (« maison de santé » for « maison santé »), which the embedded index does not keep.
PHRASE_SLOP = 1
# Typed words this long (stems, without digits) also match one or two edits away; shorter
# ones would pull in other real words (« energet » ~ « energi ») that the embedded backend,
# which corrects only words unknown to its index, does not.
FUZZY_MIN_LENGTH = 9
SNIPPET_SIZE = 240
BULK_CHUNK_SIZE = 1000
# Errors that mean "the cluster cannot answer now" rather than "this request is wrong".
_UNAVAILABLE_STATUSES = {404, 408, 429, 500, 502, 503, 504}
_MARK = re.compile(r"</?mark>")
_WORD = re.compile(r"\w+")
# As the embedded backend's spelling step (guichet.search.sqlite.SPELLING_MIN_LENGTH).
SPELLING_MIN_LENGTH = 5
_FLAT = "__"  # facet__values: an aggregation of a facet without filter aggregation around it
# The standard tokenizer keeps "l'éclairage" as one token: the elided article goes outside the
# mark, as on the embedded backend ("l'<mark>éclairage</mark>").
_MARKED_ELISION = re.compile(r"<mark>((?:%s)(?:&#x27;|&#39;|'|’))" % "|".join(
    sorted(ELISIONS, key=lambda word: (-len(word), word))), re.IGNORECASE)


@lru_cache(maxsize=1)
def index_definition() -> dict:
    """programmes.json with the shared synonyms, stop words and elided articles put in."""
    definition = json.loads(MAPPINGS_PATH.read_text(encoding="utf-8"))
    analysis = definition["settings"]["analysis"]
    analysis["filter"]["guichet_synonyms"]["synonyms"] = synonym_rules()
    analysis["filter"]["french_stop"]["stopwords"] = sorted(STOP_WORDS)
    analysis["filter"]["french_elision"]["articles"] = sorted(ELISIONS)
    analysis["filter"]["english_stop"]["stopwords"] = sorted(ENGLISH_STOP_WORDS)
    return definition


def index_version() -> int:
    return index_definition()["mappings"]["_meta"]["version"]


def synonym_rules(path: Path = SYNONYMS_PATH) -> list[str]:
    """The lines of synonyms.txt, stop words taken out of each term.

    Lucene analyses the rules with the filters before synonym_graph, stop filter included, and
    refuses a rule whose stop word leaves a hole ("cœur de ville"); "cœur ville" is what the
    embedded backend matches too, as it drops stop words before matching synonyms.
    """
    rules = []
    for line in synonym_lines(path):
        terms = []
        for term in line:
            words = [word for word in term.split() if fold(word) not in STOP_WORDS]
            cleaned = " ".join(words)
            if cleaned and cleaned not in terms:
                terms.append(cleaned)
        if len(terms) > 1:
            rules.append(", ".join(terms))
    return rules


def document_source(document: dict) -> dict:
    """The indexed form of a search document: the document plus what queries need."""
    source = dict(document)
    # French text in the French fields, an English record's English text in the *_en fields;
    # the whole title for sorting
    source.update(text_fields(document["title"], document["summary"], document["description"],
                              document.get("language") or "fr"))
    source["title_sort"] = document["title"]
    population_min = document.get("population_min")
    population_max = document.get("population_max")
    source["population"] = {
        "gte": population_min if population_min is not None else 0,
        "lte": population_max if population_max is not None else INTEGER_MAX,
    }
    overseas_min, overseas_max = document.get("population_overseas_min"), document.get("population_overseas_max")
    source["population_overseas"] = {
        "gte": overseas_min if overseas_min is not None else 0,
        "lte": overseas_max if overseas_max is not None else INTEGER_MAX,
    }
    source["deadline_dates"] = [{"date": deadline} for deadline in document.get("deadlines") or []]
    source["open_from"] = document.get("opens_on") or OPEN_FROM_ALWAYS
    source["open_until"] = document.get("last_deadline") or OPEN_UNTIL_ALWAYS
    return source


class ElasticsearchBackend:
    name = "elasticsearch"

    def __init__(self, url: str, alias: str = "guichet-programmes", request_timeout: float = 10.0,
                 refresh: bool = True, client: Elasticsearch | None = None):
        self.url = url
        self.alias = alias
        # Incremental writes are visible to the next search (a curator sees what she published).
        self.refresh = refresh
        # a cluster: several comma-separated node URLs; the client spreads requests over them
        # and sends a failed one to another node
        hosts = [part.strip() for part in url.split(",") if part.strip()]
        self.client = client or Elasticsearch(
            hosts,
            request_timeout=request_timeout,
            # one node or a load balancer: a failed request is reported, not retried for long
            max_retries=1,
            retry_on_timeout=False,
        )
        self._index_ready = False

    def close(self) -> None:
        self.client.close()

    # -- errors ------------------------------------------------------------------------------
    @staticmethod
    def _unavailable(error: Exception) -> SearchUnavailable:
        return SearchUnavailable(f"Elasticsearch ne répond pas : {error}")

    def _call(self, function, *args, **kwargs):
        """Run a client call; connection failures and server errors become SearchUnavailable."""
        try:
            return function(*args, **kwargs)
        except TransportError as error:  # connection refused, timeout, TLS ...
            raise self._unavailable(error) from error
        except ApiError as error:
            if error.status_code in _UNAVAILABLE_STATUSES:
                raise self._unavailable(error) from error
            raise

    # -- index lifecycle -----------------------------------------------------------------------
    def _new_index_name(self) -> str:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        return f"{self.alias}-{stamp}"

    def _alias_indices(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias))
        except NotFoundError:
            return []

    def _create_index(self, name: str, settings_override: dict | None = None, aliases: dict | None = None):
        definition = copy.deepcopy(index_definition())
        if settings_override:
            definition["settings"]["index"].update(settings_override)
        self.client.indices.create(index=name, settings=definition["settings"], mappings=definition["mappings"],
                                   aliases=aliases or {})

    def ensure_index(self) -> None:
        """Create an empty index behind the alias when there is none (first use)."""
        if self._index_ready:
            return

        def ensure():
            if self.client.indices.exists_alias(name=self.alias):
                return
            if self.client.indices.exists(index=self.alias):
                return  # a concrete index of that name: a legacy set-up, used as it is
            # A fixed name (the zero timestamp): when two processes start together, the second
            # creation fails instead of putting the alias on two indices.
            try:
                self._create_index(f"{self.alias}-{'0' * 20}", aliases={self.alias: {}})
            except ApiError as error:
                if error.status_code != 400 or not self.client.indices.exists_alias(name=self.alias):
                    raise

        self._call(ensure)
        self._index_ready = True

    # -- writing -------------------------------------------------------------------------------
    def _actions(self, documents: Iterable[dict], index: str) -> Iterator[dict]:
        for document in documents:
            yield {"_op_type": "index", "_index": index, "_id": document["id"], "_source": document_source(document)}

    def index(self, documents: Iterable[dict]) -> int:
        self.ensure_index()
        count, errors = self._call(
            helpers.bulk, self.client, self._actions(documents, self.alias), chunk_size=BULK_CHUNK_SIZE,
            refresh="true" if self.refresh else "false", stats_only=True, raise_on_error=False,
        )
        if errors:
            raise SearchUnavailable(f"{errors} programmes refusés par Elasticsearch")
        return count

    def delete(self, ids: Iterable[str]) -> None:
        self.ensure_index()
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": doc_id} for doc_id in ids)
        # unknown ids come back as "not_found" errors: ignored, as the protocol says
        self._call(helpers.bulk, self.client, actions, chunk_size=BULK_CHUNK_SIZE,
                   refresh="true" if self.refresh else "false", raise_on_error=False, stats_only=True)

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Zero-downtime rebuild: new index, bulk load, settings restored, alias swapped.

        On any failure the new index is deleted and the alias left as it was, so searches keep
        answering from the old index.
        """
        new_index = self._new_index_name()
        slow = self.client.options(request_timeout=300)
        restored = {key: value for key, value in index_definition()["settings"]["index"].items()
                    if key in ("refresh_interval", "number_of_replicas", "auto_expand_replicas")}
        try:
            # No refresh, no replica and no fsync per request while loading: each document is
            # written once, and a crash half way only loses an index that was never used.
            self._create_index(new_index, {"refresh_interval": "-1", "number_of_replicas": 0,
                                           "auto_expand_replicas": "false", "translog.durability": "async"})
            count = 0
            # One stream, in the store's order: ties in sorts follow indexing order (_seq_no), as
            # they follow row ids on the embedded backend, so both agree after a rebuild.
            for ok, _item in helpers.streaming_bulk(slow, self._actions(documents, new_index),
                                                    chunk_size=BULK_CHUNK_SIZE, max_chunk_bytes=20 * 1024 * 1024,
                                                    raise_on_error=True):
                count += ok
            slow.indices.put_settings(index=new_index, settings={"index": {**restored, "translog.durability": "request"}})
            slow.indices.refresh(index=new_index)
            # Loaded with async translog durability: flushed (Lucene commit, fsync) before
            # the swap, so a node crash right after the reindex cannot leave an empty index.
            slow.indices.flush(index=new_index, wait_if_ongoing=True)
            slow.cluster.health(index=new_index, wait_for_status="yellow", timeout="60s")
            old_indices = self._alias_indices()
            actions = [{"add": {"index": new_index, "alias": self.alias}}]
            actions += [{"remove": {"index": old, "alias": self.alias}} for old in old_indices]
            if not old_indices and slow.indices.exists(index=self.alias):
                # a concrete index holds the alias's name: replaced in the same atomic call
                actions.append({"remove_index": {"index": self.alias}})
            slow.indices.update_aliases(actions=actions)
        except BaseException as error:
            try:
                self.client.options(ignore_status=404).indices.delete(index=new_index)
            except Exception:  # the cluster may be the reason we are here
                log.exception("could not delete the half-built index %s", new_index)
            if isinstance(error, TransportError) or (
                    isinstance(error, ApiError) and error.status_code in _UNAVAILABLE_STATUSES):
                raise self._unavailable(error) from error
            raise
        for old in old_indices:
            try:
                self.client.options(ignore_status=404).indices.delete(index=old)
            except (TransportError, ApiError):
                log.warning("old index %s left behind after the rebuild", old, exc_info=True)
        self._index_ready = True
        return count

    def drop(self) -> None:
        """Delete every index of this alias (tests, and operators starting over)."""
        def drop_all():
            indices = self._alias_indices()
            pattern = self.client.indices.get(index=f"{self.alias}-*", expand_wildcards="all")
            names = sorted(set(indices) | set(pattern))
            if names:
                self.client.options(ignore_status=404).indices.delete(index=",".join(names))

        self._call(drop_all)
        self._index_ready = False

    # -- reading -------------------------------------------------------------------------------
    def ids(self) -> list[str]:
        """Every document id behind the alias (the index repair compares them with the store)."""
        self.ensure_index()
        return self._call(lambda: [hit["_id"] for hit in helpers.scan(
            self.client, index=self.alias, query={"query": {"match_all": {}}, "_source": False}, size=5000)])

    def count(self) -> int:
        try:
            return self._call(self.client.count, index=self.alias)["count"]
        except SearchUnavailable as error:
            if isinstance(error.__cause__, NotFoundError):
                return 0
            raise

    def health(self) -> dict:
        def state():
            cluster = self.client.cluster.health()
            indices = self._alias_indices()
            info = {"backend": self.name, "cluster_status": cluster["status"], "index": None,
                    "documents": 0, "index_version": None, "needs_rebuild": True}
            if indices:
                mapping = self.client.indices.get_mapping(index=indices[0])[indices[0]]["mappings"]
                version = mapping.get("_meta", {}).get("version")
                info.update(index=indices[0], documents=self.client.count(index=self.alias)["count"],
                            index_version=version, needs_rebuild=version != index_version())
            return info

        info = self._call(state)
        if info["cluster_status"] == "red":
            raise SearchUnavailable("le cluster Elasticsearch est en état rouge")
        return info

    def msearch_body(self, query: SearchQuery) -> list[dict]:
        """The search as two requests run side by side: the page of hits, and the counts.

        The counts request returns no hits (size 0), so Elasticsearch keeps its answer in the
        shard request cache until the index changes: the facets of a repeated search (the
        home page, popular words) cost nothing, and they are most of the work.
        """
        request = compile_search(query)
        if request["from"] + request["size"] > index_definition()["settings"]["index"]["max_result_window"]:
            # Beyond the window: an empty page (Elasticsearch refuses any from + size past it,
            # even with size 0), the total and the facets still right from the counts request.
            request["from"], request["size"] = 0, 0
        hits = {("_source" if key == "source" else key): value for key, value in request.items() if key != "aggs"}
        counts = {"query": request["query"], "aggs": request["aggs"], "size": 0, "track_total_hits": True}
        return [{"index": self.alias}, hits, {"index": self.alias, "request_cache": True}, counts]

    def search(self, query: SearchQuery, spelled: bool = False) -> SearchResult:
        self.ensure_index()
        responses = self._call(self.client.msearch, searches=self.msearch_body(query))["responses"]
        for response in responses:
            if "error" in response:
                status = response.get("status", 500)
                if status == 404:
                    self._index_ready = False  # deleted behind our back: an empty one next time
                if status in _UNAVAILABLE_STATUSES:
                    raise SearchUnavailable(f"Elasticsearch ne répond pas : {response['error']}")
                raise RuntimeError(f"Elasticsearch refused the search ({status}): {response['error']}")
        hits, counts = responses
        if query.has_text and hits["hits"]["total"]["value"] == 0 and query.loosened() is not None:
            # never nothing while a programme holds one meaningful word of the query
            return self.search(query.loosened(), spelled=spelled)
        if query.has_text and hits["hits"]["total"]["value"] == 0 and not spelled:
            corrected = self._spelled(query)
            if corrected is not None:
                return self.search(corrected, spelled=True)
        result = read_response(query, hits, counts)
        result.corrected_text = query.corrected_text
        return result


    def _spelled(self, query: SearchQuery) -> SearchQuery | None:
        """Typed words unknown to the index replaced by the nearest known term, as the embedded
        backend's spelling step does (guichet.search.sqlite.SQLiteBackend._spelled): the same
        words (five letters or more, no digits), the same distances (one edit up to seven
        letters, two beyond), the index's terms (a term suggester on each French field) and
        the thesaurus's words, the nearest first, the most frequent among equals.

        Run only when a search finds nothing: every other search costs no extra request.
        """
        candidates = [term for clause in query.clauses for term in clause.typed
                      if len(term) >= SPELLING_MIN_LENGTH and term.isalpha()]
        if not candidates:
            return None
        fields = [field.split("^")[0] for field in TEXT_FIELDS + ENGLISH_TEXT_FIELDS]
        body = {"size": 0, "query": {"match_all": {}},
                "aggs": {"known": {"filters": {"filters": {
                    term: {"multi_match": {"query": term, "fields": fields}} for term in candidates}}}},
                "suggest": {f"{index}-{field}": {"text": term, "term": {
                    "field": field, "suggest_mode": "always", "max_edits": 1 if len(term) <= 7 else 2,
                    "prefix_length": 0, "min_word_length": SPELLING_MIN_LENGTH, "size": 20}}
                    for index, term in enumerate(candidates) for field in ("title", "summary", "description")}}
        response = self._call(self.client.search, index=self.alias, **body)
        known = response["aggregations"]["known"]["buckets"]
        thesaurus = {stem(word) for word in thesaurus_words()}
        tokens, english, corrections = [], [], []
        for clause in query.clauses:
            english.extend(clause.english if len(clause.english) == len(clause.typed) else [""] * len(clause.typed))
            for term in clause.typed:
                replacement = term
                # a word of the thesaurus is known too (the embedded backend's vocabulary has them)
                if term in candidates and known[term]["doc_count"] == 0 and term not in thesaurus:
                    index = candidates.index(term)
                    frequencies: dict[str, int] = {}
                    for field in ("title", "summary", "description"):
                        for entry in response["suggest"].get(f"{index}-{field}", []):
                            for option in entry["options"]:
                                frequencies[option["text"]] = max(frequencies.get(option["text"], 0), option["freq"])
                    for word in thesaurus:
                        frequencies.setdefault(word, 0)
                    limit = 1 if len(term) <= 7 else 2
                    near = [(Levenshtein.distance(term, other), -count, other) for other, count in frequencies.items()
                            if Levenshtein.distance(term, other, score_cutoff=limit) <= limit]
                    if near:
                        replacement = min(near)[2]
                        corrections.append((term, replacement))
                tokens.append(replacement)
        if not corrections:
            return None
        text = query.corrected_text or query.text
        for term, replacement in corrections:
            text = self._rewritten(text, term, replacement)
        return query.without(clauses=clauses_of(tokens, english), corrected_text=text)

    def _rewritten(self, text: str, term: str, replacement: str) -> str:
        """``text`` with the word that analyses to ``term`` written as a word of the index."""
        response = self._call(self.client.search, index=self.alias, size=1, source=["title", "summary", "description"],
                              query={"multi_match": {"query": replacement, "fields": list(TEXT_FIELDS)}})
        source = response["hits"]["hits"][0]["_source"] if response["hits"]["hits"] else {}
        words = _WORD.findall(" ".join(source.get(name) or "" for name in ("title", "summary", "description")))
        written = next((word.lower() for word in words if index_term(word.lower()) == replacement), None)
        if written is None:
            written = next((word for folded, word in thesaurus_words().items() if stem(folded) == replacement),
                           replacement)
        return _WORD.sub(lambda match: written if index_term(match.group().lower()) == term else match.group(), text)


# -- query compilation ---------------------------------------------------------------------------
def _terms(field: str, values) -> dict:
    return {"terms": {field: sorted(values)}}


def _any(*queries) -> dict:
    return {"bool": {"should": list(queries), "minimum_should_match": 1}}


def _not(query) -> dict:
    return {"bool": {"must_not": [query]}}


# Statuses from the dates, with positive clauses only (``open_from``/``open_until`` are the
# opening day and the last deadline, with far sentinels where the programme has none): cheap,
# cacheable filters, where negations would visit every document of every search.
def _not_closed(today: str) -> list[dict]:
    return [{"term": {"closed": False}}, {"range": {"open_until": {"gte": today}}}]


def _closed(today: str) -> dict:
    return _any({"term": {"closed": True}}, {"range": {"open_until": {"lt": today}}})


def status_queries(today: str) -> dict[str, dict]:
    """Each status as a query, from the dates and the day of the search."""
    return {
        "ouvert": {"bool": {"filter": [*_not_closed(today), {"range": {"open_from": {"lte": today}}}]}},
        "a_venir": {"bool": {"filter": [*_not_closed(today), {"range": {"open_from": {"gt": today}}}]}},
        "clos": _closed(today),
    }


def status_filter(statuses, today: str) -> dict | None:
    """The chosen statuses as one query, as simple as the choice allows; None for all three.

    The default choice (open and upcoming) is simply "not closed": it filters almost every
    search, so it is two positive clauses.
    """
    chosen = frozenset(statuses)
    if not chosen or chosen >= {"ouvert", "a_venir", "clos"}:
        return None
    if chosen == {"ouvert", "a_venir"}:
        return {"bool": {"filter": _not_closed(today)}}
    if chosen == {"ouvert", "clos"}:
        return _any(_closed(today), {"range": {"open_from": {"lte": today}}})
    if chosen == {"a_venir", "clos"}:
        return _any(_closed(today), {"range": {"open_from": {"gt": today}}})
    [status] = chosen
    return status_queries(today)[status]


def _population(low: int | None, high: int | None, overseas: bool = False) -> dict:
    bounds = {"relation": "intersects"}
    if low is not None:
        bounds["gte"] = low
    if high is not None:
        bounds["lte"] = high
    return {"range": {"population_overseas" if overseas else "population": bounds}}


def _phrase_query(phrase: tuple[str, ...], boost: float = 1.0, english: bool = False) -> dict:
    fields, boosts = (ENGLISH_TEXT_FIELDS, ENGLISH_FIELD_BOOSTS) if english else (TEXT_FIELDS, FIELD_BOOSTS)
    if len(phrase) == 1:
        return {"combined_fields": {"query": phrase[0], "fields": list(fields), "boost": boost}}
    return {"bool": {"should": [
        {"match_phrase": {field: {"query": " ".join(phrase), "slop": PHRASE_SLOP, "boost": weight * boost}}}
        for field, weight in boosts.items()]}}


def concept_query(clause: Clause) -> dict:
    """Any phrase of the concept (its BM25), plus COVERAGE_WEIGHT when it matches at all."""
    alternatives = [_phrase_query(phrase) for phrase in clause.phrases]
    if clause.english:
        alternatives.append(_phrase_query(clause.english, english=True))
    if len(clause.typed) == 1 and len(clause.typed[0]) >= FUZZY_MIN_LENGTH and clause.typed[0].isalpha():
        alternatives.append({"multi_match": {"query": clause.typed[0], "fields": list(TEXT_FIELDS),
                                             "fuzziness": "AUTO", "prefix_length": 2, "boost": 0.2}})
    matched = alternatives[0] if len(alternatives) == 1 else {"bool": {"should": alternatives}}
    return {"bool": {"should": [{"constant_score": {"filter": matched, "boost": COVERAGE_WEIGHT}}, matched]}}


def text_query(query: SearchQuery) -> dict:
    """Programmes covering enough concepts (query.required_coverage), scored by coverage then BM25.

    The same ranking as the embedded backend: a bool of one should clause per concept with a
    minimum_should_match, and a bonus for two neighbouring words as typed (a phrase).
    """
    concepts = {"bool": {"should": [concept_query(clause) for clause in query.clauses],
                         "minimum_should_match": query.required_coverage}}
    pairs = [first.typed + second.typed for first, second in zip(query.clauses, query.clauses[1:])
             if first.typed and second.typed]
    bonuses = [_phrase_query(pair) for pair in pairs]
    bonuses += [_phrase_query(first.english + second.english, english=True)
                for first, second in zip(query.clauses, query.clauses[1:]) if first.english and second.english]
    if not bonuses:
        return concepts
    return {"bool": {"must": [concepts], "should": bonuses}}


def facet_filters(query: SearchQuery) -> dict[str, dict]:
    """Filters that have a facet: counted without their own filter (multi-select)."""
    filters = {}
    for facet, values in (("themes", query.themes), ("levels", query.levels), ("aid_types", query.aid_types),
                          ("calls", query.calls), ("beneficiaries", query.beneficiaries)):
        if values:
            filters[facet] = _terms(FACET_TERM_FIELDS[facet], values)
    if query.aid_programmes:
        filters["aid_programmes"] = _terms("aid_programme_keys", query.aid_programme_keys)
    # -- funders, aid rate and amount (issue 17)
    if query.funders:
        filters["funders"] = _terms("funders.folded", {funder_key(value) for value in query.funders})
    if query.rate_at_least is not None:
        filters["rate_at_least"] = {"range": {"max_rate": {"gte": query.rate_at_least}}}
    if query.amount_at_least is not None:
        filters["amount_at_least"] = {"range": {"max_amount": {"gte": query.amount_at_least}}}
    if query.regions:
        filters["regions"] = _any({"term": {"nationwide": True}}, _terms("available_regions", query.regions))
    if query.departments:
        filters["departments"] = _any({"term": {"nationwide": True}},
                                      _terms("available_departments", query.departments))
    return filters


def plain_filters(query: SearchQuery) -> list[dict]:
    """Filters without a facet: always applied, to hits and to every count."""
    filters = []
    today = query.today.isoformat()
    if query.deadline_before:
        filters.append({"range": {"deadlines": {"gte": today, "lte": query.deadline_before.isoformat()}}})
    if query.population_range:
        filters.append(_population(*query.population_range))
    if query.published_after:
        filters.append({"range": {"published_at": {"gt": query.published_after.isoformat(timespec="seconds")}}})
    if query.eligibility:
        eligibility = query.eligibility
        if eligibility.population is not None:
            # An overseas commune by the overseas bands (DETR: up to 35 000 inhabitants).
            filters.append(_population(eligibility.population, eligibility.population, eligibility.overseas))
        filters.append(_any({"term": {"nationwide": True}},
                            {"term": {"available_departments": eligibility.department}}))
        filters.append(_any(_not({"exists": {"field": "beneficiaries"}}),
                            _terms("beneficiaries", eligibility.beneficiaries)))
        # A programme restricted to lists or zonings: the commune must belong to one of them.
        filters.append(_any(_not({"exists": {"field": "territories"}}),
                            _terms("territories", sorted(eligibility.any_territories))))
    return filters


def _facet_aggregation(facet: str, today: str, query: SearchQuery) -> dict:
    if facet == "funders":
        size = query.funder_facet_size if query.funder_facet_size is not None else ALL_FUNDERS
        return {"values": {"terms": {"field": FACET_TERM_FIELDS[facet], "size": size}}}
    if facet in THRESHOLD_FACETS:
        # each threshold's count, and the programmes whose source states no value
        field, thresholds = THRESHOLD_FACETS[facet]
        buckets = {value: {"range": {field: {"gte": float(value)}}} for value in thresholds if value != UNKNOWN_VALUE}
        buckets[UNKNOWN_VALUE] = _not({"exists": {"field": field}})
        return {"thresholds": {"filters": {"filters": buckets}}}
    if facet in FACET_TERM_FIELDS:
        return {"values": {"terms": {"field": FACET_TERM_FIELDS[facet], "size": 500}}}
    if facet == "statuses":
        # open = all - closed - upcoming: two simple filters instead of three
        statuses = status_queries(today)
        return {"clos": {"filter": statuses["clos"]}, "a_venir": {"filter": statuses["a_venir"]}}
    field = "available_regions" if facet == "regions" else "available_departments"
    return {
        "nationwide": {"filter": {"term": {"nationwide": True}}},
        "values": {"terms": {"field": field, "size": 500}},
    }


def sort_clause(query: SearchQuery) -> list:
    # Ties go by indexing order (_seq_no; the index has one shard), as the embedded backend's
    # row ids: newest indexed first for "nouveauté", first indexed first otherwise.
    if query.sort == "nouveaute":
        return [{"first_seen_at": {"order": "desc", "missing": "_last"}}, {"_seq_no": "desc"}]
    if query.sort == "pertinence" and query.has_text:
        return ["_score", {"_seq_no": "asc"}]
    today = query.today.isoformat()
    return [
        {"deadline_dates.date": {
            "order": "asc",
            "mode": "min",
            "missing": "_last",
            "nested": {"path": "deadline_dates", "filter": {"range": {"deadline_dates.date": {"gte": today}}}},
        }},
        {"title_sort": "asc"},
        {"_seq_no": "asc"},
    ]


def compile_search(query: SearchQuery) -> dict:
    """The body of the search request for a parsed query."""
    today = query.today.isoformat()
    plain = plain_filters(query)
    statuses = status_filter(query.statuses, today)
    # The status filter is on by default: it goes into the query itself, so that the other
    # facets can aggregate the hits directly; the status counts are computed apart.
    main = {"bool": {"filter": plain + ([statuses] if statuses else [])}}
    if query.has_text:
        main["bool"]["must"] = [text_query(query)]
    by_facet = facet_filters(query)
    aggregations = {}
    for facet in FACET_FIELDS:
        if facet == "statuses" and statuses is not None:
            # every filter of the search but the status one (a global aggregation starts from
            # all documents, so the text and the other filters are applied again)
            unfiltered_by_status = [*plain, *by_facet.values()] + ([text_query(query)] if query.has_text else [])
            aggregations[facet] = {"global": {}, "aggs": {"scope": {
                "filter": {"bool": {"filter": unfiltered_by_status}},
                "aggs": _facet_aggregation(facet, today, query)}}}
            continue
        others = [clause for name, clause in by_facet.items() if name != facet]
        if others:
            aggregations[facet] = {"filter": {"bool": {"filter": others}},
                                   "aggs": _facet_aggregation(facet, today, query)}
        else:
            # Nothing to take out: aggregate the hits directly (a filter aggregation costs a
            # pass over every hit even when it filters nothing).
            for name, aggregation in _facet_aggregation(facet, today, query).items():
                aggregations[f"{facet}{_FLAT}{name}"] = aggregation
    request = {
        "query": main,
        "aggs": aggregations,
        "sort": sort_clause(query),
        "from": query.offset,
        "size": query.per_page,
        "track_total_hits": True,
        "source": ["title_sort", "summary", "description", "summary_en", "description_en"] if query.has_text else False,
    }
    if by_facet:
        request["post_filter"] = {"bool": {"filter": list(by_facet.values())}}
    if query.has_text:
        request["highlight"] = {
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "encoder": "html",
            "require_field_match": False,
            "fields": {
                "title": {"number_of_fragments": 0},
                "summary": {"fragment_size": SNIPPET_SIZE, "number_of_fragments": 1},
                "description": {"fragment_size": SNIPPET_SIZE, "number_of_fragments": 1},
                "title_en": {"number_of_fragments": 0},
                "summary_en": {"fragment_size": SNIPPET_SIZE, "number_of_fragments": 1},
                "description_en": {"fragment_size": SNIPPET_SIZE, "number_of_fragments": 1},
            },
            # every term of the query's concepts (combined_fields clauses are not highlighted)
            "highlight_query": highlight_query(query),
        }
    return request


def highlight_query(query: SearchQuery) -> dict:
    french = {"multi_match": {"query": " ".join(sorted(query.highlight_terms())),
                              "fields": ["title", "summary", "description"]}}
    english = query.english_terms()
    if not english:
        return french
    return {"bool": {"should": [french, {"multi_match": {"query": " ".join(sorted(english)),
                                                         "fields": ["title_en", "summary_en", "description_en"]}}]}}


# -- responses -------------------------------------------------------------------------------
def _fragment(fragment: str) -> str:
    return _MARKED_ELISION.sub(r"\1<mark>", fragment.replace("&#x27;", "&#39;"))


def _with_ellipses(fragment: str, text: str) -> Markup:
    """"… " before and " …" after a fragment that does not reach the start or end of its field."""
    plain = Markup(_MARK.sub("", fragment)).unescape().strip()
    marked = Markup(fragment.strip())
    if plain and not text.strip().startswith(plain):
        marked = Markup("… ") + marked
    if plain and not text.strip().endswith(plain):
        marked = marked + Markup(" …")
    return marked


def read_response(query: SearchQuery, response: dict, counts_response: dict | None = None) -> SearchResult:
    """Hits from ``response``; facets from ``counts_response`` (the counts request), or from
    ``response`` itself when the search ran as one request."""
    counts_response = counts_response or response
    hits = []
    for raw in response["hits"]["hits"]:
        highlights = {}
        source = raw.get("_source") or {}
        for field, fragments in sorted((raw.get("highlight") or {}).items()):
            name = field.removesuffix("_en")
            if not fragments or name in highlights:
                continue
            if name == "title":
                # the whole title only (an English record's title may be split between fields)
                if Markup(_MARK.sub("", fragments[0])).unescape() == (source.get("title_sort") or ""):
                    highlights["title"] = Markup(_fragment(fragments[0]))
            else:
                highlights[name] = _with_ellipses(_fragment(fragments[0]), source.get(field) or "")
        hits.append(Hit(id=raw["_id"], score=raw.get("_score"), highlights=highlights))
    facets = {}
    aggregations = counts_response.get("aggregations", {})
    for facet in FACET_FIELDS:
        aggregation = aggregations.get(facet) or {
            name.split(_FLAT, 1)[1]: value for name, value in aggregations.items() if name.startswith(facet + _FLAT)}
        aggregation = aggregation.get("scope", aggregation)  # the global aggregation of statuses
        if facet == "statuses":
            # the documents counted: the scope of the aggregation, or all hits when unwrapped
            base = aggregation.get("doc_count", counts_response["hits"]["total"]["value"])
            closed, upcoming = aggregation["clos"]["doc_count"], aggregation["a_venir"]["doc_count"]
            counts = {"ouvert": base - closed - upcoming, "a_venir": upcoming, "clos": closed}
        elif facet in ("regions", "departments"):
            codes = geo.REGIONS if facet == "regions" else geo.DEPARTMENTS
            nationwide = aggregation["nationwide"]["doc_count"]
            by_code = {bucket["key"]: bucket["doc_count"] for bucket in aggregation["values"]["buckets"]}
            counts = {code: nationwide + by_code.get(code, 0) for code in codes}
        elif facet in THRESHOLD_FACETS:
            counts = {value: bucket["doc_count"] for value, bucket in aggregation["thresholds"]["buckets"].items()}
        else:
            # a boolean field's buckets (calls) are keyed 1/0, named "true"/"false"
            counts = {bucket.get("key_as_string", bucket["key"]): bucket["doc_count"]
                      for bucket in aggregation["values"]["buckets"]}
            if facet == "calls":
                counts = {"true": counts.get("true", 0)}
        facets[facet] = {value: count for value, count in counts.items() if count}
    return SearchResult(total=response["hits"]["total"]["value"], hits=hits, facets=facets)

