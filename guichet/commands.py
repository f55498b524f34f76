"""The service's own commands (init, reindex, export, import, serve, scheduler, run), which the
app factory registers; the `guichet` entry point itself is guichet.cli.

Features add their own commands with ``app.cli.add_command`` in their ``init_app``; steps
that `guichet init` must run (loading reference data ...) are registered with
``guichet.hooks.register_init_step``.
"""

import atexit
import signal
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from guichet.hooks import init_steps


def initialise(app, echo=click.echo) -> None:
    """Upgrade the store, load reference data, build the index: one process at a time, on every
    host using the store (two `guichet init` at once: the second waits for the first)."""
    from guichet.db import Locked, get_database

    database = get_database()
    try:
        with database.exclusive("guichet-init", wait=False):
            _initialise(app, echo)
        return
    except Locked:
        echo("Une autre initialisation est en cours : attente de sa fin…")
    with database.exclusive("guichet-init"):
        _initialise(app, echo)


def _initialise(app, echo) -> None:
    from guichet import migrations
    from guichet.db import get_database
    from guichet.programmes.services import load_curated
    from guichet.sources.pipeline import store_record
    from guichet.search import get_backend, rebuild_index

    echo("Mise à jour du schéma de la base…")
    migrations.upgrade(get_database())
    with get_database().session() as session:
        counts = load_curated(session, store=store_record)
        session.commit()
    echo(f"Programmes rédigés par l’équipe : {counts['added']} ajoutés, {counts['updated']} mis à jour, "
         f"{counts['unchanged']} inchangés.")
    for error in counts["errors"]:
        echo(f"  erreur : {error}", err=True)
    for name, step in init_steps(app).items():
        echo(f"{name}…")
        step(app)
    health = get_backend().health()
    if health.get("needs_rebuild") or health.get("documents", 0) == 0:
        echo("Construction de l’index de recherche…")
        echo(f"{rebuild_index(app)} programmes indexés.")


@click.command("init")
@with_appcontext
def init_command():
    """Crée ou met à jour la base, charge les données de référence et l'index."""
    initialise(current_app)
    click.echo("Prêt.")


@click.command("reindex")
@click.option("--changed", is_flag=True,
              help="Répare seulement : changements en attente, programmes manquants ou en trop.")
@with_appcontext
def reindex_command(changed):
    """Reconstruit l'index de recherche depuis la base, sans interrompre la recherche."""
    from guichet.search import rebuild_index

    if changed:
        from guichet.search.outbox import repair_index

        report = repair_index(current_app)
        click.echo(f"Index réparé : {report.outbox} changements en attente repris, {report.missing} programmes "
                   f"manquants ajoutés, {report.extra} documents en trop retirés.")
        if report.errors:
            click.echo(f"Réparation interrompue : {report.errors[0]}", err=True)
            sys.exit(1)
        return

    from guichet.search.base import SearchUnavailable

    click.echo(f"Reconstruction de l’index ({current_app.config['SEARCH_BACKEND']})…")
    try:
        count = rebuild_index(current_app, progress=lambda done: click.echo(f"  {done} programmes lus…"))
    except SearchUnavailable as error:
        # The half-built index is deleted by the backend; the old one still answers.
        raise click.ClickException(f"reconstruction impossible, l’index actuel reste en service : {error}") from None
    click.echo(f"{count} programmes indexés.")


@click.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_command(path):
    """Écrit tous les programmes en JSON Lines (sortie standard sans PATH)."""
    from guichet.db import get_session
    from guichet.programmes.services import export_records

    if path:
        with open(path, "w", encoding="utf-8") as out:
            count = export_records(get_session(), out)
        click.echo(f"{count} programmes exportés dans {path}.", err=True)
    else:
        export_records(get_session(), sys.stdout)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(path):
    """Crée ou met à jour des programmes depuis un fichier JSON Lines (par identifiant)."""
    from guichet.db import get_session
    from guichet.programmes.services import import_records
    from guichet.sources.pipeline import store_record

    session = get_session()
    with open(path, encoding="utf-8") as lines:
        counts = import_records(session, lines, store=store_record)
    session.commit()
    click.echo(f"{counts['added']} ajoutés, {counts['updated']} mis à jour, {counts['unchanged']} inchangés, "
               f"{len(counts['errors'])} en erreur.")
    for error in counts["errors"]:
        click.echo(f"  {error}", err=True)
    if counts["errors"]:
        sys.exit(1)


