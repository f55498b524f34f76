"""/projets (the « Projets financés » search), its CSV export, and /api/v1/projects."""

import csv
import io
import re

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for

from guichet import geo
from guichet.projects import services
from guichet.projects.index import IndexUnavailable
from guichet.projects.models import LEVELS
from guichet.projects.query import PARAMS, POPULATION_BANDS, SORTS
from guichet.feeds.formats import spreadsheet_cell
from guichet.search.query import InvalidQuery
from guichet.web.errors import error_page
from guichet.web.formatting import NARROW_NBSP, euros, number_fr
from guichet.web.links import changed_url

bp = Blueprint("projects", __name__)
api_bp = Blueprint("projects_api", __name__, url_prefix="/api/v1")

UNAVAILABLE = "La recherche des projets financés est momentanément indisponible. Merci de réessayer dans quelques instants."
MAX_EXPORT = 50_000
CSV_COLUMNS = (
    ("Année", lambda p: p.year),
    ("Programme", lambda p: p.programme_label),
    ("Mesure ou dotation", lambda p: p.measure),
    ("Catégorie", lambda p: p.category or ""),
    ("Projet", lambda p: p.title),
    ("Bénéficiaire", lambda p: p.beneficiary or ""),
    ("Niveau du bénéficiaire", lambda p: LEVELS.get(p.level, p.level)),
    ("Code INSEE de la commune", lambda p: p.commune_code or ""),
    ("Commune", lambda p: p.commune_name or ""),
    ("Intercommunalité (SIREN)", lambda p: p.epci_code or ""),
    ("Intercommunalité", lambda p: p.epci_name or ""),
    ("Département", lambda p: p.department or ""),
    ("Région", lambda p: geo.REGIONS.get(p.region or "", p.region or "")),
    ("Population", lambda p: p.population),
    ("Montant de l’aide (€)", lambda p: float(p.amount)),
    ("Coût total du projet (€)", lambda p: float(p.total_cost) if p.total_cost is not None else None),
    ("Part du coût financée (%)", lambda p: round(p.cost_share * 100, 1) if p.cost_share else None),
)


def percent_fr(share) -> str:
    if share is None:
        return ""
    return f"{number_fr(round(share * 100))}{NARROW_NBSP}%"


def amount_fr(value) -> str:
    return euros(round(value)) if value is not None else ""


# -- URLs ----------------------------------------------------------------------------------
def projects_url(endpoint: str = "projects.search", drop=(), toggle: tuple[str, str] | None = None,
                 args=None, **changes) -> str:
    """The current project search with changes (same rules as the programme search's URLs)."""
    source = request.args if args is None else args
    params = {name: [value for value in _getlist(source, name) if str(value).strip()] for name in PARAMS}
    return changed_url(endpoint, params, PARAMS, drop, toggle, changes)


def _getlist(source, name):
    if hasattr(source, "getlist"):
        return source.getlist(name)
    value = source.get(name)
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def like_mine_url(**params) -> str:
    """« Trouver des projets comme le mien »: one link to /projets with these parameters."""
    return projects_url(args={}, **{name: value for name, value in params.items() if value})


# -- pages ---------------------------------------------------------------------------------
def _active_filters(query) -> list[tuple[str, str]]:
    snapshot_labels = {}
    try:
        snapshot_labels = services.get_index().snapshot().labels
    except IndexUnavailable:
        pass
    filters = []
    for value in sorted(query.programmes):
        filters.append((f"Programme : {snapshot_labels.get(value, value)}", projects_url(toggle=("programme", value))))
    for value in sorted(query.years):
        filters.append((f"Année : {value}", projects_url(toggle=("year", str(value)))))
    for value in sorted(query.regions):
        filters.append((f"Région : {geo.REGIONS.get(value, value)}", projects_url(toggle=("region", value))))
    for value in sorted(query.departments):
        filters.append((f"Département : {geo.DEPARTMENT_NAMES.get(value, value)}",
                        projects_url(toggle=("department", value))))
    if query.populations:
        labels = ", ".join(POPULATION_BANDS[value] for value in POPULATION_BANDS if value in query.populations)
        filters.append((f"Taille : {labels}", projects_url(drop=("population",))))
    if query.commune:
        from guichet.communes.services import get_commune
        from guichet.db import get_session

        commune, _alias = get_commune(get_session(), query.commune)
        filters.append((f"Commune : {commune.name if commune else query.commune}", projects_url(drop=("commune",))))
    if query.amount_min is not None:
        filters.append((f"Au moins {euros(query.amount_min)}", projects_url(drop=("amount_min",))))
    if query.amount_max is not None:
        filters.append((f"Au plus {euros(query.amount_max)}", projects_url(drop=("amount_max",))))
    if query.text:
        filters.append((f"Mots : « {query.text} »", projects_url(drop=("q",))))
    return filters


