"""Offers (Bildungsangebote) with providers, life stages, topics and target groups; the target group
vocabulary; an actor's agreement to be listed in the public portal (issue 14).

Why: the Bestandsaufnahme and the public Bildungsportal need offers as records of their own, and
only actors that agreed to be listed may appear publicly (date and who recorded it).

Revision ID: b7d31c5a9e42
Revises: d41e7c0a9b52
Create Date: 2026-12-07 04:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d31c5a9e42'
down_revision = 'd41e7c0a9b52'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('target_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_target_groups_name'))
    )
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('format', sa.String(length=80), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('is_ongoing', sa.Boolean(), nullable=False),
    sa.Column('schedule', sa.String(length=200), nullable=False),
    sa.Column('is_free', sa.Boolean(), nullable=False),
    sa.Column('cost', sa.String(length=200), nullable=False),
    sa.Column('entry_requirements', sa.Text(), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('is_accessible', sa.Boolean(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=60), nullable=False),
    sa.Column('contact_person_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'ended', name='offerstatus', native_enum=False, length=30), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_offers_area_id_areas')),
    sa.ForeignKeyConstraint(['contact_person_id'], ['persons.id'], name=op.f('fk_offers_contact_person_id_persons'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_contact_person_id'), ['contact_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_is_free'), ['is_free'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_title'), ['title'], unique=False)

    for table, column, target in (('offer_providers', 'actor_id', 'actors'),
                                  ('offer_life_stages', 'life_stage_id', 'life_stages'),
                                  ('offer_topics', 'topic_id', 'topics'),
                                  ('offer_target_groups', 'target_group_id', 'target_groups')):
        op.create_table(table,
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column(column, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f(f'fk_{table}_offer_id_offers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('offer_id', column, name=op.f(f'pk_{table}'))
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)

    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listing_agreed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('listing_recorded_by', sa.String(length=200), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('actors', schema=None) as batch_op:
        batch_op.drop_column('listing_recorded_by')
        batch_op.drop_column('listing_agreed_on')

    for table, column in (('offer_target_groups', 'target_group_id'), ('offer_topics', 'topic_id'),
                          ('offer_life_stages', 'life_stage_id'), ('offer_providers', 'actor_id')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)

    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_title'))
        batch_op.drop_index(batch_op.f('ix_offers_status'))
        batch_op.drop_index(batch_op.f('ix_offers_is_free'))
        batch_op.drop_index(batch_op.f('ix_offers_contact_person_id'))
        batch_op.drop_index(batch_op.f('ix_offers_area_id'))
    op.drop_table('offers')
    op.drop_table('target_groups')
