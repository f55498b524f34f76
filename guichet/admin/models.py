"""Back office store: staff accounts and login attempts (throttling). The audit log and the
review state of programmes are curation's (guichet.curation.models)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from guichet.db import Base
from guichet.programmes.models import utcnow

ROLES = ("curator", "admin")
ROLE_LABELS = {"curator": "Gestionnaire", "admin": "Administrateur ou administratrice"}


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


class LoginLink(Base):
    """A « lien de connexion par courriel » asked at /admin/login/lien: single use, short-lived.

    Every request is a row (``user_id`` empty when the address names no admin account), so
    requests are counted per address and per account; only the token's SHA-256 is kept.
    """

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
