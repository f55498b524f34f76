"""Commune pages (/communes, /communes/<insee>) and the commune field of the search page."""

import re
from datetime import date

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from guichet.communes import services
from guichet.db import get_session
from guichet.search.base import SearchUnavailable
from guichet.web.errors import error_page, french_404

bp = Blueprint("communes", __name__)

INSEE_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
PARTIAL_CODE = re.compile(r"^[0-9][0-9AB]?[0-9]*$", re.IGNORECASE)
COOKIE = "guichet_commune"
# Sent by the commune field of the search page with what a person typed: read as typed (a
# five-digit number is a postcode first), then the search goes on with the INSEE code alone.
TYPED_MARKER = "commune_saisie"
UNAVAILABLE = "La recherche est momentanément indisponible. Merci de réessayer dans quelques instants."


# -- pages ---------------------------------------------------------------------------------------
@bp.get("/communes")
def search():
    text = request.args.get("q", "").strip()
    if not text:
        return render_template("communes/search.html", text="", resolution=None)
    resolution = services.resolve_typed(text)
    if resolution.code:
        return redirect(url_for("communes.commune", code=resolution.code), 303)
    status = 400 if resolution.message else 200
    return render_template("communes/search.html", text=text, resolution=resolution), status


@bp.get("/communes/<code>")
def commune(code):
    session = get_session()
    found, alias = services.get_commune(session, code) if INSEE_CODE.match(code.upper()) else (None, None)
    if found is None:
        raise french_404(f"Aucune commune n’a le code INSEE « {code[:20]} ». Cherchez-la par son nom ou son "
                         "code postal depuis la page « Ma commune ».")
    if alias is not None or found.code != code:
        # A former commune or an arrondissement: the commune that can apply is the current one.
        return redirect(url_for("communes.commune", code=found.code, ancienne=alias.code if alias else None), 301)
    former = None
    if request.args.get("ancienne"):
        former = next((item for item in found.aliases if item.code == request.args["ancienne"]), None)
    eligibility = services.eligibility_of(found)
    today = date.today()
    try:
        programmes = services.commune_programmes(eligibility, today)
        epci_page = services.epci_programmes(eligibility, today) if found.epci else None
    except SearchUnavailable:
        current_app.logger.warning("search backend unavailable", exc_info=True)
        return error_page(503, UNAVAILABLE)
    from guichet.territories.services import density_label, labels, territory_of

    territory = territory_of(session, found.code)
    from scrapers.coverage import local_coverage
    from scrapers.registry import all_sources

    coverage = local_coverage(all_sources(), found.region, found.department)
    return render_template(
        "communes/commune.html", commune=found, former=former, eligibility=eligibility, today=today,
        territory=territory, labels=labels(territory),
        density=density_label(territory.density_level) if territory else None,
        band=services.population_band(found.population),
        department_name=services.department_name(session, found.department),
        region_name=services.region_name(session, found.region),
        programmes=programmes, epci_page=epci_page, coverage=coverage,
        search_link=url_for("web.search", commune=found.code),
        epci_link=url_for("web.search", commune=found.code, beneficiary="epci"),
    )


@bp.get("/communes/changer")
def forget():
    """Forget the commune remembered for the visit, back to the search page's commune field."""
    response = redirect(url_for("web.search") + "#commune", 303)
    response.delete_cookie(COOKIE, samesite="Lax", httponly=True)
    return response


# -- the commune field of the search page --------------------------------------------------------
def _search_page_commune():
    """Before the search page: a name or postcode typed in the commune field (no JavaScript)
    becomes an INSEE code, or a list of communes to choose from."""
    if request.endpoint != "web.search":
        return None
    values = [value.strip() for value in request.args.getlist("commune") if value.strip()]
    if len(values) != 1:
        if TYPED_MARKER in request.args:
            # The field was left empty (or sent twice): the same search on a URL without the marker.
            return redirect(_search_url_with(), 303)
        return None  # none, or several: the search parser says what is wrong
    value = values[0]
    typed = request.args.get(TYPED_MARKER) == "1"
    if PARTIAL_CODE.match(value.replace(" ", "")) and len(value.replace(" ", "")) != 5:
        if typed:
            return redirect(_search_url_with(commune=value), 303)  # the parser's 400, on a clean URL
        return None  # not a whole code: the search parser's French 400
    looks_like_code = bool(INSEE_CODE.match(value.upper()))
    if looks_like_code and not typed:
        # A link of the service: the parameter is an INSEE code.
        found, alias = services.get_commune(get_session(), value)
        if found is not None and alias is None:
            g.commune_code = found.code
            return None
    # A name, a postcode, a label « Beauvais (60) », a former commune's code.
    resolution = services.resolve_typed(value)
    if resolution.code:
        return redirect(_search_url_with(commune=resolution.code), 303)
    if resolution.message and looks_like_code:
        if typed:
            return redirect(_search_url_with(commune=value), 303)
        return None  # an unknown INSEE code: the search parser's French 400
    choices = [(match, _search_url_with(commune=match.commune.code)) for match in resolution.choices]
    status = 400 if resolution.message else 200
    return render_template("communes/choose.html", text=value, resolution=resolution, choices=choices,
                           retry_url=_search_url_with(commune=None)), status


def _search_url_with(**changes) -> str:
    from guichet.web.links import search_url

    return search_url(**changes)


def _remember_commune(response):
    """The commune of a successful search is remembered for the visit (a session cookie)."""
    code = g.pop("commune_code", None)
    if code and request.endpoint == "web.search" and response.status_code == 200:
        response.set_cookie(COOKIE, code, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


def commune_field():
    """What the commune field of the search page shows: the commune applied, or the one
    remembered for the visit (offered, never applied behind the person's back)."""
    session = get_session()
    state = {"current": None, "remembered": None, "value": request.args.get("commune", ""), "same_postcode": []}
    code = request.args.get("commune", "").strip().upper()
    if INSEE_CODE.match(code):
        found, _alias = services.get_commune(session, code)
        if found is not None:
            state["current"] = _summary(session, found)
            state["value"] = f"{found.name} ({found.department})"
            state["same_postcode"] = _postcode_communes(code, found.code)
    remembered = request.cookies.get(COOKIE, "").upper()
    if not state["current"] and INSEE_CODE.match(remembered):
        found, _alias = services.get_commune(session, remembered)
        if found is not None:
            state["remembered"] = _summary(session, found)
    return state


def _postcode_communes(code: str, insee: str) -> list[dict]:
    """The communes whose postcode is this INSEE code (54300: Lunéville's postcode, Laneuveville's
    code): the search page says so, as ``commune`` is an INSEE code but a person may have typed a postcode."""
    if not code.isdigit():
        return []
    matches = services.get_index().search(code, limit=8)
    return [{"name": match.commune.name, "label": match.commune.label, "code": match.commune.code}
            for match in matches if match.via == code and match.commune.code != insee]


def _summary(session, found) -> dict:
    band = services.population_band(found.population)
    return {"code": found.code, "name": found.name, "label": f"{found.name} ({found.department})",
            "population": found.population, "band": band[1] if band else None,
            "department_name": services.department_name(session, found.department),
            "epci": found.epci.name if found.epci else None,
            "url": url_for("communes.commune", code=found.code)}


def attach_to_search_page(app):
    app.before_request(_search_page_commune)
    app.after_request(_remember_commune)
    app.jinja_env.globals["commune_field"] = commune_field
