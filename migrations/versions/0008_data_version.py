"""A data version that every committed write raises: what cached pages are keyed by

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 07:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

from portal.models.data_version import install_sql, uninstall_sql

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_version',
                    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column('n', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')))
    bind = op.get_bind()
    for statement in install_sql(bind.dialect.name, sa.inspect(bind).get_table_names()):
        op.execute(statement)


def downgrade():
    bind = op.get_bind()
    for statement in uninstall_sql(bind.dialect.name, sa.inspect(bind).get_table_names()):
        op.execute(statement)
    op.drop_table('data_version')
