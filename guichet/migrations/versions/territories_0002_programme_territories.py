"""programme territorial conditions (programmes.territories)

Revision ID: territories_0002
Revises: territories_0001
Create Date: 2026-12-01 19:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'territories_0002'
down_revision = 'territories_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territories', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('territories')
