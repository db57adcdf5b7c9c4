"""Store benchmark: bulk load and 1-hop neighbourhood lookups at 1M triples, embedded Oxigraph vs
rdflib's in-memory Graph, measured side by side in one run.

    .venv/bin/python -m bench.kgstore [--triples 1000000] [--lookups 1000] [--seed 7]

Writes bench/results/kgstore.json and kgstore.md.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kgstore.oxigraph import EmbeddedStore
from kgstore.terms import n3

from .common import percentiles, write_results

BASE = "https://example.org/kg/"


def synthetic_triples(n: int, seed: int) -> tuple[list[tuple], list[URIRef]]:
    """A scale-free-ish graph: n triples over n/10 entities, 24 relations, ~1/6 literal objects."""
    rng = random.Random(seed)
    entities = [URIRef(f"{BASE}e{i}") for i in range(max(10, n // 10))]
    relations = [URIRef(f"{BASE}r{i}") for i in range(24)]
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    triples = []
    for i in range(n):
        s = entities[min(int(rng.paretovariate(1.2)) - 1, len(entities) - 1) if i % 3 == 0 else rng.randrange(len(entities))]
        if i % 6 == 0:
            triples.append((s, label, Literal(f"entity {i}")))
        else:
            triples.append((s, relations[i % len(relations)], entities[rng.randrange(len(entities))]))
    return triples, entities


def _lookups(neighbours, sample) -> dict:
    neighbours(sample[0])  # warm-up
    timings, sizes = [], []
    for e in sample:
        t = time.perf_counter()
        sizes.append(len(neighbours(e)))
        timings.append(time.perf_counter() - t)
    return {"one_hop": percentiles(timings), "mean_edges": round(sum(sizes) / len(sizes), 1)}


def _rate(n: int, runs_s: list[float]) -> dict:
    """Median over repeated runs, each on a fresh store."""
    median = statistics.median(runs_s)
    return {"load_s": round(median, 3), "triples_per_s": round(n / median), "runs_s": [round(r, 3) for r in runs_s]}


def _timed(load, repeats: int) -> list[float]:
    runs = []
    for i in range(repeats):
        t0 = time.perf_counter()
        load(i)
        runs.append(time.perf_counter() - t0)
    return runs


def bench_embedded(triples, nt_file: Path, sample, folder: Path, repeats: int) -> dict:
    """Three ways in: an N-Triples file into the default graph, the same into a named graph, and
    Python triples through `bulk_load`. Lookups run on the named-graph store."""
    out, graph = {}, URIRef(f"{BASE}graph")
    stores: dict[str, EmbeddedStore] = {}

    def file_load(name: str, target: URIRef | None):
        def load(i: int) -> None:
            _discard(stores.pop(name, None))  # earlier run's store: closed and deleted, no compaction left running
            stores[name] = EmbeddedStore(folder / f"{name}-{i}")
            stores[name].import_file(nt_file, target)
            stores[name].close()
        return load

    out["file_default_graph"] = _rate(len(triples), _timed(file_load("default", None), repeats))
    _discard(stores.pop("default"))
    out["file_named_graph"] = _rate(len(triples), _timed(file_load("named", graph), repeats))
    out.update(_lookups(lambda e: stores["named"].neighbourhood(e, hops=1, limit=10_000), sample))

    _discard(stores.pop("named"))

    def python_load(i: int) -> None:
        store = EmbeddedStore(folder / f"python-{i}")
        store.bulk_load(graph, triples)
        store.close()
        _discard(store)

    out["python_triples_named_graph"] = _rate(len(triples), _timed(python_load, repeats))
    return out


def _discard(store: EmbeddedStore | None) -> None:
    if store is None:
        return
    path = store.path
    del store
    gc.collect()
    shutil.rmtree(path, ignore_errors=True)


def bench_rdflib(triples, nt_file: Path, sample, repeats: int) -> dict:
    out: dict = {}
    graphs: list[Graph] = []
    out["file_default_graph"] = _rate(len(triples), _timed(
        lambda i: Graph().parse(str(nt_file), format="nt"), repeats))

    def python_load(i: int) -> None:
        graph = Graph()
        graph.addN((s, p, o, graph) for s, p, o in triples)
        graphs[:] = [graph]

    out["python_triples_named_graph"] = _rate(len(triples), _timed(python_load, repeats))
    graph = graphs[0]
    out.update(_lookups(lambda e: list(graph.predicate_objects(e)) + list(graph.subject_predicates(e)), sample))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="Load runs per method; medians are reported.")
    parser.add_argument("--workdir", default=None, help="Folder for the temporary stores (default: system temp).")
    args = parser.parse_args()

    triples, entities = synthetic_triples(args.triples, args.seed)
    sample = random.Random(args.seed + 1).sample(entities, min(args.lookups, len(entities)))
    with tempfile.TemporaryDirectory(prefix="kgassist-bench-", dir=args.workdir) as tmp:
        nt_file = Path(tmp) / "synthetic.nt"
        nt_file.write_text("".join(f"{n3(s)} {n3(p)} {n3(o)} .\n" for s, p, o in triples))
        embedded = bench_embedded(triples, nt_file, sample, Path(tmp), args.repeats)
        peer = bench_rdflib(triples, nt_file, sample, args.repeats)
    ratio = lambda key: round(embedded[key]["triples_per_s"] / peer[key]["triples_per_s"], 2)  # noqa: E731
    result = {
        "params": {k: v for k, v in vars(args).items() if k != "workdir"},
        "embedded_oxigraph": embedded,
        "rdflib_memory": peer,
        "ratios": {
            "file_load_speed_oxigraph_over_rdflib": ratio("file_default_graph"),
            "python_load_speed_oxigraph_over_rdflib": ratio("python_triples_named_graph"),
            "one_hop_p50_oxigraph_over_rdflib": round(embedded["one_hop"]["p50_ms"] / peer["one_hop"]["p50_ms"], 2),
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "machine_note": f"{os.cpu_count()} cores",
    }
    rate = lambda r, key: f"{r[key]['triples_per_s']:,} ({r[key]['load_s']} s)" if key in r else "n/a"  # noqa: E731
    table = "\n".join([
        f"Store benchmark: {args.triples:,} synthetic triples, {len(sample):,} random 1-hop lookups "
        f"(seed {args.seed}), one process, side by side; loads are medians of {args.repeats} runs on fresh stores; "
        f"{result['machine_note']}.",
        "",
        "| store | N-Triples file → default graph (triples/s) | file → named graph | Python triples → named graph "
        "| 1-hop p50 (ms) | 1-hop p95 (ms) | mean edges |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(f"| {name} | {rate(r, 'file_default_graph')} | {rate(r, 'file_named_graph')} | "
          f"{rate(r, 'python_triples_named_graph')} | {r['one_hop']['p50_ms']:.3f} | {r['one_hop']['p95_ms']:.3f} "
          f"| {r['mean_edges']} |"
          for name, r in (("kgassist embedded (Oxigraph on disk)", embedded), ("rdflib Graph (in memory)", peer))),
        "",
        f"Ratios (Oxigraph vs rdflib): file load {result['ratios']['file_load_speed_oxigraph_over_rdflib']}x faster, "
        f"Python-triples load {result['ratios']['python_load_speed_oxigraph_over_rdflib']}x, "
        f"1-hop p50 {result['ratios']['one_hop_p50_oxigraph_over_rdflib']}x rdflib's time "
        "(rdflib answers from in-process dicts; Oxigraph reads RocksDB on disk).",
    ])
    path = write_results("kgstore", result, table)
    print(table)
    print(f"\nwritten: {path}")


if __name__ == "__main__":
    main()
