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


PACKAGES = [*ALLOWED, "bench"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imported(module: str, path: Path, known: dict[str, Path]):
    """(module imported, names taken from it) for every import statement, at any depth."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                if child in known:  # `from . import share`: the module itself
                    yield child, []
                else:
                    yield target, [alias.name]


def test_no_module_imports_a_cycle_within_its_package():
    known = _modules()
    graph = {m: {t for t, _ in _imported(m, p, known) if t in known and t != m
                 and t.split(".")[0] == m.split(".")[0]} for m, p in known.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    known = _modules()
    private = [f"{m}: {t}.{name}" for m, p in known.items() for t, names in _imported(m, p, known)
               for name in names if name.startswith("_") and not name.startswith("__")]
    assert private == []