def _context(**extra):
    extra.setdefault("choices", [])
    return dict(sorts=SORTS, population_bands=POPULATION_BANDS, regions=geo.REGIONS,
                departments=geo.DEPARTMENT_NAMES, args=request.args, **extra)


_INSEE = re.compile(r"^[0-9][0-9AB][0-9]{3}$", re.IGNORECASE)


def _typed_commune():
    """A commune typed by name or postcode on the page becomes its INSEE code (a redirect), or
    a list to choose from; None when the parameter is a code (or absent)."""
    from guichet.communes.services import resolve_typed

    values = [value.strip() for value in request.args.getlist("commune") if value.strip()]
    if len(values) != 1 or _INSEE.match(values[0]):
        return None
    resolution = resolve_typed(values[0])
    if resolution.code:
        return redirect(projects_url(commune=resolution.code), 303)
    message = resolution.message or f"Plusieurs communes correspondent à « {values[0][:100]} » : choisissez-la."
    choices = [(match.commune.label, projects_url(commune=match.commune.code)) for match in resolution.choices]
    error = InvalidQuery("commune", message)
    return render_template("projects/search.html", **_context(error=error, page=None, query=None, filters=[],
                                                              choices=choices)), 400


@bp.get("/projets")
def search():
    typed = _typed_commune()
    if typed is not None:
        return typed
    try:
        query = services.parse(request.args)
    except InvalidQuery as error:
        return render_template("projects/search.html", **_context(error=error, page=None, query=None, filters=[])), 400
    except IndexUnavailable:
        return error_page(503, UNAVAILABLE)
    try:
        page = services.search(query)
    except IndexUnavailable:
        current_app.logger.warning("projects index unavailable", exc_info=True)
        return error_page(503, UNAVAILABLE)
    return render_template("projects/search.html", **_context(page=page, query=query, filters=_active_filters(query),
                                                              error=None))


@bp.get("/projets.csv")
def export():
    try:
        query = services.parse(request.args, max_per_page=MAX_EXPORT)
        page = services.search(query.without(page=1, per_page=MAX_EXPORT))
    except InvalidQuery as error:
        return Response(f"Paramètre « {error.parameter} » incorrect : {error.message}\n", status=400,
                        mimetype="text/plain")
    except IndexUnavailable:
        return Response(UNAVAILABLE + "\n", status=503, mimetype="text/plain")
    out = io.StringIO()
    out.write("\ufeff")  # the BOM: spreadsheets then read the file as UTF-8
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([name for name, _value in CSV_COLUMNS])
    for project in page.items:
        # The programme exports' cells: decimal commas, formulas quoted as text (CSV injection).
        writer.writerow([spreadsheet_cell(value(project)) for _name, value in CSV_COLUMNS])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="projets-finances.csv"'
    return response


# -- API -------------------------------------------------------------------------------------
def project_json(project) -> dict:
    return {
        "id": project.id, "kind": project.kind, "year": project.year, "programme": project.programme_key,
        "programme_label": project.programme_label, "programme_id": project.programme_id,
        "programme_url": url_for("web.programme_detail", programme_id=project.programme_id, _external=True)
        if project.programme_id else None,
        "measure": project.measure, "category": project.category, "title": project.title,
        "beneficiary": project.beneficiary, "beneficiary_level": project.level,
        "commune": project.commune_code, "commune_name": project.commune_name, "epci": project.epci_code,
        "epci_name": project.epci_name, "department": project.department, "region": project.region,
        "population": project.population, "population_band": project.band, "amount": project.amount,
        "total_cost": project.total_cost,
        "cost_share": round(project.cost_share, 4) if project.cost_share is not None else None,
    }


@api_bp.get("/projects")
def api_projects():
    from guichet.api.errors import json_error

    try:
        query = services.parse(request.args)
        page = services.search(query)
    except InvalidQuery as error:
        return json_error(400, error.message, error.parameter)
    except IndexUnavailable:
        return json_error(503, UNAVAILABLE)
    return jsonify({
        "total": page.total, "page": query.page, "per_page": query.per_page, "pages": page.pages,
        "results": [project_json(project) for project in page.items],
        "facets": {name: [{"value": value.value, "label": value.label, "count": value.count} for value in values]
                   for name, values in page.facets.items()},
    })
