"""Worker heartbeats: background processes report that they are alive (mail delivery, computed views).

Revision ID: 9b8d72969ada
Revises: a1c7e2d90b11
Create Date: 2026-12-07 00:38:42.380903

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9b8d72969ada'
down_revision = 'a1c7e2d90b11'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('worker_heartbeats',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tasks', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_heartbeats'))
    )
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_heartbeats_beat_at'), ['beat_at'], unique=False)



def downgrade():
    with op.batch_alter_table('worker_heartbeats', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_heartbeats_beat_at'))

    op.drop_table('worker_heartbeats')
