"""C1: no forged admin session, no forged subscription link; M3: logout ends the session."""

import os
import stat
import subprocess
import sys

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer

from guichet import ROOT, create_app
from guichet.security.secrets import DEFAULT_SECRET_KEY, InsecureConfiguration
from tests.security.conftest import ADMIN, CURATOR, login, post_form


def _production_config(app_config, **extra):
    return {**app_config, "TESTING": False, "ENV": "production", **extra}


@pytest.mark.parametrize("key", [DEFAULT_SECRET_KEY, "", "trop-courte-0123456789"])
def test_production_refuses_a_default_or_short_secret_key(app_config, tmp_path, monkeypatch, key):
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance"))
    with pytest.raises(InsecureConfiguration) as refused:
        create_app(_production_config(app_config, SECRET_KEY=key))
    message = str(refused.value)
    assert "Guichet refuse de démarrer" in message
    assert "GUICHET_SECRET_KEY" in message and "32 caractères" in message


def test_production_starts_with_a_long_secret_key(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance"))
    key = "k" * 40
    app = create_app(_production_config(app_config, SECRET_KEY=key))
    try:
        assert app.config["SECRET_KEY"] == key
        assert app.config["LINK_SECRET_KEY"] not in ("", key)
    finally:
        app.extensions["guichet.db"].dispose()


def test_the_command_refuses_to_start_in_production_with_the_default_key(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUICHET_")}
    env.update(GUICHET_ENV="production", GUICHET_INSTANCE_PATH=str(tmp_path / "instance"),
               GUICHET_SCHEDULER_ENABLED="false")
    result = subprocess.run([sys.executable, "-m", "guichet", "sources"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "Guichet refuse de démarrer" in result.stderr and "GUICHET_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_development_generates_and_keeps_a_random_key(app_config, tmp_path, monkeypatch):
    instance = tmp_path / "instance-dev"
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(instance))
    config = {key: value for key, value in app_config.items() if key != "SECRET_KEY"}
    first = create_app(config)
    second = create_app(config)
    try:
        key = first.config["SECRET_KEY"]
        assert key != DEFAULT_SECRET_KEY and len(key) >= 32
        assert second.config["SECRET_KEY"] == key  # sessions survive a restart
        stored = instance / "secret_key"
        assert stored.read_text().strip() == key
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    finally:
        first.extensions["guichet.db"].dispose()
        second.extensions["guichet.db"].dispose()


def _cookie_signed_with(key: str, payload: dict) -> str:
    forger = Flask("forger")
    forger.secret_key = key
    return forger.session_interface.get_signing_serializer(forger).dumps(payload)


def test_a_session_forged_with_the_default_key_opens_nothing(app_config, tmp_path, monkeypatch, staff_hashes):
    """The issue's attack: a cookie {'_user_id': '1:1'} signed with the shipped default key."""
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance-dev"))
    config = {key: value for key, value in app_config.items() if key != "SECRET_KEY"}
    app = create_app(config)
    try:
        from guichet.admin.models import User

        with app.extensions["guichet.db"].session() as session:
            session.add(User(email=ADMIN[0], role="admin", password_hash=staff_hashes[ADMIN[0]], active=True,
                             session_token=1))
            session.commit()
        client = app.test_client()
        client.set_cookie("session", _cookie_signed_with(DEFAULT_SECRET_KEY, {"_user_id": "1:1", "_fresh": True}),
                          domain="guichet.test")
        response = client.get("/admin/utilisateurs")
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    finally:
        app.extensions["guichet.db"].dispose()


def test_subscription_links_use_a_key_of_their_own(app, store):
    from guichet.digests import links as services
    from guichet.digests.models import Subscription

    assert app.config["LINK_SECRET_KEY"] != app.config["SECRET_KEY"]
    subscription = Subscription(email="abonne@commune.test", search="q=eau", frequency="weekly", link_key="0123456789abcdef")
    store.add(subscription)
    store.commit()
    with app.app_context():
        token = services.make_token(subscription, "manage")
        assert services.load_token(store, token, "manage").id == subscription.id
        # The same link signed with the session key (which a session cookie could leak) is refused.
        forged = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="manage").dumps(
            [subscription.id, subscription.link_key])
        with pytest.raises(services.InvalidLink):
            services.load_token(store, forged, "manage")


def _session_cookie(client) -> str:
    return client.get_cookie("session", domain="guichet.test").value


def test_a_cookie_captured_before_logout_is_refused_after(app, staff):
    client = app.test_client()
    assert login(client, *CURATOR).status_code == 302
    assert client.get("/admin/").status_code == 200
    captured = _session_cookie(client)
    response = post_form(client, "/admin/logout", {})
    assert response.status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="guichet.test")
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_a_password_change_or_a_disabled_account_ends_open_sessions(app, staff, store):
    from guichet.admin import accounts

    client = app.test_client()
    assert login(client, *CURATOR).status_code == 302
    captured = _session_cookie(client)
    user = accounts.get_user_by_email(store, CURATOR[0])
    accounts.set_password(user, "un-tout-nouveau-mot-de-passe")
    store.commit()
    thief = app.test_client()
    thief.set_cookie("session", captured, domain="guichet.test")
    assert thief.get("/admin/").status_code == 302

    client = app.test_client()
    assert login(client, CURATOR[0], "un-tout-nouveau-mot-de-passe").status_code == 302
    captured = _session_cookie(client)
    accounts.set_active(user, False)
    store.commit()
    thief.set_cookie("session", captured, domain="guichet.test")
    assert thief.get("/admin/").status_code == 302
