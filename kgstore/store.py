"""The KGStore protocol every layer uses, and the plain result types that cross it.

`sparqlstore.SparqlStore` implements it on top of three primitives; `oxigraph.EmbeddedStore` and
`endpoint.EndpointStore` are the backends; `backends.open_store` picks one from the settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import URIRef

from .provenance import DocumentInfo, Statement
from .sparql import QueryResult
from .terms import Term, Triple


@dataclass(frozen=True)
class EntityMatch:
    iri: URIRef
    label: str
    matched: str
    score: float
    types: tuple[URIRef, ...] = ()


@dataclass(frozen=True)
class Edge:
    subject: URIRef
    predicate: URIRef
    object: Term
    hop: int = 1


@dataclass(frozen=True)
class StoreStats:
    """Counts over the named graphs (documents, ontology, named imports)."""

    quads: int
    assertions: int
    documents: int
    entities: int
    graphs: int


@dataclass(frozen=True)
class ProvenanceRecord:
    document: URIRef
    chunk: URIRef | None
    start: int | None
    end: int | None
    extractor: str
    confidence: float


@dataclass(frozen=True)
class Assertion:
    """An asserted triple and where it came from."""

    subject: URIRef
    predicate: URIRef
    object: Term
    provenance: ProvenanceRecord


@runtime_checkable
class KGStore(Protocol):
    """What the rest of kgassist may ask of an RDF store."""

    read_only: bool

    def put_document(self, doc: DocumentInfo, facts: Iterable[Statement]) -> int:
        """Add a document's triples, atomically replacing any earlier version; returns triples written."""

    def put_documents(self, docs: Sequence[tuple[DocumentInfo, Iterable[Statement]]]) -> list[int]:
        """`put_document` for several documents in one atomic write (batch ingestion)."""

    def remove_document(self, doc: URIRef) -> None: ...
    def documents(self) -> list[URIRef]: ...
    def bulk_load(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        """Fast, non-atomic load of plain triples into one graph (large imports, benchmarks)."""

    def import_file(self, path: Path, graph: URIRef | None = None) -> None:
        """Load an RDF file (N-Triples, N-Quads, Turtle, TriG, RDF/XML) as reference data, without
        per-statement provenance: into `graph`, or the default graph when None."""

    def query(self, sparql: str, bindings: Mapping[str, object] | None = None, *,
              limit: int | None = None, timeout: float | None = None) -> QueryResult:
        """Run a read-only, bounded query; user text goes in `bindings`, never into `sparql`."""

    def find_entities(self, text: str, limit: int = 10) -> list[EntityMatch]: ...
    def neighbourhood(self, entity: URIRef, hops: int = 1, limit: int = 200) -> list[Edge]: ...
    def provenance(self, subject: URIRef, predicate: URIRef, obj: Term) -> list[ProvenanceRecord]: ...
    def stats(self) -> StoreStats: ...
    def entity_labels(self) -> Iterator[tuple[URIRef, str, URIRef]]:
        """(entity, label or alias, class) for every labelled entity, e.g. to build a gazetteer."""

    def assertions(self, document: URIRef | None = None) -> Iterator[Assertion]:
        """Every asserted triple with its provenance, of one document or all."""

    def graph_triples(self, graph: URIRef | None = None) -> Iterator[Triple]:
        """All triples (provenance included) of one named graph, or of all named graphs."""

    def triples(self) -> Iterator[Triple]:
        """Every distinct asserted domain triple (no provenance or bookkeeping), e.g. for KGE training."""

    def graph_sizes(self) -> dict[URIRef, int]:
        """Every named graph and the triples in it (consistency checks: `kgassist doctor`)."""

    def load_ontology(self) -> None: ...
    def close(self) -> None: ...
