"""Statement-level provenance: which document, chunk, span and extractor produced a triple.

Model (documented in docs/provenance.md): each document's triples live in a named graph whose
name is the document IRI. Inside it, every asserted triple `s p o` is accompanied by an
*assertion node* using standard RDF reification (`rdf:subject/predicate/object`), typed
`kga:Assertion`, carrying `kga:inDocument`, `kga:inChunk`, `kga:charStart`, `kga:charEnd`,
`kga:extractor` and `kga:confidence`. Reification was chosen over RDF 1.2 triple terms because
it works unchanged on rdflib, Oxigraph, Fuseki and GraphDB and through SPARQL 1.1 Protocol.
A figure's observation node is the exception: its description (type, label, metric, unit, period,
statement, line, scale, dates) is read from the row its value is read from, so only its `kga:value`
triple (and the `kga:reportedMetric` edge to it) carries an assertion node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha1

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from . import vocab
from .sparql import PREFIXES
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
class Statement:
    """One triple a document states, with its provenance: what ingestion writes (an answer cites
    `assistant.graph.Fact`s, the facts read back with their labels)."""

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


def _statement(s: str, p: str, o: str) -> str:
    return f"{s} {p} {o}"


_T = {name: n3(term) for name, term in {
    "type": RDF.type, "subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object,
    "label": RDFS.label, "document": vocab.DOCUMENT, "source": vocab.SOURCE_URI, "sha256": vocab.SHA256,
    "label_key": vocab.LABEL_KEY, "assertion": vocab.ASSERTION, "in_document": vocab.IN_DOCUMENT,
    "extractor": vocab.EXTRACTOR, "confidence": vocab.CONFIDENCE, "in_chunk": vocab.IN_CHUNK,
    "start": vocab.CHAR_START, "end": vocab.CHAR_END}.items()}
_INTEGER, _DECIMAL = f"^^<{XSD.integer}>", f"^^<{XSD.decimal}>"
_LABELS = (vocab.LABEL, vocab.ALT_LABEL)


def assertion_iri(fact: Statement) -> URIRef:
    return _assertion_iri(fact, n3(fact.object))


def _assertion_iri(fact: Statement, obj: str) -> URIRef:
    p = fact.provenance
    key = "\x1f".join(map(str, (p.document, fact.subject, fact.predicate, obj, p.chunk, p.start, p.end, p.extractor)))
    return vocab.ID[f"assertion/{sha1(key.encode()).hexdigest()}"]


def document_statements(doc: DocumentInfo, facts: Iterable[Statement]) -> list[str]:
    """A document's named graph as N-Triples statements `s p o` (no final dot), without duplicates:
    its metadata, the facts, label keys, and one assertion node per fact but a figure's description
    (see the module docstring).

    Statements are built as text, not rdflib terms: this is the ingestion hot path (about eleven
    statements per fact), and every store write takes N-Triples/SPARQL text anyway.
    """
    t = _T
    d = n3(doc.iri)
    facts = list(facts)
    described = {f.subject for f in facts if f.predicate == RDF.type and f.object == vocab.METRIC_OBSERVATION}
    out: dict[str, None] = {_statement(d, t["type"], t["document"]): None,
                            _statement(d, t["source"], n3(Literal(doc.uri))): None}
    if doc.sha256:
        out[_statement(d, t["sha256"], n3(Literal(doc.sha256)))] = None
    if doc.title:
        out[_statement(d, t["label"], n3(Literal(doc.title)))] = None
    for fact in facts:
        s, p, o = n3(fact.subject), n3(fact.predicate), n3(fact.object)
        out[_statement(s, p, o)] = None
        if fact.predicate in _LABELS and isinstance(fact.object, Literal):
            out[_statement(s, t["label_key"], n3(Literal(vocab.label_key(str(fact.object)))))] = None
        if fact.subject in described and fact.predicate != vocab.VALUE:
            continue  # read from the row its value was read from: the value's assertion covers it
        prov = fact.provenance
        a = n3(_assertion_iri(fact, o))
        out[f"{a} {t['type']} {t['assertion']}"] = None
        out[f"{a} {t['subject']} {s}"] = None
        out[f"{a} {t['predicate']} {p}"] = None
        out[f"{a} {t['object']} {o}"] = None
        out[f"{a} {t['in_document']} {n3(prov.document)}"] = None
        out[f"{a} {t['extractor']} {n3(Literal(prov.extractor))}"] = None
        out[f'{a} {t["confidence"]} "{Decimal(str(round(prov.confidence, 4)))}"{_DECIMAL}'] = None
        if prov.chunk is not None:
            out[f"{a} {t['in_chunk']} {n3(prov.chunk)}"] = None
        if prov.start is not None and prov.end is not None:
            out[f'{a} {t["start"]} "{int(prov.start)}"{_INTEGER}'] = None
            out[f'{a} {t["end"]} "{int(prov.end)}"{_INTEGER}'] = None
    return list(out)


#: One query traces a triple to its document, chunk, span, extractor and confidence.
#: Bind ?s ?p ?o; works whether or not the endpoint treats the default graph as the union.
PROVENANCE_QUERY = PREFIXES + """\
SELECT ?document ?chunk ?start ?end ?extractor ?confidence WHERE {
  GRAPH ?g {
    ?assertion rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
               kga:inDocument ?document ; kga:extractor ?extractor ; kga:confidence ?confidence .
    OPTIONAL { ?assertion kga:inChunk ?chunk }
    OPTIONAL { ?assertion kga:charStart ?start ; kga:charEnd ?end }
  }
}
ORDER BY ?document ?start"""
