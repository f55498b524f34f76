"""Digest fixtures: a real SMTP server (aiosmtpd) on loopback that records what it received,
an app whose SMTP settings point at it, and helpers to read the messages."""

import asyncio
import re
import socket
import threading
import time
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

BASE_URL = "https://guichet.test"


class RecordingHandler:
    """Accepts every message, except addresses listed in ``reject`` (answered with the given
    SMTP reply). With ``hold_after = n`` the (n+1)th message is held unanswered until
    ``release`` (a crash test kills the client meanwhile); a held message is never recorded."""

    def __init__(self):
        self.messages = []
        self.reject: dict[str, str] = {}
        self.hold_after: int | None = None
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hold_after is not None and len(self.messages) >= self.hold_after:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.02)
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class Received:
    def __init__(self, mail_from, rcpt_tos, message):
        self.mail_from = mail_from
        self.rcpt_tos = rcpt_tos
        self.message = message

    def __getitem__(self, name):
        return self.message[name]

    @property
    def to(self) -> str:
        return self.rcpt_tos[0]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()

    def links(self, path: str) -> list[str]:
        return re.findall(re.escape(BASE_URL + path) + r"[^\s\"<>]+", self.text)


class SMTPServer:
    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = None

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.handler.released.set()
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "SMTP_TIMEOUT": 5,
            "BASE_URL": BASE_URL, "MAIL_FROM": "Guichet <ne-pas-repondre@guichet.test>"}


@pytest.fixture
def subscribe(app):
    """Create a subscription through the service (confirmed unless told otherwise)."""
    from guichet.digests.subscriptions import add_subscription

    def make(email="maire@commune.example", search="", frequency="daily", confirmed=True):
        with app.app_context():
            with app.extensions["guichet.db"].session() as session:
                subscription, _outcome = add_subscription(session, email, search, frequency, confirmed=confirmed)
                return subscription.id

    return make


@pytest.fixture
def run_digests(app):
    from guichet.digests.sending import run_digests as run

    def run_once(frequency="daily"):
        with app.app_context():
            return run(frequency)

    return run_once


@pytest.fixture
def subscription_state(app):
    from guichet.digests.models import Subscription

    def state(subscription_id):
        with app.extensions["guichet.db"].session() as session:
            return session.get(Subscription, subscription_id)

    return state


@pytest.fixture
def csrf_app(app_config, tmp_path, monkeypatch):
    """The app with CSRF protection on, turned on by a feature that comes before digests (as
    the back office does): whatever the other features do, the pages must work with it."""
    import sys
    import types

    import guichet
    from guichet import create_app

    def enable_csrf(app):
        from flask_wtf.csrf import CSRFProtect

        if "csrf" not in app.extensions:
            CSRFProtect(app)

    feature = types.ModuleType("tests_digests_csrf_feature")
    feature.init_app = enable_csrf
    monkeypatch.setitem(sys.modules, feature.__name__, feature)
    features = list(guichet.FEATURES)
    features.insert(features.index("guichet.digests"), feature.__name__)
    monkeypatch.setattr(guichet, "FEATURES", tuple(features))
    monkeypatch.setenv("GUICHET_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    yield application
    application.extensions["guichet.db"].dispose()
