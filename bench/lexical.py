"""Lexical search before and after: the hand-written in-memory BM25 that every process rebuilt from
all chunks at start-up, against the database's own full-text index (SQLite FTS5, migration 0005),
side by side in one run on the same synthetic chunks.

    python -m bench.lexical [--sizes 30000 1000000] [--words 40] [--queries 200]

Start-up: from an open database to the first answered query. Query: median and p95 over the same
queries (2-4 words drawn like the chunks' words). Writes bench/results/lexical.json and .md.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from assistant.text import terms

from .common import percentiles, write_results


class HandWrittenBM25:
    """kgassist's BM25 before it moved into the database (assistant/retrieval.py until 2026-12):
    Okapi BM25 over chunk texts, built in memory (k1 1.2, b 0.75)."""

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

    def search(self, words: list[str], k: int = 20) -> list[tuple[int, float]]:
        n = len(self.ids)
        scores: dict[int, float] = defaultdict(float)
        for term in set(words):
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for row, tf in posting:
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[row] / self.avg)
                scores[row] += idf * tf * (self.k1 + 1) / norm
        best = sorted(scores.items(), key=lambda x: -x[1])[:k]
        return [(self.ids[row], score) for row, score in best]


def vocabulary(size: int = 20_000, seed: int = 0) -> tuple[list[str], list[float]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(size)})
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]  # Zipf-like, as text is
    return words, weights


def fill(db, n: int, words_per_chunk: int, seed: int = 0) -> float:  # noqa: ANN001
    """`n` chunks in documents of 100 chunks each; returns the seconds it took (triggers included)."""
    from sqlalchemy import insert

    from kgstore.db import Chunk, Document

    words, weights = vocabulary(seed=seed)
    rng = random.Random(seed)
    started = time.perf_counter()
    for first in range(0, n, 10_000):
        with db.session() as session:
            docs = [{"uri": f"doc{d}.txt", "iri": f"urn:doc:{d}", "status": "ok"}
                    for d in range(first // 100, (min(n, first + 10_000) + 99) // 100)]
            ids = session.execute(insert(Document).returning(Document.id, Document.uri), docs).all()
            by_uri = dict((u, i) for i, u in ids)
            rows = []
            for c in range(first, min(n, first + 10_000)):
                text = " ".join(rng.choices(words, weights, k=words_per_chunk)) + "."
                rows.append({"document_id": by_uri[f"doc{c // 100}.txt"], "ord": c % 100, "start": 0,
                             "end": len(text), "text": text})
            session.execute(insert(Chunk), rows)
    return time.perf_counter() - started


def queries(count: int, seed: int = 1) -> list[list[str]]:
    words, weights = vocabulary()
    rng = random.Random(seed)
    return [rng.choices(words[50:], weights[50:], k=rng.randint(2, 4)) for _ in range(count)]


def each(search, asked: list[list[str]]) -> list[float]:  # noqa: ANN001
    """Seconds each query took."""
    took = []
    for q in asked:
        started = time.perf_counter()
        search(q)
        took.append(time.perf_counter() - started)
    return took


def measure(n: int, words_per_chunk: int, count: int, folder: Path) -> dict:
    from sqlalchemy import select

    from assistant.home import Home
    from kgstore import Settings
    from kgstore.db import Chunk, Document
    from kgstore.db.fulltext import FullText

    db = Home(Settings(home=folder, database_url=f"sqlite:///{folder / f'lexical-{n}.db'}")).db
    filled = fill(db, n, words_per_chunk)
    asked = queries(count)
    out: dict = {"chunks": n, "fill_s": round(filled, 1),
                 "database_mb": round((folder / f"lexical-{n}.db").stat().st_size / 1e6, 1)}

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with db.session() as session:  # what Retriever.lexical() did on its first call in each process
        rows = session.execute(select(Chunk.id, Chunk.text).join(Document).where(Document.status == "ok")).all()
    bm25 = HandWrittenBM25([(r[0], r[1]) for r in rows])
    del rows
    bm25.search(asked[0])
    before_start = time.perf_counter() - started
    out["before"] = {"startup_s": round(before_start, 2), "query": percentiles(each(bm25.search, asked)),
                     "peak_rss_growth_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss)}
    del bm25

    started = time.perf_counter()
    lexical = FullText(db)
    lexical.search(asked[0])
    after_start = time.perf_counter() - started
    out["after"] = {"startup_s": round(after_start, 4), "query": percentiles(each(lexical.search, asked))}
    out["ratios"] = {"startup_before_over_after": round(before_start / max(after_start, 1e-9), 1),
                     "query_p50_before_over_after": round(out["before"]["query"]["p50_ms"]
                                                          / max(out["after"]["query"]["p50_ms"], 1e-9), 2)}
    db.close()
    return out


def table(results: list[dict], words_per_chunk: int) -> str:
    lines = [f"Synthetic chunks of {words_per_chunk} Zipf-distributed words, SQLite, one process, this machine.", "",
             "| chunks | start-up before (hand-written BM25) s | start-up after (FTS5) s | query p50 before ms | "
             "query p50 after ms | query p95 before ms | query p95 after ms | BM25 memory MB |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        b, a = r["before"], r["after"]
        lines.append(f"| {r['chunks']:,} | {b['startup_s']:.2f} | {a['startup_s']:.4f} | {b['query']['p50_ms']:.2f} | "
                     f"{a['query']['p50_ms']:.2f} | {b['query']['p95_ms']:.2f} | {a['query']['p95_ms']:.2f} | "
                     f"{b['peak_rss_growth_mb']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30_000, 1_000_000])
    parser.add_argument("--words", type=int, default=40)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="kgassist-lexical-") as tmp:
        for n in args.sizes:
            results.append(measure(n, args.words, args.queries, Path(tmp)))
            print(results[-1], flush=True)
    md = write_results("lexical", {"words_per_chunk": args.words, "queries": args.queries, "results": results},
                       table(results, args.words))
    print(md.read_text())


if __name__ == "__main__":
    main()
