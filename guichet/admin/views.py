"""The back office (/admin/): thin views (parse, call guichet.curation and the accounts, render).

Everything under /admin/ needs a staff account (the login page aside); user management needs
the admin role. Every form carries a CSRF token (CSRFProtect, app-wide).

One module above 400 lines on purpose: it is the one blueprint of the back office, every view
a few lines of parsing, one call (guichet.curation, guichet.admin.accounts, .sources) and a
render; what they do lives in those modules.
"""

import json
import re
from datetime import date
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from guichet import geo
from guichet.admin import accounts, forms
from guichet.admin import sources as source_health
from guichet.sources import requests as source_requests
from guichet.sources.models import PUBLICATION_POLICIES
from guichet.admin.models import ROLE_LABELS, ROLES, User
from guichet.curation import audit, catalogue, editing, merging, pairs, review
from guichet.curation.diff import FIELD_LABELS
from guichet.config import ROOT
from guichet.db import get_session
from guichet.curation.models import AuditEntry
from guichet.programmes.models import Programme
from guichet.programmes.records import CONTENT_FIELDS
from guichet.web import programme_page
from guichet.programmes.themes import THEMES
from guichet.programmes.vocabulary import (AID_TYPES, BENEFICIARIES, CRITERIA, LEVELS, RECURRENCES, STATES,
                                          TERRITORIAL_CONDITIONS)

bp = Blueprint("admin", __name__, url_prefix="/admin", static_folder="static", static_url_path="/static")

PUBLIC_ENDPOINTS = {"admin.login", "admin.static"}
# The description editor (npm ``quill``, served from our own origin, never from a CDN).
EDITOR_DIST = ROOT / "node_modules" / "quill" / "dist"
EDITOR_FILES = {"quill.js", "quill.snow.css"}
PER_PAGE = 25
# The review queue shows more at once: a national service gets thousands of records.
QUEUE_PER_PAGE = 100
ERROR_TITLES = {401: "Connexion requise", 403: "Accès refusé"}


def error_page(status: int, message: str):
    return render_template("errors/error.html", status=status, title=ERROR_TITLES.get(status, "Erreur"),
                           message=message), status


# ---------------------------------------------------------------- access

