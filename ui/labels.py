"""Readable names for what the store holds: rdfs:labels instead of IRIs, a metric value in its unit,
and which predicates are bookkeeping a reader does not need to see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from string import Template
from typing import Any

from rdflib import URIRef
from rdflib.namespace import RDF

from assistant.display import format_amount
from kgstore import vocab
from kgstore.terms import n3

#: Predicates shown otherwise (types as the entity's kind, aliases as "also known as") or not at all.
HIDDEN_PREDICATES = frozenset({RDF.type, vocab.LABEL, vocab.ALT_LABEL}) | vocab.META_PREDICATES
#: Names for predicates the ontology does not label.
_NAMED = {RDF.type: "is a", vocab.LABEL: "name", vocab.ALT_LABEL: "also known as"}
#: Labels, values and units of a set of nodes; $nodes is a list of N-Triples-serialised IRIs.
_DESCRIBE = Template("""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kga: <https://w3id.org/kgassist/ontology#>
SELECT DISTINCT ?node ?label ?value ?unit WHERE {
  VALUES ?node { $nodes }
  OPTIONAL { GRAPH ?g { ?node rdfs:label ?label } }
  OPTIONAL { GRAPH ?h { ?node kga:value ?value } }
  OPTIONAL { GRAPH ?i { ?node kga:unit ?unit } }
}""")
_BATCH = 100
_HASH_SUFFIX = re.compile(r"-[0-9a-f]{8}$")


@dataclass(frozen=True)
class Name:
    label: str
    amount: str | None = None  # a metric observation's value in its unit: "$383.3 billion"

    def __str__(self) -> str:
        return f"{self.label}: {self.amount}" if self.amount else self.label


def local_name(iri: str) -> str:
    """A last resort for an unlabelled IRI: 'type-2-diabetes-5616572d' -> 'type 2 diabetes',
    'causesAdverseEvent' -> 'causes adverse event'."""
    name = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    name = _HASH_SUFFIX.sub("", name).replace("-", " ").replace("_", " ")
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower() or iri


def describe(store: Any, nodes: Iterable[Any]) -> dict[str, Name]:
    """Each IRI among `nodes` with its label from the store (else its local name) and, for a
    metric observation, its value in its unit."""
    iris = sorted({str(n) for n in nodes if isinstance(n, URIRef)})
    labels: dict[str, set[str]] = {}
    amounts: dict[str, str] = {}
    for i in range(0, len(iris), _BATCH):
        batch = iris[i:i + _BATCH]
        query = _DESCRIBE.substitute(nodes=" ".join(n3(URIRef(iri)) for iri in batch))
        for row in store.query(query).rows:
            node = str(row["node"])
            if row.get("label") is not None:
                labels.setdefault(node, set()).add(str(row["label"]))
            if row.get("value") is not None:
                amounts[node] = format_amount(row["value"], str(row["unit"]) if row.get("unit") else None)
    return {iri: Name(_NAMED.get(URIRef(iri)) or min(labels.get(iri, ()), default=None) or local_name(iri),
                      amounts.get(iri)) for iri in iris}
