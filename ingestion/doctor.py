"""`kgassist doctor`: check that the store, the database and the vector index agree, and repair drift.

What each side should hold: every document `ok` in the database has its named graph in the store
with exactly the triples recorded for it, and its chunks; no document graph exists without an `ok`
document; the FAISS index holds exactly the vectors the database keeps. Drift comes from crashes
(a document left `pending`), from hand edits, or from restoring one part from an older backup.

Repair re-ingests a drifted document from its source file (or removes it when the file is gone),
drops orphan graphs and rebuilds the index from the database; then it checks again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef
from sqlalchemy import func, select, update

from kgstore import KGStore, vocab
from kgstore.db import Chunk, Database, Document

from .index import VectorIndex
from .pipeline import Pipeline

_DOCUMENT_GRAPHS = str(vocab.ID["doc/"])


@dataclass(frozen=True)
class Drift:
    kind: str  # pending | missing-graph | partial-graph | missing-chunks | orphan-graph | index
    subject: str
    detail: str


@dataclass
class Checkup:
    documents: int = 0
    graphs: int = 0
    chunks: int = 0
    vectors: int = 0
    indexed: int = 0
    awaiting_vectors: int = 0
    drift: list[Drift] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.drift

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "consistent": self.consistent}


def check(store: KGStore, db: Database, index: VectorIndex) -> Checkup:
    """Compare store, database and index; report every disagreement (changes nothing)."""
    sizes = {str(g): n for g, n in store.graph_sizes().items() if str(g).startswith(_DOCUMENT_GRAPHS)}
    with db.session() as session:
        docs = session.execute(select(Document.id, Document.uri, Document.iri, Document.status,
                                      Document.triples)).all()
        chunk_counts = dict(session.execute(select(Chunk.document_id, func.count()).group_by(Chunk.document_id))
                            .all())
        vector_ids = set(session.scalars(select(Chunk.id).join(Document).where(
            Document.status == "ok", Chunk.embedding.is_not(None))))
        in_flight = set(session.scalars(select(Chunk.id).join(Document).where(Document.status == "pending")))
        up = Checkup(awaiting_vectors=session.scalar(select(func.count()).select_from(Chunk).join(Document).where(
            Document.status == "ok", Chunk.embedding.is_(None))) or 0)
    up.graphs, up.vectors = len(sizes), len(vector_ids)
    up.chunks = sum(chunk_counts.values())
    live: set[str] = set()
    for doc_id, uri, iri, status, triples in docs:
        if status == "pending":
            up.drift.append(Drift("pending", uri, "an ingestion stopped before this document was committed"))
        if status != "ok":
            continue
        up.documents += 1
        live.add(iri)
        if iri not in sizes:
            up.drift.append(Drift("missing-graph", uri, "recorded as ingested, but the store has no graph for it"))
        elif sizes[iri] != triples:
            up.drift.append(Drift("partial-graph", uri, f"the store holds {sizes[iri]} triples, "
                                  f"the database recorded {triples}"))
        if not chunk_counts.get(doc_id):
            up.drift.append(Drift("missing-chunks", uri, "recorded as ingested, but it has no chunks"))
    pending = {iri for _, _, iri, status, _ in docs if status == "pending"}
    for iri in sorted(set(sizes) - live - pending):
        up.drift.append(Drift("orphan-graph", iri, f"{sizes[iri]} triples in the store for no ingested document"))
    indexed = index.ids()
    up.indexed = len(indexed)
    # a pending document's old vectors may or may not still be indexed: its own drift entry covers it
    missing, extra = len(vector_ids - indexed), len(indexed - vector_ids - in_flight)
    if missing or extra:
        up.drift.append(Drift("index", str(index.path), f"{missing} vectors missing from the index, "
                              f"{extra} indexed for chunks that no longer exist"))
    return up


def repair(pipeline: Pipeline) -> Checkup:
    """Fix every drift `check` finds, then check again (the returned checkup lists what was done)."""
    with pipeline.writing():
        before = check(pipeline.store, pipeline.db, pipeline.index)
        done: list[str] = []
        reingest: dict[str, None] = {}
        for d in before.drift:
            if d.kind in {"pending", "missing-graph", "partial-graph", "missing-chunks"}:
                reingest.setdefault(d.subject)
            elif d.kind == "orphan-graph":
                pipeline.store.remove_document(URIRef(d.subject))
                done.append(f"dropped orphan graph {d.subject}")
        present = [uri for uri in reingest if Path(uri).is_file()]
        for uri in reingest:
            if uri not in present:
                pipeline.remove(uri)
                done.append(f"removed {uri}: its source file is gone, so it cannot be re-ingested")
        if present:
            with pipeline.db.session() as session:  # force a fresh ingestion of these, whatever their hash
                session.execute(update(Document).where(Document.uri.in_(present)).values(status="pending"))
            report = pipeline.ingest([Path(uri) for uri in present])
            done.append(f"re-ingested {report.ok} document(s) from their source files"
                        + (f"; {len(report.failed)} failed: {report.failed}" if report.failed else ""))
        added, removed = pipeline.sync_index()
        if added or removed:
            done.append(f"index rebuilt from the database: {added} vectors added, {removed} removed")
        after = check(pipeline.store, pipeline.db, pipeline.index)
        after.repaired = done
        return after
