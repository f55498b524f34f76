"""programme language

Revision ID: search_0001
Revises: 0001
Create Date: 2026-12-01 20:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'search_0001'
down_revision = '0001'
branch_labels = ('search',)
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('language')
