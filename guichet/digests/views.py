"""Subscription pages under /abonnement (thin: parse, call services, render)."""

import re

from flask import Blueprint, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from guichet import geo
from guichet.db import get_session
from guichet.digests import links, subscriptions
from guichet.digests.mailer import PermanentFailure
from guichet.digests.models import FREQUENCIES, Subscription
from guichet.programmes.themes import THEMES
from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, POPULATION_BANDS, STATUSES
from guichet.search.query import InvalidQuery
from guichet.web.errors import error_page, french_404
from guichet.web.description import describe_lines

bp = Blueprint("digests", __name__, url_prefix="/abonnement")

MAIL_REFUSED = "Notre serveur d’envoi a refusé cette adresse électronique : vérifiez-la puis réessayez."
INSEE_CODE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
# Sent with the commune text field: what was typed is read as a person types it (a name, a
# postcode first, a label « Beauvais (60) »), as on the search page; a chosen commune (radio
# button) is an INSEE code.
TYPED_MARKER = "commune_saisie"


def form_context(args, **extra):
    extra.setdefault("commune_choices", [])
    return dict(args=args, themes=THEMES, levels=LEVELS, aid_types=AID_TYPES, beneficiaries=BENEFICIARIES,
                statuses=STATUSES, population_bands=POPULATION_BANDS, regions=geo.REGIONS,
                departments=geo.DEPARTMENT_NAMES, frequencies=FREQUENCIES,
                commune_text=_commune_text(args), **extra)


def _commune_text(args) -> str:
    """What the commune field shows: « Beauvais (60) » for a saved INSEE code, else what was typed."""
    from guichet.communes.services import get_commune

    value = (args.get("commune") or "").strip()
    if INSEE_CODE.match(value.upper()):
        found, _alias = get_commune(get_session(), value.upper())
        if found is not None:
            return f"{found.name} ({found.department})"
    return value


def resolve_commune(form):
    """The form with its commune as an INSEE code, as the search page does with a name or a
    postcode; or the French error and, when the name is shared (« Saint-Amand »), the
    communes to choose from as (code, label)."""
    from guichet.communes.services import resolve_typed

    value = (form.get("commune") or "").strip()
    if not value or (form.get(TYPED_MARKER) != "1" and INSEE_CODE.match(value.upper())):
        return form, None, []
    resolution = resolve_typed(value)
    if resolution.code:
        resolved = MultiDict(form)
        resolved.setlist("commune", [resolution.code])
        return resolved, None, []
    if resolution.message:
        return form, subscriptions.SubscriptionError("commune", resolution.message), []
    choices = [(match.commune.code, match.commune.label) for match in resolution.choices]
    return form, subscriptions.SubscriptionError(
        "commune", f"Plusieurs communes correspondent à « {value[:100]} » : choisissez la vôtre dans la liste."), choices


def _filters_of(args) -> list[str]:
    try:
        return describe_lines(subscriptions.parse_saved(subscriptions.canonical_search(args)))
    except InvalidQuery:
        return []


@bp.get("")
def subscribe():
    error = None
    try:
        subscriptions.validate_search(request.args)
    except subscriptions.SubscriptionError as invalid:
        error = invalid
    return render_template("digests/subscribe.html", **form_context(
        request.args, filters=_filters_of(request.args), error=error, email="", frequency="weekly")), (
        400 if error else 200)


@bp.post("")
def subscribe_post():
    email, frequency = request.form.get("email", ""), request.form.get("frequency", "")
    form, error, choices = resolve_commune(request.form)
    if error is not None:
        return render_template("digests/subscribe.html", **form_context(
            form, filters=_filters_of(form), error=error, email=email, frequency=frequency,
            commune_choices=choices)), 400
    try:
        subscription = subscriptions.request_subscription(get_session(), email, form, frequency,
                                                          request.remote_addr or "inconnue")
    except subscriptions.SubscriptionError as error:
        return render_template("digests/subscribe.html", **form_context(
            form, filters=_filters_of(form), error=error, email=email, frequency=frequency)), 400
    except subscriptions.RateLimited as error:
        return error_page(429, error.message)
    except PermanentFailure:
        return render_template("digests/subscribe.html", **form_context(
            form, filters=_filters_of(form), email=email, frequency=frequency,
            error=subscriptions.SubscriptionError("email", MAIL_REFUSED))), 400
    # Sent or queued (relay unreachable), the page keeps the search and says what happens next.
    return render_template("digests/requested.html", email=email.strip(),
                           queued=subscription.confirmation_queued_at is not None,
                           filters=_filters_of(form),
                           search_url=links.with_search(url_for("web.search"), subscription.search))


