"""SQLAlchemy ORM models of the metadata and audit database (migrations in db/migrations)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Document(Base):
    """A source document; `status` is pending while being ingested, then ok, failed or removed."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uri: Mapped[str] = mapped_column(String(2048), unique=True)
    iri: Mapped[str] = mapped_column(String(512), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(1024))
    media_type: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    triples: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    chunks: Mapped[list[Chunk]] = relationship(back_populates="document", cascade="all, delete-orphan",
                                               order_by="Chunk.ord")


def find_document(session, reference: str) -> Document | None:  # noqa: ANN001 - a SQLAlchemy Session
    """A document by source path (as given or resolved), source URI or document IRI."""
    from pathlib import Path

    from sqlalchemy import or_, select

    candidates = [reference, str(Path(reference).expanduser().resolve())]
    return session.scalars(select(Document).where(
        or_(Document.uri.in_(candidates), Document.iri == reference))).first()


class Chunk(Base):
    """A span of a document's text; start/end are character offsets into the whole document."""

    __tablename__ = "chunks"
    __table_args__ = (UniqueConstraint("document_id", "ord"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    ord: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    #: float32 vector; the database is the source of truth, the FAISS index a derived cache.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    document: Mapped[Document] = relationship(back_populates="chunks")


class EntityMerge(Base):
    """A surface form resolved onto a differently named entity; `reverted` makes it stand alone again."""

    __tablename__ = "entity_merges"
    __table_args__ = (UniqueConstraint("surface"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    surface: Mapped[str] = mapped_column(String(512))
    canonical: Mapped[str] = mapped_column(String(512))
    entity_iri: Mapped[str] = mapped_column(String(512))
    method: Mapped[str] = mapped_column(String(32))
    document_uri: Mapped[str | None] = mapped_column(String(2048))
    reverted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IngestionRun(Base):
    __tablename__ = "ingestion_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running")
    ok: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    triples: Mapped[int] = mapped_column(Integer, default=0)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Answer(Base):
    """One answered question, with everything needed to audit it later. Append-only and hash-chained
    (`chain.append` seals it; database triggers refuse updates and deletes)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("seq", name="uq_answers_seq"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    found: Mapped[bool] = mapped_column(Boolean, default=True)
    verdict: Mapped[str | None] = mapped_column(String(8))
    model: Mapped[str] = mapped_column(String(256))
    backend: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: the cited facts as triples with labels and provenance, as they were when answered
    facts: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    queries: Mapped[list[AnswerQuery]] = relationship(cascade="all, delete-orphan", order_by="AnswerQuery.ord")
    passages: Mapped[list[RetrievedChunk]] = relationship(cascade="all, delete-orphan",
                                                          order_by="RetrievedChunk.rank")
    claims: Mapped[list[ClaimCheck]] = relationship(cascade="all, delete-orphan", order_by="ClaimCheck.ord")


class AuditHead(Base):
    """The one row holding the audit chain's last sequence number and hash."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class AnswerQuery(Base):
    """A SPARQL query behind an answer: re-runnable text, bound values and a digest of its result."""

    __tablename__ = "answer_queries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    ord: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(64))
    sparql: Mapped[str] = mapped_column(Text)
    bindings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result_digest: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    #: the result as SPARQL Results JSON, so a re-run can say what changed
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class RetrievedChunk(Base):
    """A passage retrieved for an answer. Document and span are copied so the record outlives the chunk."""

    __tablename__ = "retrieved_chunks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    chunk_id: Mapped[int | None] = mapped_column(ForeignKey("chunks.id", ondelete="SET NULL"))
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    document_uri: Mapped[str] = mapped_column(String(2048))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class ClaimCheck(Base):
    """Verification of one sentence of an answer against its cited facts and passages."""

    __tablename__ = "claim_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    ord: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[str] = mapped_column(Text)
    supported: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(default=list)


