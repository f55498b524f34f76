"""Guichet: the one-stop search of public funding programmes for French towns."""

import importlib
import os
from pathlib import Path

from flask import Flask

from guichet import config as config_declaration
from guichet.config import ROOT

# One package per feature, each registering itself with init_app(app), in this order.
FEATURES = (
    "guichet.security",
    "guichet.db",
    "guichet.search",
    "guichet.web",
    "guichet.api",
    "guichet.communes",
    "guichet.territories",
    "guichet.projects",
    "guichet.sources",
    "guichet.admin",
    "guichet.digests",
    "guichet.feeds",
)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("GUICHET_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(config_declaration.defaults())
    app.config.from_pyfile("guichet.cfg", silent=True)
    app.config.from_prefixed_env("GUICHET")
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from guichet.security.secrets import configure_secret_keys

    configure_secret_keys(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["ENV"] != "development" and not app.testing

    for feature in FEATURES:
        importlib.import_module(feature).init_app(app)

    from guichet.commands import register_commands

    register_commands(app)
    return app
