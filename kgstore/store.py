"""The KGStore protocol every layer uses, its result types, and `open_store` to pick a backend.

`SparqlStore` implements the protocol on top of three primitives (run a query, run an update,
bulk-insert triples), so a backend is a small class: `oxigraph.EmbeddedStore` (on-disk Oxigraph
through pyoxigraph, also exposed to rdflib via oxrdflib) and `endpoint.EndpointStore` (any
SPARQL 1.1 Protocol server).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib import Graph, Literal, URIRef

from . import vocab
from .errors import ReadOnlyError
from .provenance import PROVENANCE_QUERY, DocumentInfo, Fact, document_statements
from .settings import Settings
from .sparql import CheckedQuery, QueryResult, bind, check_query
from .terms import Term, Triple, n3


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

    def put_document(self, doc: DocumentInfo, facts: Iterable[Fact]) -> int:
        """Add a document's triples, atomically replacing any earlier version; returns triples written."""

    def put_documents(self, docs: Sequence[tuple[DocumentInfo, Iterable[Fact]]]) -> list[int]:
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


_UNCAPPED = 100_000_000
_PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kga: <https://w3id.org/kgassist/ontology#>
"""
# Internal templates name graphs explicitly (GRAPH ?g), so they do not depend on whether an
# endpoint treats its default graph as the union of named graphs.
_ENTITY_EXACT = _PREFIXES + """SELECT DISTINCT ?entity ?matched WHERE {
  GRAPH ?g { ?entity kga:labelKey ?key . }
  GRAPH ?h { ?entity rdfs:label|skos:altLabel ?matched . }
} LIMIT 100"""
_ENTITY_CONTAINS = _PREFIXES + """SELECT DISTINCT ?entity ?key WHERE {
  GRAPH ?g { ?entity kga:labelKey ?key . }
  FILTER(CONTAINS(?key, ?needle))
} LIMIT 200"""
_ENTITY_DETAILS = _PREFIXES + """SELECT ?label ?type WHERE {
  OPTIONAL { GRAPH ?g1 { ?entity rdfs:label ?label } }
  OPTIONAL { GRAPH ?g2 { ?entity rdf:type ?type } }
} LIMIT 50"""
_OUTGOING = _PREFIXES + "SELECT DISTINCT ?p ?o WHERE { GRAPH ?g { ?entity ?p ?o } }"
_INCOMING = _PREFIXES + "SELECT DISTINCT ?s ?p WHERE { GRAPH ?g { ?s ?p ?entity } }"
_STATS = _PREFIXES + """SELECT
  (COUNT(*) AS ?quads)
  (SUM(IF(?p = rdf:type && ?o = kga:Assertion, 1, 0)) AS ?assertions)
  (SUM(IF(?p = rdf:type && ?o = kga:Document, 1, 0)) AS ?documents)
  (COUNT(DISTINCT ?g) AS ?graphs)
