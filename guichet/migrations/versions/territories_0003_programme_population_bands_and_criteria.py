"""programme population bands and unverifiable criteria (programmes.population_bands, programmes.criteria)

Revision ID: territories_0003
Revises: territories_0002
Create Date: 2026-12-02 06:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'territories_0003'
down_revision = 'territories_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population_bands', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('criteria', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('criteria')
        batch_op.drop_column('population_bands')
