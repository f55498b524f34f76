"""`guichet scrape` and `guichet sources`."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext


def _json_default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@click.command("scrape")
@click.argument("sources", nargs=-1)
@click.option("--from-file", "from_file", type=click.Path(exists=True, dir_okay=False),
              help="Lit une réponse enregistrée (le corps de la première requête de liste de la source).")
@click.option("--dry-run", is_flag=True, help="N’enregistre rien : affiche les programmes normalisés.")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON Lines (un programme ou une collecte par ligne).")
@with_appcontext
def scrape_command(sources, from_file, dry_run, as_json):
    """Collecte les programmes des sources (toutes les sources actives sans argument)."""
    from guichet.db import get_session
    from guichet.sources.services import SourceBusy, enabled_slugs, run_source, run_summary
    from scrapers.registry import UnknownSource, all_sources

    app = current_app._get_current_object()
    unknown = [slug for slug in sources if slug not in all_sources()]
    if unknown:
        raise click.UsageError(f"source inconnue : {', '.join(unknown)} (sources : {', '.join(all_sources())})")
    if from_file and len(sources) != 1:
        raise click.UsageError("--from-file lit la réponse d’une seule source : donnez exactement une SOURCE.")
    slugs = list(sources) or enabled_slugs(get_session())
    failed = False
    for slug in slugs:
        def report(kind, **info):
            if kind == "error":
                error = info["error"]
                where = f" [{error.record_id}]" if error.record_id else ""
                click.echo(f"  erreur ({error.stage}){where} : {error.message}", err=True)
            elif kind == "record" and not dry_run and info["count"] % 100 == 0:
                click.echo(f"  {slug} : {info['count']} programmes traités…", err=True)

        if not as_json or not dry_run:
            click.echo(f"Source {slug}…", err=as_json)
        try:
            result = run_source(app, slug, from_file=from_file, dry_run=dry_run, report=report)
        except (UnknownSource, SourceBusy) as error:
            click.echo(f"  {error}", err=True)
            failed = True
            continue
        if dry_run:
            for record in result:
                if as_json:
                    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                else:
                    click.echo(f"  {record['id']} · {record['status']} · {record['title']}")
            click.echo(f"  {len(result)} programmes lus, rien n’a été enregistré.", err=True)
            continue
        summary = run_summary(result)
        if as_json:
            sys.stdout.write(json.dumps({"source": slug, **summary}, default=_json_default, ensure_ascii=False) + "\n")
        click.echo(f"  {summary['status_label']} : {result.added} ajoutés, {result.updated} mis à jour, "
                   f"{result.unchanged} inchangés, {result.errored} en erreur, {result.closed} clos "
                   f"({result.seen} programmes à la source).", err=as_json)
        if result.message:
            click.echo(f"  {result.message}", err=True)
        failed = failed or result.status == "failed"
    if failed:
        sys.exit(1)


@click.command("sources")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON Lines (une source par ligne).")
@with_appcontext
def sources_command(as_json):
    """Liste les sources : niveau, calendrier, dernière collecte et ses chiffres."""
    from guichet.db import get_session
    from guichet.sources.services import source_overview

    for source in source_overview(get_session()):
        if as_json:
            click.echo(json.dumps(source, default=_json_default, ensure_ascii=False))
            continue
        run = source["last_run"]
        state = "" if source["enabled"] else " (désactivée)"
        click.echo(f"{source['slug']}{state} — {source['name']} · niveau {source['level_label']} · "
                   f"{source['schedule']} · {source['programmes']} programmes")
        if run is None:
            click.echo("    dernière collecte : jamais")
        else:
            started = run["started_at"].strftime("%d/%m/%Y %H:%M") if run["started_at"] else "?"
            click.echo(f"    dernière collecte : {started} UTC, {run['status_label']} — {run['added']} ajoutés, "
                       f"{run['updated']} mis à jour, {run['unchanged']} inchangés, {run['errored']} en erreur, "
                       f"{run['closed']} clos" + (" — À VÉRIFIER" if run["flagged"] else ""))
            if run["message"]:
                click.echo(f"    {run['message']}")
        if source["next_run"] is not None:
            click.echo(f"    prochaine collecte : {source['next_run'].strftime('%d/%m/%Y %H:%M')}")
