"""`guichet digest send` and `guichet subscription add|list|remove` (operators)."""

import sys

import click
from flask.cli import with_appcontext

from guichet.digests.models import FREQUENCIES

FREQUENCY = click.Choice(sorted(FREQUENCIES))


@click.group("digest")
def digest_group():
    """Lettres d'information des abonnés."""


@digest_group.command("send")
@click.option("--frequency", type=FREQUENCY, default="daily", show_default=True,
              help="Abonnements concernés : quotidiens (daily) ou hebdomadaires (weekly).")
@with_appcontext
def send_command(frequency):
    """Prépare et envoie les lettres des nouveaux programmes (et celles restées en attente)."""
    from guichet.digests.sending import DigestRunLocked, run_digests

    try:
        report = run_digests(frequency)
    except DigestRunLocked as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Lettres {FREQUENCIES[frequency]}s : {report.subscriptions} abonnements examinés "
               f"({report.searches} recherches distinctes), {report.planned} lettres préparées "
               f"({report.programmes} programmes), {report.sent} envoyées.")
    if report.cancelled:
        click.echo(f"{report.cancelled} lettres annulées (abonnements arrêtés).")
    if report.permanent_failures:
        click.echo(f"{report.permanent_failures} refus définitifs du serveur SMTP ; "
                   f"{report.disabled} abonnements désactivés.", err=True)
    for search in report.invalid_searches:
        click.echo(f"Recherche enregistrée invalide, ignorée : {search}", err=True)
    for error in report.errors:
        click.echo(f"Erreur : {error}", err=True)
    if report.pending_left:
        click.echo(f"{report.pending_left} lettres restent en attente : elles partiront au prochain envoi.", err=True)
    if report.errors or report.pending_left:
        sys.exit(1)


@click.group("subscription")
def subscription_group():
    """Abonnements aux nouveaux programmes d'une recherche."""


@subscription_group.command("add")
@click.argument("email")
@click.option("--search", "search", default="", metavar="QUERYSTRING",
              help="Paramètres de la page de recherche, par exemple « q=vélo&commune=60057 ».")
@click.option("--frequency", type=FREQUENCY, required=True)
@click.option("--confirmed", is_flag=True, help="Abonnement actif tout de suite, sans courriel de confirmation.")
@with_appcontext
def add_command(email, search, frequency, confirmed):
    """Abonne une adresse à une recherche."""
    from guichet.db import get_session
    from guichet.digests.mailer import MailFailure
    from guichet.digests.subscriptions import SubscriptionError, add_subscription

    try:
        subscription, outcome = add_subscription(get_session(), email, search, frequency, confirmed=confirmed)
    except SubscriptionError as error:
        raise click.BadParameter(error.message, param_hint="--search" if error.parameter not in (
            "email", "frequency") else error.parameter) from None
    except MailFailure as error:  # the relay refused the address: nothing to retry
        raise click.ClickException(f"abonnement enregistré, mais le courriel de confirmation n’est pas parti : {error}")
    verb = "créé" if outcome == "added" else "mis à jour"
    if subscription.status == "active":
        state = "actif"
    elif subscription.confirmation_queued_at is not None:
        state = ("en attente de confirmation (serveur de courriel injoignable : le courriel de confirmation "
                 "partira dès que possible)")
    else:
        state = "en attente de confirmation (courriel envoyé)"
    click.echo(f"Abonnement {subscription.id} {verb} pour {subscription.email} : {state}, "
               f"lettre {FREQUENCIES[subscription.frequency]}.")


STATUS_LABELS = {"pending": "à confirmer", "active": "actif", "unsubscribed": "désabonné", "disabled": "désactivé"}


@subscription_group.command("list")
@click.option("--status", type=click.Choice(sorted(STATUS_LABELS)), help="Seulement les abonnements dans cet état.")
@with_appcontext
def list_command(status):
    """Liste les abonnements (une ligne chacun, séparée par des tabulations)."""
    from guichet.db import get_session
    from guichet.digests.subscriptions import list_subscriptions

    subscriptions = list_subscriptions(get_session(), status)
    for subscription in subscriptions:
        last = subscription.last_digest_at.strftime("%Y-%m-%d %H:%M") if subscription.last_digest_at else "-"
        click.echo("\t".join([str(subscription.id), subscription.email, STATUS_LABELS[subscription.status],
                              subscription.frequency, subscription.search or "(toute la recherche)", last]))
    click.echo(f"{len(subscriptions)} abonnements.", err=True)


@subscription_group.command("remove")
@click.argument("email")
@click.option("--search", "search", default=None, metavar="QUERYSTRING",
              help="Seulement l’abonnement à cette recherche (sinon tous ceux de l’adresse).")
@with_appcontext
def remove_command(email, search):
    """Supprime les abonnements d'une adresse, avec leur historique d'envoi."""
    from guichet.db import get_session
    from guichet.digests.subscriptions import remove_subscriptions

    count = remove_subscriptions(get_session(), email, search)
    if not count:
        raise click.ClickException(f"aucun abonnement pour {email.strip()}")
    click.echo(f"{count} abonnement(s) supprimé(s) pour {email.strip().lower()}.")


def register(app):
    for group in (digest_group, subscription_group):
        app.cli.add_command(group)
