"""The `guichet` command (also `python -m guichet`): the app's commands, and only them.

The commands themselves are guichet.commands' and each feature's (``app.cli.add_command``).
"""

import sys

import click
from flask.cli import FlaskGroup

from guichet import create_app

cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False, add_version_option=False,
                 load_dotenv=False, set_debug_flag=False,
                 help="Guichet : le guichet unique des financements publics pour les communes.")


# Only this service's commands: no --app/--env-file/--debug options of the generic flask command.
cli.params = [param for param in cli.params if param.name not in ("env_file", "app", "debug")]


def main():
    from guichet.security.secrets import InsecureConfiguration

    try:
        cli.main(prog_name="guichet")
    except InsecureConfiguration as error:
        click.echo(str(error), err=True)
        sys.exit(2)
