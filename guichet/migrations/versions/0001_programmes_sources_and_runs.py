"""programmes, sources and runs

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 02:43:58.536035
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('programmes',
    sa.Column('id', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('source_id', sa.String(length=200), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('funders', sa.JSON(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('departments', sa.JSON(), nullable=False),
    sa.Column('beneficiaries', sa.JSON(), nullable=False),
    sa.Column('population_min', sa.Integer(), nullable=True),
    sa.Column('population_max', sa.Integer(), nullable=True),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('aid_types', sa.JSON(), nullable=False),
    sa.Column('is_call_for_projects', sa.Boolean(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=True),
    sa.Column('deadlines', sa.JSON(), nullable=False),
    sa.Column('recurrence', sa.String(length=20), nullable=True),
    sa.Column('rate_min', sa.Float(), nullable=True),
    sa.Column('rate_max', sa.Float(), nullable=True),
    sa.Column('amount_min', sa.Float(), nullable=True),
    sa.Column('amount_max', sa.Float(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('application_url', sa.Text(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('source_updated_at', sa.DateTime(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('curated_fields', sa.JSON(), nullable=False),
    sa.Column('source_values', sa.JSON(), nullable=False),
    sa.Column('raw_payload', sa.JSON(), nullable=True),
    sa.Column('merged_into', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes'))
    )
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_state'), ['state'], unique=False)

    op.create_table('sources',
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('schedule', sa.String(length=100), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_sources'))
    )
    op.create_table('scrape_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('errored', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('seen', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['source'], ['sources.slug'], name=op.f('fk_scrape_runs_source_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrape_runs'))
    )
    with op.batch_alter_table('scrape_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scrape_runs_source'), ['source'], unique=False)

    op.create_table('scrape_run_errors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.String(length=200), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['scrape_runs.id'], name=op.f('fk_scrape_run_errors_run_id_scrape_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrape_run_errors'))
    )
    with op.batch_alter_table('scrape_run_errors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scrape_run_errors_run_id'), ['run_id'], unique=False)




def downgrade():

    with op.batch_alter_table('scrape_run_errors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scrape_run_errors_run_id'))

    op.drop_table('scrape_run_errors')
    with op.batch_alter_table('scrape_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scrape_runs_source'))

    op.drop_table('scrape_runs')
    op.drop_table('sources')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_state'))
        batch_op.drop_index(batch_op.f('ix_programmes_source'))
        batch_op.drop_index(batch_op.f('ix_programmes_published_at'))

    op.drop_table('programmes')

