"""Providers keep their own offers: personal provider links and the offer proposals they send.

Why: a provider's contact updates and adds the actor's offers through a signed link (issue 14);
the changes wait in a review queue (``offer_proposals``) until a coordinator accepts them, and the
yearly request to confirm the offers is remembered per link (``confirmation_requested_at``).

Revision ID: 3f8a1c6d2e90
Revises: 3fd55ea93705
Create Date: 2026-12-07 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f8a1c6d2e90'
down_revision = '3fd55ea93705'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('provider_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('token_nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmation_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_provider_links_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_provider_links_person_id_persons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_links')),
    sa.UniqueConstraint('actor_id', 'email', name=op.f('uq_provider_links_actor_id_email'))
    )
    with op.batch_alter_table('provider_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_links_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_links_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_links_confirmation_requested_at'),
                              ['confirmation_requested_at'], unique=False)

    op.create_table('offer_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by', sa.String(length=254), nullable=False),
    sa.Column('is_new', sa.Boolean(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('pending', 'accepted', 'rejected', name='proposalstatus', native_enum=False, length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name=op.f('fk_offer_proposals_actor_id_actors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_proposals_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['link_id'], ['provider_links.id'], name=op.f('fk_offer_proposals_link_id_provider_links'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_proposals'))
    )
    with op.batch_alter_table('offer_proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_proposals_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_proposals_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_proposals_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_proposals_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('offer_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offer_proposals_status'))
        batch_op.drop_index(batch_op.f('ix_offer_proposals_link_id'))
        batch_op.drop_index(batch_op.f('ix_offer_proposals_offer_id'))
        batch_op.drop_index(batch_op.f('ix_offer_proposals_actor_id'))
    op.drop_table('offer_proposals')
    with op.batch_alter_table('provider_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_links_confirmation_requested_at'))
        batch_op.drop_index(batch_op.f('ix_provider_links_person_id'))
        batch_op.drop_index(batch_op.f('ix_provider_links_actor_id'))
    op.drop_table('provider_links')
