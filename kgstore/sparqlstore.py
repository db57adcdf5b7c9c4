"""The KGStore protocol implemented once over SPARQL, on three backend primitives (run a query,
run an update, bulk-insert triples): a backend is a small subclass that may override hot paths."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import templates as T
from . import vocab
from .errors import ReadOnlyError
from .provenance import PROVENANCE_QUERY, DocumentInfo, Statement, document_statements
from .sparql import CheckedQuery, QueryResult, bind, check_query
from .store import Assertion, Edge, EntityMatch, ProvenanceRecord, StoreStats
from .terms import Term, Triple, n3

#: The row cap of kgassist's own queries (its templates bound their results themselves).
UNCAPPED = 100_000_000


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
        checked = check_query(sparql, UNCAPPED)
        return self._run(checked, bind(checked, bindings), max(self.timeout_s, 600.0))

    def find_entities(self, text: str, limit: int = 10) -> list[EntityMatch]:
        key = vocab.label_key(text)
        if not key:
            return []
        scored: dict[URIRef, tuple[float, str]] = {}
        for row in self._internal(T.ENTITY_EXACT, {"key": Literal(key)}).rows:
            if vocab.label_key(str(row["matched"])) == key:
                scored[row["entity"]] = (1.0, str(row["matched"]))
        if len(scored) < limit:
            for row in self._internal(T.ENTITY_CONTAINS, {"needle": Literal(key)}).rows:
                entity, found = row["entity"], str(row["key"])
                score = round(len(key) / max(len(found), 1), 4)
                if entity not in scored or scored[entity][0] < score:
                    scored[entity] = (score, found)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], str(kv[0])))[:limit]
        return [self._entity_match(iri, score, matched) for iri, (score, matched) in ranked]

    def _entity_match(self, iri: URIRef, score: float, matched: str) -> EntityMatch:
        rows = self._internal(T.ENTITY_DETAILS, {"entity": iri}).rows
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
        for row in self._internal(T.OUTGOING, {"entity": node}).rows:
            if is_domain_edge(node, row["p"], row["o"]):
                yield node, row["p"], row["o"]
        for row in self._internal(T.INCOMING, {"entity": node}).rows:
            if is_domain_edge(row["s"], row["p"], node):
                yield row["s"], row["p"], node

    def provenance(self, subject: URIRef, predicate: URIRef, obj: Term) -> list[ProvenanceRecord]:
        rows = self._internal(PROVENANCE_QUERY, {"s": subject, "p": predicate, "o": obj}).rows
        return [provenance_record(r) for r in rows]

    def entity_labels(self) -> Iterator[tuple[URIRef, str, URIRef]]:
        for r in self._internal(T.ENTITY_LABELS).rows:
            yield r["e"], str(r["label"]), r["type"]

    def assertions(self, document: URIRef | None = None) -> Iterator[Assertion]:
        rows = self._internal(T.ASSERTIONS, {"g": document} if document is not None else None).rows
        for r in rows:
            yield Assertion(r["s"], r["p"], r["o"], provenance_record(r))

    def graph_triples(self, graph: URIRef | None = None) -> Iterator[Triple]:
        for r in self._internal(T.GRAPH_TRIPLES, {"g": graph} if graph is not None else None).rows:
            yield r["s"], r["p"], r["o"]

    def stats(self) -> StoreStats:
        row = self._internal(T.STATS).rows[0]
        entities = self._internal(T.ENTITY_COUNT).rows[0]["n"]
        num = lambda name: int(row[name]) if row.get(name) is not None else 0  # noqa: E731
        return StoreStats(quads=num("quads"), assertions=num("assertions"), documents=num("documents"),
                          entities=int(entities), graphs=num("graphs"))

    def documents(self) -> list[URIRef]:
        return [r["d"] for r in self._internal(T.DOCUMENTS).rows]

    def triples(self) -> Iterator[Triple]:
        for r in self._internal(T.TRIPLES).rows:
            yield r["s"], r["p"], r["o"]

    def graph_sizes(self) -> dict[URIRef, int]:
        return {r["g"]: int(r["n"]) for r in self._internal(T.GRAPH_SIZES).rows}

    # -- writes -----------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError("The store is open read-only (KGASSIST_READ_ONLY); writes are disabled.")

    def put_document(self, doc: DocumentInfo, facts: Iterable[Statement]) -> int:
        return self.put_documents([(doc, facts)])[0]

    def put_documents(self, docs: Sequence[tuple[DocumentInfo, Iterable[Statement]]]) -> list[int]:
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


def provenance_record(r: Mapping[str, Term]) -> ProvenanceRecord:
    return ProvenanceRecord(
        document=r["document"], chunk=r.get("chunk"),
        start=int(r["start"]) if r.get("start") is not None else None,
        end=int(r["end"]) if r.get("end") is not None else None,
        extractor=str(r["extractor"]), confidence=float(r["confidence"]))


def is_domain_edge(s: Term, p: URIRef, o: Term) -> bool:
    return p not in vocab.META_PREDICATES and o != vocab.ASSERTION
