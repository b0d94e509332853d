"""Public events in the Bildungsportal: the calendar flag, open registration, and the public text.

Why: the portal shows a calendar of events marked public, with registration for open events
(issue 14); the internal description is not published, so the public text is a field of its own.

Revision ID: e4a1c3b7d902
Revises: 5b2e9d4c7a13
Create Date: 2026-12-07 06:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4a1c3b7d902'
down_revision = '5b2e9d4c7a13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_public', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('registration_open', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('public_description', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_events_is_public'), ['is_public'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_is_public'))
        batch_op.drop_column('public_description')
        batch_op.drop_column('registration_open')
        batch_op.drop_column('is_public')
