"""Fault suite: real components (aiosmtpd on loopback, Elasticsearch, processes killed)."""

import pytest
from aiosmtpd.controller import Controller

from tests.digests.conftest import BASE_URL, SMTPServer, run_digests, subscribe, subscription_state  # noqa: F401


class SMTPUTF8Server(SMTPServer):
    """The recording SMTP server, offering SMTPUTF8 or not."""

    def __init__(self, smtputf8: bool):
        super().__init__()
        self.smtputf8 = smtputf8

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=self.smtputf8)
        self.controller.start()


@pytest.fixture
def smtputf8():
    """Whether the relay offers SMTPUTF8; tests override it with ``parametrize``."""
    return False


@pytest.fixture
def smtp_server(smtputf8):
    server = SMTPUTF8Server(smtputf8)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "SMTP_TIMEOUT": 5,
            "BASE_URL": BASE_URL, "MAIL_FROM": "Guichet <ne-pas-repondre@guichet.test>"}
