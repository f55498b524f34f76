"""`guichet communes refresh`, and the step of `guichet init` that loads the reference."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from guichet.communes.reference import ReferenceMissing, data_directory, load_reference
from guichet.communes.services import forget_index


def _report(result, echo=click.echo):
    if not result.loaded:
        echo(f"Référentiel des communes déjà à jour (version {result.version}).")
        return
    counts = result.counts
    echo(f"Référentiel des communes {result.version} chargé en {result.seconds:.1f} s : "
         f"{counts['communes']} communes, {counts['aliases']} anciennes communes et arrondissements, "
         f"{counts['epcis']} EPCI, {counts['departments']} départements, {counts['regions']} régions.")


def init_step(app):
    """Loads the reference at `guichet init` unless this version is loaded already (idempotent)."""
    try:
        result = load_reference(app.extensions["guichet.db"], data_directory(app.config))
    except ReferenceMissing as error:
        # The rest of the service works without it: say so, and carry on.
        click.echo(f"  attention : {error}", err=True)
        return
    forget_index(app)
    _report(result, echo=lambda message: click.echo(f"  {message}"))


@click.group("communes")
def communes_group():
    """Référentiel officiel des communes (COG, population INSEE, EPCI)."""


@communes_group.command("refresh")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Dossier des fichiers JSON (par défaut : le paquet npm @etalab/decoupage-administratif).")
@click.option("--if-changed", is_flag=True, help="Ne recharge pas une version déjà chargée.")
@with_appcontext
def refresh_command(data_dir, if_changed):
    """Recharge le référentiel des communes dans la base."""
    app = current_app._get_current_object()
    directory = data_dir or data_directory(app.config)
    try:
        result = load_reference(app.extensions["guichet.db"], directory, force=not if_changed, echo=click.echo)
    except ReferenceMissing as error:
        raise click.ClickException(str(error)) from None
    forget_index(app)
    _report(result)
    if result.loaded:
        # The official lists are mapped to communes through this reference: map them again.
        from guichet.territories.cli import init_step

        init_step(app)
