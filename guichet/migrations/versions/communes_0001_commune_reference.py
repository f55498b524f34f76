"""commune reference: régions, départements, EPCI, communes and their aliases

Revision ID: communes_0001
Revises: 0001
Create Date: 2026-11-26 02:47:59.352801
"""

from alembic import op
import sqlalchemy as sa


revision = 'communes_0001'
down_revision = '0001'
branch_labels = ('communes',)
depends_on = None


def upgrade():
    op.create_table('cog_departements',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('region', sa.String(length=3), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_cog_departements'))
    )
    op.create_table('cog_regions',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_cog_regions'))
    )
    op.create_table('commune_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=False),
    sa.Column('communes', sa.Integer(), nullable=False),
    sa.Column('aliases', sa.Integer(), nullable=False),
    sa.Column('epcis', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_reference'))
    )
    op.create_table('epcis',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.Column('financing', sa.String(length=10), nullable=True),
    sa.Column('population_total', sa.Integer(), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_epcis'))
    )
    op.create_table('communes',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(length=3), nullable=False),
    sa.Column('region', sa.String(length=3), nullable=False),
    sa.Column('postcodes', sa.JSON(), nullable=False),
    sa.Column('epci_code', sa.String(length=9), nullable=True),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('zone', sa.String(length=10), nullable=True),
    sa.Column('search_name', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['epci_code'], ['epcis.code'], name=op.f('fk_communes_epci_code_epcis')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_communes'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_communes_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_communes_epci_code'), ['epci_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_communes_search_name'), ['search_name'], unique=False)

    op.create_table('commune_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('postcodes', sa.JSON(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('search_name', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['communes.code'], name=op.f('fk_commune_aliases_commune_code_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commune_aliases'))
    )
    with op.batch_alter_table('commune_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commune_aliases_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_commune_aliases_commune_code'), ['commune_code'], unique=False)



def downgrade():
    with op.batch_alter_table('commune_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_aliases_commune_code'))
        batch_op.drop_index(batch_op.f('ix_commune_aliases_code'))

    op.drop_table('commune_aliases')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_communes_search_name'))
        batch_op.drop_index(batch_op.f('ix_communes_epci_code'))
        batch_op.drop_index(batch_op.f('ix_communes_department'))

    op.drop_table('communes')
    op.drop_table('epcis')
    op.drop_table('commune_reference')
    op.drop_table('cog_regions')
    op.drop_table('cog_departements')
