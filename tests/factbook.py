"""Builds documents and facts for store tests from tests/fixtures/facts.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgstore import DocumentInfo, Statement, Provenance, vocab

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class FixtureDocument:
    info: DocumentInfo
    text: str
    facts: list[Statement]
    entities: dict[str, URIRef]


def load_documents() -> list[FixtureDocument]:
    spec = json.loads((FIXTURES / "facts.json").read_text())
    return [_build(d) for d in spec["documents"]]


def _build(spec: dict) -> FixtureDocument:
    path = FIXTURES / spec["file"]
    text = path.read_text()
    info = DocumentInfo(iri=vocab.document_iri(spec["file"]), uri=spec["file"], title=spec["title"])
    chunk = URIRef(f"{info.iri}/chunk/0")
    entities, facts = {}, []
    for e in spec["entities"]:
        iri = vocab.entity_iri(e["label"])
        entities[e["key"]] = iri
        start = text.lower().find(e["label"].lower())
        prov = Provenance(info.iri, "fixture", 1.0, chunk, start, start + len(e["label"]))
        facts.append(Statement(iri, RDF.type, vocab.KGA[e["type"]], prov))
        facts.append(Statement(iri, vocab.LABEL, Literal(e["label"]), prov))
        facts += [Statement(iri, vocab.ALT_LABEL, Literal(a), prov) for a in e.get("aliases", [])]
    for f in spec["facts"]:
        start = text.index(f["span"])
        prov = Provenance(info.iri, "fixture", 0.9, chunk, start, start + len(f["span"]))
        obj = Literal(f["literal"]) if "literal" in f else entities[f["o"]]
        facts.append(Statement(entities[f["s"]], vocab.KGA[f["p"]], obj, prov))
    return FixtureDocument(info, text, facts, entities)
