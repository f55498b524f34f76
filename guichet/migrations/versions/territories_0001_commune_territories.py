"""official lists and zonings of each commune (commune_territories, territory_lists)

Revision ID: territories_0001
Revises: 0001
Create Date: 2026-12-01 19:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'territories_0001'
down_revision = '0001'
branch_labels = ('territories',)
depends_on = None


def upgrade():
    op.create_table('commune_territories',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('acv_id', sa.String(length=20), nullable=True),
    sa.Column('acv_name', sa.Text(), nullable=True),
    sa.Column('acv_signed_on', sa.Date(), nullable=True),
    sa.Column('acv_entrance_id', sa.String(length=20), nullable=True),
    sa.Column('pvd_id', sa.String(length=30), nullable=True),
    sa.Column('pvd_name', sa.Text(), nullable=True),
    sa.Column('pvd_signed_on', sa.Date(), nullable=True),
    sa.Column('village_avenir_id', sa.String(length=20), nullable=True),
    sa.Column('industry_territories', sa.JSON(), nullable=False),
    sa.Column('qpv', sa.JSON(), nullable=False),
    sa.Column('frr', sa.String(length=40), nullable=True),
    sa.Column('massif', sa.Text(), nullable=True),
    sa.Column('france_services', sa.Integer(), nullable=False),
    sa.Column('ort_status', sa.String(length=20), nullable=True),
    sa.Column('ort_signed_on', sa.Date(), nullable=True),
    sa.Column('density_level', sa.Integer(), nullable=True),
    sa.Column('centrality', sa.Text(), nullable=True),
    sa.Column('rurality', sa.Text(), nullable=True),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('partial_conditions', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_commune_territories'))
    )
    op.create_table('territory_lists',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('origin', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_territory_lists'))
    )


def downgrade():
    op.drop_table('territory_lists')
    op.drop_table('commune_territories')
