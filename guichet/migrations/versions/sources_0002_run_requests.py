"""run requests: « lancer maintenant » goes through the scheduler

Revision ID: sources_0002
Revises: sources_0001
Create Date: 2026-12-01 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'sources_0002'
down_revision = 'sources_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('source_run_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_run_requests'))
    )
    with op.batch_alter_table('source_run_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_run_requests_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_run_requests_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('source_run_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_run_requests_status'))
        batch_op.drop_index(batch_op.f('ix_source_run_requests_source'))
    op.drop_table('source_run_requests')
