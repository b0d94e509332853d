"""Area outlines: the GeoJSON geometry of an area, drawn under the actors on the geographic map.

Why: the map (issue 14) shows actors and offers over the outlines of the Stadtteile and
Verbandsgemeinden; outlines come from a coordinator's GeoJSON import. Stored as text (a GeoJSON
geometry object), the same on SQLite and PostgreSQL; the map only draws it, nothing queries inside it.

Revision ID: e5a8c1f0b3d7
Revises: e4a1c3b7d902
Create Date: 2026-12-07 06:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a8c1f0b3d7'
down_revision = 'e4a1c3b7d902'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outline', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('outline')