WHERE { GRAPH ?g { ?s ?p ?o } }"""
_ENTITY_COUNT = _PREFIXES + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e kga:labelKey ?k } }"
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_DOCUMENTS = _PREFIXES + "SELECT DISTINCT ?d WHERE { GRAPH ?d { ?d a kga:Document } } ORDER BY ?d"
_ENTITY_LABELS = _PREFIXES + """SELECT DISTINCT ?e ?label ?type WHERE {
  GRAPH ?g { ?e kga:labelKey ?k ; rdfs:label|skos:altLabel ?label . ?e a ?type . }
}"""
_ASSERTIONS = _PREFIXES + """SELECT ?s ?p ?o ?document ?chunk ?start ?end ?extractor ?confidence WHERE {
  GRAPH ?g {
    ?a a kga:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
       kga:inDocument ?document ; kga:extractor ?extractor ; kga:confidence ?confidence .
    OPTIONAL { ?a kga:inChunk ?chunk }
    OPTIONAL { ?a kga:charStart ?start ; kga:charEnd ?end }
  }
} ORDER BY ?document ?start ?s ?p ?o"""
_GRAPH_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
_TRIPLES = _PREFIXES + """SELECT DISTINCT ?s ?p ?o WHERE {
  GRAPH ?g { ?a a kga:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . }
}"""


class SparqlStore(ABC):
    """KGStore on top of three backend primitives; subclasses may override hot paths."""

    def __init__(self, *, limit_cap: int = 1000, timeout_s: float = 10.0, read_only: bool = False):
        self.limit_cap = limit_cap
        self.timeout_s = timeout_s
        self.read_only = read_only

    # -- backend primitives -------------------------------------------------------------
    @abstractmethod
    def _run(self, query: CheckedQuery, text: str, timeout: float) -> QueryResult:
        """Execute already-checked query `text`, returning at most `query.max_rows` (+1 to flag truncation)."""

    @abstractmethod
    def _update(self, update: str) -> None:
        """Execute one SPARQL update request atomically."""

    @abstractmethod
    def _insert(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        """Insert triples into `graph` as fast as the backend allows (not necessarily atomic)."""

    def close(self) -> None:
        pass

    # -- reads ------------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, object] | None = None, *,
              limit: int | None = None, timeout: float | None = None) -> QueryResult:
        checked = check_query(sparql, min(limit or self.limit_cap, self.limit_cap))
        return self._run(checked, bind(checked, bindings), timeout or self.timeout_s)

    def _internal(self, sparql: str, bindings: Mapping[str, object] | None = None) -> QueryResult:
        """Run one of kgassist's own templates: same checks and binding, no row cap, long timeout."""
        checked = check_query(sparql, _UNCAPPED)
        return self._run(checked, bind(checked, bindings), max(self.timeout_s, 600.0))

    def find_entities(self, text: str, limit: int = 10) -> list[EntityMatch]:
        key = vocab.label_key(text)
        if not key:
            return []
        scored: dict[URIRef, tuple[float, str]] = {}
        for row in self._internal(_ENTITY_EXACT, {"key": Literal(key)}).rows:
            if vocab.label_key(str(row["matched"])) == key:
                scored[row["entity"]] = (1.0, str(row["matched"]))
        if len(scored) < limit:
            for row in self._internal(_ENTITY_CONTAINS, {"needle": Literal(key)}).rows:
                entity, found = row["entity"], str(row["key"])
                score = round(len(key) / max(len(found), 1), 4)
                if entity not in scored or scored[entity][0] < score:
                    scored[entity] = (score, found)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], str(kv[0])))[:limit]
        return [self._entity_match(iri, score, matched) for iri, (score, matched) in ranked]

    def _entity_match(self, iri: URIRef, score: float, matched: str) -> EntityMatch:
        rows = self._internal(_ENTITY_DETAILS, {"entity": iri}).rows
        labels = sorted({str(r["label"]) for r in rows if r.get("label") is not None})
        types = tuple(sorted({r["type"] for r in rows if r.get("type") is not None}))
        return EntityMatch(iri, labels[0] if labels else matched, matched, score, types)

    def neighbourhood(self, entity: URIRef, hops: int = 1, limit: int = 200) -> list[Edge]:
        edges: dict[tuple, Edge] = {}
        frontier, seen = [entity], {entity}
        for hop in range(1, max(1, min(hops, 2)) + 1):
            next_frontier: list[URIRef] = []
            for node in frontier:
                for s, p, o in self._edges_of(node):
                    if len(edges) >= limit:
                        return list(edges.values())
                    edges.setdefault((s, p, o), Edge(s, p, o, hop))
                    other = o if s == node else s
                    if isinstance(other, URIRef) and other not in seen:
                        seen.add(other)
                        next_frontier.append(other)
            frontier = next_frontier
        return list(edges.values())

    def _edges_of(self, node: URIRef) -> Iterator[Triple]:
        for row in self._internal(_OUTGOING, {"entity": node}).rows:
            if _is_domain_edge(node, row["p"], row["o"]):
                yield node, row["p"], row["o"]
        for row in self._internal(_INCOMING, {"entity": node}).rows:
            if _is_domain_edge(row["s"], row["p"], node):
                yield row["s"], row["p"], node

    def provenance(self, subject: URIRef, predicate: URIRef, obj: Term) -> list[ProvenanceRecord]:
        rows = self._internal(PROVENANCE_QUERY, {"s": subject, "p": predicate, "o": obj}).rows
        return [_provenance(r) for r in rows]

    def entity_labels(self) -> Iterator[tuple[URIRef, str, URIRef]]:
        for r in self._internal(_ENTITY_LABELS).rows:
            yield r["e"], str(r["label"]), r["type"]

    def assertions(self, document: URIRef | None = None) -> Iterator[Assertion]:
        rows = self._internal(_ASSERTIONS, {"g": document} if document is not None else None).rows
        for r in rows:
            yield Assertion(r["s"], r["p"], r["o"], _provenance(r))

    def graph_triples(self, graph: URIRef | None = None) -> Iterator[Triple]:
        for r in self._internal(_GRAPH_TRIPLES, {"g": graph} if graph is not None else None).rows:
            yield r["s"], r["p"], r["o"]

    def stats(self) -> StoreStats:
        row = self._internal(_STATS).rows[0]
        entities = self._internal(_ENTITY_COUNT).rows[0]["n"]
        num = lambda name: int(row[name]) if row.get(name) is not None else 0  # noqa: E731
        return StoreStats(quads=num("quads"), assertions=num("assertions"), documents=num("documents"),
                          entities=int(entities), graphs=num("graphs"))

    def documents(self) -> list[URIRef]:
        return [r["d"] for r in self._internal(_DOCUMENTS).rows]

    def triples(self) -> Iterator[Triple]:
        for r in self._internal(_TRIPLES).rows:
            yield r["s"], r["p"], r["o"]

    def graph_sizes(self) -> dict[URIRef, int]:
        return {r["g"]: int(r["n"]) for r in self._internal(_GRAPH_SIZES).rows}

    # -- writes -----------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("The store is open read-only (KGASSIST_READ_ONLY); writes are disabled.")

    def put_document(self, doc: DocumentInfo, facts: Iterable[Fact]) -> int:
        return self.put_documents([(doc, facts)])[0]

    def put_documents(self, docs: Sequence[tuple[DocumentInfo, Iterable[Fact]]]) -> list[int]:
        self._check_writable()
        graphs = {doc.iri: document_statements(doc, facts) for doc, facts in docs}
        if graphs:
            self._replace(graphs)
        return [len(graphs[doc.iri]) for doc, _ in docs]

    def _replace(self, graphs: Mapping[URIRef, Sequence[str]]) -> None:
        """Replace each named graph with its N-Triples statements, all in one atomic write."""
        self._update(replace_graphs_update(graphs))

    def remove_document(self, doc: URIRef) -> None:
        self._check_writable()
        self._update(f"DROP SILENT GRAPH {n3(doc)}")

    def bulk_load(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        self._check_writable()
        return self._insert(graph, triples)

    def import_file(self, path: Path, graph: URIRef | None = None) -> None:
        self._check_writable()
        parsed = Graph().parse(str(path))
        if graph is not None:
            self._insert(graph, parsed)
            return
        items = list(parsed)
        for start in range(0, len(items), 20_000):
            body = "\n".join(f"{n3(s)} {n3(p)} {n3(o)} ." for s, p, o in items[start:start + 20_000])
            self._update(f"INSERT DATA {{\n{body}\n}}")

    def load_ontology(self) -> None:
        self._check_writable()
        graph = Graph().parse(data=vocab.ontology_turtle(), format="turtle")
        self._replace({vocab.ONTOLOGY_GRAPH: [f"{n3(s)} {n3(p)} {n3(o)}" for s, p, o in graph]})


def replace_graphs_update(graphs: Mapping[URIRef, Sequence[str]]) -> str:
    """One SPARQL update that atomically replaces each graph with its statements (safely serialised terms)."""
    drops = " ;\n".join(f"DROP SILENT GRAPH {n3(g)}" for g in graphs)
    bodies = "\n".join(f"GRAPH {n3(g)} {{\n" + " .\n".join(statements) + "\n}" for g, statements in graphs.items())
    return f"{drops} ;\nINSERT DATA {{\n{bodies}\n}}"


def _provenance(r: Mapping[str, Term]) -> ProvenanceRecord:
    return ProvenanceRecord(
        document=r["document"], chunk=r.get("chunk"),
        start=int(r["start"]) if r.get("start") is not None else None,
        end=int(r["end"]) if r.get("end") is not None else None,
        extractor=str(r["extractor"]), confidence=float(r["confidence"]))


def _is_domain_edge(s: Term, p: URIRef, o: Term) -> bool:
    return p not in vocab.META_PREDICATES and o != vocab.ASSERTION


def split_credentials(url: str) -> tuple[str, str, str]:
    """`http://user:pass@host/q` -> (`http://host/q`, user, pass): credentials travel only as an
    Authorization header, so no URL that reaches a log or an error message carries them."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username is None:
        return url, "", ""
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return (urlunsplit(parts._replace(netloc=netloc)), unquote(parts.username), unquote(parts.password or ""))


def open_store(settings: Settings, *, read_only: bool | None = None) -> KGStore:
    """The store named by settings: a SPARQL endpoint for http(s) URLs, else embedded Oxigraph:
    through its host's loopback server while a host serves it (`kgstore.share`), else in-process."""
    ro = settings.read_only if read_only is None else read_only
    common = dict(limit_cap=settings.sparql_limit, timeout_s=settings.sparql_timeout_s, read_only=ro)
    if settings.is_endpoint:
        from .endpoint import EndpointStore

        (query_url, user, password), (update_url, _, _) = map(split_credentials, (settings.store_url,
                                                                                settings.update_url))
        return EndpointStore(query_url, update_url, user=settings.store_user or user,
                             password=settings.store_password.get_secret_value() or password, **common)
    from . import share
    from .endpoint import EndpointStore
    from .errors import StoreBusyError
    from .oxigraph import EmbeddedStore

    for _ in range(2):  # a host may start between looking for it and opening the folder
        host = share.serving(settings.store_path)
        if host is not None:
            return EndpointStore(f"{host.url}/query", f"{host.url}/update", **common)
        try:
            return EmbeddedStore(settings.store_path, **common)
        except StoreBusyError:
            if share.serving(settings.store_path) is None:
                raise
    raise StoreBusyError(share.busy_message(settings.store_path))
