"""append-only, hash-chained audit records

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:00:00

Adds seq/prev_hash/hash to answers and the audit_head row, seals existing answers in the order
they were recorded, and installs triggers that refuse UPDATE and DELETE on the audit tables
(retrieved_chunks.chunk_id excepted: the database clears it when the chunk is re-ingested).
SQLite note: a later batch_alter_table on these tables recreates them; re-create the triggers after.
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
_GUARDED = {  # table -> the UPDATE trigger's column list (None: any column)
    "answers": None, "answer_queries": None, "claim_checks": None,
    "retrieved_chunks": 'answer_id, "rank", score, document_uri, start, "end"',
}


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_answers_seq', ['seq'])
    head = op.create_table('audit_head', sa.Column('id', sa.Integer(), nullable=False),
                           sa.Column('seq', sa.Integer(), nullable=False),
                           sa.Column('hash', sa.String(length=64), nullable=False),
                           sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    _seal_existing()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table, columns in _GUARDED.items():
            of = f" OF {columns}" if columns else ""
            for event, name in ((f"UPDATE{of}", "update"), ("DELETE", "delete")):
                op.execute(f"CREATE TRIGGER {table}_no_{name} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only ({table})'); END")
    elif dialect == "postgresql":
        op.execute("CREATE OR REPLACE FUNCTION kgassist_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'audit records are append-only (%)', TG_TABLE_NAME; END $$")
        for table, columns in _GUARDED.items():
            of = f" OF {columns}" if columns else ""
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE{of} OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION kgassist_append_only()")


def _seal_existing() -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from kgstore.db import chain
    from kgstore.db.models import Answer

    session = Session(bind=op.get_bind())
    prev = GENESIS
    rows = list(session.scalars(select(Answer).order_by(Answer.created_at, Answer.id)))
    for seq, row in enumerate(rows, 1):
        row.seq, row.prev_hash = seq, prev
        row.hash = prev = chain.digest(prev, row)
    if rows:
        session.flush()
        op.execute(sa.text("UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1").bindparams(s=len(rows), h=prev))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in _GUARDED:
        if dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kgassist_append_only()")
    op.drop_table('audit_head')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_constraint('uq_answers_seq', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')