@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if request.method == "GET":
            flash("Connectez-vous pour accéder à l’espace de gestion.", "info")
            return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
        return error_page(401, "Votre session a expiré : connectez-vous à nouveau, puis recommencez.")
    return None


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            return error_page(403, "Cette page est réservée aux administrateurs et administratrices.")
        return view(*args, **kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    """Only a path of the back office: never another site (open redirect)."""
    # Printable ASCII only: a line break would make the redirect's Location header invalid
    # (a 500 after the action is done), and browsers read other characters in odd ways.
    if target and len(target) <= 2000 and re.fullmatch(r"[\x21-\x7e]+", target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin") and "\\" not in target:
            return target
    return url_for("admin.queue")


def _client_address() -> str:
    return request.remote_addr or "inconnue"


def _page_number() -> int:
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400)
    if page < 1 or page > 100_000:
        abort(400)
    return page


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    error, email, status = None, "", 200
    if request.method == "POST":
        email = (request.form.get("email") or "").strip()
        password = request.form.get("password") or ""
        db = get_session()
        rules = accounts.ThrottleRules.from_config(current_app.config)
        try:
            user = accounts.authenticate(db, email, password, _client_address(), rules)
        except accounts.LoginThrottled as throttled:
            response = render_template("admin/login.html", error=throttled.message, email=email, next_url=next_url)
            return response, 429, {"Retry-After": str(throttled.retry_after)}
        db.commit()
        if user is not None:
            # A fresh session at login: nothing from before (session fixation) survives.
            session.clear()
            login_user(user)
            flash("Vous êtes connecté·e.", "success")
            return redirect(next_url)
        error, status = "Adresse électronique ou mot de passe incorrect.", 401
    return render_template("admin/login.html", error=error, email=email, next_url=next_url), status


@bp.post("/logout")
def logout():
    # Server-side revocation: a copy of the cookie taken before logout is refused after.
    accounts.end_sessions(current_user)
    get_session().commit()
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté·e.", "success")
    return redirect(url_for("admin.login"))


@bp.get("/editeur/<filename>")
def editor_asset(filename):
    from guichet.web import assets

    if filename not in EDITOR_FILES:
        abort(404)
    return assets.serve(EDITOR_DIST, filename)


# ---------------------------------------------------------------- review queue

def _queue_filters(values=None) -> dict:
    values = request.args if values is None else values
    kind = values.get("type", "tous")
    if kind not in review.KINDS:
        kind = "tous"
    level = values.get("level") or None
    theme = values.get("theme") or None
    return {"kind": kind, "source": values.get("source") or None,
            "theme": theme if theme in {item.slug for item in THEMES} else None,
            "level": level if level in LEVELS else None}


@bp.get("/")
def queue():
    filters = _queue_filters()
    db = get_session()
    page = review.queue(db, filters["kind"], filters["source"], filters["theme"], filters["level"],
                        _page_number(), QUEUE_PER_PAGE)
    names = source_health.source_names(db)
    sources = review.queue_sources(db, names)
    today = date.today()
    closed_here = sum(1 for item in page.items if item.programme.status(today) == "clos")
    return render_template("admin/queue.html", page=page, filters=filters, sources=sources, today=today,
                           source_names=names, closed_here=closed_here,
                           verifications=source_health.source_verifications(),
                           regions=geo.REGIONS, departments=geo.DEPARTMENT_NAMES,
                           kinds=review.KINDS, theme_options=[(theme.slug, theme.label) for theme in THEMES],
                           levels=LEVELS, state_labels=STATES)


@bp.post("/revue")
def decide_many():
    action = request.form.get("action")
    back = _safe_next(request.form.get("next"))
    db = get_session()
    if request.form.get("all_matching") == "1":
        # « Tout sélectionner » : every programme of the filter the page showed, not only its page.
        filters = _queue_filters(request.form)
        ids = review.queue_ids(db, filters["kind"], filters["source"], filters["theme"], filters["level"])
    else:
        ids = request.form.getlist("ids")
    if action not in review.ACTIONS:
        flash("Choisissez une action : publier, rejeter, marquer comme vus, appliquer ou refuser les changements "
              "de la source.", "error")
        return redirect(back)
    if not ids:
        flash("Cochez au moins un programme.", "error")
        return redirect(back)
    reason = " ".join((request.form.get("reject_reason") or "").split())[:500]
    if action == "reject" and not reason:
        flash("Indiquez le motif du rejet : il est gardé dans le journal.", "error")
        return redirect(back)
    done, errors = review.decide_many(db, ids, action, current_user,
                                      include_closed=request.form.get("include_closed") == "1", reason=reason)
    db.commit()
    verbs = {"publish": "publié", "reject": "rejeté", "acknowledge": "marqué comme vu",
             "apply_source": "mis à jour selon la source", "keep_published": "gardé tel que publié"}
    if done:
        flash(f"{done} programme{'s' if done > 1 else ''} {verbs[action]}{'s' if done > 1 else ''}.", "success")
    for message in errors:
        flash(message, "error")
    return redirect(back)


# ---------------------------------------------------------------- programmes

def _programme_or_404(programme_id: str) -> Programme:
    from guichet.web.errors import french_404

    programme = get_session().get(Programme, programme_id)
    if programme is None:
        raise french_404("Aucun programme ne porte cet identifiant.")
    return programme


def _form_context(**extra) -> dict:
    return dict(rich_text_editor=(EDITOR_DIST / "quill.js").exists(), levels=LEVELS, recurrences=RECURRENCES, themes=THEMES, aid_types=AID_TYPES,
                beneficiaries=BENEFICIARIES, labels=FIELD_LABELS, regions=geo.REGIONS,
                departments=geo.DEPARTMENT_NAMES, territory_conditions=TERRITORIAL_CONDITIONS,
                criteria=CRITERIA, **extra)


@bp.get("/programmes")
def programmes():
    db = get_session()
    text = (request.args.get("q") or "").strip()[:catalogue.MAX_TEXT_LENGTH]
    state = request.args.get("state") if request.args.get("state") in STATES else None
    source = request.args.get("source") or None
    result = catalogue.programmes_page(db, text, state, source, _page_number(), PER_PAGE)
    sources = [(slug, slug) for slug in catalogue.programme_sources(db)]
    return render_template("admin/programmes.html", result=result, text=text, state=state, source=source,
                           sources=sources, state_labels=STATES)


def _edit_page(programme: Programme, raw: dict, errors: dict | None = None, conflict: dict | None = None,
               status: int = 200, version=None, base: str | None = None, reject_reason: str = ""):
    """The edit page. ``version`` and ``base`` (the values the form started from, as JSON) travel
    with the form: the version for optimistic locking, the base to tell, on a conflict, which
    fields the other person changed."""
    db = get_session()
    if base is None:
        base = json.dumps(forms.raw_from_programme(programme), ensure_ascii=False)
    return render_template(
        "admin/programme.html", programme=programme, raw=raw, errors=errors or {},
        error_summary=forms.error_summary(errors or {}), conflict=conflict,
        version=programme.version if version is None else version, base=base,
        suggestions=editing.source_suggestions(programme), source_changes=review.pending_changes(db, programme),
        held={change.field: change for change in review.held_changes(programme)},
        review=review.review_of(db, programme.id), history=audit.entries(db, programme_id=programme.id, per_page=20),
        merged_here=merging.merged_into_it(db, programme), state_labels=STATES,
        action_labels=audit.ACTION_LABELS, reject_reason=reject_reason,
        next_id=review.next_in_queue(db, programme.id), **_form_context()), status


def _conflict(programme: Programme, raw: dict, base: str | None) -> dict:
    return editing.conflict_report(get_session(), programme, raw, forms.raw_from_programme(programme), base)


@bp.route("/programmes/<path:programme_id>", methods=["GET", "POST"])
def programme(programme_id):
    db = get_session()
    programme = _programme_or_404(programme_id)
    if request.method == "GET":
        return _edit_page(programme, forms.raw_from_programme(programme))
    if programme.state == "merged":
        flash("Ce programme a été fusionné : modifiez le programme conservé.", "error")
        return redirect(url_for("admin.programme", programme_id=programme.id))
    form = forms.parse_programme_form(request.form)
    expected_version, base = request.form.get("version"), request.form.get("base")
    # One form, one set of values: « Enregistrer », « … et publier », « Rejeter » all save what
    # was typed before they act, so that no edit is ever left behind by a decision.
    action = request.form.get("action") or "save"
    if action not in review.ACTIONS:
        action = "save"
    reason = " ".join((request.form.get("reject_reason") or "").split())[:500]
    errors = dict(form.errors)
    if action == "reject" and not reason:
        errors["reject_reason"] = "Indiquez le motif du rejet : il est gardé dans le journal."
    if errors:
        return _edit_page(programme, form.raw, errors, status=400, version=expected_version, base=base,
                          reject_reason=reason)
    try:
        changes = editing.apply_edit(db, programme, form.values, expected_version, current_user)
        decision = review.decide(db, programme, action, current_user, reason=reason) if action != "save" else None
        db.commit()
    except review.ReviewError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.programme", programme_id=programme.id))
    except editing.EditConflict:
        db.rollback()
        return _edit_page(programme, form.raw, conflict=_conflict(programme, form.raw, base), status=409)
    except StaleDataError:
        # Someone saved between our read and our write.
        db.rollback()
        db.expire_all()
        programme = _programme_or_404(programme_id)
        return _edit_page(programme, form.raw, conflict=_conflict(programme, form.raw, base), status=409)
    if changes:
        flash(f"Modifications enregistrées : {', '.join(FIELD_LABELS[name] for name in changes)}.", "success")
    elif decision is None:
        flash("Aucune modification à enregistrer.", "info")
    if decision is None:
        return redirect(url_for("admin.programme", programme_id=programme.id))
    flash(decision + ".", "success")
    # After a decision, the next programme to review.
    following = review.next_in_queue(db, programme.id)
    return redirect(url_for("admin.programme", programme_id=following) if following
                    else url_for("admin.queue"))


@bp.post("/programmes/<path:programme_id>/apercu")
def preview(programme_id):
    """The public page with the edit form's values, before saving or publishing: nothing is
    stored (a transient copy of the programme is rendered, never added to the session)."""
    from sqlalchemy import inspect as sqlalchemy_inspect

    programme = _programme_or_404(programme_id)
    form = forms.parse_programme_form(request.form)
    if form.errors:
        return _edit_page(programme, form.raw, dict(form.errors), status=400, version=request.form.get("version"),
                          base=request.form.get("base"))
    stored = {attribute.key: getattr(programme, attribute.key)
              for attribute in sqlalchemy_inspect(Programme).column_attrs}
    shown = Programme(**{**stored, **{name: form.values[name] for name in CONTENT_FIELDS if name in form.values}})
    response = current_app.make_response(render_template(
        "admin/preview.html", **programme_page.page_context(get_session(), shown, None, date.today())))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _next_or_programme(values, programme_id: str) -> str:
    """Where to go after an action on a programme: the checked ``next`` if given, else its page."""
    return (_safe_next(values.get("next")) if values.get("next")
            else url_for("admin.programme", programme_id=programme_id))


@bp.post("/programmes/<path:programme_id>/etat")
def programme_state(programme_id):
    db = get_session()
    programme = _programme_or_404(programme_id)
    # Where to go next is decided before the action, so that nothing can fail after it.
    back = _next_or_programme(request.form, programme_id)
    try:
        summary = review.decide(db, programme, request.form.get("action", ""), current_user)
        db.commit()
    except review.ReviewError as error:
        db.rollback()
        flash(error.message, "error")
    except StaleDataError:
        db.rollback()
        flash(editing.CONFLICT_MESSAGE, "error")
    else:
        flash(summary + ".", "success")
    return redirect(back)


@bp.post("/programmes/<path:programme_id>/changement-source")
def source_change(programme_id):
    """A change the source made to a published programme, applied or refused (field by field)."""
    db = get_session()
    programme = _programme_or_404(programme_id)
    back = _next_or_programme(request.values, programme_id)
    decision, name = request.values.get("decision"), request.values.get("field", "")
    if decision not in ("appliquer", "refuser"):
        flash("Choisissez d’appliquer ou de refuser le changement de la source.", "error")
        return redirect(back)
    try:
        editing.check_version(programme, request.values.get("version"))
        summary = review.decide_source_change(db, programme, name, decision == "appliquer", current_user)
        db.commit()
    except review.ReviewError as error:
        db.rollback()
        flash(error.message, "error")
    except (editing.EditConflict, StaleDataError):
        db.rollback()
        flash(editing.CONFLICT_MESSAGE.split(". ")[0] + " : vérifiez le programme avant de décider.", "error")
    else:
        flash(summary + ".", "success")
    return redirect(back)


@bp.post("/programmes/<path:programme_id>/accepter")
def accept_source(programme_id):
    db = get_session()
    programme = _programme_or_404(programme_id)
    name = request.form.get("field", "")
    try:
        editing.accept_source_value(db, programme, name, request.form.get("version"), current_user)
        db.commit()
    except ValueError:
        db.rollback()
        flash("Ce champ n’a pas de valeur de la source.", "error")
    except (editing.EditConflict, StaleDataError):
        db.rollback()
        flash(editing.CONFLICT_MESSAGE.split(". ")[0] + " : vérifiez la valeur avant de l’accepter.", "error")
    else:
        flash(f"Valeur de la source acceptée pour « {FIELD_LABELS[name]} ».", "success")
    return redirect(url_for("admin.programme", programme_id=programme_id))


@bp.route("/programmes/nouveau", methods=["GET", "POST"])
def new_programme():
    if request.method == "GET":
        raw = forms.raw_from_values({"level": "national", "beneficiaries": ["commune"]})
        return render_template("admin/programme_new.html", raw=raw, errors={}, error_summary=[], **_form_context())
    form = forms.parse_programme_form(request.form)
    if not form.is_valid:
        return render_template("admin/programme_new.html", raw=form.raw, errors=form.errors,
                               error_summary=forms.error_summary(form.errors), **_form_context()), 400
    db = get_session()
    programme = editing.create_curated(db, form.values, current_user, publish=request.form.get("publish") == "1")
    db.commit()
    flash(f"Programme « {programme.title} » créé" + (" et publié." if programme.state == "published" else
                                                    " : il attend sa publication."), "success")
    return redirect(url_for("admin.programme", programme_id=programme.id))


# ---------------------------------------------------------------- duplicates

@bp.get("/doublons")
def duplicates():
    candidates = pairs.candidates_page(get_session(), _page_number(), PER_PAGE)
    return render_template("admin/duplicates.html", candidates=candidates, state_labels=STATES)


@bp.get("/doublons/comparer")
def compare():
    db = get_session()
    first_id, second_id = request.args.get("a", "").strip(), request.args.get("b", "").strip()
    if not first_id or not second_id:
        return render_template("admin/compare.html", first=None, second=None, a=first_id, b=second_id,
                               rows=[], state_labels=STATES)
    # Each side is an id, or words of a title (the curator rarely knows ids by heart).
    first, first_choices = catalogue.find_one(db, first_id)
    second, second_choices = catalogue.find_one(db, second_id)
    if first is None or second is None:
        missing = [value for value, found, choices in ((first_id, first, first_choices),
                                                       (second_id, second, second_choices))
                   if found is None and not choices]
        error = (f"Aucun programme ne porte l’identifiant ou le titre « {', '.join(missing)} »." if missing else
                 "Plusieurs programmes correspondent : choisissez-les ci-dessous.")
        return render_template("admin/compare.html", first=None, second=None, a=first_id, b=second_id, rows=[],
                               state_labels=STATES, error=error, first_choices=first_choices,
                               second_choices=second_choices, first_found=first, second_found=second), \
            404 if missing else 200
    rows = catalogue.compare(first, second)
    return render_template("admin/compare.html", first=first, second=second, a=first_id, b=second_id, rows=rows,
                           state_labels=STATES)


@bp.post("/doublons/fusionner")
def merge():
    db = get_session()
    keep_id = request.form.get("keep", "")
    drop_id = request.form.get("drop") or next(
        (value for value in (request.form.get("a", ""), request.form.get("b", "")) if value and value != keep_id), "")
    keep, drop = db.get(Programme, keep_id), db.get(Programme, drop_id)
    if keep is None or drop is None:
        flash("Programme introuvable : la fusion n’a pas été faite.", "error")
        return redirect(url_for("admin.duplicates"))
    # For each differing field the compare page offers « garder celle de gauche / de droite ».
    drop_side = "first" if drop is not None and request.form.get("a") == drop.id else "second"
    take = [name for name in CONTENT_FIELDS if request.form.get(f"field-{name}") == drop_side] if drop else []
    try:
        summary = merging.merge(db, keep, drop, current_user, take_from_drop=take)
        db.commit()
    except merging.MergeError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.compare", a=keep.id, b=drop.id))
    except StaleDataError:
        db.rollback()
        flash("Un des deux programmes a été modifié entre-temps : vérifiez-les puis recommencez.", "error")
        return redirect(url_for("admin.compare", a=keep.id, b=drop.id))
    flash(summary + ".", "success")
    return redirect(url_for("admin.programme", programme_id=keep.id))


@bp.post("/journal/<int:entry_id>/annuler")
def undo_merge(entry_id):
    db = get_session()
    entry = db.get(AuditEntry, entry_id)
    if entry is None:
        flash("Cette ligne du journal n’existe pas.", "error")
        return redirect(url_for("admin.journal"))
    try:
        summary = merging.undo(db, entry, current_user)
        db.commit()
    except merging.MergeError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.journal"))
    except StaleDataError:
        db.rollback()
        flash("Un des deux programmes a été modifié entre-temps : recommencez.", "error")
        return redirect(url_for("admin.journal"))
    flash(summary + ".", "success")
    return redirect(url_for("admin.programme", programme_id=entry.details["merged"]["id"]))


@bp.post("/doublons/ecarter")
def dismiss_duplicate():
    db = get_session()
    first_id, second_id = request.form.get("a", ""), request.form.get("b", "")
    if pairs.dismiss_pair(db, first_id, second_id, current_user):
        db.commit()
        flash("Paire écartée : elle ne sera plus proposée.", "success")
    else:
        flash("Cette paire n’est pas (ou plus) proposée comme doublon.", "error")
    return redirect(url_for("admin.duplicates"))


# ---------------------------------------------------------------- sources

@bp.get("/sources")
def sources():
    db = get_session()
    return render_template("admin/sources.html", overview=source_health.overview(db),
                           requests=source_health.open_requests(db),
                           request_labels=source_requests.STATUS_LABELS, policies=PUBLICATION_POLICIES)


@bp.post("/sources/<slug>/politique")
@admin_required
def source_policy(slug):
    db = get_session()
    policy = request.form.get("policy", "")
    try:
        summary = source_health.set_policy(db, slug, policy, current_user)
        db.commit()
    except source_health.RunRefused as refused:
        db.rollback()
        flash(refused.message, "error")
    else:
        flash(summary + ".", "success")
    return redirect(url_for("admin.sources") + f"#source-{slug}")


@bp.post("/sources/<slug>/lancer")
def run_source(slug):
    db = get_session()
    try:
        source_health.start_run(db, slug, current_user)
        db.commit()
    except source_health.RunRefused as refused:
        db.rollback()
        flash(refused.message, "error")
    else:
        flash("Collecte demandée : le planificateur la lance dans quelques secondes. Actualisez la page pour "
              "suivre son état.", "success")
    return redirect(url_for("admin.sources"))


# ---------------------------------------------------------------- audit log

@bp.get("/journal")
def journal():
    db = get_session()
    action = request.args.get("action") if request.args.get("action") in audit.ACTION_LABELS else None
    programme_id = (request.args.get("programme") or "").strip() or None
    user_email = (request.args.get("user") or "").strip() or None
    page = audit.entries(db, programme_id=programme_id, action=action, user_email=user_email,
                         page=_page_number(), per_page=50)
    return render_template("admin/journal.html", page=page, action=action, programme_id=programme_id,
                           user_email=user_email, action_labels=audit.ACTION_LABELS)


# ---------------------------------------------------------------- users (admins only)

def _users_page(errors=None, values=None, status=200):
    db = get_session()
    users = db.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=users, errors=errors or {}, values=values or {},
                           roles=ROLES, role_labels=ROLE_LABELS), status


