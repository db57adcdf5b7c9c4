"""RDF terms that cross the store boundary (rdflib's) and their safe N-Triples serialisation."""

from __future__ import annotations

import re
from functools import lru_cache
from decimal import Decimal
from typing import Union

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from .errors import UnsafeQueryError

Term = Union[URIRef, Literal, BNode]
Triple = tuple[Term, URIRef, Term]

# RFC 3987 forbids these in IRIs; refusing them keeps a bound IRI from escaping `<...>`.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPE_RE = re.compile(r'[\\"\n\r\t\b\f]')


def check_iri(value: str) -> str:
    if not value or _BAD_IRI.search(value) or ":" not in value:
        raise UnsafeQueryError(f"Not a valid absolute IRI: {value!r}. IRIs may not contain spaces, quotes or <>{{}}|^`\\.")
    return value


@lru_cache(maxsize=65536)
def _iri_n3(term: URIRef) -> str:
    return f"<{check_iri(str(term))}>"


def to_term(value: object) -> Term:
    """Coerce a Python value (str, int, float, Decimal, bool) or an rdflib term to an rdflib term."""
    if isinstance(value, (URIRef, Literal, BNode)):
        return value
    if isinstance(value, (bool, int, float, Decimal, str)):
        return Literal(value)
    raise UnsafeQueryError(f"Cannot bind a value of type {type(value).__name__}; use str, number, bool or an rdflib term.")


def n3(term: Term) -> str:
    """Serialise one term as N-Triples/SPARQL text, escaping everything that could end the token."""
    if isinstance(term, URIRef):
        return _iri_n3(term)
    if isinstance(term, BNode):
        raise UnsafeQueryError("Blank nodes cannot be bound into a query; bind an IRI or a literal.")
    if isinstance(term, Literal):
        body = '"' + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], str(term)) + '"'
        if term.language:
            if not _LANG.match(term.language):
                raise UnsafeQueryError(f"Not a valid language tag: {term.language!r}")
            return f"{body}@{term.language}"
        if term.datatype and term.datatype != XSD.string:
            return f"{body}^^<{check_iri(str(term.datatype))}>"
        return body
    raise UnsafeQueryError(f"Not an RDF term: {term!r}")
