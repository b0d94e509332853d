"""Computed results, the landscape's data version, and the weight a tie's file gave it.

Why: analyses, map layouts, the dashboard's figures and council reports are computed by the
background worker and stored here, so every app server shares them and no request computes
(issue 13). ``data_versions`` holds a counter raised by every write of the landscape, so reads
(exports, logins) no longer make results stale. ``cooperations.weight`` keeps an imported
file's weight (GEXF/GraphML weight, Kumu strength) next to the 1-3 intensity (issue 12).

Revision ID: 5e874f54cac7
Revises: f566c0ef4496
Create Date: 2026-12-07 01:04:39.052572

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e874f54cac7'
down_revision = 'f566c0ef4496'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('computed_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('payload_bytes', sa.Integer(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_computed_results')),
    sa.UniqueConstraint('kind', 'key', 'data_version', 'day', name='uq_computed_results_job')
    )
    with op.batch_alter_table('computed_results', schema=None) as batch_op:
        batch_op.create_index('ix_computed_results_lookup', ['kind', 'key', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_computed_results_status'), ['status'], unique=False)

    op.create_table('data_versions',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions'))
    )
    with op.batch_alter_table('cooperations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weight', sa.Float(), nullable=True))



def downgrade():
    with op.batch_alter_table('cooperations', schema=None) as batch_op:
        batch_op.drop_column('weight')

    op.drop_table('data_versions')
    with op.batch_alter_table('computed_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_computed_results_status'))
        batch_op.drop_index('ix_computed_results_lookup')

    op.drop_table('computed_results')