@bp.get("/utilisateurs")
@admin_required
def users():
    return _users_page()


@bp.post("/utilisateurs")
@admin_required
def create_user():
    db = get_session()
    values = {"email": (request.form.get("email") or "").strip(), "role": request.form.get("role", "")}
    try:
        user = accounts.create_user(db, values["email"], values["role"], request.form.get("password", ""))
    except accounts.AccountError as error:
        db.rollback()
        return _users_page({error.field or "email": error.message}, values, 400)
    audit.record(db, current_user, "user_create", f"Compte {user.email} créé ({ROLE_LABELS[user.role].lower()})",
                 details={"email": user.email, "role": user.role})
    db.commit()
    flash(f"Compte {user.email} créé.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/utilisateurs/<int:user_id>/statut")
@admin_required
def user_status(user_id):
    db = get_session()
    user = db.get(User, user_id)
    if user is None:
        from guichet.web.errors import french_404

        raise french_404("Ce compte n’existe pas.")
    active = request.form.get("active") == "1"
    if user.id == current_user.id and not active:
        flash("Vous ne pouvez pas désactiver votre propre compte.", "error")
        return redirect(url_for("admin.users"))
    if user.active != active:
        accounts.set_active(user, active)
        action = "user_enable" if active else "user_disable"
        audit.record(db, current_user, action, f"Compte {user.email} {'réactivé' if active else 'désactivé'}",
                     details={"email": user.email})
        db.commit()
        flash(f"Compte {user.email} {'réactivé' if active else 'désactivé'}.", "success")
    return redirect(url_for("admin.users"))


@bp.app_context_processor
def admin_globals():
    if request.blueprint != "admin":
        return {}
    return {"state_label": STATES.label,
            "level_label": LEVELS.label,
            "field_label": lambda name: FIELD_LABELS.get(name, name)}
