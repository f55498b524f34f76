"""The one sender of every email of the service.

An email is a template directory ``templates/email/<name>/`` with ``subject.txt``,
``body.txt`` and ``body.html``; ``render_email`` turns it into a multipart (text + HTML)
message and ``Mailer`` hands it to the SMTP relay of the configuration
(``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``, ``SMTP_PASSWORD``, ``SMTP_TLS``, ``MAIL_FROM``).

SMTP failures come out as two exceptions: ``PermanentFailure`` (the relay answered 5xx for
this message: retrying will not help) and ``TemporaryFailure`` (4xx, relay unreachable,
connection lost: retry later). ``TemporaryFailure.connection_lost`` says whether the relay
itself is gone, so that a run stops instead of trying every other message.
"""

import smtplib
import ssl
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app


class MailFailure(Exception):
    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class PermanentFailure(MailFailure):
    """The relay refused this message for good (5xx)."""


class AddressNotSupported(PermanentFailure):
    """The address has non-ASCII characters and the relay does not offer SMTPUTF8 (RFC 6531):
    no retry can deliver it, whatever the message."""


class TemporaryFailure(MailFailure):
    """Try again later (4xx, relay unreachable ...)."""

    def __init__(self, message: str, code: int | None = None, connection_lost: bool = False):
        super().__init__(message, code)
        self.connection_lost = connection_lost


