"""Commitments: receipts per signature, paper status, append-only event log, default texts

A receipt (sealed PDF, SHA-256, the event log's head hash) per signature; a paper form awaiting
verification counts as live in the one-per-level index; a changed commitment points at the one it
supersedes; a withdrawn agreement is flagged for the coordinator; e-mail can carry the receipt.
The database refuses UPDATE and DELETE on commitment_event (triggers). Version 1 of the default texts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 23:39:50.411305

"""
import sqlalchemy as sa
from alembic import op

import portal.models.base  # noqa: F401  (custom column types used below)
from portal.commitments.texts import DEFAULT_TEXTS, normalise, sha256_of
from portal.models.commitments import APPEND_ONLY_SQL

OLD_LIVE = "status IN ('valid', 'pending_cosign')"
NEW_LIVE = "status IN ('valid', 'pending_cosign', 'pending_verification')"

commitment_text = sa.table(
    'commitment_text',
    sa.column('initiative_id', sa.Integer), sa.column('level', sa.String), sa.column('language', sa.String),
    sa.column('version', sa.Integer), sa.column('body', sa.Text), sa.column('sha256', sa.String),
)


def _live_index(where):
    op.create_index('uq_commitment_live_per_level', 'commitment', ['household_id', 'level'], unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('uq_commitment_live_per_level', table_name='commitment')
    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supersedes_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('flagged_at', portal.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('status',
               existing_type=sa.VARCHAR(length=16),
               type_=sa.String(length=20),
               existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_commitment_pdf_sha256'), ['pdf_sha256'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_commitment_supersedes_id_commitment'), 'commitment', ['supersedes_id'], ['id'])

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('attachment', sa.LargeBinary(), nullable=True))

    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('pdf_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('log_head_hash', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_signature_pdf_sha256'), ['pdf_sha256'], unique=False)

    _live_index(NEW_LIVE)
    for statement in APPEND_ONLY_SQL.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    bodies = [(d, normalise(d.body)) for d in DEFAULT_TEXTS]
    op.bulk_insert(commitment_text, [
        {'initiative_id': None, 'level': d.level, 'language': d.language, 'version': 1, 'body': body,
         'sha256': sha256_of(body)} for d, body in bodies
    ])


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS commitment_event_append_only ON commitment_event')
        op.execute('DROP FUNCTION IF EXISTS commitment_event_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS commitment_event_no_update')
        op.execute('DROP TRIGGER IF EXISTS commitment_event_no_delete')
    op.execute(commitment_text.delete().where(commitment_text.c.initiative_id.is_(None)
                                              & (commitment_text.c.version == 1)))
    op.drop_index('uq_commitment_live_per_level', table_name='commitment')
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_pdf_sha256'))
        batch_op.drop_column('log_head_hash')
        batch_op.drop_column('pdf_sha256')
        batch_op.drop_column('pdf')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('attachment')
        batch_op.drop_column('attachment_name')

    with op.batch_alter_table('commitment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_commitment_supersedes_id_commitment'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_commitment_pdf_sha256'))
        batch_op.alter_column('status',
               existing_type=sa.String(length=20),
               type_=sa.VARCHAR(length=16),
               existing_nullable=False)
        batch_op.drop_column('flagged_at')
        batch_op.drop_column('supersedes_id')

    _live_index(OLD_LIVE)
