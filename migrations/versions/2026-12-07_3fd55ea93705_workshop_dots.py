"""Dot votes of workshop participants through their personal links (issue 15).

Why: besides the sticky dots typed in from the paper (``workshop_proposals.votes``), each
participant can give their dots through a signed link; ``workshop_dots`` holds one row per
participant and proposal, ``workshop_participants`` gets the link's nonce and when the link went
out and when the participant last voted, and ``events.workshop_voting_closed_at`` ends the voting.

Revision ID: 3fd55ea93705
Revises: a7f3c9e15d20
Create Date: 2026-12-07 06:21:50.619476

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3fd55ea93705'
down_revision = 'a7f3c9e15d20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop_dots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('dots', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('dots > 0', name=op.f('ck_workshop_dots_dots_positive')),
    sa.ForeignKeyConstraint(['participant_id'], ['workshop_participants.id'], name=op.f('fk_workshop_dots_participant_id_workshop_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['workshop_proposals.id'], name=op.f('fk_workshop_dots_proposal_id_workshop_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_dots')),
    sa.UniqueConstraint('participant_id', 'proposal_id', name=op.f('uq_workshop_dots_participant_id_proposal_id'))
    )
    with op.batch_alter_table('workshop_dots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_dots_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_dots_proposal_id'), ['proposal_id'], unique=False)

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('workshop_voting_closed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('workshop_participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('vote_link_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('voted_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('workshop_participants', schema=None) as batch_op:
        batch_op.drop_column('voted_at')
        batch_op.drop_column('vote_link_sent_at')
        batch_op.drop_column('token_nonce')

    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('workshop_voting_closed_at')

    with op.batch_alter_table('workshop_dots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_dots_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_dots_participant_id'))

    op.drop_table('workshop_dots')
