"""Absolute URLs without a request (CLI, scheduler, emails) and the signed links of a
subscription's emails (confirm, manage, unsubscribe)."""

import secrets
from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from guichet.digests.models import Subscription

SALT_CONFIRM = "guichet.digests.confirm"
SALT_MANAGE = "guichet.digests.manage"
SALT_UNSUBSCRIBE = "guichet.digests.unsubscribe"


class InvalidLink(Exception):
    """A signed link that is not (or no longer) valid; ``expired`` when only its age is wrong."""

    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.message = message
        self.expired = expired


def url_adapter(app):
    """Builds absolute URLs on BASE_URL without a request (CLI, scheduler, emails)."""
    base = urlsplit(app.config["BASE_URL"])
    return app.url_map.bind(base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https")


def external_url(endpoint: str, app=None, **values) -> str:
    """An absolute URL on BASE_URL, built without a request (CLI, scheduler, emails)."""
    return url_adapter(app or current_app).build(endpoint, values, force_external=True)


def with_search(url: str, search: str) -> str:
    """The search page's ``url`` showing a saved search."""
    return f"{url}?{search}" if search else url


def search_page_url(search: str, app=None) -> str:
    return with_search(external_url("web.search", app=app), search)


def _serializer(salt: str, app=None) -> URLSafeTimedSerializer:
    app = app or current_app
    return URLSafeTimedSerializer(app.config["LINK_SECRET_KEY"], salt=salt)


def make_token(subscription: Subscription, salt: str, app=None) -> str:
    return _serializer(salt, app).dumps([subscription.id, subscription.link_key])


def load_token(session: Session, token: str, salt: str, max_age: int | None = None) -> Subscription:
    try:
        subscription_id, link_key = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise InvalidLink("Ce lien a expiré.", expired=True) from None
    except (BadSignature, ValueError, TypeError):
        raise InvalidLink("Ce lien n’est pas valide : il est peut-être incomplet. Copiez-le en entier depuis "
                          "le courriel reçu.") from None
    subscription = session.get(Subscription, subscription_id) if isinstance(subscription_id, int) else None
    if subscription is None or not secrets.compare_digest(str(link_key), subscription.link_key):
        raise InvalidLink("Cet abonnement n’existe plus.")
    return subscription


def confirm_url(subscription, app=None) -> str:
    return external_url("digests.confirm", app=app, token=make_token(subscription, SALT_CONFIRM, app))


def manage_url(subscription, app=None) -> str:
    return external_url("digests.manage", app=app, token=make_token(subscription, SALT_MANAGE, app))


def unsubscribe_url(subscription, app=None) -> str:
    return external_url("digests.unsubscribe", app=app, token=make_token(subscription, SALT_UNSUBSCRIBE, app))
