"""Lexical search over the chunks of `ok` documents with the database's own full-text index:
SQLite FTS5 with BM25 ranking, or PostgreSQL's text search (ts_rank_cd) on the same interface.
The index lives in the database and changes in the transaction that changes a chunk, so there is
nothing to rebuild at start-up and nothing that can drift (migration 0005)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import text

from .database import Database


def managed_by_migration(obj, name: str | None, kind: str, reflected: bool, compare_to) -> bool:  # noqa: ANN001
    """For Alembic's comparisons (`include_object`): False for the full-text objects migration 0005
    creates outside the ORM models (FTS5 tables, the tsvector column and its index)."""
    return not (name or "").startswith(("chunks_fts", "text_search", "ix_chunks_text_search"))


class FullText:
    """`search(terms, k)` -> [(chunk id, score)], best first; `df(term)` -> chunks containing it;
    `documents_naming(phrase)` -> the documents whose text contains a name."""

    def __init__(self, db: Database):
        self.db = db
        self.dialect = db.engine.dialect.name
        if self.dialect not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"full-text search is implemented for SQLite and PostgreSQL, not {self.dialect}")

    def search(self, terms: Sequence[str], k: int = 20, *,
               documents: Collection[int] | None = None) -> list[tuple[int, float]]:
        """Chunks matching any of `terms` (plain words; never parsed as query syntax), best first;
        only chunks of `documents` (ids) when given."""
        words = _plain(terms)
        if not words or documents is not None and not documents:
            return []
        within = f" AND c.document_id IN ({', '.join(str(int(d)) for d in documents)})" if documents else ""
        if self.dialect == "sqlite":
            match = " OR ".join(f'"{w}"' for w in words)  # each a quoted string: no FTS5 operators
            sql = ("SELECT f.rowid, -bm25(chunks_fts) AS score FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                   f"JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH :match AND d.status = 'ok'{within} "
                   "ORDER BY bm25(chunks_fts), f.rowid LIMIT :k")
            params = {"match": match, "k": k}
        else:
            params = {f"t{i}": w for i, w in enumerate(words)} | {"k": k}
            query = " || ".join(f"plainto_tsquery('english', :t{i})" for i in range(len(words)))
            sql = (f"SELECT c.id, ts_rank_cd(c.text_search, q) AS score FROM chunks c "
                   f"JOIN documents d ON d.id = c.document_id, ({'SELECT ' + query}) AS s(q) "
                   f"WHERE c.text_search @@ q AND d.status = 'ok'{within} ORDER BY score DESC, c.id LIMIT :k")
        with self.db.session() as session:
            return [(int(i), float(s)) for i, s in session.execute(text(sql), params)]

    def documents_naming(self, phrase: str, limit: int = 200) -> set[int]:
        """Ids of the `ok` documents whose text contains `phrase` as consecutive words (stemmed as
        the index stems them): where a name is written, whether or not an extractor found it."""
        words = _plain([phrase])
        if not words:
            return set()
        if self.dialect == "sqlite":
            sql = ("SELECT DISTINCT c.document_id FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                   "JOIN documents d ON d.id = c.document_id WHERE chunks_fts MATCH :m AND d.status = 'ok' LIMIT :k")
            params = {"m": '"' + " ".join(words) + '"', "k": limit}  # a quoted string is an FTS5 phrase
        else:
            sql = ("SELECT DISTINCT c.document_id FROM chunks c JOIN documents d ON d.id = c.document_id "
                   "WHERE c.text_search @@ phraseto_tsquery('english', :t) AND d.status = 'ok' LIMIT :k")
            params = {"t": " ".join(words), "k": limit}
        with self.db.session() as session:
            return {int(i) for (i,) in session.execute(text(sql), params)}

    def df(self, term: str) -> int:
        """How many chunks contain `term` (stemmed as the index stems it)."""
        words = _plain([term])
        if not words:
            return 0
        with self.db.session() as session:
            if self.dialect == "sqlite":
                return int(session.execute(text("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH :m"),
                                           {"m": f'"{words[0]}"'}).scalar_one())
            return int(session.execute(text("SELECT count(*) FROM chunks WHERE text_search @@ "
                                            "plainto_tsquery('english', :t)"), {"t": words[0]}).scalar_one())


def _plain(terms: Sequence[str]) -> list[str]:
    """Terms as plain words: quotes dropped (the only character FTS5 reads inside a quoted string) and
    split at spaces, so that each is searched on its own."""
    return list(dict.fromkeys(w for t in terms for w in t.replace('"', " ").split()))
