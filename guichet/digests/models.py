"""Subscriptions to a saved search, the digests prepared for them and the log of what was sent.

Delivery is "never twice, never lost": a run first *plans* each digest (a pending delivery and
one log row per programme, in one transaction with the subscription's new watermark), then
*sends* the pending deliveries one by one, marking each sent right after the SMTP server
accepted it. A run killed or an SMTP relay down leaves pending deliveries that the next run
sends with the same programmes.
"""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guichet.db import Base
from guichet.programmes.models import utcnow

FREQUENCIES = {"daily": "quotidienne", "weekly": "hebdomadaire"}
# pending: waiting for the address to confirm (nothing is sent but the confirmation);
# active: receives digests; unsubscribed: stopped by its owner; disabled: the relay kept
# rejecting the address permanently (5xx).
SUBSCRIPTION_STATUSES = ("pending", "active", "unsubscribed", "disabled")
DELIVERY_STATUSES = ("pending", "sent", "cancelled")


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("email", "search", name="uq_subscriptions_email_search"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    # The saved search: a canonical query string of the search page (q=vélo&theme=mobilite).
    search: Mapped[str] = mapped_column(String(2000))
    frequency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    # Random, part of every signed link: links of a removed and re-created subscription die.
    link_key: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when the confirmation (or the « already subscribed » reminder) could not be sent
    # because the relay was unreachable: the scheduler sends it later, then clears this.
    confirmation_queued_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Watermark: programmes published after this moment are new for this subscription.
    digest_since: Mapped[datetime | None] = mapped_column(DateTime)
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Consecutive permanent rejections (5xx) of digests; reset by any accepted digest.
    permanent_failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)

    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="subscription", cascade="all, delete-orphan",
                                                        passive_deletes=True)

    def __repr__(self):
        return f"<Subscription {self.id} {self.email} {self.status}>"


class Delivery(Base):
    """One digest email: planned (pending), then sent, or cancelled when nobody should get it."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (Index("ix_digest_deliveries_status_subscription", "status", "subscription_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(10))
    # Programmes published in (window_start, window_end] — what the email says it covers.
    window_start: Mapped[datetime] = mapped_column(DateTime)
    window_end: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    message_id: Mapped[str | None] = mapped_column(String(200))

    subscription: Mapped[Subscription] = relationship(back_populates="deliveries")
    entries: Mapped[list["DigestLogEntry"]] = relationship(order_by="DigestLogEntry.position",
                                                           cascade="all, delete-orphan", passive_deletes=True)


class DigestLogEntry(Base):
    """A programme put in a subscription's digest: at most once per subscription, ever."""

    __tablename__ = "digest_log"

    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"),
                                                 primary_key=True)
    programme_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("digest_deliveries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    logged_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SubscriptionRequest(Base):
    """One accepted subscription request, kept a day for rate limiting (per address and per IP)."""

    __tablename__ = "subscription_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the normalised address: the limit needs no readable copy of it.
    email_key: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
