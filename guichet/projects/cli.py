"""`guichet projects import|reindex`, and the step of `guichet init` that loads the shipped lists."""

import sys
import time
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError
from flask import current_app
from flask.cli import with_appcontext

from guichet.web.formatting import number_fr
from guichet.projects.importer import KINDS, ImportRefused, import_file, imported_already

DATA = Path(__file__).with_name("data")
# The lists the service ships (see data/PROVENANCE.md), loaded by `guichet init`.
SHIPPED = (("fonds-vert", DATA / "fonds-vert-2023-laureats.csv"),
           ("dotations", DATA / "dgcl-dotations-investissement-2019-projets.csv"))
MAX_LISTED_PROBLEMS = 50


def report_lines(report) -> list[str]:
    rate = number_fr(round(report.rows_per_second))
    lines = [f"{report.file_name} ({report.kind}, {report.year}) : {number_fr(report.rows)} lignes lues en "
             f"{report.seconds:.1f} s ({rate} lignes/s) ; {number_fr(report.added)} projets ajoutés, "
             f"{number_fr(report.updated)} mis à jour, {number_fr(report.unchanged)} inchangés, "
             f"{number_fr(report.errors)} ligne(s) écartée(s)."]
    if report.without_commune:
        lines.append(f"  {report.without_commune} projets sans commune ni intercommunalité identifiée "
                     "(rattachés à leur département).")
    for problem in report.problems[:MAX_LISTED_PROBLEMS]:
        lines.append(f"  {problem}")
    if report.errors > MAX_LISTED_PROBLEMS:
        lines.append(f"  … et {report.errors - MAX_LISTED_PROBLEMS} autre(s) ligne(s) écartée(s).")
    return lines


def rebuild(app, echo=click.echo):
    from guichet.projects.index import rebuild_index

    started = time.perf_counter()
    count = rebuild_index(app)
    echo(f"Index des projets financés : {count} projets en {time.perf_counter() - started:.1f} s.")


def init_step(app):
    """Imports the shipped lists not imported yet, then builds the project index if needed."""
    from guichet.projects.index import index_is_current

    database = app.extensions["guichet.db"]
    for kind, path in SHIPPED:
        with database.session() as session:
            if imported_already(session, path.read_bytes()):
                continue
            try:
                report = import_file(session, kind, path)
            except ImportRefused as error:
                click.echo(f"  attention : {error.message}", err=True)
                continue
            session.commit()
        for line in report_lines(report):
            click.echo(f"  {line}")
    if not index_is_current(app):
        rebuild(app, echo=lambda message: click.echo(f"  {message}"))


@click.group("projects")
def projects_group():
    """Projets financés (lauréats du Fonds vert, DETR, DSIL, DSID)."""


@projects_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", required=True, type=click.Choice(KINDS),
              help="fonds-vert : lauréats du Fonds vert ; dotations : projets DETR, DSIL et DSID de la DGCL.")
@click.option("--year", type=click.IntRange(2000, 2100),
              help="Année des projets (par défaut : l’année écrite dans le nom du fichier).")
@with_appcontext
def import_command(path, kind, year):
    """Importe une liste de projets financés (une seule transaction ; réimporter ne change rien)."""
    app = current_app._get_current_object()
    with app.extensions["guichet.db"].session() as session:
        try:
            report = import_file(session, kind, path, year=year)
            session.commit()
        except ImportRefused as error:
            raise click.ClickException(error.message) from None
        except SQLAlchemyError as error:
            # One transaction: nothing of this file is in the store.
            session.rollback()
            raise click.ClickException(f"L’import a échoué et rien n’a été enregistré ({type(error).__name__} : "
                                       f"{str(error).splitlines()[0][:200]}).") from None
    for line in report_lines(report):
        click.echo(line, err=line.startswith("  ligne"))
    if report.changed:
        rebuild(app)
    if report.errors:
        sys.exit(1)


@projects_group.command("reindex")
@with_appcontext
def reindex_command():
    """Reconstruit l'index de recherche des projets financés depuis la base."""
    rebuild(current_app._get_current_object())
