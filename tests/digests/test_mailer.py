"""The one sender: multipart messages from templates, SMTP settings, failures told apart."""

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from guichet.digests.mailer import Mailer, PermanentFailure, TemporaryFailure, build_message, send_email
from tests.digests.conftest import RecordingHandler, free_port


def test_send_email_renders_the_three_templates_into_one_multipart_message(app, smtp_server):
    with app.app_context():
        send_email("confirmation", "maire@commune.example", confirm_url="https://guichet.test/abonnement/confirmer/x",
                   filters=["Mots : « vélo »"], frequency_label="hebdomadaire", valid_days=7, subscription=None)
    [received] = smtp_server.messages
    assert received.mail_from == "ne-pas-repondre@guichet.test"
    assert received.subject == "Confirmez votre abonnement aux nouveaux programmes — Guichet"
    assert [part.get_content_type() for part in received.message.iter_parts()] == ["text/plain", "text/html"]
    assert "lettre hebdomadaire" in received.text and "Mots : « vélo »" in received.text
    assert '<html lang="fr">' in received.html and "Mots : « vélo »" in received.html
    assert received["Message-ID"].endswith("@guichet.test>")


def test_html_escapes_what_comes_from_programmes(app, smtp_server):
    with app.app_context():
        send_email("confirmation", "maire@commune.example", confirm_url="https://guichet.test/x",
                   filters=["Mots : « <script>alert(1)</script> »"], frequency_label="quotidienne", valid_days=7,
                   subscription=None)
    [received] = smtp_server.messages
    assert "<script>" not in received.html and "&lt;script&gt;" in received.html
    assert "<script>alert(1)</script>" in received.text  # plain text stays as typed


def test_smtp_authentication_from_the_configuration(app):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"secret")

    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        app.config.update(SMTP_PORT=port, SMTP_USER="guichet", SMTP_PASSWORD="secret")
        with app.app_context():
            send_email("confirmation", "maire@commune.example", confirm_url="https://x", filters=[],
                       frequency_label="quotidienne", valid_days=7, subscription=None)
        assert len(handler.messages) == 1
        assert logins[0][1:] == (b"guichet", b"secret")

    finally:
        controller.stop()


def test_failures_are_told_apart(app, smtp_server):
    smtp_server.handler.reject["refuse@commune.example"] = "550 5.1.1 No such user"
    smtp_server.handler.reject["plus-tard@commune.example"] = "451 4.7.1 Greylisted"
    with app.app_context():
        with Mailer() as mailer:
            with pytest.raises(PermanentFailure) as permanent:
                mailer.send(build_message("refuse@commune.example", "Sujet", "texte", "<p>html</p>"))
            assert permanent.value.code == 550
            with pytest.raises(TemporaryFailure) as temporary:
                mailer.send(build_message("plus-tard@commune.example", "Sujet", "texte", "<p>html</p>"))
            assert temporary.value.code == 451 and not temporary.value.connection_lost
            # The connection is still good for the next message.
            mailer.send(build_message("maire@commune.example", "Sujet", "texte", "<p>html</p>"))
        assert [received.to for received in smtp_server.messages] == ["maire@commune.example"]

        smtp_server.stop()
        with Mailer() as mailer, pytest.raises(TemporaryFailure) as down:
            mailer.send(build_message("maire@commune.example", "Sujet", "texte", "<p>html</p>"))
        assert down.value.connection_lost and "injoignable" in str(down.value)
