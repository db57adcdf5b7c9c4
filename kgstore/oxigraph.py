"""Embedded backend: an Oxigraph store on disk through pyoxigraph, also usable from rdflib (oxrdflib)."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD

from . import share
from .errors import QueryTimeoutError, StoreBusyError, StoreError, UnsafeQueryError
from .sparql import CheckedQuery, QueryResult
from .sparqlstore import SparqlStore, is_domain_edge
from .terms import Term, Triple, n3

_XSD_STRING = str(XSD.string)


class EmbeddedStore(SparqlStore):
    """KGStore over a persistent Oxigraph (RocksDB) folder, opened in this process. One process
    opens a folder at a time; `kgstore.share` lets a host serve it to the others."""

    def __init__(self, path: Path, **options: Any):
        super().__init__(**options)
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._ox = ox.Store(str(self.path))
        except OSError as error:
            if "lock" in str(error).lower():
                raise StoreBusyError(share.busy_message(self.path)) from None
            raise StoreError(f"Cannot open the store at {self.path}: {error}") from None
        share.claim(self.path)

    def rdflib_dataset(self) -> Dataset:
        """The same data as an rdflib Dataset (oxrdflib store plugin), for rdflib-based tools."""
        from oxrdflib import OxigraphStore

        return Dataset(store=OxigraphStore(store=self._ox), default_union=True)

    def close(self) -> None:
        """Flush and release the folder (another process may open it afterwards)."""
        if self._ox is None:
            return
        self._ox.flush()
        self._ox = None  # the last reference: RocksDB closes and unlocks the folder
        share.release(self.path)

    # -- primitives --------------------------------------------------------------------------
    def _run(self, query: CheckedQuery, text: str, timeout: float) -> QueryResult:
        # pyoxigraph releases the GIL while evaluating, so a worker thread lets us stop waiting.
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = self._materialise(query, text)
            except BaseException as error:  # noqa: BLE001 - handed back to the caller's thread
                box["error"] = error

        worker = threading.Thread(target=work, name="kgassist-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            raise QueryTimeoutError(f"Query stopped after {timeout:g} s (KGASSIST_SPARQL_TIMEOUT_S); "
                                    "narrow it with more specific patterns or a smaller LIMIT.")
        if "error" in box:
            error = box["error"]
            if isinstance(error, SyntaxError):
                raise UnsafeQueryError(f"Oxigraph could not run the query: {error}") from None
            if isinstance(error, OSError):
                raise StoreError(f"Store read failed: {error}") from None
            raise error
        return box["result"]

    def _materialise(self, query: CheckedQuery, text: str) -> QueryResult:
        answer = self._ox.query(text, use_default_graph_as_union=True)
        if query.kind == "ask":
            return QueryResult("ask", boolean=bool(answer))
        if query.kind == "select":
            names = [v.value for v in answer.variables]
            rows: list[dict[str, Term]] = []
            for solution in answer:
                if len(rows) == query.max_rows:
                    return QueryResult("select", names, rows, truncated=True)
                rows.append({n: from_ox(t) for n, t in zip(names, solution) if t is not None})
            return QueryResult("select", names, rows)
        triples = []
        for t in answer:
            if len(triples) == query.max_rows:
                return QueryResult(query.kind, triples=triples, truncated=True)
            triples.append((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return QueryResult(query.kind, triples=triples)

    def _update(self, update: str) -> None:
        try:
            self._ox.update(update)
        except OSError as error:
            raise StoreError(f"Store write failed: {error}") from None

    def _replace(self, graphs: Mapping[URIRef, Sequence[str]]) -> None:
        """New graphs go in through Oxigraph's N-Quads parser in one transaction, several times faster
        than a SPARQL INSERT DATA; a batch that replaces existing graphs uses the atomic update."""
        if any(self._ox.contains_named_graph(to_ox(g)) for g in graphs):
            super()._replace(graphs)
            return
        text = "\n".join(f"{statement} {n3(g)} ." for g, statements in graphs.items() for statement in statements)
        try:  # lenient: every term was already checked by `n3`
            self._ox.load(input=text, format=ox.RdfFormat.N_QUADS, lenient=True)
        except (OSError, SyntaxError) as error:
            raise StoreError(f"Store write failed: {error}") from None

    def _insert(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        g = to_ox(graph)
        count = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal count
            for s, p, o in triples:
                count += 1
                yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)

        self._ox.bulk_extend(quads())
        return count

    def import_file(self, path: Path, graph: URIRef | None = None) -> None:
        """Oxigraph's parallel bulk loader (Rust parser, no Python term objects); not atomic."""
        self._check_writable()
        target = to_ox(graph) if graph is not None else ox.DefaultGraph()
        try:
            self._ox.bulk_load(path=str(path), to_graph=target)
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"Cannot import {path}: {error}") from None

    # -- hot paths ---------------------------------------------------------------------------
    def _edges_of(self, node: URIRef) -> Iterator[Triple]:
        n = to_ox(node)
        for quad in self._ox.quads_for_pattern(n, None, None, None):
            s, p, o = node, from_ox(quad.predicate), from_ox(quad.object)
            if is_domain_edge(s, p, o):
                yield s, p, o
        for quad in self._ox.quads_for_pattern(None, None, n, None):
            s, p = from_ox(quad.subject), from_ox(quad.predicate)
            if is_domain_edge(s, p, node):
                yield s, p, node


def from_ox(term: Any) -> Term:
    """pyoxigraph term to rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == _XSD_STRING else URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Literal(str(term))  # RDF 1.2 triple terms are shown as text


def to_ox(term: Term) -> Any:
    """rdflib term to pyoxigraph term (IRIs are validated by pyoxigraph)."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
    except ValueError as error:
        raise UnsafeQueryError(f"Not a valid RDF term {term!r}: {error}") from None
    raise UnsafeQueryError(f"Not an RDF term: {term!r}")
