"""Ingestion: files -> chunks, provenance-tracked triples and vectors; batch, incremental, resumable.

Documents are written in groups. Per group the order is: database rows marked `pending` -> store
graphs replaced in one atomic write -> chunks, vectors and status `ok` in one database transaction
-> FAISS ids updated. A crash at any point leaves a document `pending` (re-ingested next run) or
`ok`; the store never holds half a document, and the vector index is re-synchronised with the
database (which keeps every vector) when a run starts. Vectors can be deferred (`vectors=False`,
`kgassist ingest --no-vectors`) and computed later by `embed_pending` (`kgassist index`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from rdflib import URIRef
from rdflib.namespace import RDF
from sqlalchemy import delete, select, update

from kgstore import DocumentInfo, Statement, KGStore, vocab
from kgstore.errors import KGAssistError
from kgstore.db import Chunk as ChunkRow
from kgstore.db import Database, Document, EntityMerge, IngestionRun, find_document
from kgstore.db.models import utcnow

from . import loaders
from .chunking import Chunk, chunk
from .embed import Embedder
from .extract import BatchExtractor, Extraction, Extractor, combine, combine_many
from .index import VectorIndex
from .lock import WriterLock
from .resolve import EmbeddingMerger, Merge, Resolver


@dataclass
class Prepared:
    """Everything computed for one file before anything is written."""

    path: str
    uri: str
    sha256: str
    size: int
    document: loaders.LoadedDocument
    chunks: list[Chunk]
    facts: list[Statement]
    merges: list[Merge]


@dataclass
class IngestReport:
    ok: int = 0
    skipped: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    triples: int = 0
    chunks: int = 0
    seconds: float = 0.0
    pages: int = 0
    bytes: int = 0
    #: seconds per stage: prepare (load, chunk, extract), resolve (entity merges), store, database,
    #: embed (chunk vectors), index
    timings: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("prepare", "resolve", "store", "database", "embed", "index"), 0.0))

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def nothing_ingested(self) -> bool:
        return self.ok == 0 and self.skipped == 0 and bool(self.failed)


@dataclass(frozen=True)
class PipelineOptions:
    chunk_size: int = 800
    chunk_overlap: int = 120
    limits: loaders.Limits = loaders.Limits()
    save_every: int = 200
    #: documents written per store write and database transaction, fewer when their chunks reach batch_chunks
    batch_docs: int = 64
    batch_chunks: int = 256
    #: embed chunks while ingesting; False leaves them to `Pipeline.embed_pending` (`kgassist index`)
    vectors: bool = True


def discover(paths: Iterable[Path]) -> list[Path]:
    """Files named, and files under folders named (hidden ones skipped), in a stable order."""
    found: dict[Path, None] = {}
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    found.setdefault(child.resolve())
        else:
            found.setdefault(path.resolve())
    return list(found)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare(path: Path, sha: str, extractors: Sequence[Extractor], resolver: Resolver,
            options: PipelineOptions) -> Prepared:
    """Load, chunk, extract and resolve one file (no side effects; runs in worker processes)."""
    document, chunks = _loaded(path, options)
    return _resolved(path, sha, document, chunks, combine(extractors, document, chunks), resolver)


def prepare_many(files: Sequence[tuple[Path, str]], extractors: Sequence[Extractor], resolver: Resolver,
                 options: PipelineOptions) -> list[Prepared | Exception]:
    """`prepare` for several files, extracted together so that a batching extractor (the LLM) fills
    its batches across them. A file that fails is its exception in the list; the others go on."""
    loaded: dict[Path, tuple[loaders.LoadedDocument, list[Chunk]]] = {}
    out: dict[Path, Prepared | Exception] = {}
    for path, _ in files:
        try:
            loaded[path] = _loaded(path, options)
        except Exception as error:  # noqa: BLE001 - one bad file never stops the batch
            out[path] = error
    ready = [(path, sha) for path, sha in files if path in loaded]
    try:
        found: list[list[Extraction]] | None = combine_many(extractors, [loaded[path] for path, _ in ready])
    except Exception:  # noqa: BLE001 - each file alone then, so that only the bad one fails
        found = None
    for i, (path, sha) in enumerate(ready):
        try:
            extractions = found[i] if found is not None else combine(extractors, *loaded[path])
            out[path] = _resolved(path, sha, *loaded[path], extractions, resolver)
        except Exception as error:  # noqa: BLE001
            out[path] = error
    return [out[path] for path, _ in files]


def _loaded(path: Path, options: PipelineOptions) -> tuple[loaders.LoadedDocument, list[Chunk]]:
    document = loaders.load(path, options.limits)
    return document, chunk(document.text, options.chunk_size, options.chunk_overlap)


def _resolved(path: Path, sha: str, document: loaders.LoadedDocument, chunks: list[Chunk],
              extractions: list[Extraction], resolver: Resolver) -> Prepared:
    uri = str(path)
    doc_iri = vocab.document_iri(uri)
    starts = [c.start for c in chunks]

    def chunk_of(offset: int) -> URIRef:
        import bisect

        return URIRef(f"{doc_iri}/chunk/{max(0, bisect.bisect_right(starts, offset) - 1)}")

    facts, merges = resolver.facts(extractions, doc_iri, chunk_of)
    return Prepared(str(path), uri, sha, path.stat().st_size, document, chunks, facts, merges)


_WORKER: dict = {}


def _init_worker(extractors: Sequence[Extractor], resolver: Resolver, options: PipelineOptions) -> None:
    _WORKER.update(extractors=extractors, resolver=resolver, options=options)


def _prepare_in_worker(path: Path, sha: str) -> Prepared:
    return prepare(path, sha, _WORKER["extractors"], _WORKER["resolver"], _WORKER["options"])


class Pipeline:
    """Ingests files into the store, the database and the vector index."""

    def __init__(self, store: KGStore, db: Database, embedder: Embedder, index: VectorIndex,
                 extractors: Sequence[Extractor], options: PipelineOptions = PipelineOptions(),
                 merge_threshold: float | None = 0.92, lock: WriterLock | None = None):
        self.store, self.db, self.embedder, self.index = store, db, embedder, index
        self.extractors = list(extractors)
        self.options = options
        self.merge_threshold = merge_threshold
        self.lock = lock

    def writing(self) -> AbstractContextManager[None]:
        """Hold the home's writer lock (when the pipeline has one) for a sequence of writes."""
        return self.lock.held() if self.lock is not None else nullcontext()

    # ------------------------------------------------------------------------------------ public
    def ingest(self, paths: Iterable[Path], *, workers: int = 1,
               progress: Callable[[str, str], None] | None = None) -> IngestReport:
        with self.writing():
            return self._ingest(paths, workers, progress)

    def _ingest(self, paths: Iterable[Path], workers: int,
                progress: Callable[[str, str], None] | None) -> IngestReport:
        started = time.perf_counter()
        report = self._report = IngestReport()
        self.sync_index()
        reverted = self._reverted_merges()
        resolver = Resolver(reverted)
        self.merger = None
        if self.merge_threshold is not None:
            with self._timed("resolve"):
                self.merger = EmbeddingMerger(self.embedder, self.merge_threshold, reverted)
                self.merger.learn(self.store.entity_labels())
        known = self._known_documents()
        todo: list[tuple[Path, str]] = []
        for path in discover(paths):
            try:
                sha = sha256_of(path)
            except OSError as error:
                self._failed(report, path, f"cannot read the file ({error.strerror or error})", progress)
                continue
            if known.get(str(path)) == ("ok", sha):
                report.skipped += 1
                if progress:
                    progress(str(path), "skipped")
                continue
            todo.append((path, sha))
        with self.db.session() as session:
            run = IngestionRun(settings={"workers": workers, "extractors": [e.name for e in self.extractors],
                                         "vectors": self.options.vectors})
            session.add(run)
        group: list[Prepared] = []
        prepared = self._prepared(todo, resolver, workers)
        while True:
            with self._timed("prepare"):
                item = next(prepared, None)
            if item is None:
                break
            path, outcome = item
            if isinstance(outcome, Exception):
                self._failed(report, path, _reason(outcome), progress)
                continue
            self._resolve(outcome)
            group.append(outcome)
            if (len(group) >= self.options.batch_docs
                    or sum(len(p.chunks) for p in group) >= self.options.batch_chunks):
                self._write(group, report, progress)
                group = []
        if group:
            self._write(group, report, progress)
        if self.options.vectors:
            self.embed_pending()  # chunks left without vectors by an earlier `--no-vectors` run
        self.index.save()
        report.seconds = round(time.perf_counter() - started, 3)
        report.timings = {k: round(v, 3) for k, v in report.timings.items()}
        with self.db.session() as session:
            run = session.get(IngestionRun, run.id)
            run.finished_at, run.status = utcnow(), "done"
            run.ok, run.skipped, run.failed = report.ok, report.skipped, len(report.failed)
            run.triples, run.chunks = report.triples, report.chunks
        self._report = None
        return report

    def embed_pending(self, batch: int = 256) -> int:
        """Embed and index the chunks stored without vectors (an `ingest --no-vectors` run, or one cut
        short); resumable, since each batch commits its vectors. Returns the chunks embedded."""
        with self.writing():
            return self._embed_pending(batch)

    def _embed_pending(self, batch: int) -> int:
        done = 0
        while True:
            with self.db.session() as session:
                rows = session.execute(select(ChunkRow.id, ChunkRow.text).join(Document)
                                       .where(Document.status == "ok", ChunkRow.embedding.is_(None))
                                       .order_by(ChunkRow.id).limit(batch)).all()
            if not rows:
                if done:
                    self.index.save()
                return done
            with self._timed("embed"):
                vectors = self.embedder.embed([text for _, text in rows])
            with self._timed("database"), self.db.session() as session:
                session.execute(update(ChunkRow), [{"id": cid, "embedding": v.tobytes()}
                                                   for (cid, _), v in zip(rows, vectors)])
            self.index.add([cid for cid, _ in rows], vectors)
            done += len(rows)

    def remove(self, reference: str) -> bool:
        """Remove a document (by path, source URI or document IRI) from store, database and index."""
        return remove_document(self.store, self.db, self.index, reference, self.lock)

    def sync_index(self) -> tuple[int, int]:
        """Repair drift between the FAISS index and the vectors kept in the database."""
        return sync_index(self.db, self.index)

    # ----------------------------------------------------------------------------------- helpers
    def _known_documents(self) -> dict[str, tuple[str, str | None]]:
        with self.db.session() as session:
            return {uri: (status, sha) for uri, status, sha in
                    session.execute(select(Document.uri, Document.status, Document.sha256))}

    def _reverted_merges(self) -> list[str]:
        with self.db.session() as session:
            return list(session.scalars(select(EntityMerge.surface).where(EntityMerge.reverted.is_(True))))

    def _prepared(self, todo: list[tuple[Path, str]], resolver: Resolver, workers: int):  # noqa: ANN202
        if workers <= 1 or len(todo) < 2:
            # a batching extractor gets a write group's worth of documents at once, the others one (in a
            # group, documents do not see each other's entities in the patterns' gazetteer yet)
            size = self.options.batch_docs if any(isinstance(e, BatchExtractor) for e in self.extractors) else 1
            for at in range(0, len(todo), size):
                group = todo[at:at + size]
                yield from zip((path for path, _ in group), prepare_many(group, self.extractors, resolver,
                                                                         self.options))
            return
        with ProcessPoolExecutor(workers, initializer=_init_worker,
                                 initargs=(self.extractors, resolver, self.options)) as pool:
            futures = [(path, pool.submit(_prepare_in_worker, path, sha)) for path, sha in todo]
            for path, future in futures:
                try:
                    yield path, future.result()
                except Exception as error:  # noqa: BLE001
                    yield path, error

    def _failed(self, report: IngestReport, path: Path | str, reason: str,
                progress: Callable[[str, str], None] | None) -> None:
        report.failed.append({"path": str(path), "error": reason})
        if progress:
            progress(str(path), f"failed: {reason}")
        with self.db.session() as session:
            doc = session.scalars(select(Document).where(Document.uri == str(path))).first()
            if doc is None:
                session.add(Document(uri=str(path), iri=str(vocab.document_iri(str(path))), status="failed",
                                     error=reason))
            else:
                doc.error = reason  # an earlier good version stays in place
                if doc.status != "ok":
                    doc.status = "failed"

    def _resolve(self, p: Prepared) -> None:
        """Merge the document's new entities into close known ones, then let later documents see them."""
        if self.merger is not None:
            with self._timed("resolve"):
                p.facts, merged = self.merger.remap(p.facts)
                p.merges += [Merge(m.surface, m.label, m.into, f"embedding:{m.score}") for m in merged]
                labels = {f.subject: str(f.object) for f in p.facts if f.predicate == vocab.LABEL}
                self.merger.learn((f.subject, labels[f.subject], f.object) for f in p.facts
                                  if f.predicate == RDF.type and f.subject in labels)
        for extractor in self.extractors:
            observe = getattr(extractor, "observe", None)
            if observe is not None:
                observe(p.facts)

    def _write(self, group: list[Prepared], report: IngestReport,
               progress: Callable[[str, str], None] | None) -> None:
        """Write a group of documents: one store write and two database transactions for all of them.

        Documents are marked `pending` first; the store graphs are replaced in one atomic write; chunks,
        vectors and status `ok` then commit together. A crash in between leaves them `pending`, and the
        next run replaces them again. When the group cannot be written, each document is tried alone so
        that only the bad one fails.
        """
        vectors = None
        if self.options.vectors:
            with self._timed("embed"):
                vectors = self.embedder.embed([c.text for p in group for c in p.chunks])
        try:
            old_ids = self._mark_pending(group)
            with self._timed("store"):
                counts = self.store.put_documents(
                    [(DocumentInfo(vocab.document_iri(p.uri), p.uri, p.sha256, p.document.title), p.facts)
                     for p in group])
        except KGAssistError as error:
            if len(group) == 1:
                self._failed(report, group[0].path, str(error), progress)
                return
            for p in group:
                self._write([p], report, progress)
            return
        new_ids = self._commit(group, counts, vectors)
        started = time.perf_counter()
        if old_ids and self.index.kind == "hnsw":
            self.sync_index()  # HNSW cannot delete in place; rebuild from the database's vectors
        else:
            self.index.remove(old_ids)
            if vectors is not None:
                self.index.add(new_ids, vectors)
        report.timings["index"] += time.perf_counter() - started
        for p, count in zip(group, counts):
            report.ok += 1
            report.triples += count
            report.chunks += len(p.chunks)
            report.pages += p.document.pages
            report.bytes += p.size
            if progress:
                progress(p.path, "ok")
        if report.ok % self.options.save_every < len(group):
            self.index.save()

    def _mark_pending(self, group: list[Prepared]) -> list[int]:
        """Mark the group's documents `pending` (creating rows for new ones); their old chunk ids."""
        with self._timed("database"), self.db.session() as session:
            docs = {d.uri: d for d in session.scalars(select(Document).where(Document.uri.in_([p.uri for p in group])))}
            for p in group:
                if p.uri not in docs:
                    docs[p.uri] = Document(uri=p.uri, iri=str(vocab.document_iri(p.uri)))
                    session.add(docs[p.uri])
                docs[p.uri].status = "pending"
            session.flush()
            ids = [d.id for d in docs.values()]
            return list(session.scalars(select(ChunkRow.id).where(ChunkRow.document_id.in_(ids))))

    def _commit(self, group: list[Prepared], counts: list[int], vectors: np.ndarray | None) -> list[int]:
        """Chunks (with vectors when computed), entity merges and status `ok`, in one transaction."""
        with self._timed("database"), self.db.session() as session:
            docs = {d.uri: d for d in session.scalars(select(Document).where(Document.uri.in_([p.uri for p in group])))}
            session.execute(delete(ChunkRow).where(ChunkRow.document_id.in_([d.id for d in docs.values()])))
            surfaces = {m.surface.lower() for p in group for m in p.merges}
            recorded = set(session.scalars(select(EntityMerge.surface).where(EntityMerge.surface.in_(surfaces))))
            rows: list[ChunkRow] = []
            for p, count in zip(group, counts):
                doc = docs[p.uri]
                for c in p.chunks:
                    blob = vectors[len(rows)].tobytes() if vectors is not None else None
                    rows.append(ChunkRow(document_id=doc.id, ord=c.ord, start=c.start, end=c.end, text=c.text,
                                         embedding=blob))
                for merge in p.merges:
                    if merge.surface.lower() not in recorded:
                        recorded.add(merge.surface.lower())
                        session.add(EntityMerge(surface=merge.surface.lower(), canonical=merge.canonical,
                                                entity_iri=str(merge.iri), method=merge.method, document_uri=p.uri))
                doc.sha256, doc.title, doc.media_type = p.sha256, p.document.title[:1000], p.document.media_type
                doc.size_bytes, doc.triples, doc.status, doc.error = p.size, count, "ok", None
            session.add_all(rows)
            session.flush()
            return [r.id for r in rows]

    @contextmanager
    def _timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            report = getattr(self, "_report", None)
            if report is not None:
                report.timings[stage] = report.timings.get(stage, 0.0) + time.perf_counter() - started

    def _drop_vectors(self, chunk_ids: list[int]) -> None:
        if self.index.kind == "hnsw":
            self.sync_index()
        else:
            self.index.remove(chunk_ids)


