"""merge the two branches of the first session (import batches, api tokens) into one line

Both were written in parallel on top of the initial schema; from here on the history is linear,
so ``flask db upgrade`` needs no ``heads``.

Revision ID: 3c1e0f9a7b21
Revises: 77fcf9408a87, 977792ce8dd8
Create Date: 2026-11-22 23:10:00

"""

revision = '3c1e0f9a7b21'
down_revision = ('77fcf9408a87', '977792ce8dd8')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
