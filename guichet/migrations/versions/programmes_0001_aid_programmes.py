"""the aid programmes a programme belongs to (programmes.aid_programmes)

Revision ID: programmes_0001
Revises: 0001
Create Date: 2026-12-02 06:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'programmes_0001'
down_revision = '0001'
branch_labels = ('programmes',)
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aid_programmes', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('aid_programmes')
