"""events contact, invitation token nonce, mail templates (issue 4)

Existing rows get '' (server default) for the new NOT NULL text columns: an event without a
contact falls back to the office's sender address, an invitation without a nonce gets one
when its first answer link is issued.

Revision ID: 5076d5436156
Revises: 3c1e0f9a7b21
Create Date: 2026-11-22 21:19:03.612103

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5076d5436156'
down_revision = '3c1e0f9a7b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_templates')),
    sa.UniqueConstraint('key', name=op.f('uq_mail_templates_key'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=False, server_default=''))

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_nonce', sa.String(length=32), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('token_nonce')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.drop_column('contact_name')

    op.drop_table('mail_templates')
