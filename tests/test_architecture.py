"""The layering rules and the ontology/constant pairing hold."""

from __future__ import annotations

import ast
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kgstore import vocab

ROOT = Path(__file__).parents[1]
ALLOWED = {  # package -> kgassist packages it may import
    "kgstore": set(),
    "ingestion": {"kgstore"},
    "finetune": {"kgstore"},
    "assistant": {"kgstore", "ingestion", "finetune"},
    "ui": {"assistant", "kgstore", "ingestion", "finetune"},
}


def _imports(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


def test_imports_flow_one_way():
    for package, allowed in ALLOWED.items():
        assert _imports(package) - {package} <= allowed, package


def test_every_ontology_constant_is_declared_in_the_turtle_file():
    graph = Graph().parse(data=vocab.ontology_turtle(), format="turtle")
    declared = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    constants = {v for v in vars(vocab).values() if isinstance(v, URIRef) and str(v).startswith(str(vocab.KGA))}
    assert constants - declared == set()
    assert (vocab.INTERACTS_WITH, RDF.type, OWL.SymmetricProperty) in graph
