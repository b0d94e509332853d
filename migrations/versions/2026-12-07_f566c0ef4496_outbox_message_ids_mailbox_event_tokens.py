"""Outbox message ids, the development mailbox, and event creation tokens.

* ``outbox_messages.message_id``: the Message-ID is made once and kept on the row, so every
  attempt (also a second delivery after a worker was killed) carries the same one. Existing rows
  get '' and receive their id from the worker at their next attempt.
* ``mailbox_messages``: with ``MAIL_BACKEND=mailbox`` (development, ``make run``) the worker
  delivers into this table instead of SMTP, and organisers read the mails inside the app.
* ``events.creation_token``: the one-time token of the "new event" form; unique, so a double
  click or parallel resends create one event.

Revision ID: f566c0ef4496
Revises: c6b0d4e1a7f2
Create Date: 2026-12-07 01:04:09.502773

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f566c0ef4496'
down_revision = 'c6b0d4e1a7f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mailbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('raw', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'],
                            name=op.f('fk_mailbox_messages_outbox_message_id_outbox_messages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailbox_messages'))
    )
    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailbox_messages_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailbox_messages_outbox_message_id'), ['outbox_message_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('creation_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_events_creation_token'), ['creation_token'])

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('message_id')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_events_creation_token'), type_='unique')
        batch_op.drop_column('creation_token')

    with op.batch_alter_table('mailbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailbox_messages_outbox_message_id'))
        batch_op.drop_index(batch_op.f('ix_mailbox_messages_delivered_at'))

    op.drop_table('mailbox_messages')
