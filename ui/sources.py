"""Cited documents as the app shows them: a title or file name instead of the document IRI, the
text rebuilt from the stored chunks, and the sentence (or, in a table, the row) around a span."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from sqlalchemy import or_, select

from assistant.text import terms
from ingestion.chunking import sentences
from kgstore.db import Chunk, Document

#: Media types whose text is one record per line: a cited span is shown with its row.
TABLE_TYPES = frozenset({"text/csv", "text/tab-separated-values", "application/jsonl"})
#: How far around a span the chunks are read to find its whole sentence or row.
_MARGIN = 1000
#: A table excerpt shows at most this many rows (a span that covers more is cut off).
_MAX_ROWS = 3


@dataclass(frozen=True)
class Source:
    """A stored document, named for people."""

    id: int
    iri: str
    uri: str
    name: str  # its title, else its file name
    media_type: str | None

    @property
    def table(self) -> bool:
        return self.media_type in TABLE_TYPES


@dataclass(frozen=True)
class Text:
    """Part of a document's text, from document offset `start`."""

    start: int
    text: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def part(self, start: int, end: int) -> Text:
        """The text between document offsets start and end (clipped to what is here)."""
        start, end = max(start, self.start), min(end, self.end)
        return Text(start, self.text[start - self.start:max(start, end) - self.start])


@dataclass(frozen=True)
class Cited:
    """A span of a document, with the sentence or row around it and the chunk(s) holding it."""

    source: Source
    start: int
    end: int
    context: Text  # the sentence(s) or table row(s) around the span
    chunk: Text    # the whole stored chunk(s) the span lies in


def source(database: Any, reference: str) -> Source | None:
    """The document with this IRI or source URI."""
    with database.session() as session:
        row = session.scalars(select(Document).where(
            or_(Document.iri == reference, Document.uri == reference)).limit(1)).first()
        if row is None:
            return None
        return Source(row.id, row.iri, row.uri, row.title or PurePath(row.uri).name or row.uri, row.media_type)


def name(database: Any, reference: str) -> str:
    """The title or file name of a document, for a provenance line; never its opaque IRI."""
    found = source(database, reference) if database is not None else None
    return found.name if found else "a document no longer in the database"


def document_text(database: Any, doc: Source, start: int = 0, end: int | None = None) -> Text:
    """The document's text rebuilt from its stored chunks (those overlapping [start, end))."""
    query = select(Chunk.start, Chunk.text).where(Chunk.document_id == doc.id, Chunk.end >= start)
    if end is not None:
        query = query.where(Chunk.start <= end)
    with database.session() as session:
        return stitch(session.execute(query.order_by(Chunk.start)).all())


def stitch(chunks: list[tuple[int, str]]) -> Text:
    """Chunks (start offset, text), in order, as one text: overlaps merged, gaps filled with a space
    (a line break when several characters are missing)."""
    if not chunks:
        return Text(0, "")
    first, parts = chunks[0][0], []
    end = first
    for start, text in chunks:
        if start > end:
            parts.append(" " if start - end == 1 else "\n" * (start - end))
        parts.append(text[max(0, end - start):])
        end = max(end, start + len(text))
    return Text(first, "".join(parts))


def cited(database: Any, reference: str, start: int | None, end: int | None) -> Cited | None:
    """The span [start, end) of a document, with its sentence or row and its chunk(s)."""
    doc = source(database, reference) if database is not None else None
    if doc is None or start is None or end is None:
        return None
    window = document_text(database, doc, start - _MARGIN, end + _MARGIN)
    if not window.text or end <= window.start or start >= window.end:
        return None
    with database.session() as session:
        holding = session.execute(select(Chunk.start, Chunk.text).where(
            Chunk.document_id == doc.id, Chunk.end > start, Chunk.start < max(end, start + 1))
            .order_by(Chunk.start)).all()
    return Cited(doc, start, end, context(window, start, end, table=doc.table), stitch(holding))


def units(text: str, *, table: bool) -> list[tuple[int, int]]:
    """The spans of the sentences of `text`, or of its lines in a table."""
    if not table:
        return [(s.start, s.end) for s in sentences(text)]
    spans, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


def context(text: Text, start: int, end: int, *, table: bool) -> Text:
    """The sentences around [start, end) of `text`; in a table, its rows (at most a few)."""
    spans = [(a + text.start, b + text.start) for a, b in units(text.text, table=table)]
    around = [(a, b) for a, b in spans if a < max(end, start + 1) and b > start][:_MAX_ROWS if table else None]
    if not around:
        return text.part(start, end)
    return text.part(around[0][0], around[-1][1])


def best_sentence(text: str, claims: list[str], *, table: bool = False) -> tuple[int, int]:
    """The sentence (row, in a table) of `text` sharing most words with `claims`; else the first."""
    spans = units(text, table=table)
    if not spans:
        return 0, len(text)
    wanted = {t for claim in claims for t in terms(claim)}
    return max(spans, key=lambda s: (len(wanted & set(terms(text[s[0]:s[1]]))), -s[0]))
