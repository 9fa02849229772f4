"""A coordinator's override of the conditions scorecard, per condition and option, with a note

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:00:00

"""
import sqlalchemy as sa
from alembic import op

import portal.models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scorecard_override',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('condition_key', sa.String(length=40), nullable=False),
    sa.Column('variant', sa.String(length=20), nullable=False),
    sa.Column('scenario', sa.String(length=1), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', portal.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user_account.id'], name=op.f('fk_scorecard_override_changed_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_scorecard_override_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_override')),
    sa.UniqueConstraint('initiative_id', 'condition_key', 'variant', 'scenario', name='uq_scorecard_override_per_option')
    )


def downgrade():
    op.drop_table('scorecard_override')
