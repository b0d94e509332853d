"""Network survey rounds, their recipients and answers, reported ties, and review decisions.

Why: actors report their own partners through personal links (issue 15); a reported tie becomes a
cooperation only when a coordinator accepts it, and the decision keeps the cooperation it made.

Revision ID: db360c2f55a2
Revises: b7d31c5a9e42
Create Date: 2026-12-07 03:49:52.428493

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'db360c2f55a2'
down_revision = 'b7d31c5a9e42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('intro', sa.Text(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', name='surveystatus', native_enum=False, length=30), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_rounds'))
    )
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_rounds_status'), ['status'], unique=False)

    op.create_table('survey_recipients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('token_nonce', sa.String(length=32), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_survey_recipients_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_survey_recipients_person_id_persons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'], name=op.f('fk_survey_recipients_round_id_survey_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_recipients')),
    sa.UniqueConstraint('round_id', 'actor_id', name=op.f('uq_survey_recipients_round_id_actor_id'))
    )
    with op.batch_alter_table('survey_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_recipients_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_recipients_answered_at'), ['answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_recipients_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_recipients_round_id'), ['round_id'], unique=False)

    op.create_table('reported_ties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('partner_name', sa.String(length=255), nullable=False),
    sa.Column('intensity', sa.SmallInteger(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("partner_id IS NOT NULL OR partner_name <> ''", name=op.f('ck_reported_ties_partner_given')),
    sa.CheckConstraint('intensity IS NULL OR intensity BETWEEN 1 AND 3', name=op.f('ck_reported_ties_intensity_range')),
    sa.ForeignKeyConstraint(['partner_id'], ['actors.id'], name=op.f('fk_reported_ties_partner_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_id'], ['survey_recipients.id'], name=op.f('fk_reported_ties_recipient_id_survey_recipients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['actors.id'], name=op.f('fk_reported_ties_reporter_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'], name=op.f('fk_reported_ties_round_id_survey_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reported_ties'))
    )
    with op.batch_alter_table('reported_ties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reported_ties_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reported_ties_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reported_ties_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reported_ties_round_id'), ['round_id'], unique=False)

    op.create_table('survey_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('low_id', sa.Integer(), nullable=False),
    sa.Column('high_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('new', 'intensity', 'ended', name='reviewkind', native_enum=False, length=30), nullable=False),
    sa.Column('decision', sa.Enum('accepted', 'rejected', name='decision', native_enum=False, length=30), nullable=False),
    sa.Column('cooperation_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('low_id < high_id', name=op.f('ck_survey_decisions_ordered_pair')),
    sa.ForeignKeyConstraint(['cooperation_id'], ['cooperations.id'], name=op.f('fk_survey_decisions_cooperation_id_cooperations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_survey_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['high_id'], ['actors.id'], name=op.f('fk_survey_decisions_high_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['low_id'], ['actors.id'], name=op.f('fk_survey_decisions_low_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'], name=op.f('fk_survey_decisions_round_id_survey_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_decisions')),
    sa.UniqueConstraint('round_id', 'low_id', 'high_id', name=op.f('uq_survey_decisions_round_id_low_id_high_id'))
    )
    with op.batch_alter_table('survey_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_decisions_cooperation_id'), ['cooperation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_decisions_decided_by_id'), ['decided_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_decisions_high_id'), ['high_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_decisions_low_id'), ['low_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_decisions_round_id'), ['round_id'], unique=False)

    op.create_table('reported_tie_life_stages',
    sa.Column('reported_tie_id', sa.Integer(), nullable=False),
    sa.Column('life_stage_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['life_stage_id'], ['life_stages.id'], name=op.f('fk_reported_tie_life_stages_life_stage_id_life_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_tie_id'], ['reported_ties.id'], name=op.f('fk_reported_tie_life_stages_reported_tie_id_reported_ties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reported_tie_id', 'life_stage_id', name=op.f('pk_reported_tie_life_stages'))
    )
    with op.batch_alter_table('reported_tie_life_stages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reported_tie_life_stages_life_stage_id'), ['life_stage_id'], unique=False)

    op.create_table('reported_tie_topics',
    sa.Column('reported_tie_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reported_tie_id'], ['reported_ties.id'], name=op.f('fk_reported_tie_topics_reported_tie_id_reported_ties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_reported_tie_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reported_tie_id', 'topic_id', name=op.f('pk_reported_tie_topics'))
    )
    with op.batch_alter_table('reported_tie_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reported_tie_topics_topic_id'), ['topic_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reported_tie_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reported_tie_topics_topic_id'))

    op.drop_table('reported_tie_topics')
    with op.batch_alter_table('reported_tie_life_stages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reported_tie_life_stages_life_stage_id'))

    op.drop_table('reported_tie_life_stages')
    with op.batch_alter_table('survey_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_decisions_round_id'))
        batch_op.drop_index(batch_op.f('ix_survey_decisions_low_id'))
        batch_op.drop_index(batch_op.f('ix_survey_decisions_high_id'))
        batch_op.drop_index(batch_op.f('ix_survey_decisions_decided_by_id'))
        batch_op.drop_index(batch_op.f('ix_survey_decisions_cooperation_id'))

    op.drop_table('survey_decisions')
    with op.batch_alter_table('reported_ties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reported_ties_round_id'))
        batch_op.drop_index(batch_op.f('ix_reported_ties_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_reported_ties_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_reported_ties_partner_id'))

    op.drop_table('reported_ties')
    with op.batch_alter_table('survey_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_recipients_round_id'))
        batch_op.drop_index(batch_op.f('ix_survey_recipients_person_id'))
        batch_op.drop_index(batch_op.f('ix_survey_recipients_answered_at'))
        batch_op.drop_index(batch_op.f('ix_survey_recipients_actor_id'))

    op.drop_table('survey_recipients')
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_rounds_status'))

    op.drop_table('survey_rounds')