def render_email(name: str, app=None, **context) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of ``templates/email/<name>/``."""
    app = app or current_app
    env = app.jinja_env
    subject = env.get_template(f"email/{name}/subject.txt").render(**context)
    text = env.get_template(f"email/{name}/body.txt").render(**context)
    html = env.get_template(f"email/{name}/body.html").render(**context)
    # A subject is one line, whatever the template's whitespace.
    return " ".join(subject.split()), text.strip() + "\n", html


def mail_domain(app=None) -> str:
    app = app or current_app
    _name, address = parseaddr(app.config["MAIL_FROM"])
    return address.rpartition("@")[2] or urlsplit(app.config["BASE_URL"]).hostname or "guichet.local"


def build_message(to: str, subject: str, text: str, html: str, headers: dict | None = None,
                  message_id: str | None = None, app=None) -> Message:
    """A multipart/alternative message (text, then HTML), UTF-8 bodies in base64.

    Built with the classic MIME classes: the ``email.policy.default`` header machinery
    parses and refolds every header and made rendering 2.5 times slower (see
    bench/bench_digests.py); subject and names are encoded (RFC 2047) explicitly here.
    """
    app = app or current_app
    message = MIMEMultipart("alternative")
    display_name, address = parseaddr(app.config["MAIL_FROM"])
    message["From"] = formataddr((display_name, address), "utf-8") if display_name else address
    message["To"] = to
    message["Subject"] = Header(subject, "utf-8")
    message["Date"] = format_datetime(_now_local())
    message["Message-ID"] = message_id or make_msgid(domain=mail_domain(app))
    message["Content-Language"] = "fr"
    for name, value in (headers or {}).items():
        message[name] = value
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message


def _now_local():
    from datetime import datetime

    return datetime.now().astimezone()


class Mailer:
    """An SMTP connection opened on the first message and reused until ``close``.

    Use as a context manager::

        with Mailer() as mailer:
            mailer.send(message)
    """

    def __init__(self, config=None):
        config = config or current_app.config
        self.host = config["SMTP_HOST"]
        self.port = int(config["SMTP_PORT"])
        self.user = config.get("SMTP_USER")
        self.password = config.get("SMTP_PASSWORD")
        self.tls = _truthy(config.get("SMTP_TLS"))
        self.timeout = float(config.get("SMTP_TIMEOUT") or 30)
        self.sender = parseaddr(config["MAIL_FROM"])[1]
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()
        return False

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
        except smtplib.SMTPAuthenticationError as error:
            raise TemporaryFailure(f"authentification SMTP refusée : {error.smtp_code} {_text(error.smtp_error)}",
                                   error.smtp_code, connection_lost=True) from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"serveur SMTP {self.host}:{self.port} injoignable : {error}",
                                   connection_lost=True) from error
        self._smtp = smtp
        return smtp

    def supports_smtputf8(self) -> bool:
        """Whether the relay takes internationalised addresses (é@commune.fr). Raises TemporaryFailure."""
        smtp = self._connect()
        try:
            smtp.ehlo_or_helo_if_needed()
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            raise TemporaryFailure(f"connexion SMTP perdue : {error}", connection_lost=True) from error
        return smtp.has_extn("smtputf8")

    def send(self, message: Message) -> None:
        """Hand one message to the relay. Whatever goes wrong with this message alone (a
        refused or unsendable address) is a PermanentFailure; only a lost relay is a
        TemporaryFailure with ``connection_lost``."""
        smtp = self._connect()
        recipient = parseaddr(str(message["To"]))[1] or str(message["To"])
        try:
            if recipient.isascii() and self.sender.isascii():
                refused = smtp.send_message(message, from_addr=self.sender, to_addrs=[recipient])
            else:
                refused = self._send_smtputf8(smtp, message, recipient)
        except MailFailure:
            raise
        except smtplib.SMTPNotSupportedError as error:
            raise AddressNotSupported(f"adresse internationalisée refusée par le serveur : {error}") from error
        except smtplib.SMTPRecipientsRefused as error:
            code, reason = next(iter(error.recipients.values()))
            raise _classify(code, f"destinataire refusé : {code} {_text(reason)}") from error
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
            raise _classify(error.smtp_code, f"message refusé : {error.smtp_code} {_text(error.smtp_error)}") from error
        except smtplib.SMTPResponseException as error:
            raise _classify(error.smtp_code, f"erreur SMTP : {error.smtp_code} {_text(error.smtp_error)}") from error
        except OSError as error:  # SMTPServerDisconnected, timeouts, resets (SMTPException is an OSError)
            self._drop()
            raise TemporaryFailure(f"connexion SMTP perdue : {error}", connection_lost=True) from error
        except (TypeError, ValueError, UnicodeError, LookupError) as error:
            # This message cannot be written out (a header, an address): the next one may.
            raise PermanentFailure(f"message impossible à envoyer à {recipient!r} : {error}") from error
        if refused:  # only possible with several recipients; kept for completeness
            code, reason = next(iter(refused.values()))
            raise _classify(code, f"destinataire refusé : {code} {_text(reason)}")

    def _send_smtputf8(self, smtp: smtplib.SMTP, message: Message, recipient: str) -> dict:
        smtp.ehlo_or_helo_if_needed()
        if not smtp.has_extn("smtputf8"):
            raise AddressNotSupported(f"le serveur de messagerie n’accepte pas les adresses internationalisées "
                                      f"(SMTPUTF8) : {recipient!r} ne peut pas être servie")
        data = _with_utf8_recipient(message, recipient)
        return smtp.sendmail(self.sender, [recipient], data, mail_options=["SMTPUTF8", "BODY=8BITMIME"])

    def _drop(self):
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def close(self):
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _with_utf8_recipient(message: Message, recipient: str) -> bytes:
    """The message as bytes, its To header the raw UTF-8 address (RFC 6532): the classic
    MIME classes would write it as an RFC 2047 encoded word, which is not an address."""
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    head, separator, body = data.partition(b"\r\n\r\n")
    lines, skipping = [], False
    for line in head.split(b"\r\n"):
        if skipping and line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the To header
        skipping = line.lower().startswith(b"to:")
        lines.append(b"To: " + recipient.encode("utf-8") if skipping else line)
    return b"\r\n".join(lines) + separator + body


def send_email(name: str, to: str, headers: dict | None = None, **context) -> Message:
    """Render ``templates/email/<name>/`` and send it at once (one message, one connection)."""
    subject, text, html = render_email(name, **context)
    message = build_message(to, subject, text, html, headers)
    with Mailer() as mailer:
        mailer.send(message)
    return message


def _classify(code, message: str) -> MailFailure:
    if code is not None and 500 <= int(code) < 600:
        return PermanentFailure(message, int(code))
    return TemporaryFailure(message, int(code) if code is not None else None)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _truthy(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "oui", "on")
    return bool(value)