def _subscription(token: str, salt: str, max_age=None):
    try:
        return links.load_token(get_session(), token, salt, max_age=max_age)
    except links.InvalidLink as error:
        if error.expired:
            expired = BadRequest("Ce lien de confirmation a expiré. Abonnez-vous à nouveau depuis la page de "
                                 "recherche : un nouveau lien vous sera envoyé.")
            expired.french = True
            raise expired from None
        raise french_404(error.message) from None


def _link(endpoint: str, subscription, salt: str) -> str:
    return url_for(endpoint, token=links.make_token(subscription, salt))


@bp.route("/confirmer/<token>", methods=["GET", "POST"])
def confirm(token):
    subscription = _subscription(token, links.SALT_CONFIRM, max_age=subscriptions.CONFIRMATION_MAX_AGE)
    session = get_session()
    # GET only shows a button: mail scanners that open links must not confirm in the owner's stead.
    if request.method == "POST" and subscription.status in ("pending", "active"):
        confirmed = subscriptions.confirm_subscription(session, subscription)
        return render_template("digests/confirmed.html", subscription=subscription, just_confirmed=confirmed,
                               filters=subscriptions.describe_saved(subscription.search),
                               manage_url=_link("digests.manage", subscription, links.SALT_MANAGE),
                               frequency_label=FREQUENCIES[subscription.frequency])
    return render_template("digests/confirm.html", subscription=subscription,
                           filters=subscriptions.describe_saved(subscription.search),
                           frequency_label=FREQUENCIES[subscription.frequency])


@bp.route("/gerer/<token>", methods=["GET", "POST"])
def manage(token):
    subscription = _subscription(token, links.SALT_MANAGE)
    session = get_session()
    error, notice, status, choices = None, None, 200, []
    args = subscriptions.search_args(subscription.search)
    frequency = subscription.frequency
    if request.method == "POST":
        if request.form.get("action") == "resubscribe":
            subscriptions.resubscribe(session, subscription)
            notice = "Votre abonnement est de nouveau actif : vous recevrez les programmes publiés à partir de maintenant."
        else:
            form, error, choices = resolve_commune(request.form)
            if error is None:
                try:
                    subscriptions.update_subscription(session, subscription, form, form.get("frequency"))
                except subscriptions.SubscriptionError as invalid:
                    error = invalid
            if error is not None:
                status = 400
                args, frequency = form, form.get("frequency")
            else:
                notice = "Vos préférences sont enregistrées."
                args = subscriptions.search_args(subscription.search)
                frequency = subscription.frequency
    return render_template("digests/manage.html", **form_context(
        args, subscription=subscription, filters=subscriptions.describe_saved(subscription.search), error=error,
        notice=notice, frequency=frequency, token=token, commune_choices=choices,
        others=_other_subscriptions(session, subscription),
        search_url=links.with_search(url_for("web.search"), subscription.search),
        unsubscribe_url=_link("digests.unsubscribe", subscription, links.SALT_UNSUBSCRIBE))), status


def _other_subscriptions(session, subscription) -> list[dict]:
    """Every other subscription of the address (the management link proves it), each with its
    own management link, its filters and its state."""
    from sqlalchemy import select

    others = session.scalars(select(Subscription).where(Subscription.email == subscription.email,
                                                        Subscription.id != subscription.id)
                             .order_by(Subscription.created_at, Subscription.id)).all()
    return [{"subscription": other, "filters": subscriptions.describe_saved(other.search),
             "manage_url": _link("digests.manage", other, links.SALT_MANAGE)} for other in others]


@bp.route("/desabonnement/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """RFC 8058 one-click: a POST (body ``List-Unsubscribe=One-Click`` from mail clients, or the
    button of the page) unsubscribes without session, cookie or CSRF token; GET only asks."""
    subscription = _subscription(token, links.SALT_UNSUBSCRIBE)
    if request.method == "POST":
        subscriptions.unsubscribe(get_session(), subscription)
        return render_template("digests/unsubscribed.html", subscription=subscription,
                               manage_url=_link("digests.manage", subscription, links.SALT_MANAGE))
    return render_template("digests/unsubscribe.html", subscription=subscription,
                           filters=subscriptions.describe_saved(subscription.search))
