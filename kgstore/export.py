"""Export the graph in standard syntaxes: Turtle, N-Triples, or JSON Lines of asserted triples."""

from __future__ import annotations

import json
from typing import TextIO

from rdflib import Graph, URIRef

from . import vocab
from .store import KGStore
from .terms import n3


def write_export(store: KGStore, fmt: str, out: TextIO, graph: URIRef | None = None) -> int:
    """Write `graph` (or all named graphs) to `out`; returns the number of triples or records."""
    if fmt == "nt":
        count = 0
        for s, p, o in store.graph_triples(graph):
            out.write(f"{n3(s)} {n3(p)} {n3(o)} .\n")
            count += 1
        return count
    if fmt == "ttl":
        g = Graph()
        for prefix, ns in (("kga", vocab.KGA), ("id", vocab.ID), ("skos", vocab.SKOS), ("prov", vocab.PROV)):
            g.bind(prefix, ns)
        for triple in store.graph_triples(graph):
            g.add(triple)
        out.write(g.serialize(format="turtle"))
        return len(g)
    if fmt == "jsonl":
        labels: dict = {}
        for entity, label, _ in store.entity_labels():
            labels.setdefault(entity, label)
        ontology = Graph().parse(data=vocab.ontology_turtle(), format="turtle")
        labels.update({p: str(l) for p, l in ontology.subject_objects(vocab.LABEL) if p not in labels})
        count = 0
        for a in store.assertions(graph):
            prov = a.provenance
            out.write(json.dumps({
                "subject": str(a.subject), "predicate": str(a.predicate), "object": str(a.object),
                "subject_label": labels.get(a.subject, _local(a.subject)),
                "predicate_label": labels.get(a.predicate, _local(a.predicate)),
                "object_label": labels.get(a.object, str(a.object)),
                "document": str(prov.document),
                "chunk": str(prov.chunk) if prov.chunk else None,
                "span": [prov.start, prov.end] if prov.start is not None else None,
                "extractor": prov.extractor, "confidence": prov.confidence,
            }, ensure_ascii=False) + "\n")
            count += 1
        return count
    raise ValueError(f"unknown export format {fmt!r}")


def _local(term: object) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(term, URIRef) else text
