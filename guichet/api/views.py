"""/api/v1: programmes (search and one), themes, the OpenAPI document."""

from dataclasses import asdict
from datetime import date

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from guichet.api import json_error
from guichet.api.openapi import openapi_document
from guichet.db import get_session
from guichet.programmes.records import programme_record
from guichet.programmes.services import get_programme
from guichet.programmes.themes import THEMES
from guichet.search import services as search_services
from guichet.search.base import SearchUnavailable
from guichet.search.query import InvalidQuery

bp = Blueprint("api", __name__, url_prefix="/api/v1")

UNAVAILABLE = "La recherche est momentanément indisponible. Merci de réessayer dans quelques instants."


def programme_json(programme, today: date, highlights=None, eligibility=None) -> dict:
    record = programme_record(programme, today)
    record["url"] = url_for("web.programme_detail", programme_id=programme.id, _external=True)
    if highlights is not None:
        record["highlights"] = {field: str(value) for field, value in highlights.items()}
    if eligibility is not None:
        from guichet.territories.services import verdict_for

        verdict = verdict_for(programme, eligibility)
        record["eligibilite"] = {"etat": verdict.state, "libelle": verdict.label, "phrase": verdict.sentence}
    return record


@bp.get("/programmes")
def programmes():
    try:
        query = search_services.parse(request.args)
    except InvalidQuery as error:
        return json_error(400, error.message, error.parameter)
    try:
        page = search_services.search(query)
    except SearchUnavailable:
        return json_error(503, UNAVAILABLE)
    return jsonify({
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "pages": page.pages,
        "results": [programme_json(item.programme, query.today, item.hit.highlights, query.eligibility)
                    for item in page.items],
        "facets": {name: [{"value": value.value, "label": value.label, "count": value.count} for value in values]
                   for name, values in page.facets.items()},
        "corrected_text": page.corrected_text,
        "suggestions": [{"kind": suggestion.kind, "label": suggestion.label, "count": suggestion.count,
                         "params": suggestion.params} for suggestion in page.suggestions],
    })


@bp.get("/programmes/<path:programme_id>")
def programme(programme_id):
    found = get_programme(get_session(), programme_id)
    if found is not None and found.state == "merged" and found.merged_into:
        # Like the page: a merged programme's id stays a valid address for the one kept.
        return redirect(url_for("api.programme", programme_id=found.merged_into), 301)
    if found is None or found.state != "published":
        return json_error(404, f"Aucun programme publié n'a l'identifiant « {programme_id[:200]} ».")
    return jsonify(programme_json(found, date.today()))


@bp.get("/themes")
def themes():
    return jsonify({"themes": [
        {"value": theme.slug, "label": theme.label,
         "subthemes": [{"value": f"{theme.slug}/{slug}", "label": label} for slug, label in theme.subthemes.items()]}
        for theme in THEMES
    ]})


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(request.url_root.rstrip("/")))


@bp.errorhandler(404)
def not_found(_error):
    return json_error(404, "Cette adresse de l'API n'existe pas.")
