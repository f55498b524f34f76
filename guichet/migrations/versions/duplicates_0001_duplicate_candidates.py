"""duplicate candidates

Revision ID: duplicates_0001
Revises: 0001
Create Date: 2026-11-26 02:47:54.808534
"""

from alembic import op
import sqlalchemy as sa


revision = 'duplicates_0001'
down_revision = '0001'
branch_labels = ('duplicates',)
depends_on = None


def upgrade():
    op.create_table('duplicate_candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_a_id', sa.String(length=200), nullable=False),
    sa.Column('programme_b_id', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('kept_id', sa.String(length=200), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.CheckConstraint('programme_a_id < programme_b_id', name=op.f('ck_duplicate_candidates_ordered_pair')),
    sa.ForeignKeyConstraint(['programme_a_id'], ['programmes.id'], name=op.f('fk_duplicate_candidates_programme_a_id_programmes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_b_id'], ['programmes.id'], name=op.f('fk_duplicate_candidates_programme_b_id_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_candidates')),
    sa.UniqueConstraint('programme_a_id', 'programme_b_id', name='uq_duplicate_candidates_pair')
    )
    with op.batch_alter_table('duplicate_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_programme_a_id'), ['programme_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_programme_b_id'), ['programme_b_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_candidates_status'), ['status'], unique=False)



def downgrade():
    with op.batch_alter_table('duplicate_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_status'))
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_programme_b_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_candidates_programme_a_id'))

    op.drop_table('duplicate_candidates')