WORKER_THREADS = 8
# Open connections one process keeps (waitress's default is 100): past it waitress stops
# accepting, and keep-alive clients beyond it time out (bench/bench_load.py at 200 connections).
CONNECTION_LIMIT = 1000


def _serve(app, workers: int | None = None):
    host, port = app.config["HOST"], int(app.config["PORT"])
    workers = int(workers or app.config.get("WEB_WORKERS") or 1)
    if workers <= 1:
        from waitress import serve

        click.echo(f"Guichet sert sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
        serve(app, host=host, port=port, threads=WORKER_THREADS, connection_limit=CONNECTION_LIMIT,
              ident="guichet", _quiet=True)
        return
    _serve_workers(app, host, port, workers)


def _serve_workers(app, host: str, port: int, workers: int) -> None:
    """N web processes on one listening socket, opened here and handed to each worker (each
    its own app, store pool and search snapshot; the SQLite index reloads on its generation
    counter when another process writes). A worker that dies is started again."""
    import socket
    import time

    listener = socket.create_server((host, port), backlog=1024, reuse_port=False)
    listener.set_inheritable(True)
    app.extensions["guichet.db"].dispose()  # nothing of this process's pool goes to the workers

    def start_worker():
        return subprocess.Popen([sys.executable, "-m", "guichet", "serve", "--listen-fd", str(listener.fileno())],
                                pass_fds=[listener.fileno()])

    processes = [start_worker() for _ in range(workers)]
    click.echo(f"Guichet sert sur http://{host}:{port}/ avec {workers} processus (Ctrl+C pour arrêter)")
    stopping = []

    def stop(*_):
        stopping.append(True)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            for index, process in enumerate(processes):
                if process.poll() is not None and not stopping:
                    click.echo(f"processus web {process.pid} arrêté (code {process.returncode}) : relancé", err=True)
                    processes[index] = start_worker()
            time.sleep(0.5)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        listener.close()
        for number, handler in previous.items():
            signal.signal(number, handler)


def _serve_on_inherited_socket(app, fd: int) -> None:
    import socket

    from waitress import serve

    listener = socket.socket(fileno=fd)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(app, sockets=[listener], threads=WORKER_THREADS, connection_limit=CONNECTION_LIMIT, ident="guichet",
          _quiet=True)


@click.command("serve")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Nombre de processus web (par défaut GUICHET_WEB_WORKERS, 1).")
@click.option("--listen-fd", type=int, default=None, hidden=True)
@with_appcontext
def serve_command(workers, listen_fd):
    """Sert le site et l'API (sans planificateur)."""
    app = current_app._get_current_object()
    if listen_fd is not None:
        _serve_on_inherited_socket(app, listen_fd)
    else:
        _serve(app, workers)


@click.command("scheduler")
@click.option("--standby", is_flag=True,
              help="Si un autre planificateur tourne, attendre et prendre le relais quand il s’arrête "
                   "(plusieurs hôtes sur une base PostgreSQL).")
@with_appcontext
def scheduler_command(standby):
    """Lance le planificateur (collectes, index, lettres d'information) au premier plan."""
    import logging

    from guichet.scheduler import LeaseLost, SchedulerLocked, jobs, run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = current_app._get_current_object()
    click.echo(f"Planificateur : {len(jobs(app))} tâches.")
    try:
        run_scheduler(app, standby=standby)
    except (SchedulerLocked, LeaseLost) as error:
        raise click.ClickException(str(error)) from None


@click.command("run")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Nombre de processus web (par défaut GUICHET_WEB_WORKERS, 1).")
@with_appcontext
def run_command(workers):
    """Sert le site et l'API, avec le planificateur dans un processus à part."""
    app = current_app._get_current_object()
    scheduler = None
    if app.config["SCHEDULER_ENABLED"]:
        import os

        from guichet.scheduler import PARENT_ENV

        # The child stops by itself when this process dies, even by kill -9 (no orphan lock).
        scheduler = subprocess.Popen([sys.executable, "-m", "guichet", "scheduler"],
                                     env={**os.environ, PARENT_ENV: str(os.getpid())})

        def stop_scheduler():
            if scheduler.poll() is None:
                scheduler.terminate()  # the scheduler lets running jobs finish
                try:
                    scheduler.wait(60)
                except subprocess.TimeoutExpired:
                    scheduler.kill()

        atexit.register(stop_scheduler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _serve(app, workers)


def register_commands(app):
    for command in (init_command, reindex_command, export_command, import_command, serve_command,
                    scheduler_command, run_command):
        app.cli.add_command(command)
