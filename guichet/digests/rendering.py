"""Rendering a delivery's email: the programmes of its log, the saved search's description,
its links; each programme and each saved search prepared once per run."""

from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.digests.links import SALT_MANAGE, SALT_UNSUBSCRIBE, make_token, url_adapter, with_search
from guichet.digests.mailer import build_message, mail_domain, render_email
from guichet.digests.models import FREQUENCIES, Delivery, DigestLogEntry
from guichet.digests.planning import chunks
from guichet.digests.subscriptions import describe_and_title
from guichet.programmes.models import Programme
from guichet.web.formatting import date_fr


class DigestRenderer:
    """Renders the digests of one run. A programme appears in many digests of a run: it is
    read and prepared once; so is each saved search's description."""

    def __init__(self, session: Session, app=None):
        self.session = session
        self.app = app or current_app._get_current_object()
        self.urls = url_adapter(self.app)
        self.domain = mail_domain(self.app)
        self._items: dict[tuple[str, date], dict] = {}
        self._searches: dict[str, tuple[list[str], str, str]] = {}

    def url(self, endpoint: str, **values) -> str:
        return self.urls.build(endpoint, values, force_external=True)

    def search(self, search: str) -> tuple[list[str], str, str]:
        if search not in self._searches:
            self._searches[search] = (*describe_and_title(search), with_search(self.url("web.search"), search))
        return self._searches[search]

    def items(self, delivery: Delivery) -> list[dict]:
        day = delivery.window_end.date()
        ids = self.session.scalars(select(DigestLogEntry.programme_id).where(DigestLogEntry.delivery_id == delivery.id)
                                   .order_by(DigestLogEntry.position)).all()
        missing = [programme_id for programme_id in ids if (programme_id, day) not in self._items]
        for chunk in chunks(missing, 400):
            for programme in self.session.scalars(select(Programme).where(Programme.id.in_(chunk))):
                self._items[(programme.id, day)] = self.item(programme, day)
        return [self._items[(programme_id, day)] for programme_id in ids if (programme_id, day) in self._items]

    def item(self, programme: Programme, day: date) -> dict:
        deadline = programme.next_deadline(day)
        return {
            "title": programme.title,
            "funders": ", ".join(programme.funders or []) or "Financeur non précisé",
            "next_deadline": date_fr(deadline) if deadline else None,
            "summary": _shorten(programme.summary or "", 280),
            "url": self.url("web.programme_detail", programme_id=programme.id),
        }

    def context(self, delivery: Delivery) -> dict:
        subscription = delivery.subscription
        filters, title, search_url = self.search(subscription.search)
        items = self.items(delivery)
        return {
            "subscription": subscription,
            "programmes": items,
            "count": len(items),
            "filters": filters,
            "title": title,
            "frequency_label": FREQUENCIES.get(delivery.frequency, delivery.frequency),
            "since": date_fr(delivery.window_start),
            "search_url": search_url,
            "manage_url": self.url("digests.manage", token=make_token(subscription, SALT_MANAGE, self.app)),
            "unsubscribe_url": self.url("digests.unsubscribe",
                                        token=make_token(subscription, SALT_UNSUBSCRIBE, self.app)),
        }

    def message(self, delivery: Delivery):
        """The email of a delivery: the same programmes on every attempt, a stable Message-ID."""
        context = self.context(delivery)
        subject, text, html = render_email("digest", app=self.app, **context)
        subscription = delivery.subscription
        headers = {
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"Nouveaux programmes Guichet <digests.{self.domain}>",
        }
        message_id = f"<digest.{delivery.id}.{subscription.link_key[:12]}@{self.domain}>"
        return build_message(subscription.email, subject, text, html, headers=headers, message_id=message_id,
                             app=self.app)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def digest_message(session: Session, delivery: Delivery, app=None):
    return DigestRenderer(session, app).message(delivery)
