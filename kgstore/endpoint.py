"""Endpoint backend: any SPARQL 1.1 Protocol server (Oxigraph server, Fuseki, GraphDB).

For user queries that rely on the default graph, configure the server to treat its default graph
as the union of named graphs (`oxigraph serve --union-default-graph`, Fuseki's
`tdb2:unionDefaultGraph`); kgassist's own templates name graphs explicitly and work either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

import httpx
from rdflib import Graph, URIRef

from .errors import QueryTimeoutError, StoreError, UnsafeQueryError
from .settings import redact_url
from .sparql import CheckedQuery, QueryResult, term_from_json
from .sparqlstore import SparqlStore
from .terms import Triple, n3

_BATCH = 20_000


class EndpointStore(SparqlStore):
    """KGStore over HTTP: POSTs queries to `query_url` and updates to `update_url`."""

    def __init__(self, query_url: str, update_url: str, *, user: str = "", password: str = "", **options: Any):
        super().__init__(**options)
        self.query_url, self.update_url = query_url, update_url
        self._client = httpx.Client(auth=(user, password) if user else None,
                                    headers={"User-Agent": "kgassist"})

    def close(self) -> None:
        self._client.close()

    def _post(self, url: str, field: str, text: str, accept: str, timeout: float) -> httpx.Response:
        try:
            response = self._client.post(url, data={field: text}, headers={"Accept": accept}, timeout=timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise StoreError(f"Cannot reach the SPARQL endpoint {redact_url(url)}: {error.__class__.__name__}. "
                             "Is the server running and KGASSIST_STORE_URL right?") from None
        except httpx.TimeoutException:
            raise QueryTimeoutError(f"The endpoint did not answer within {timeout:g} s "
                                    "(KGASSIST_SPARQL_TIMEOUT_S).") from None
        except httpx.HTTPError as error:
            raise StoreError(f"Cannot reach the SPARQL endpoint {redact_url(url)}: {error.__class__.__name__}. "
                             "Is the server running and KGASSIST_STORE_URL right?") from None
        if response.status_code == 400:
            raise UnsafeQueryError(f"The endpoint refused the request: {response.text[:300]}")
        if response.status_code >= 300:
            raise StoreError(f"The SPARQL endpoint answered HTTP {response.status_code}: {response.text[:300]}")
        return response

    def _run(self, query: CheckedQuery, text: str, timeout: float) -> QueryResult:
        graph_query = query.kind in ("construct", "describe")
        accept = "application/n-triples" if graph_query else "application/sparql-results+json"
        response = self._post(self.query_url, "query", text, accept, timeout)
        if graph_query:
            triples = list(Graph().parse(data=response.text, format="nt"))
            return QueryResult(query.kind, triples=triples[: query.max_rows],
                               truncated=len(triples) > query.max_rows)
        body = response.json()
        if query.kind == "ask":
            return QueryResult("ask", boolean=bool(body["boolean"]))
        names = body["head"].get("vars", [])
        bindings = body["results"]["bindings"]
        rows = [{k: term_from_json(v) for k, v in b.items()} for b in bindings[: query.max_rows]]
        return QueryResult("select", names, rows, truncated=len(bindings) > query.max_rows)

    def _update(self, update: str) -> None:
        self._post(self.update_url, "update", update, "*/*", max(self.timeout_s, 600.0))

    def _insert(self, graph: URIRef, triples: Iterable[Triple]) -> int:
        count, it = 0, iter(triples)
        while batch := list(islice(it, _BATCH)):
            body = "\n".join(f"{n3(s)} {n3(p)} {n3(o)} ." for s, p, o in batch)
            self._update(f"INSERT DATA {{ GRAPH {n3(graph)} {{\n{body}\n}} }}")
            count += len(batch)
        return count
