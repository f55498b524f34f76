"""one research beneficiary: ``chercheur`` becomes ``recherche``

The scrapers stored the beneficiary ``recherche`` while search and the back office only knew
``chercheur`` (so ``beneficiary=recherche`` was refused and a curator's save dropped it).
``guichet.programmes.vocabulary`` keeps ``recherche``; the programmes a curator gave
``chercheur`` and the saved searches that asked for it are moved over.

Revision ID: vocabulary_0001
Revises: 0001
Create Date: 2026-12-01 19:45:00
"""

from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from alembic import op

revision = 'vocabulary_0001'
down_revision = '0001'
branch_labels = ('vocabulary',)
depends_on = 'digests_0001'

OLD, NEW = "chercheur", "recherche"
programmes = sa.table("programmes", sa.column("id", sa.String), sa.column("beneficiaries", sa.JSON))
subscriptions = sa.table("subscriptions", sa.column("id", sa.Integer), sa.column("email", sa.String),
                         sa.column("search", sa.Text))


def _renamed(values):
    return list(dict.fromkeys(NEW if value == OLD else value for value in values or []))


def upgrade():
    connection = op.get_bind()
    for programme_id, beneficiaries in connection.execute(
            sa.select(programmes.c.id, programmes.c.beneficiaries)).all():
        if OLD in (beneficiaries or []):
            connection.execute(programmes.update().where(programmes.c.id == programme_id)
                               .values(beneficiaries=_renamed(beneficiaries)))
    for subscription_id, email, search in connection.execute(
            sa.select(subscriptions.c.id, subscriptions.c.email, subscriptions.c.search)
            .where(subscriptions.c.search.like(f"%beneficiary={OLD}%"))).all():
        pairs = [(name, NEW if name == "beneficiary" and value == OLD else value)
                 for name, value in parse_qsl(search, keep_blank_values=False)]
        # Same canonical spelling as guichet.digests (values sorted and de-duplicated per name).
        names = list(dict.fromkeys(name for name, _value in pairs))
        canonical = [(name, value) for name in names
                     for value in sorted({value for other, value in pairs if other == name})]
        search = urlencode(canonical)
        taken = connection.scalar(sa.select(subscriptions.c.id).where(subscriptions.c.email == email,
                                                                      subscriptions.c.search == search))
        if taken is None:  # else the address already follows that search: this one stays as it was
            connection.execute(subscriptions.update().where(subscriptions.c.id == subscription_id)
                               .values(search=search))


def downgrade():
    # ``recherche`` was the scrapers' value before as well: nothing tells which ones to rename back.
    pass
