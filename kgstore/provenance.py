"""Statement-level provenance: which document, chunk, span and extractor produced a triple.

Model (documented in docs/provenance.md): each document's triples live in a named graph whose
name is the document IRI. Inside it, every asserted triple `s p o` is accompanied by an
*assertion node* using standard RDF reification (`rdf:subject/predicate/object`), typed
`kga:Assertion`, carrying `kga:inDocument`, `kga:inChunk`, `kga:charStart`, `kga:charEnd`,
`kga:extractor` and `kga:confidence`. Reification was chosen over RDF 1.2 triple terms because
it works unchanged on rdflib, Oxigraph, Fuseki and GraphDB and through SPARQL 1.1 Protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha1

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from . import vocab
from .terms import Term, n3


@dataclass(frozen=True)
class Provenance:
    """Where and how a triple was found. Offsets are character offsets into the document text."""

    document: URIRef
    extractor: str
    confidence: float = 1.0
    chunk: URIRef | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Fact:
    """One asserted triple with its provenance."""

    subject: URIRef
    predicate: URIRef
    object: Term
    provenance: Provenance


@dataclass(frozen=True)
class DocumentInfo:
    """What the store records about a document in its named graph."""

    iri: URIRef
    uri: str
    sha256: str = ""
    title: str = ""


def assertion_iri(fact: Fact) -> URIRef:
    p = fact.provenance
    key = "\x1f".join(map(str, (p.document, fact.subject, fact.predicate, n3(fact.object),
                                 p.chunk, p.start, p.end, p.extractor)))
    return vocab.ID[f"assertion/{sha1(key.encode()).hexdigest()}"]


def document_triples(doc: DocumentInfo, facts: Iterable[Fact]) -> Iterator[tuple[Term, URIRef, Term]]:
    """All triples of a document's named graph: metadata, facts, label keys and assertion nodes."""
    yield doc.iri, RDF.type, vocab.DOCUMENT
    yield doc.iri, vocab.SOURCE_URI, Literal(doc.uri)
    if doc.sha256:
        yield doc.iri, vocab.SHA256, Literal(doc.sha256)
    if doc.title:
        yield doc.iri, RDFS.label, Literal(doc.title)
    for fact in facts:
        yield fact.subject, fact.predicate, fact.object
        if fact.predicate in (vocab.LABEL, vocab.ALT_LABEL) and isinstance(fact.object, Literal):
            yield fact.subject, vocab.LABEL_KEY, Literal(vocab.label_key(str(fact.object)))
        a, p = assertion_iri(fact), fact.provenance
        yield a, RDF.type, vocab.ASSERTION
        yield a, RDF.subject, fact.subject
        yield a, RDF.predicate, fact.predicate
        yield a, RDF.object, fact.object
        yield a, vocab.IN_DOCUMENT, p.document
        yield a, vocab.EXTRACTOR, Literal(p.extractor)
        yield a, vocab.CONFIDENCE, Literal(Decimal(str(round(p.confidence, 4))), datatype=XSD.decimal)
        if p.chunk is not None:
            yield a, vocab.IN_CHUNK, p.chunk
        if p.start is not None and p.end is not None:
            yield a, vocab.CHAR_START, Literal(p.start)
            yield a, vocab.CHAR_END, Literal(p.end)


#: One query traces a triple to its document, chunk, span, extractor and confidence.
#: Bind ?s ?p ?o; works whether or not the endpoint treats the default graph as the union.
PROVENANCE_QUERY = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX kga: <https://w3id.org/kgassist/ontology#>
SELECT ?document ?chunk ?start ?end ?extractor ?confidence WHERE {
  GRAPH ?g {
    ?assertion rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
               kga:inDocument ?document ; kga:extractor ?extractor ; kga:confidence ?confidence .
    OPTIONAL { ?assertion kga:inChunk ?chunk }
    OPTIONAL { ?assertion kga:charStart ?start ; kga:charEnd ?end }
  }
}
ORDER BY ?document ?start"""
