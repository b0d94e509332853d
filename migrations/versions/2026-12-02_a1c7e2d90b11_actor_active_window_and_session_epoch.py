"""actor active window (active_from, active_until) and users.session_epoch

The network as of a past date needs to know when an actor existed: is_active alone
drops a school that closed in 2024 from the network of 2023. Existing inactive actors
keep active_until empty (unknown); the analysis treats them as before.
session_epoch lets logout and a password change end every copy of a session cookie.

Revision ID: a1c7e2d90b11
Revises: 5076d5436156
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c7e2d90b11'
down_revision = '5076d5436156'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('active_until', sa.Date(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')

    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.drop_column('active_until')
        batch_op.drop_column('active_from')
