"""http cache and recorded responses

Revision ID: sources_0001
Revises: 0001
Create Date: 2026-11-26 02:45:39.173597
"""

from alembic import op
import sqlalchemy as sa


revision = 'sources_0001'
down_revision = '0001'
branch_labels = ('sources',)
depends_on = None


def upgrade():
    op.create_table('source_http_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('etag', sa.Text(), nullable=True),
    sa.Column('last_modified', sa.Text(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('content_type', sa.Text(), nullable=True),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_source_http_cache'))
    )
    with op.batch_alter_table('source_http_cache', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_http_cache_source'), ['source'], unique=False)

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_response', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('recorded_response')

    with op.batch_alter_table('source_http_cache', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_http_cache_source'))

    op.drop_table('source_http_cache')
