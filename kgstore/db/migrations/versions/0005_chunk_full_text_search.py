"""full-text search over chunks, kept by the database itself

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:00:00

SQLite: an FTS5 index (external content: it stores no second copy of the text; porter stemming)
kept in step with `chunks` by triggers, so a chunk is searchable in the same transaction that
commits it. PostgreSQL: a generated tsvector column with a GIN index. Existing chunks are indexed.
SQLite note: a later batch_alter_table on `chunks` recreates it; re-create the triggers after.
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(text, content='chunks', content_rowid='id', "
                   "tokenize='porter unicode61')")
        op.execute("CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN "
                   "INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN "
                   "INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END")
        op.execute("CREATE TRIGGER chunks_fts_update AFTER UPDATE OF text ON chunks BEGIN "
                   "INSERT INTO chunks_fts(chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); "
                   "INSERT INTO chunks_fts(rowid, text) VALUES (new.id, new.text); END")
        op.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE chunks ADD COLUMN text_search tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED")
        op.execute("CREATE INDEX ix_chunks_text_search ON chunks USING GIN (text_search)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS chunks_fts_{name}")
        op.execute("DROP TABLE IF EXISTS chunks_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_chunks_text_search")
        op.execute("ALTER TABLE chunks DROP COLUMN IF EXISTS text_search")
