"""Staff accounts: creation, authentication and the login throttle.

Passwords are hashed with werkzeug (scrypt). Failed logins are stored and counted per account
and per address over LOGIN_THROTTLE_WINDOW seconds; past the limit each try must wait a delay
after the last failure (LOGIN_FIRST_DELAY, doubling up to LOGIN_MAX_DELAY), refused with a 429
meanwhile, even with the right password. A delay, never a lock: someone typing an account's
address again and again only slows that account's owner by minutes at most.

Admins can also ask for a « lien de connexion par courriel » (login link): a random token,
kept only as its SHA-256, valid LOGIN_LINK_MINUTES and once, that logs in without the
password, so the owner of an account someone is guessing at is never kept out. Requests are
limited per account (past the limit no link is sent, silently) and per address (429).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from guichet.admin.models import ROLES, LoginAttempt, LoginLink, User
from guichet.programmes.models import utcnow

MIN_PASSWORD_LENGTH = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Checked when the e-mail is unknown, so that both paths take as long (no account enumeration).
_DUMMY_HASH = generate_password_hash("guichet-dummy-password")
# Attempts older than this are of no use to the throttle.
_KEEP_ATTEMPTS = timedelta(days=1)


class AccountError(ValueError):
    """A French message for the person who typed the value; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        wait = (f"{retry_after} secondes" if retry_after < 120
                else f"{(retry_after + 59) // 60} minutes")
        self.message = ("Trop de tentatives de connexion échouées. Par sécurité, attendez "
                        f"{wait} avant de réessayer.")
        super().__init__(self.message)


@dataclass(frozen=True)
class ThrottleRules:
    per_account: int
    per_address: int
    window: timedelta
    first_delay: float = 30.0
    max_delay: float = 300.0

    @classmethod
    def from_config(cls, config) -> "ThrottleRules":
        return cls(int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]), int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
                   timedelta(seconds=int(config["LOGIN_THROTTLE_WINDOW"])),
                   float(config["LOGIN_FIRST_DELAY"]), float(config["LOGIN_MAX_DELAY"]))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.", "password")


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(session: Session, email: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise AccountError("Adresse électronique invalide.", "email")
    if role not in ROLES:
        raise AccountError("Rôle inconnu : choisissez « curator » ou « admin ».", "role")
    check_password_rules(password)
    if get_user_by_email(session, email) is not None:
        raise AccountError("Un compte existe déjà pour cette adresse électronique.", "email")
    user = User(email=email, role=role, password_hash=generate_password_hash(password), active=True,
                session_token=1)
    session.add(user)
    session.flush()
    return user


def end_sessions(user: User) -> None:
    """Every open session of this account ends (logout, password change, disabled account):
    the session token is part of the cookie's user id, so an old cookie names nobody."""
    user.session_token = (user.session_token or 1) + 1


def set_active(user: User, active: bool) -> None:
    if user.active != active:
        user.active = active
        end_sessions(user)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    end_sessions(user)


def load_user(session: Session, user_id: str) -> User | None:
    """Flask-Login's loader: ``"<id>:<session token>"``; a stale token or disabled account is nobody."""
    try:
        raw_id, raw_token = str(user_id).split(":", 1)
        user = session.get(User, int(raw_id))
        token = int(raw_token)
    except (ValueError, TypeError):
        return None
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def _recent_failures(session: Session, column, value: str, since: datetime) -> tuple[int, datetime | None]:
    row = session.execute(select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
        column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)).one()
    return row[0], row[1]


def throttle_delay(failures: int, limit: int, rules: "ThrottleRules") -> timedelta:
    """How long after the last failure the next try must wait: nothing below the limit, then
    FIRST_DELAY doubling with every further failure, never more than MAX_DELAY. A delay, not
    a lock: the owner of an account someone is guessing at can always log in a little later."""
    if failures < limit:
        return timedelta(0)
    seconds = rules.first_delay * 2 ** min(failures - limit, 20)
    return timedelta(seconds=min(seconds, rules.max_delay))


def check_throttle(session: Session, email: str, address: str, rules: ThrottleRules,
                   now: datetime | None = None) -> None:
    """Raises LoginThrottled while the account, or the address, must wait after its failures.

    Counted in the store (so every web worker sees the same counts) per account, whatever
    the address, and per address, whatever the account.
    """
    now = now or utcnow()
    since = now - rules.window
    email = normalise_email(email)
    # An account's counter starts again after its last successful login.
    last_success = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.succeeded.is_(True)))
    account_since = max(since, last_success) if last_success and last_success > since else since
    for column, value, limit, start in ((LoginAttempt.email, email, rules.per_account, account_since),
                                        (LoginAttempt.address, address, rules.per_address, since)):
        count, latest = _recent_failures(session, column, value, start)
        wait_until = (latest or now) + throttle_delay(count, limit, rules)
        if count >= limit and wait_until > now:
            raise LoginThrottled(max(int((wait_until - now).total_seconds()) + 1, 1))


