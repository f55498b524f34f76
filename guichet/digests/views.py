"""Subscription pages under /abonnement (thin: parse, call services, render)."""

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from guichet import geo
from guichet.db import get_session
from guichet.digests import links, subscriptions
from guichet.digests.mailer import PermanentFailure, TemporaryFailure
from guichet.digests.models import FREQUENCIES
from guichet.programmes.themes import THEMES
from guichet.programmes.vocabulary import AID_TYPES, BENEFICIARIES, LEVELS, POPULATION_BANDS, STATUSES
from guichet.search.query import InvalidQuery
from guichet.web.errors import error_page, french_404
from guichet.web.description import describe_lines

bp = Blueprint("digests", __name__, url_prefix="/abonnement")

MAIL_DOWN = ("Le courriel n'a pas pu être envoyé pour le moment. Votre demande est enregistrée : "
             "merci de réessayer dans quelques minutes.")
MAIL_REFUSED = "Notre serveur d'envoi a refusé cette adresse électronique : vérifiez-la puis réessayez."


def form_context(args, **extra):
    return dict(args=args, themes=THEMES, levels=LEVELS, aid_types=AID_TYPES, beneficiaries=BENEFICIARIES,
                statuses=STATUSES, population_bands=POPULATION_BANDS, regions=geo.REGIONS,
                departments=geo.DEPARTMENT_NAMES, frequencies=FREQUENCIES, **extra)


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
    form = request.form
    email, frequency = form.get("email", ""), form.get("frequency", "")
    try:
        subscriptions.request_subscription(get_session(), email, form, frequency, request.remote_addr or "inconnue")
    except subscriptions.SubscriptionError as error:
        return render_template("digests/subscribe.html", **form_context(
            form, filters=_filters_of(form), error=error, email=email, frequency=frequency)), 400
    except subscriptions.RateLimited as error:
        return error_page(429, error.message)
    except PermanentFailure:
        return render_template("digests/subscribe.html", **form_context(
            form, filters=_filters_of(form), email=email, frequency=frequency,
            error=subscriptions.SubscriptionError("email", MAIL_REFUSED))), 400
    except TemporaryFailure:
        current_app.logger.warning("confirmation email not sent", exc_info=True)
        return error_page(503, MAIL_DOWN)
    return render_template("digests/requested.html", email=email.strip())


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
    error, notice, status = None, None, 200
    args = subscriptions.search_args(subscription.search)
    frequency = subscription.frequency
    if request.method == "POST":
        if request.form.get("action") == "resubscribe":
            subscriptions.resubscribe(session, subscription)
            notice = "Votre abonnement est de nouveau actif : vous recevrez les programmes publiés à partir de maintenant."
        else:
            try:
                subscriptions.update_subscription(session, subscription, request.form, request.form.get("frequency"))
            except subscriptions.SubscriptionError as invalid:
                error, status = invalid, 400
                args, frequency = request.form, request.form.get("frequency")
            else:
                notice = "Vos préférences sont enregistrées."
                args = subscriptions.search_args(subscription.search)
                frequency = subscription.frequency
    return render_template("digests/manage.html", **form_context(
        args, subscription=subscription, filters=subscriptions.describe_saved(subscription.search), error=error,
        notice=notice, frequency=frequency, token=token,
        search_url=links.with_search(url_for("web.search"), subscription.search),
        unsubscribe_url=_link("digests.unsubscribe", subscription, links.SALT_UNSUBSCRIBE))), status


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
