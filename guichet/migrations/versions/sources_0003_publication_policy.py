"""publication policy of each source

Revision ID: sources_0003
Revises: sources_0002
Create Date: 2026-12-01 20:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'sources_0003'
down_revision = 'sources_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('publication_policy', sa.String(length=20), nullable=False,
                                      server_default='review'))


def downgrade():
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_column('publication_policy')
