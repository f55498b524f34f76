"""Search page, programme detail page and health check (thin: parse, call services, render)."""

import re
from datetime import date, datetime

from flask import Blueprint, current_app, jsonify, render_template, request
from sqlalchemy import text

from guichet import geo
from guichet.db import get_database, get_session
from guichet.programmes.models import Programme, programme_status
from guichet.programmes.services import get_programme
from guichet.programmes.themes import THEMES
from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, POPULATION_BANDS, STATUSES
from guichet.search import get_backend
from guichet.search import services as search_services
from guichet.search.base import SearchUnavailable
from guichet.search.params import FUNDERS, SORTS
from guichet.search.query import InvalidQuery
from guichet.web.errors import error_page, french_404
from guichet.web import programme_page
from guichet.web.description import describe
from guichet.web.links import search_url

bp = Blueprint("web", __name__)

UNAVAILABLE = "La recherche est momentanément indisponible. Merci de réessayer dans quelques instants."


def active_filters(query, facets=None) -> list[tuple[str, str]]:
    """(label, URL without that filter) for each filter the person set, for the empty state
    and the « filtres actifs » tags: a repeatable filter's values are removed one by one. A
    funder typed « etat » reads as the index spells it (« État ») when the facets have it."""
    funders = {value.value: value.label for value in (facets or {}).get("funders", []) if value.selected}
    tags = []
    for item in describe(query):
        if item.values:
            tags.extend((f"{FUNDERS.noun} : {funders[value]}" if item.name == "funder" and value in funders else label,
                         search_url(toggle=(item.name, value))) for value, label in item.values)
        else:
            tags.append((item.text, search_url(drop=(item.name,))))
    return tags


def search_context(**extra):
    return dict(themes=THEMES, levels=LEVELS, aid_types=AID_TYPES, beneficiaries=BENEFICIARIES,
                statuses=STATUSES, sorts=SORTS, population_bands=POPULATION_BANDS, regions=geo.REGIONS,
                departments=geo.DEPARTMENT_NAMES, args=request.args, **extra)


@bp.get("/")
def search():
    try:
        query = search_services.parse(request.args, max_per_page=100)
    except InvalidQuery as error:
        return render_template("search/index.html", **search_context(error=error, page=None, query=None,
                                                                      filters=[])), 400
    try:
        page = search_services.search(query)
    except SearchUnavailable:
        current_app.logger.warning("search backend unavailable", exc_info=True)
        return error_page(503, UNAVAILABLE)
    filters = active_filters(query, page.facets)
    return render_template("search/index.html", **search_context(page=page, query=query, filters=filters,
                                                                  error=None))


@bp.get("/programmes/<path:programme_id>")
def programme_detail(programme_id):
    session = get_session()
    programme = get_programme(session, programme_id)
    if programme is None or programme.state not in ("published", "merged"):
        raise french_404("Aucun programme ne correspond à cette adresse. Il a peut-être été retiré : "
                         "lancez une nouvelle recherche.")
    eligibility = None
    commune = request.args.get("commune", "").strip().upper()
    if commune:
        # Kept from the search page: the programme says whether that commune is eligible (the
        # resolver guichet.communes registers with search).
        eligibility = (search_services.resolve_commune(commune) if re.fullmatch(r"[0-9][0-9AB][0-9]{3}", commune)
                       else None)
        if eligibility is None:
            return error_page(400, f"Commune inconnue : aucun code INSEE « {commune[:20]} ».")
    if programme.state == "merged" and programme.merged_into:
        from flask import redirect, url_for

        return redirect(url_for("web.programme_detail", programme_id=programme.merged_into,
                                commune=eligibility.commune_code if eligibility else None), 301)
    return render_template("programmes/detail.html",
                           **programme_page.page_context(session, programme, eligibility, date.today()))


@bp.get("/a-propos")
def about():
    return render_template("about.html")


@bp.get("/sources")
def sources():
    """« Sources et couverture »: how each source's format was verified, the regions covered."""
    from scrapers.coverage import source_coverage
    from scrapers.registry import all_sources

    from sqlalchemy import column, func, select, table

    coverage = source_coverage(all_sources())
    session = get_session()
    today = date.today()
    open_counts: dict[str, int] = {}
    rows = session.query(Programme.source, Programme.opens_on, Programme.deadlines, Programme.closed_at).filter(
        Programme.state == "published")
    for slug, opens_on, deadlines, closed_at in rows:
        if programme_status(opens_on, deadlines, closed_at is not None, today) == "ouvert":
            open_counts[slug] = open_counts.get(slug, 0) + 1
    # The runs belong to guichet.sources (a higher room): read through a table construct.
    runs = table("scrape_runs", column("source"), column("finished_at"), column("status"))
    last = dict(session.execute(select(runs.c.source, func.max(runs.c.finished_at)).where(
        runs.c.status.in_(("success", "partial"))).group_by(runs.c.source)).all())
    for row in coverage["sources"]:
        row["open"] = open_counts.get(row["slug"], 0)
        finished = last.get(row["slug"])
        if isinstance(finished, str):
            finished = datetime.fromisoformat(finished)
        row["last_success"] = programme_page.paris_time(finished) if finished else None
    covered_departments = {code for source in all_sources().values() if source.level == "departmental"
                           for code in (getattr(source, "departments", ()) or ())}
    coverage["uncovered_departments"] = [f"{name} ({code})" for code, name in geo.DEPARTMENT_NAMES.items()
                                         if code not in covered_departments]
    return render_template("sources.html", coverage=coverage, levels=LEVELS)


def _operator() -> bool:
    """Health details (counts, raw errors) are for operators: the HEALTH_TOKEN bearer, staff
    logged in, or a loopback request on a development machine."""
    import hmac

    config = current_app.config
    token = config.get("HEALTH_TOKEN")
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    if config["ENV"] == "development" and request.remote_addr in ("127.0.0.1", "::1"):
        return True
    try:
        from flask_login import current_user

        return bool(current_user and current_user.is_authenticated)
    except Exception:  # no login manager (a feature turned off)
        return False


@bp.get("/healthz")
def healthz():
    from guichet.search.outbox import index_consistency

    public = {"store": {"status": "ok"}, "search": {"status": "ok"}}
    details = {"store": {}, "search": {}}
    status = 200
    try:
        with get_database().engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        details["store"]["programmes"] = get_session().query(Programme).count()
    except Exception as error:  # any failure of the store is reported, not raised
        public["store"] = {"status": "indisponible"}
        details["store"]["error"] = str(error)[:200]
        status = 503
    try:
        details["search"].update(get_backend().health())
        details["search"].pop("status", None)
        if status == 200:
            consistency = index_consistency(current_app._get_current_object())
            details["search"].update(published=consistency.published, waiting_changes=consistency.waiting,
                                     oldest_change_wait_seconds=round(consistency.oldest_wait))
            if not consistency.complete:
                # The index answers, but without every published programme: as bad as down.
                public["search"] = {"status": "index incomplet"}
                status = 503
    except SearchUnavailable as error:
        public["search"] = {"status": "indisponible"}
        details["search"]["error"] = str(error)[:200]
        status = 503
    state = public
    if _operator():
        state = {name: {**details[name], **public[name]} for name in public}
    state["status"] = "ok" if status == 200 else "dégradé"
    return jsonify(state), status
