"""How several processes share one embedded store: the options measured side by side in one run.

    python -m bench.sharing [--rounds 5]

On copies of the bundled sample corpus (no text generation):
- in-process: the store opened by the process itself (what a lone command does);
- hosted: the same folder served by `oxigraph serve` on loopback (`kgstore.share.StoreHost`, what
  `kgassist ui` and `chat` do), reached through the SPARQL protocol;
- open per request: opening and closing the folder around each use (the alternative that needs
  no server), whose cost is the open/close time;
- read-only opening (`pyoxigraph.Store.read_only`): whether it sees a write made after it opened.
Measured: the graph lookups of the answer path (linking labels + templates) per question, and the
ingestion of the sample corpus (`--no-vectors`).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from bench.common import percentiles, write_results

SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"
QUESTIONS = ["What are the side effects of metformin?", "Who is the CEO of Amazon.com?",
             "What was Alphabet's revenue in fiscal year 2023?", "Does warfarin interact with aspirin?",
             "What does lisinopril treat?", "Where is Intel headquartered?", "Which company owns Mobileye?",
             "What is the dosage of metformin?"]


def ingest_seconds(home) -> float:  # noqa: ANN001
    home.init_if_needed()
    pipeline = home.pipeline(vectors=False)
    started = time.perf_counter()
    report = pipeline.ingest([SAMPLE / "finance", SAMPLE / "medical"])
    assert report.ok == 31, report.failed
    return time.perf_counter() - started


def lookup_seconds(store, embedder, rounds: int) -> list[float]:  # noqa: ANN001
    from assistant.graph import GraphLookup
    from assistant.linking import EntityLinker
    from assistant.question import Question

    samples = []
    for _ in range(rounds):
        linker = EntityLinker(store.entity_labels(), embedder)
        for question in QUESTIONS:
            started = time.perf_counter()
            parsed = Question.parse(question)
            GraphLookup(store).facts(parsed, linker.link(parsed))
            samples.append(time.perf_counter() - started)
    return samples


def run(rounds: int) -> dict:
    from assistant.home import Home
    from kgstore import Settings, share
    from kgstore.endpoint import EndpointStore
    from kgstore.oxigraph import EmbeddedStore

    embedder = Home(Settings()).embedder
    root = Path(tempfile.mkdtemp(prefix="kgassist-sharing-"))
    results: dict[str, dict] = {}
    try:
        for way in ("in-process", "hosted"):
            settings = Settings(home=root / way)
            if way == "in-process":
                store = EmbeddedStore(settings.store_path)
                host = None
            else:
                host = share.StoreHost(settings.store_path)
                url = host.start()
                store = EndpointStore(f"{url}/query", f"{url}/update")
            home = Home(settings, store=store, embedder=embedder)  # the backend under test, handed in
            ingest = ingest_seconds(home)
            lookups = lookup_seconds(store, embedder, rounds)
            results[way] = {"ingest_s": round(ingest, 3), "lookup": percentiles(lookups)}
            home.close()
            store.close()
            if host:
                host.stop()
        folder = Settings(home=root / "in-process").store_path
        opens = []
        for _ in range(20):
            started = time.perf_counter()
            EmbeddedStore(folder).close()
            opens.append(time.perf_counter() - started)
        results["open per request"] = {"open_close": percentiles(opens)}
        starts = []
        for _ in range(5):
            started = time.perf_counter()
            host = share.StoreHost(folder)
            host.start()
            starts.append(time.perf_counter() - started)
            host.stop()
        results["hosted"]["server_start"] = percentiles(starts)
        results["read-only opening"] = {"sees_later_writes": read_only_sees_later_writes(root / "ro")}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    inproc, hosted = results["in-process"], results["hosted"]
    results["ratios"] = {
        "hosted_over_in_process_lookup_p50": round(hosted["lookup"]["p50_ms"] / inproc["lookup"]["p50_ms"], 2),
        "hosted_over_in_process_ingest": round(hosted["ingest_s"] / inproc["ingest_s"], 2)}
    return results


def read_only_sees_later_writes(folder: Path) -> bool:
    import pyoxigraph as ox

    writer = ox.Store(str(folder))
    writer.update("INSERT DATA { <urn:a> <urn:b> 1 }")
    writer.flush()
    reader = ox.Store.read_only(str(folder))
    writer.update("INSERT DATA { <urn:a> <urn:b> 2 }")
    writer.flush()
    seen = len(list(reader.quads_for_pattern(None, None, None)))
    return seen == 2


def table(results: dict) -> str:
    inproc, hosted = results["in-process"], results["hosted"]
    lines = ["| way | answer-path lookups p50 ms | p95 ms | ingest sample corpus s |", "|---|---:|---:|---:|",
             f"| in-process | {inproc['lookup']['p50_ms']:.1f} | {inproc['lookup']['p95_ms']:.1f} | "
             f"{inproc['ingest_s']:.2f} |",
             f"| hosted (oxigraph serve on loopback) | {hosted['lookup']['p50_ms']:.1f} | "
             f"{hosted['lookup']['p95_ms']:.1f} | {hosted['ingest_s']:.2f} |", "",
             f"Ratios hosted / in-process: lookups {results['ratios']['hosted_over_in_process_lookup_p50']}x, "
             f"ingest {results['ratios']['hosted_over_in_process_ingest']}x.",
             f"Starting the host (`oxigraph serve` until it answers): p50 "
             f"{hosted['server_start']['p50_ms']:.0f} ms.",
             f"Open + close of the embedded folder (the open-per-request alternative): p50 "
             f"{results['open per request']['open_close']['p50_ms']:.1f} ms, p95 "
             f"{results['open per request']['open_close']['p95_ms']:.1f} ms.",
             "A read-only opening sees a write made after it opened: "
             f"{results['read-only opening']['sees_later_writes']} (pyoxigraph documents read-only opening "
             "while another process writes as undefined behaviour)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = run(args.rounds)
    md = write_results("sharing", {"rounds": args.rounds, "questions": len(QUESTIONS), "results": results},
                       table(results))
    print(md.read_text())


if __name__ == "__main__":
    main()
