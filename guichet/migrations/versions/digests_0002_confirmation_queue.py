"""confirmation emails queued while the relay is unreachable

Revision ID: digests_0002
Revises: digests_0001
Create Date: 2026-12-01 22:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'digests_0002'
down_revision = 'digests_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmation_queued_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_subscriptions_confirmation_queued_at'), ['confirmation_queued_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_confirmation_queued_at'))
        batch_op.drop_column('confirmation_queued_at')
