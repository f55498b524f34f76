"""search outbox: index syncs not yet done

Revision ID: security_0001
Revises: 0001
Create Date: 2026-12-01 19:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'security_0001'
down_revision = '0001'
branch_labels = ('security',)
depends_on = None


def upgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.String(length=200), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_outbox_queued_at'), ['queued_at'], unique=False)


def downgrade():
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_queued_at'))
        batch_op.drop_index(batch_op.f('ix_search_outbox_programme_id'))
    op.drop_table('search_outbox')
