"""Back office store: staff accounts, login attempts (throttling), the audit log and the
review state of each programme (what the curators last saw of its source)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guichet.db import Base
from guichet.programmes.models import utcnow

ROLES = ("curator", "admin")
ROLE_LABELS = {"curator": "Curateur ou curatrice", "admin": "Administrateur ou administratrice"}


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased: one account per address, whatever the capitals typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="curator")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Part of the session identifier: bumped when the account is disabled or its password
    # changes, so that every open session of that account ends.
    session_token: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self):
        return f"<User {self.email} ({self.role})>"


class LoginAttempt(Base):
    """One try at /admin/login: the throttle counts recent failures per account and per address."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Who changed what and when. The e-mail is copied so that the entry outlives the account."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str] = mapped_column(String(254))
    # publish · reject · acknowledge · edit · accept_source · create · merge · run_source ·
    # user_create · user_disable · user_enable
    action: Mapped[str] = mapped_column(String(30), index=True)
    programme_id: Mapped[str | None] = mapped_column(String(200), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # {"changes": {field: [before, after]}, ...}: JSON-ready values only.
    details: Mapped[dict | None] = mapped_column(JSON)


class ProgrammeReview(Base):
    """What the curators last reviewed of a programme's source, to tell when the source changed.

    ``reviewed_values`` is the programme's ``source_values`` when a curator last published,
    rejected or acknowledged it; ``changed_at`` is set when a scrape brings different source
    values for a programme already reviewed, and cleared by the next review.
    """

    __tablename__ = "programme_reviews"

    programme_id: Mapped[str] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    reviewed_values: Mapped[dict | None] = mapped_column(JSON)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(254))
    changed_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