def record_attempt(session: Session, email: str, address: str, succeeded: bool, now: datetime | None = None) -> None:
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - _KEEP_ATTEMPTS))
    session.add(LoginAttempt(email=normalise_email(email)[:254], address=(address or "inconnue")[:64],
                             succeeded=succeeded, at=now))


def authenticate(session: Session, email: str, password: str, address: str, rules: ThrottleRules,
                 now: datetime | None = None) -> User | None:
    """The active user with this e-mail and password, or None; every try is recorded.

    Raises LoginThrottled before looking at the password when there were too many failures.
    The caller commits.
    """
    now = now or utcnow()
    check_throttle(session, email, address, rules, now)
    user = get_user_by_email(session, email)
    valid = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    succeeded = bool(user is not None and valid and user.active)
    record_attempt(session, email, address, succeeded, now)
    if not succeeded:
        return None
    user.last_login_at = now
    return user


# -- login links (« lien de connexion par courriel ») ------------------------------------------
class LinkRequestsThrottled(Exception):
    message = ("Trop de demandes de lien de connexion depuis cette adresse. "
               "Attendez une heure avant de réessayer.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def request_login_link(session: Session, email: str, address: str, config,
                       now: datetime | None = None) -> tuple[User, str] | None:
    """The admin account of this address and a new link token for it, or None (no such active
    admin, or enough links sent to it this hour). The same answer is shown either way (no
    enumeration); raises LinkRequestsThrottled past the per-address limit. The caller commits."""
    now = now or utcnow()
    hour_ago = now - timedelta(hours=1)
    address = (address or "inconnue")[:64]
    session.execute(delete(LoginLink).where(LoginLink.created_at < now - _KEEP_ATTEMPTS))
    from_address = session.scalar(select(func.count(LoginLink.id)).where(
        LoginLink.address == address, LoginLink.created_at >= hour_ago))
    if from_address >= int(config["LOGIN_LINKS_PER_ADDRESS"]):
        raise LinkRequestsThrottled()
    user = get_user_by_email(session, email)
    if user is None or not user.active or not user.is_admin:
        session.add(LoginLink(user_id=None, address=address, created_at=now, expires_at=now))
        return None
    to_account = session.scalar(select(func.count(LoginLink.id)).where(
        LoginLink.user_id == user.id, LoginLink.created_at >= hour_ago))
    if to_account >= int(config["LOGIN_LINKS_PER_ACCOUNT"]):
        session.add(LoginLink(user_id=None, address=address, created_at=now, expires_at=now))
        return None
    token = secrets.token_urlsafe(32)
    session.add(LoginLink(user_id=user.id, token_hash=_token_hash(token), address=address, created_at=now,
                          expires_at=now + timedelta(minutes=int(config["LOGIN_LINK_MINUTES"]))))
    return user, token


def login_link_valid(session: Session, token: str, now: datetime | None = None) -> LoginLink | None:
    now = now or utcnow()
    if not token or len(token) > 200:
        return None
    link = session.scalar(select(LoginLink).where(LoginLink.token_hash == _token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= now or link.user_id is None:
        return None
    user = session.get(User, link.user_id)
    if user is None or not user.active or not user.is_admin:
        return None
    return link


def use_login_link(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The admin this link logs in, once: the link, and every other unused one of the account,
    is spent. None for an unknown, used or expired link. The caller commits."""
    now = now or utcnow()
    link = login_link_valid(session, token, now)
    if link is None:
        return None
    user = session.get(User, link.user_id)
    # Spent in one statement that only one of two simultaneous uses can win.
    spent = session.execute(update(LoginLink).where(LoginLink.id == link.id, LoginLink.used_at.is_(None))
                            .values(used_at=now).execution_options(synchronize_session=False))
    if spent.rowcount != 1:
        return None
    session.execute(update(LoginLink).where(LoginLink.user_id == user.id, LoginLink.used_at.is_(None))
                    .values(used_at=now).execution_options(synchronize_session=False))
    user.last_login_at = now
    record_attempt(session, user.email, link.address, True, now)
    return user
