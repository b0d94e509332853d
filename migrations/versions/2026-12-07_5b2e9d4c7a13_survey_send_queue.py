"""Survey rounds are sent by the background worker: the request records the intent
(``send_requested_at``), the worker queues the personal links in batches and counts them (``send_queued``).

Why: queueing 5,000 personal links took about 18 s inside the request (issue 15); gunicorn kills a
worker after 30 s, and the coordinator waited without feedback.

Revision ID: 5b2e9d4c7a13
Revises: 3f8a1c6d2e90
Create Date: 2026-12-07 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2e9d4c7a13'
down_revision = '3f8a1c6d2e90'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('send_queued', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_survey_rounds_send_requested_at'), ['send_requested_at'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_rounds_send_requested_at'))
        batch_op.drop_column('send_queued')
        batch_op.drop_column('send_requested_at')
