"""Feeds and exports of any search: Atom, iCalendar, CSV, a printable view.

They take exactly the search page's parameters (same parser, same French 400s), so every
search a mayor can make is also a feed, a calendar of its deadlines, a table and a printout.
"""

from datetime import date, datetime, timezone
from urllib.parse import urljoin

from flask import Blueprint, Response, current_app, render_template, request, url_for

from guichet import geo
from guichet.db import get_session
from guichet.digests.subscriptions import search_title
from guichet.feeds import formats
from guichet.programmes.services import get_programme
from guichet.search import services as search_services
from guichet.search.base import SearchUnavailable
from guichet.search.query import InvalidQuery
from guichet.web.errors import error_page, french_404
from guichet.web.description import describe_lines
from guichet.web.links import search_url

bp = Blueprint("feeds", __name__)

FEED_SIZE = 50
CALENDAR_SIZE = 500
EXPORT_LIMIT = 5000
PRINT_LIMIT = 200
# Pages of the backend read at a time when a format needs more than one page of results.
BATCH = 100
UNAVAILABLE = "La recherche est momentanément indisponible. Merci de réessayer dans quelques instants."


class TooMany(Exception):
    def __init__(self, total: int, limit: int):
        self.total, self.limit = total, limit


def _parse():
    return search_services.parse(request.args, max_per_page=BATCH, strict=True)


def _programmes(query, limit: int, refuse_above: bool = False):
    """The search's programmes in its order, up to ``limit``; with ``refuse_above``, a search
    with more results than that is refused rather than silently cut."""
    programmes, page_number, total = [], 1, None
    while len(programmes) < limit:
        page = search_services.search(query.without(page=page_number, per_page=BATCH))
        total = page.total
        if refuse_above and total > limit:
            raise TooMany(total, limit)
        programmes.extend(item.programme for item in page.items)
        if page_number >= page.pages or not page.items:
            break
        page_number += 1
    return programmes[:limit]


def _detail_url(programme) -> str:
    return url_for("web.programme_detail", programme_id=programme.id, _external=True)


def _failure(error):
    """A French answer in the format's own type: plain text, since these URLs are read by
    feed readers, calendars and spreadsheets as often as by people."""
    if isinstance(error, InvalidQuery):
        return Response(f"Paramètre « {error.parameter} » incorrect : {error.message}\n", 400,
                        mimetype="text/plain")
    if isinstance(error, TooMany):
        from guichet.web.formatting import number_fr

        return Response(f"Cette recherche compte {number_fr(error.total)} programmes : l’export est limité à "
                        f"{number_fr(error.limit)} lignes. Ajoutez un filtre (thème, région, statut…) "
                        "pour réduire la liste.\n", 400, mimetype="text/plain")
    current_app.logger.warning("search backend unavailable", exc_info=error)
    return Response(UNAVAILABLE + "\n", 503, mimetype="text/plain", headers={"Retry-After": "60"})


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/flux.atom")
def atom():
    """New programmes of a search, newest publication first."""
    try:
        query = _parse().without(sort="nouveaute")
        programmes = _programmes(query, FEED_SIZE)
    except (InvalidQuery, SearchUnavailable) as error:
        return _failure(error)
    newest = max((programme.published_at or programme.updated_at for programme in programmes),
                 default=datetime.now(timezone.utc).replace(tzinfo=None))
    body = formats.atom_feed(
        programmes, title=f"Guichet — nouveaux programmes : {search_title(query)}",
        feed_url=urljoin(url_for("feeds.atom", _external=True), request.full_path.rstrip("?")),
        page_url=_external_search_url(), detail_url=_detail_url, updated=newest)
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/calendrier.ics")
def calendar():
    """Deadlines of a search's open and coming programmes (or of the statuses asked for)."""
    try:
        query = _parse()
        programmes = _programmes(query, CALENDAR_SIZE)
    except (InvalidQuery, SearchUnavailable) as error:
        return _failure(error)
    body = formats.deadlines_calendar(programmes, name=f"Dates limites — {search_title(query)}",
                                      detail_url=_detail_url, today=query.today)
    return _attachment(body, "text/calendar", "dates-limites.ics")


@bp.get("/programmes/<path:programme_id>/calendrier.ics")
def programme_calendar(programme_id):
    programme = get_programme(get_session(), programme_id)
    if programme is None or programme.state != "published":
        raise french_404("Aucun programme publié ne correspond à cette adresse.")
    body = formats.deadlines_calendar([programme], name=f"Dates limites — {programme.title}",
                                      detail_url=_detail_url, today=date.today())
    return _attachment(body, "text/calendar", "dates-limites.ics")


@bp.get("/export.csv")
def export_csv():
    try:
        query = _parse()
        programmes = _programmes(query, EXPORT_LIMIT, refuse_above=True)
    except (InvalidQuery, SearchUnavailable, TooMany) as error:
        return _failure(error)
    body = formats.csv_table(programmes, detail_url=_detail_url, today=query.today, regions=geo.REGIONS,
                             departments=geo.DEPARTMENT_NAMES)
    return _attachment(body, "text/csv", f"guichet-programmes-{query.today.isoformat()}.csv")


@bp.get("/impression")
def printable():
    """A printable list: the programmes chosen with ``programme=ID`` (repeatable), or a search."""
    chosen = [value for value in request.args.getlist("programme") if value.strip()][:PRINT_LIMIT]
    today = date.today()
    if chosen:
        session = get_session()
        programmes = [found for found in (get_programme(session, value) for value in chosen)
                      if found is not None and found.state == "published"]
        return render_template("feeds/print.html", programmes=programmes, today=today, lines=None,
                               back_url=url_for("web.search"))
    try:
        query = _parse()
        programmes = _programmes(query, PRINT_LIMIT)
    except InvalidQuery as error:
        return error_page(400, error.message)
    except SearchUnavailable:
        return error_page(503, UNAVAILABLE)
    return render_template("feeds/print.html", programmes=programmes, today=query.today,
                           lines=describe_lines(query), back_url=search_url())


def _external_search_url() -> str:
    """The search page of this same search, absolute (on the configured base URL)."""
    return urljoin(url_for("web.search", _external=True), search_url())
