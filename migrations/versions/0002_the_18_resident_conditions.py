"""The 18 resident conditions of the seed, so every database has the catalogue

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:10:00

"""
import sqlalchemy as sa
from alembic import op

from portal.conditions.catalogue import CATALOGUE

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

condition = sa.table(
    'condition',
    sa.column('key', sa.String), sa.column('label_nl', sa.String), sa.column('label_en', sa.String),
    sa.column('explanation_nl', sa.Text), sa.column('explanation_en', sa.Text),
    sa.column('sort_order', sa.Integer), sa.column('is_custom', sa.Boolean),
)


def upgrade():
    op.bulk_insert(condition, [
        {**entry._asdict(), 'sort_order': number, 'is_custom': False}
        for number, entry in enumerate(CATALOGUE, start=1)
    ])


def downgrade():
    op.execute(condition.delete().where(condition.c.key.in_([entry.key for entry in CATALOGUE])))
