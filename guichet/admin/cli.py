"""`guichet user ...`: staff accounts of the back office."""

import sys

import click
from flask.cli import with_appcontext

from guichet.admin.models import ROLES


@click.group("user")
def user_group():
    """Comptes de l'espace de gestion (gestionnaires et administrateurs)."""


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="curator : revue et correction des programmes ; admin : en plus, gestion des comptes.")
@click.option("--password-stdin", is_flag=True,
              help="Lit le mot de passe sur l’entrée standard (première ligne) au lieu de le demander.")
@with_appcontext
def create_command(email, role, password_stdin):
    """Crée un compte pour EMAIL."""
    from guichet.admin import accounts
    from guichet.db import get_session

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Mot de passe", hide_input=True, confirmation_prompt="Confirmez le mot de passe")
    session = get_session()
    try:
        user = accounts.create_user(session, email, role, password)
    except accounts.AccountError as error:
        session.rollback()
        raise click.ClickException(error.message) from None
    session.commit()
    click.echo(f"Compte créé : {user.email} ({user.role}).")


@user_group.command("list")
@with_appcontext
def list_command():
    """Liste les comptes."""
    from sqlalchemy import select

    from guichet.admin.models import User
    from guichet.db import get_session

    for user in get_session().scalars(select(User).order_by(User.email)):
        state = "actif" if user.active else "désactivé"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@user_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email):
    """Désactive le compte EMAIL (ses sessions ouvertes prennent fin)."""
    from guichet.admin import accounts
    from guichet.db import get_session

    session = get_session()
    user = accounts.get_user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"Aucun compte pour {email}.")
    accounts.set_active(user, False)
    session.commit()
    click.echo(f"Compte désactivé : {user.email}.")
