"""The secret keys of the service: the session key and the key of subscription links.

Outside development the service refuses to start with the shipped default or a short key.
In development (``make run`` on a fresh machine) a random key is generated once and kept in
the instance folder, so that sessions survive a restart and nobody shares a known key.
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-secret-change-me"
MIN_SECRET_LENGTH = 32
GENERATED_KEY_FILE = "secret_key"


class InsecureConfiguration(RuntimeError):
    """The service must not start: the French message says what to change."""


def _weak(key) -> bool:
    return not key or key == DEFAULT_SECRET_KEY or len(str(key)) < MIN_SECRET_LENGTH


def _stored_development_key(instance_path: str) -> str:
    path = Path(instance_path) / GENERATED_KEY_FILE
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if not _weak(key):
            return key
    key = secrets.token_urlsafe(48)
    # Readable by the owner only: the file is as sensitive as the key itself.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key


def configure_secret_keys(app) -> None:
    """Checks SECRET_KEY (and LINK_SECRET_KEY), generating a development key when needed.

    Raises InsecureConfiguration outside development when a key is the default or too short.
    """
    config = app.config
    development = config["ENV"] == "development"
    if development and (not config["SECRET_KEY"] or config["SECRET_KEY"] == DEFAULT_SECRET_KEY):
        config["SECRET_KEY"] = _stored_development_key(app.instance_path)
    if not development:
        for name in ("SECRET_KEY", "LINK_SECRET_KEY"):
            value = config.get(name)
            if name == "LINK_SECRET_KEY" and not value:
                continue  # derived from SECRET_KEY, checked above
            if _weak(value):
                reason = "est la valeur par défaut" if value == DEFAULT_SECRET_KEY else (
                    "est vide" if not value else f"compte moins de {MIN_SECRET_LENGTH} caractères")
                raise InsecureConfiguration(
                    f"Guichet refuse de démarrer : la clé secrète {name} {reason}. N’importe qui pourrait "
                    f"fabriquer une session d’administration. Définissez une clé aléatoire d’au moins "
                    f"{MIN_SECRET_LENGTH} caractères dans la variable d’environnement GUICHET_{name}, par exemple :\n"
                    f"  export GUICHET_{name}=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\"\n"
                    f"(ou dans instance/guichet.cfg : {name} = \"…\").")
    if not config.get("LINK_SECRET_KEY"):
        config["LINK_SECRET_KEY"] = derived_key(config["SECRET_KEY"], "guichet subscription links")


def derived_key(secret_key: str, purpose: str) -> str:
    """A key of its own for one purpose: knowing it tells nothing of the session key."""
    return hmac.new(str(secret_key).encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()
