"""Passage retrieval: FAISS dense search fused with BM25 by reciprocal rank fusion."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from ingestion.index import VectorIndex
from kgstore.db import Chunk, Database, Document

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
    lexical: float | None  # BM25 score, when lexical search found it
    ref: str = ""  # its citation id in the answer that used it ("P2")

    def to_json(self) -> dict:
        return {"ref": self.ref, "chunk_id": self.chunk_id, "document": self.document_uri, "title": self.title,
                "span": [self.start, self.end], "text": self.text, "score": round(self.score, 5)}


class BM25:
    """Okapi BM25 over chunk texts, built in memory from the database (k1 1.2, b 0.75)."""

    def __init__(self, docs: list[tuple[int, str]], k1: float = 1.2, b: float = 0.75):
        self.ids = [i for i, _ in docs]
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = []
        for row, (_, text) in enumerate(docs):
            counts = Counter(terms(text))
            lengths.append(sum(counts.values()))
            for term, n in counts.items():
                self.postings[term].append((row, n))
        self.lengths = np.asarray(lengths or [0], dtype=np.float32)
        self.avg = float(self.lengths.mean()) or 1.0

    def df(self, term: str) -> int:
        return len(self.postings.get(term, ()))

    def search(self, query: str | Sequence[str], k: int = 20) -> list[tuple[int, float]]:
        """The `k` best chunks for a query (text, or its terms already parsed)."""
        n = len(self.ids)
        scores: dict[int, float] = defaultdict(float)
        for term in set(terms(query) if isinstance(query, str) else query):
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for row, tf in posting:
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[row] / self.avg)
                scores[row] += idf * tf * (self.k1 + 1) / norm
        best = sorted(scores.items(), key=lambda x: -x[1])[:k]
        return [(self.ids[row], score) for row, score in best]


def fuse(rankings: Sequence[Sequence[tuple[int, float]]], k: int = 60) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each id scores the sum of 1 / (k + rank) over the rankings it is in;
    best first, ties in the order the rankings first name them."""
    fused: dict[int, float] = defaultdict(float)
    for hits in rankings:
        for rank, (cid, _) in enumerate(hits):
            fused[cid] += 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda x: -x[1])


class Retriever:
    """Dense + lexical retrieval over the chunks of `ok` documents."""

    def __init__(self, db: Database, index: VectorIndex, embedder, *, rrf_k: int = 60):  # noqa: ANN001
        self.db, self.index, self.embedder, self.rrf_k = db, index, embedder, rrf_k
        self._bm25: BM25 | None = None
        self._version: tuple | None = None

    def lexical(self) -> BM25:
        """The BM25 index, rebuilt when the chunks in the database change."""
        with self.db.session() as session:
            version = session.execute(select(func.count(Chunk.id), func.max(Chunk.id))).one()
            if self._bm25 is None or tuple(version) != self._version:
                rows = session.execute(select(Chunk.id, Chunk.text).join(Document).where(Document.status == "ok")).all()
                self._bm25, self._version = BM25([(r[0], r[1]) for r in rows]), tuple(version)
        return self._bm25

    def search(self, question: Question | str, k: int = 5, depth: int = 20, *, dense: bool = True,
               lexical: bool = True) -> list[Passage]:
        text = question.text if isinstance(question, Question) else question
        dense_hits: list[tuple[int, float]] = []
        if dense and len(self.index):
            vector = self.embedder.embed([text])[0]
            dense_hits = self.index.search(vector, depth)
        lexical_hits = (self.lexical().search(question.terms if isinstance(question, Question) else text, depth)
                        if lexical else [])
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
