"""The Extractor interface and what extractors return: triples over mentions, with span and confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, Union, runtime_checkable

from rdflib import Literal, URIRef

from ..chunking import Chunk
from ..loaders import LoadedDocument


@dataclass(frozen=True)
class Mention:
    """A named thing in the text: its surface form, character span and ontology class."""

    text: str
    start: int
    end: int
    type: URIRef


@dataclass(frozen=True)
class Node:
    """A thing without a mention of its own (e.g. one reported metric value), named by a stable key."""

    key: str
    type: URIRef
    label: str


Term = Union[Mention, Node, Literal]


@dataclass(frozen=True)
class Extraction:
    """One extracted triple. `start`/`end` is the evidence span (it contains both mentions)."""

    subject: Mention | Node
    predicate: URIRef
    object: Term
    start: int
    end: int
    confidence: float
    extractor: str


class Extractor(Protocol):
    """Reads a loaded document (and its chunks) and returns triples constrained to the ontology."""

    name: str

    def extract(self, document: LoadedDocument, chunks: Sequence[Chunk]) -> list[Extraction]: ...


@runtime_checkable
class BatchExtractor(Extractor, Protocol):
    """An extractor that is faster on several documents at once (a model batching their chunks)."""

    def extract_many(self, items: Sequence[tuple[LoadedDocument, Sequence[Chunk]]]) -> list[list[Extraction]]:
        """`extract` of each (document, chunks) pair, in order."""
