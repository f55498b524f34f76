"""The audit log: every change made from the back office, with who made it and when."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from guichet.curation.models import AuditEntry
from guichet.paging import Page, paginate
from guichet.programmes.models import utcnow

if TYPE_CHECKING:  # the acting staff member; curation needs only its id and email
    from guichet.admin.models import User

ACTION_LABELS = {
    "publish": "Publication",
    "reject": "Rejet",
    "acknowledge": "Changement à la source pris en compte",
    "edit": "Modification",
    "accept_source": "Valeur de la source acceptée",
    "refuse_source": "Valeur de la source refusée",
    "source_update": "Modifié à la source",
    "create": "Création",
    "merge": "Fusion",
    "unmerge": "Fusion annulée",
    "dismiss_duplicate": "Doublon écarté",
    "run_source": "Collecte lancée",
    "source_policy": "Politique de publication d’une source",
    "user_create": "Compte créé",
    "user_disable": "Compte désactivé",
    "user_enable": "Compte réactivé",
    "digest_retry": "Lettre d’information renvoyée",
}


def jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value


def record(session: Session, user: User | None, action: str, summary: str, programme_id: str | None = None,
           details: dict | None = None, now: datetime | None = None) -> AuditEntry:
    """Adds an entry to the session; it is saved with the change it describes (same commit)."""
    entry = AuditEntry(at=now or utcnow(), user_id=user.id if user is not None else None,
                       user_email=user.email if user is not None else "système", action=action,
                       programme_id=programme_id, summary=summary, details=jsonable(details) if details else None)
    session.add(entry)
    return entry


def entries(session: Session, programme_id: str | None = None, action: str | None = None,
            user_email: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    statement = select(AuditEntry)
    if programme_id:
        statement = statement.where(AuditEntry.programme_id == programme_id)
    if action:
        statement = statement.where(AuditEntry.action == action)
    if user_email:
        statement = statement.where(AuditEntry.user_email == user_email.strip().lower())
    return paginate(session, statement, (AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)
