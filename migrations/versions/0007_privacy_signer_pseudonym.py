"""Privacy: a pseudonym for a signer who deleted their account, and when retention purged a signature

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 03:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import portal.models.base

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signer_pseudonym', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('purged_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('signer_pseudonym')