def sync_index(db: Database, index: VectorIndex) -> tuple[int, int]:
    """Make the FAISS index hold exactly the vectors the database keeps; (added, removed)."""
    with db.session() as session:
        rows = session.execute(select(ChunkRow.id, ChunkRow.embedding).join(Document)
                               .where(Document.status == "ok", ChunkRow.embedding.is_not(None))).all()
    stored = {cid: np.frombuffer(blob, dtype=np.float32) for cid, blob in rows}
    changed = index.sync(stored)
    if any(changed):
        index.save()
    return changed


def remove_document(store: KGStore, db: Database, index: VectorIndex, reference: str,
                    lock: WriterLock | None = None) -> bool:
    """Remove a document (by path, source URI or document IRI) from store, database and index;
    False when no ingested document matches. Needs no embedder."""
    with lock.held() if lock is not None else nullcontext():
        with db.session() as session:
            doc = find_document(session, reference)
            if doc is None:
                return False
            chunk_ids = [c.id for c in doc.chunks]
            store.remove_document(URIRef(doc.iri))
            session.delete(doc)
        if index.kind == "hnsw":
            sync_index(db, index)  # HNSW cannot delete in place; rebuild from the database's vectors
        else:
            index.remove(chunk_ids)
        index.save()
    return True


def from_settings(settings, store: KGStore, db: Database, embedder: Embedder, index: VectorIndex,
                  extractor_names: Sequence[str] | None = None, llm=None, vectors: bool = True) -> Pipeline:  # noqa: ANN001
    """A pipeline over opened parts, wired as the settings say (extractors, chunking, limits);
    `assistant.home.Home.pipeline` is the one caller outside tests of the pipeline itself."""
    from .extract import build_extractors

    names = list(extractor_names or settings.extractor_names)
    known = [(label, kind) for _, label, kind in store.entity_labels() if kind in _GAZETTEER_TYPES]
    extractors = build_extractors(names, entities=known, table_mapping=settings.table_mapping, llm=llm,
                                  learned_model=settings.extractor_model_dir,
                                  learned_threshold=settings.extractor_threshold)
    mb = 1024 * 1024
    limits = loaders.Limits(int(settings.max_file_mb * mb), settings.max_text_chars, int(settings.max_inflated_mb * mb))
    options = PipelineOptions(settings.chunk_size, settings.chunk_overlap, limits,
                              batch_docs=settings.ingest_batch_docs, vectors=vectors)
    return Pipeline(store, db, embedder, index, extractors, options, settings.merge_threshold,
                    WriterLock(settings.home / "writer.lock"))


_GAZETTEER_TYPES = frozenset({vocab.COMPANY, vocab.PERSON, vocab.DRUG, vocab.DISEASE})


def _reason(error: Exception) -> str:
    if isinstance(error, loaders.LoadError):
        return str(error)
    return f"{error.__class__.__name__}: {error}"
