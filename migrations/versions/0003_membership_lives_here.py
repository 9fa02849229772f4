"""Membership: "do you live here?" asked apart from "are you a (co-)owner?"

The join form asked one choice, owner or resident, so an owner who lives in the home and a
landlord who lives elsewhere looked the same. Existing memberships are taken to live there
(the old form's "I live here" and most owners); `relation` keeps meaning ownership.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('household_membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lives_here', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('household_membership', schema=None) as batch_op:
        batch_op.drop_column('lives_here')
