"""Passage retrieval: FAISS dense search fused with full-text search by reciprocal rank fusion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ingestion.index import VectorIndex
from kgstore.db import Chunk, Database, Document
from kgstore.db.fulltext import FullText

from .question import Question
from .text import terms


@dataclass
class Passage:
    """A retrieved chunk: where it comes from, its text, and how it ranked."""

    chunk_id: int
    document_uri: str
    title: str
    start: int
    end: int
    text: str
    score: float          # reciprocal rank fusion score
    dense: float | None   # cosine similarity, when dense search found it
    lexical: float | None  # full-text (BM25) score, when lexical search found it
    ref: str = ""  # its citation id in the answer that used it ("P2")

    def to_json(self) -> dict:
        return {"ref": self.ref, "chunk_id": self.chunk_id, "document": self.document_uri, "title": self.title,
                "span": [self.start, self.end], "text": self.text, "score": round(self.score, 5)}


def fuse(rankings: Sequence[Sequence[tuple[int, float]]], k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each id scores the sum of 1 / (k + rank) over the rankings it is in;
    best first, ties in the order the rankings first name them."""
    fused: dict[int, float] = defaultdict(float)
    for hits in rankings:
        for rank, (cid, _) in enumerate(hits):
            fused[cid] += 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda x: -x[1])


class Retriever:
    """Dense (FAISS) + lexical (the database's full-text index) retrieval over the chunks of `ok`
    documents, fused by reciprocal rank."""

    def __init__(self, db: Database, index: VectorIndex, embedder, *, rrf_k: int = 60):  # noqa: ANN001
        self.db, self.index, self.embedder, self.rrf_k = db, index, embedder, rrf_k
        self._lexical = FullText(db)

    def lexical(self) -> FullText:
        """The lexical index: `search(terms, k)` and `df(term)`; nothing is loaded into memory."""
        return self._lexical

    def search(self, question: Question | str, k: int = 5, depth: int = 20, *, dense: bool = True,
               lexical: bool = True, documents: Collection[int] | None = None,
               extra_terms: Sequence[str] = ()) -> list[Passage]:
        """The `k` best passages for a question; only from `documents` (ids) when given, searched
        deeper so that enough of theirs are found. `extra_terms` join the lexical query."""
        text = question.text if isinstance(question, Question) else question
        if documents is not None:
            if not documents:
                return []
            depth = max(depth, 100)
        dense_hits: list[tuple[int, float]] = []
        if dense and len(self.index):
            vector = self.embedder.embed([text])[0]
            dense_hits = self.index.search(vector, depth)
        words = [*(question.terms if isinstance(question, Question) else terms(text)), *extra_terms]
        lexical_hits = self._lexical.search(words, depth, documents=documents) if lexical else []
        if documents is not None and dense_hits:
            dense_hits = self._within(dense_hits, documents)
        best = fuse([dense_hits, lexical_hits], self.rrf_k)[:k]
        if not best:
            return []
        dense_score, lexical_score = dict(dense_hits), dict(lexical_hits)
        with self.db.session() as session:
            rows = {c.id: (c, d) for c, d in session.execute(
                select(Chunk, Document).join(Document).where(Chunk.id.in_([cid for cid, _ in best])))}
            return [Passage(cid, d.uri, d.title or d.uri, c.start, c.end, c.text, score,
                            dense_score.get(cid), lexical_score.get(cid))
                    for cid, score in best if cid in rows for c, d in [rows[cid]]]

    def _within(self, hits: list[tuple[int, float]], documents: Collection[int]) -> list[tuple[int, float]]:
        """The hits whose chunk belongs to one of `documents`, in their order."""
        with self.db.session() as session:
            kept = set(session.scalars(select(Chunk.id).where(Chunk.id.in_([cid for cid, _ in hits]),
                                                              Chunk.document_id.in_(list(documents)))))
        return [(cid, score) for cid, score in hits if cid in kept]
