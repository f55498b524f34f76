"""/api/v1: programmes (search and one), themes, the OpenAPI document."""

import re
import threading
from collections import OrderedDict
from datetime import date

import orjson
from flask import Blueprint, Response, current_app, jsonify, redirect, request, url_for

from guichet.api.errors import json_error
from guichet.api.openapi import openapi_document
from guichet.db import get_session
from guichet.programmes.records import programme_record
from guichet.programmes.services import get_programme
from guichet.programmes.themes import THEMES
from guichet.search import services as search_services
from guichet.search.base import SearchUnavailable
from guichet.search.query import InvalidQuery
from guichet.web import compression
from guichet.web.errors import public_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")

UNAVAILABLE = "La recherche est momentanément indisponible. Merci de réessayer dans quelques instants."


def eligibility_verdict():
    """The verdict of guichet.territories (registered by it): éligible, non éligible, à vérifier."""
    return current_app.extensions["guichet.eligibility_verdict"]


def programme_json(programme, today: date, highlights=None, eligibility=None) -> dict:
    record = programme_record(programme, today)
    record["url"] = public_url("web.programme_detail", programme_id=programme.id)
    if highlights is not None:
        record["highlights"] = {field: str(value) for field, value in highlights.items()}
    if eligibility is not None:
        verdict = eligibility_verdict()(programme, eligibility)
        record["eligibilite"] = {"etat": verdict.state, "libelle": verdict.label, "phrase": verdict.sentence}
    return record


class RecordCache:
    """Records of programmes as the API serves them, per process, keyed by the programme's id,
    its last-change stamp in the store, the day (status and next deadline depend on it) and the
    site's address. A change anywhere (another process, a scrape) moves the stamp, so a stale
    record is never served; the least recently used ones go past ``size``."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._records: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            record = self._records.get(key)
            if record is not None:
                self._records.move_to_end(key)
            return record

    def put(self, key, record) -> None:
        with self._lock:
            self._records[key] = record
            while len(self._records) > self.size:
                self._records.popitem(last=False)


_records = RecordCache()
_encoded_bodies = compression.EncodedBodies()


def json_answer(body) -> Response:
    """``body`` as JSON (orjson: UTF-8 as it is, no key sorting, a tenth of the json module's
    time), compressed as the client accepts it, with its ETag (``compression.encoded``)."""
    payload, encoding, etag = compression.encoded(request, orjson.dumps(body), _encoded_bodies)
    response = current_app.response_class(payload, mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    if encoding is not None:
        response.headers["Content-Encoding"] = encoding
    response.set_etag(etag)
    return response


def result_records(page, today: date, eligibility=None) -> list[dict]:
    keys = [(item.hit.id, item.updated_at, today, request.host_url) for item in page.items]
    cached = [_records.get(key) for key in keys]
    missing = [key[0] for key, record in zip(keys, cached) if record is None]
    if missing:
        programmes = search_services.load_results(get_session(), missing)
        for index, key in enumerate(keys):
            if cached[index] is None and key[0] in programmes:
                cached[index] = programme_json(programmes[key[0]], today)
                # the stamp just read, not the one of the search: a change in between is not cached as older
                _records.put((key[0], programmes[key[0]].updated_at, today, request.host_url), cached[index])
    # A commune's eligibility depends on the commune, not only the programme: computed each time.
    programmes = (search_services.load_results(get_session(), [key[0] for key in keys])
                  if eligibility is not None else {})
    results = []
    for item, record in zip(page.items, cached):
        if record is None:
            continue  # deleted between the search and the load
        if item.hit.highlights is not None:
            record = {**record, "highlights": {field: str(value) for field, value in item.hit.highlights.items()}}
        if eligibility is not None and item.hit.id in programmes:
            verdict = eligibility_verdict()(programmes[item.hit.id], eligibility)
            record = {**record, "eligibilite": {"etat": verdict.state, "libelle": verdict.label,
                                                "phrase": verdict.sentence}}
        results.append(record)
    return results


@bp.get("/programmes")
def programmes():
    try:
        query = search_services.parse(request.args, strict=True)
    except InvalidQuery as error:
        return json_error(400, error.message, error.parameter)
    try:
        page = search_services.search(query, load_programmes=False)
    except SearchUnavailable:
        return json_error(503, UNAVAILABLE)
    body = {
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": page.pages,
        "results": result_records(page, query.today, query.eligibility),
        "facets": {name: [{"value": value.value, "label": value.label, "count": value.count} for value in values]
                   for name, values in page.facets.items()},
        "corrected_text": page.corrected_text,
        "suggestions": [{"kind": suggestion.kind, "label": suggestion.label, "count": suggestion.count,
                         "params": suggestion.params} for suggestion in page.suggestions],
    }
    return json_answer(body)


@bp.get("/programmes/<path:programme_id>")
def programme(programme_id):
    found = get_programme(get_session(), programme_id)
    if found is not None and found.state == "merged" and found.merged_into:
        # Like the page: a merged programme's id stays a valid address for the one kept.
        return redirect(url_for("api.programme", programme_id=found.merged_into), 301)
    if found is None or found.state != "published":
        return json_error(404, f"Aucun programme publié n’a l’identifiant « {programme_id[:200]} ».")
    return json_answer(programme_json(found, date.today()))


@bp.get("/themes")
def themes():
    return jsonify({"themes": [
        {"value": theme.slug, "label": theme.label,
         "subthemes": [{"value": f"{theme.slug}/{slug}", "label": label} for slug, label in theme.subthemes.items()]}
        for theme in THEMES
    ]})


@bp.get("/porteurs")
def funders():
    """Autocomplete of the « porteur d’aide » filter: funders whose name holds the typed words."""
    unknown = [name for name in request.args if name not in ("q", "limit")]
    if unknown:
        return json_error(400, f"Paramètre inconnu : « {unknown[0][:60]} ». Paramètres possibles : q, limit.",
                          unknown[0][:60])
    values = request.args.getlist("q")
    if len(values) > 1:
        return json_error(400, "Le paramètre « q » ne peut être donné qu’une fois.", "q")
    text = values[0] if values else ""
    if len(text) > search_services.MAX_FUNDER_QUERY_LENGTH:
        return json_error(400, "Le nom cherché est trop long : "
                               f"{search_services.MAX_FUNDER_QUERY_LENGTH} caractères au plus.", "q")
    limit = request.args.get("limit", "10").strip()
    if (len(request.args.getlist("limit")) > 1 or not re.fullmatch(r"[0-9]{1,3}", limit)
            or not 1 <= int(limit) <= search_services.MAX_FUNDER_LIMIT):
        return json_error(400, "Le paramètre « limit » doit être un entier compris entre 1 et "
                               f"{search_services.MAX_FUNDER_LIMIT}.", "limit")
    try:
        found = search_services.find_funders(text, int(limit))
    except SearchUnavailable:
        return json_error(503, UNAVAILABLE)
    return jsonify([{"value": value.value, "label": value.label, "count": value.count} for value in found])


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(current_app.config["BASE_URL"].rstrip("/")))


@bp.errorhandler(404)
def not_found(_error):
    return json_error(404, "Cette adresse de l’API n’existe pas.")
