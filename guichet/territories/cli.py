"""`guichet territories refresh|status`, and the step of `guichet init` that loads the lists."""

import click
from flask import current_app
from flask.cli import with_appcontext

from guichet.territories.lists import LISTS
from guichet.territories.loader import load_territories


def _report(result, echo=click.echo):
    if not result.loaded:
        echo("Listes et zonages officiels déjà à jour.")
        return
    unmatched = sum(unmatched for _rows, unmatched in result.lists.values())
    echo(f"Listes et zonages officiels chargés en {result.seconds:.1f} s : {result.communes} communes, "
         f"{len(result.lists)} listes" + (f", {unmatched} lignes sans commune actuelle." if unmatched else "."))


def init_step(app):
    """Loads the lists at `guichet init` unless each is the version loaded already (idempotent)."""
    result = load_territories(app.extensions["guichet.db"], app.instance_path)
    _report(result, echo=lambda message: click.echo(f"  {message}"))


@click.group("territories")
def territories_group():
    """Listes et zonages officiels des communes (ACV, PVD, QPV, FRR, montagne, densité…)."""


@territories_group.command("refresh")
@click.option("--offline", is_flag=True, help="Ne télécharge rien : recharge les listes déjà présentes.")
@with_appcontext
def refresh_command(offline):
    """Télécharge les listes depuis leurs adresses open data, puis les recharge dans la base.

    Une liste illisible, d'un autre format ou nettement plus courte que la précédente n'est pas
    retenue : la précédente est gardée, et la raison affichée. Sans réseau, les listes livrées
    avec le service (ou déjà téléchargées) restent en place.
    """
    from guichet.territories.refresh import refresh

    app = current_app._get_current_object()
    outcomes = [] if offline else refresh(app)
    for outcome in outcomes:
        click.echo(outcome.message)
    result = load_territories(app.extensions["guichet.db"], app.instance_path, force=True)
    _report(result)


@territories_group.command("status")
@with_appcontext
def status_command():
    """Affiche la version chargée de chaque liste."""
    from guichet.db import get_session
    from guichet.territories.services import loaded_lists

    loaded = {item.key: item for item in loaded_lists(get_session())}
    for key, official in LISTS.items():
        item = loaded.get(key)
        if item is None:
            click.echo(f"{official.title} : non chargée")
            continue
        origin = "livrée avec le service" if item.origin == "shipped" else item.origin
        click.echo(f"{official.title} : {item.rows} lignes ({origin}), {item.unmatched} sans commune actuelle")
