"""login links: « lien de connexion par courriel » for admins (single use, short-lived)

Revision ID: security_0002
Revises: security_0001
Create Date: 2026-12-01 23:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'security_0002'
down_revision = 'security_0001'
branch_labels = None
depends_on = 'admin_0001'


def upgrade():
    op.create_table('login_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_links_token_hash'))
    )
    with op.batch_alter_table('login_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_links_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_links_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_links_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('login_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_login_links_created_at'))
        batch_op.drop_index(batch_op.f('ix_login_links_address'))
    op.drop_table('login_links')
