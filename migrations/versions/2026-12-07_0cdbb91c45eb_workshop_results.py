"""Workshop results: groups with participants, proposals with dot votes and the initiative each became;
event kinds marked as workshops (the seeded "Strategiewerkstatt" is one).

Revision ID: 0cdbb91c45eb
Revises: 5e874f54cac7
Create Date: 2026-12-07 03:50:02.376794

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0cdbb91c45eb'
down_revision = '5e874f54cac7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshop_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_workshop_groups_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_groups')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('uq_workshop_groups_event_id_name'))
    )
    with op.batch_alter_table('workshop_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_groups_event_id'), ['event_id'], unique=False)

    op.create_table('workshop_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_workshop_participants_actor_id_actors'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_workshop_participants_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['workshop_groups.id'], name=op.f('fk_workshop_participants_group_id_workshop_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_workshop_participants_person_id_persons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_participants')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('uq_workshop_participants_event_id_person_id'))
    )
    with op.batch_alter_table('workshop_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_participants_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_participants_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_participants_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_participants_person_id'), ['person_id'], unique=False)

    op.create_table('workshop_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('votes >= 0', name=op.f('ck_workshop_proposals_votes_not_negative')),
    sa.ForeignKeyConstraint(['group_id'], ['workshop_groups.id'], name=op.f('fk_workshop_proposals_group_id_workshop_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiatives.id'], name=op.f('fk_workshop_proposals_initiative_id_initiatives'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_proposals')),
    sa.UniqueConstraint('initiative_id', name=op.f('uq_workshop_proposals_initiative_id'))
    )
    with op.batch_alter_table('workshop_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_proposals_group_id'), ['group_id'], unique=False)

    op.create_table('workshop_proposers',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['workshop_participants.id'], name=op.f('fk_workshop_proposers_participant_id_workshop_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['workshop_proposals.id'], name=op.f('fk_workshop_proposers_proposal_id_workshop_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'participant_id', name=op.f('pk_workshop_proposers'))
    )
    with op.batch_alter_table('workshop_proposers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_proposers_participant_id'), ['participant_id'], unique=False)

    with op.batch_alter_table('event_kinds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_workshop', sa.Boolean(), server_default=sa.false(), nullable=False))
    event_kinds = sa.table('event_kinds', sa.column('name', sa.String), sa.column('is_workshop', sa.Boolean))
    op.execute(event_kinds.update().where(event_kinds.c.name == 'Strategiewerkstatt').values(is_workshop=True))



def downgrade():
    with op.batch_alter_table('event_kinds', schema=None) as batch_op:
        batch_op.drop_column('is_workshop')

    with op.batch_alter_table('workshop_proposers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_proposers_participant_id'))

    op.drop_table('workshop_proposers')
    with op.batch_alter_table('workshop_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_proposals_group_id'))

    op.drop_table('workshop_proposals')
    with op.batch_alter_table('workshop_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_participants_person_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_participants_group_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_participants_event_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_participants_actor_id'))

    op.drop_table('workshop_participants')
    with op.batch_alter_table('workshop_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_groups_event_id'))

    op.drop_table('workshop_groups')
