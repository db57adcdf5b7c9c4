"""Safe SPARQL: parse before running, refuse writes and outbound calls, cap rows, bind values.

Everything user- or model-facing goes through `check_query` and `bind`. User text only ever
enters a query as a bound value: `bind` appends a SPARQL 1.1 `VALUES` block whose terms are
serialised by `terms.n3`, which escapes anything that could close a literal or an IRI.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal as Kind

from pyparsing import ParseException, ParseResults
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import UnsafeQueryError
from .terms import Term, n3, to_term

MAX_QUERY_CHARS = 100_000
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KINDS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}

UPDATE_REFUSED = ("SPARQL update refused: kgassist runs only read-only queries here "
                  "(INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE and COPY are not allowed). "
                  "Use `kgassist ingest` or `kgassist remove` to change the graph.")
SERVICE_REFUSED = ("SERVICE refused: kgassist never lets a query call another endpoint. "
                   "Remove the SERVICE clause and query the local graph.")


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the safety checks, with the row cap applied."""

    text: str
    kind: Kind["select", "ask", "construct", "describe"]
    max_rows: int
    ends_with_values: bool = False


@lru_cache(maxsize=1024)
def check_query(text: str, limit_cap: int) -> CheckedQuery:
    """Parse `text` and return it bounded, or raise `UnsafeQueryError` saying why not."""
    if len(text) > MAX_QUERY_CHARS:
        raise UnsafeQueryError(f"Query refused: it is {len(text):,} characters long (the cap is {MAX_QUERY_CHARS:,}).")
    try:
        tree = parseQuery(text)
    except (ParseException, Exception) as query_error:
        if _parses_as_update(text):
            raise UnsafeQueryError(UPDATE_REFUSED) from None
        raise UnsafeQueryError(f"Not a valid SPARQL query: {_short(query_error)}") from None
    query = tree[1]
    kind = _KINDS[query.name]
    if "ServiceGraphPattern" in _node_names(tree):
        raise UnsafeQueryError(SERVICE_REFUSED)
    if kind == "ask":
        return CheckedQuery(text, kind, 1)
    limit = _top_level_limit(query)
    if limit is not None:
        if limit > limit_cap:
            raise UnsafeQueryError(f"LIMIT {limit} is over the cap of {limit_cap} rows; lower the LIMIT "
                                   "(or raise KGASSIST_SPARQL_LIMIT).")
        return CheckedQuery(text, kind, limit, "valuesClause" in query)
    if "valuesClause" in query:
        raise UnsafeQueryError(f"Add a LIMIT of at most {limit_cap} before the trailing VALUES clause.")
    # One row more than the cap tells the caller the result was truncated.
    return CheckedQuery(f"{text}\nLIMIT {limit_cap + 1}", kind, limit_cap)


def bind(query: CheckedQuery, bindings: Mapping[str, object] | None) -> str:
    """The query text with `bindings` as an inline VALUES block opening its WHERE group.

    Inline VALUES (rather than a trailing clause) makes bound variables visible to every FILTER
    and BIND of the group, as a prepared statement's parameters would be, on any SPARQL 1.1 store.
    """
    if not bindings:
        return query.text
    names = list(bindings)
    for name in names:
        if not _VAR.match(name):
            raise UnsafeQueryError(f"Not a valid variable name to bind: {name!r}")
    values = " ".join(n3(to_term(bindings[name])) for name in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }} "
    at = _where_group_start(query.text, query.kind, query.ends_with_values)
    return query.text[:at] + block + query.text[at:]


# Strings, IRIs and comments are skipped whole so that a brace inside them is never counted.
_LEXEME = re.compile(r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
                     r'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*|[{}]''')


def _where_group_start(text: str, kind: str, ends_with_values: bool) -> int:
    """Index just after the `{` that opens the query's WHERE group."""
    groups: list[int] = []
    depth = 0
    for m in _LEXEME.finditer(text):
        token = m.group()
        if token == "{":
            if depth == 0:
                groups.append(m.end())
            depth += 1
        elif token == "}":
            depth -= 1
    if ends_with_values:
        groups.pop()
    if not groups:
        raise UnsafeQueryError("This query has no WHERE clause, so values cannot be bound into it.")
    if kind == "construct" and len(groups) > 1:
        head = re.sub(r"#[^\n]*", "", text[: groups[0] - 1])
        full_form = re.search(r"\bCONSTRUCT\s*$", head, re.IGNORECASE) is not None
        return groups[1] if full_form else groups[0]
    return groups[0]


def _parses_as_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except Exception:
        return False
    return True


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:300]


def _node_names(node: Any) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            names.add(item.name)
            stack.extend(item.values())
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.extend(item)
    return names


def _top_level_limit(query: CompValue) -> int | None:
    # CompValue.get returns the key itself when missing, so test membership instead.
    clause = query["limitoffset"] if "limitoffset" in query else None
    if clause is None or "limit" not in clause:
        return None
    return int(clause["limit"])


@dataclass
class QueryResult:
    """Rows of a SELECT, the boolean of an ASK, or the triples of a CONSTRUCT/DESCRIBE."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def to_json(self) -> dict[str, Any]:
        """SPARQL 1.1 Query Results JSON (triples as s/p/o bindings for graph queries)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        if self.kind == "select":
            rows, names = self.rows, self.variables
        else:
            names = ["subject", "predicate", "object"]
            rows = [dict(zip(names, t)) for t in self.triples]
        return {"head": {"vars": names},
                "results": {"bindings": [{k: term_json(v) for k, v in row.items() if v is not None} for row in rows]}}

    def digest(self) -> str:
        """Order-independent sha256 of the result, for audit comparisons."""
        body = self.to_json()
        if "results" in body:
            body["results"]["bindings"] = sorted(body["results"]["bindings"], key=lambda b: json.dumps(b, sort_keys=True))
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def term_json(term: Term) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        out["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def term_from_json(obj: Mapping[str, str]) -> Term:
    kind, value = obj["type"], obj["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    return Literal(value, lang=obj.get("xml:lang"), datatype=obj.get("datatype"))


STANDARD_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "kga": "https://w3id.org/kgassist/ontology#",
}


#: The one PREFIX block every kgassist template starts with.
PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in STANDARD_PREFIXES.items())


def with_prefixes(text: str) -> str:
    """Declare the standard prefixes the query uses but does not declare itself."""
    declared = {m.lower() for m in re.findall(r"PREFIX\s+([A-Za-z][\w-]*)?\s*:", text, re.IGNORECASE)}
    needed = [f"PREFIX {p}: <{iri}>" for p, iri in STANDARD_PREFIXES.items()
              if p not in declared and re.search(rf"(?<![\w<\"']){p}:", text)]
    return "\n".join([*needed, text]) if needed else text
