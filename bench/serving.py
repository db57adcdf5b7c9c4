"""Serving engines side by side on this machine, in one run: transformers in-process (the CPU
default), vLLM in-process, and vLLM's server (`kgassist serve`) through the openai backend.

    .venv/bin/python -m bench.serving [--data ../shared/data] [--docs 50]

For each engine, on the default model (SmolLM2-135M-Instruct): start-up (model load, or server
until it lists its model), answer latency (`Assistant.ask` on the bundled sample corpus, the
question set of bench/qa.py, median and p95, by stage), tokens/s at batch 1 and 32, time to the
first streamed piece, the prefix path against the plain prompt, ingestion with the LLM extractor
(ADE development abstracts, documents/s) and resident memory.
Engines run one after the other, each alone in memory. Writes bench/results/serving.json and .md.
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from pathlib import Path

from assistant.home import Home
from kgstore import Settings

from .common import machine, percentiles, write_results
from .ingest import data_dir
from .qa import LATENCY_QUESTIONS, ROOT

COMMAND = ".venv/bin/python -m bench.serving"
ENGINES = ("transformers", "vllm", "vllm server")


def _load(engine: str, models: Path):  # noqa: ANN202 - (llm, server or None)
    from assistant.llm import serve as serving

    if engine == "transformers":
        from assistant.llm.transformers import TransformersLLM

        return TransformersLLM(cache=models), None
    if engine == "vllm":
        from assistant.llm.vllm import VLLM

        return VLLM("SmolLM2-135M-Instruct", models), None
    from assistant.llm.openai import OpenAILLM
    from kgstore.share import free_port

    from assistant.llm.transformers import model_folder

    settings = Settings(model_cache=models)
    server = serving.Server(serving.plan(settings, free_port()), log=models / "serve.log").start()
    return OpenAILLM(settings.llm_model, server.plan.url, local=model_folder(settings.llm_model, models)), server


def _throughput(llm, batch: int) -> dict:  # noqa: ANN001
    prompts = [[{"role": "user", "content": f"Write a short paragraph about the number {i}."}] for i in range(batch)]
    started = time.perf_counter()
    replies = llm.generate_batch(prompts, max_tokens=64)
    seconds = time.perf_counter() - started
    tokens = sum(llm.count_tokens(r) for r in replies)
    return {"prompts": len(prompts), "tokens": tokens, "seconds": round(seconds, 2), "tokens_per_s": round(tokens / seconds, 1)}


def _first_token(llm) -> dict:  # noqa: ANN001
    """Time to the first streamed piece, and the whole reply, over five questions (median)."""
    firsts, wholes = [], []
    for question in LATENCY_QUESTIONS[:5]:
        started = time.perf_counter()
        first = None
        for _ in llm.stream([{"role": "user", "content": question}], max_tokens=64):
            first = first or time.perf_counter() - started
        firsts.append(first or 0.0)
        wholes.append(time.perf_counter() - started)
    return {"first_piece": percentiles(firsts), "whole": percentiles(wholes)}


def _prefix(llm) -> dict:  # noqa: ANN001
    """A 4-token prefix (rows of the model's own embedding matrix) vs the plain prompt: latency."""
    if not getattr(llm, "supports_prefix", False):
        return {}
    import torch

    prefix = llm.input_embeddings()[:4].clone().to(torch.float32)
    out = {}
    for name, given in (("plain", None), ("prefix", prefix)):
        samples = []
        for question in LATENCY_QUESTIONS[:5]:
            started = time.perf_counter()
            llm.generate([{"role": "user", "content": question}], max_tokens=32, prefix=given)
            samples.append(time.perf_counter() - started)
        out[name] = percentiles(samples)
    return out


def _rss_mb(server) -> float:  # noqa: ANN001
    """Resident memory of this process and, for a server, of its process tree, MB."""
    import psutil

    processes = [psutil.Process()]
    if server is not None and server.process is not None:
        root = psutil.Process(server.process.pid)
        processes += [root, *root.children(recursive=True)]
    return round(sum(p.memory_info().rss for p in processes) / 2 ** 20)


def _answers(llm, embedder, work: Path) -> dict:  # noqa: ANN001
    totals: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in ("linking", "sparql", "retrieval", "generation", "verification")}
    with Home(Settings(home=work / "home"), embedder=embedder, llm=llm) as home:
        home.init_if_needed()
        home.pipeline().ingest([ROOT / "ingestion" / "sample"])
        assistant = home.assistant()
        assistant.ask(LATENCY_QUESTIONS[0])  # warm-up
        for question in LATENCY_QUESTIONS:
            started = time.perf_counter()
            answer = assistant.ask(question)
            totals.append(time.perf_counter() - started)
            for stage, samples in stages.items():
                samples.append(answer.timings.get(stage, 0.0))
    return {"questions": len(LATENCY_QUESTIONS), "total": percentiles(totals),
            **{stage: percentiles(samples) for stage, samples in stages.items()}}


def _extraction(llm, docs: list[dict]) -> dict:  # noqa: ANN001
    from ingestion.chunking import chunk
    from ingestion.extract.llm import LLMExtractor
    from ingestion.loaders import LoadedDocument

    extractor = LLMExtractor(llm)  # as ingestion runs it: a write group's documents batched together
    items = [(LoadedDocument("ade", text, "text/plain"), chunk(text)) for text in (" ".join(d["sentences"]) for d in docs)]
    started = time.perf_counter()
    found = sum(len(extractions) for extractions in extractor.extract_many(items))
    seconds = time.perf_counter() - started
    return {"documents": len(docs), "chunks": sum(len(c) for _, c in items), "batch_size": extractor.batch_size,
            "extractions": found, "seconds": round(seconds, 2), "docs_per_s": round(len(docs) / seconds, 3)}


def run(engine: str, models: Path, embedder, docs: list[dict], work: Path, slow_docs: int) -> dict:  # noqa: ANN001
    started = time.perf_counter()
    llm, server = _load(engine, models)
    startup = time.perf_counter() - started
    try:
        out = {"startup_s": round(startup, 1), "batch_1": _throughput(llm, 1), "batch_32": _throughput(llm, 32),
               "first_token": _first_token(llm), "prefix": _prefix(llm), "answers": _answers(llm, embedder, work),
               "extraction": _extraction(llm, docs if engine != "transformers" else docs[:slow_docs])}
        out["rss_mb"] = _rss_mb(server)
        return out
    finally:
        if server is not None:
            server.stop()
        del llm
        gc.collect()


def table(r: dict) -> str:
    lines = [f"Serving engines on {r['machine']['cpus']} CPU cores ({r['machine']['cpu']}), SmolLM2-135M-Instruct, "
             "one run. Reproduce with "
             f"`{r['command']}`.", "",
             "| engine | start-up s | RSS MB | tokens/s batch 1 | tokens/s batch 32 | first piece p50 ms "
             "| ask p50 ms | ask p95 ms | LLM extractor docs/s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, e in r["engines"].items():
        if "error" in e:
            lines.append(f"| {name} | {e['error']} | | | | | | | |")
            continue
        a = e["answers"]
        lines.append(f"| {name} | {e['startup_s']} | {e['rss_mb']:,} | {e['batch_1']['tokens_per_s']} | "
                     f"{e['batch_32']['tokens_per_s']} | {e['first_token']['first_piece']['p50_ms']:.0f} | "
                     f"{a['total']['p50_ms']:.0f} | {a['total']['p95_ms']:.0f} | {e['extraction']['docs_per_s']} |")
    stages = ("linking", "sparql", "retrieval", "generation", "verification")
    lines += ["", "`ask` p50 by stage, ms:", "", "| engine | " + " | ".join(stages) + " |",
              "|---|" + "---:|" * len(stages)]
    for name, e in r["engines"].items():
        if "answers" in e:
            lines.append(f"| {name} | " + " | ".join(f"{e['answers'][s]['p50_ms']:.0f}" for s in stages) + " |")
    lines += ["", "Prefix path (4 soft tokens, `prompt_embeds` / `inputs_embeds`) vs the plain prompt, 32 new "
              "tokens, p50 ms:", ""]
    for name, e in r["engines"].items():
        if e.get("prefix"):
            lines.append(f"- {name}: plain {e['prefix']['plain']['p50_ms']:.0f}, prefix {e['prefix']['prefix']['p50_ms']:.0f}")
    lines += ["", f"Ask: the {len(LATENCY_QUESTIONS)} questions of bench/qa.py on the bundled sample corpus (hybrid "
              "mode, full generation), after one warm-up question. Batches: prompts × 64 new tokens in one call "
              "(the server gets them concurrently); tokens counted by the engine's tokenizer, or about four "
              f"characters a token over HTTP. Extractor: {r['docs']} ADE development abstracts. RSS: this process "
              "plus, for the server, its process tree, after the run."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="Folder with ade/ (default ../shared/data or $KGASSIST_DATA).")
    parser.add_argument("--docs", type=int, default=50, help="ADE abstracts for the LLM extractor.")
    parser.add_argument("--slow-docs", type=int, default=8,
                        help="ADE abstracts for transformers' extractor (about 20 s each on 2 cores).")
    parser.add_argument("--engines", nargs="*", default=list(ENGINES), choices=ENGINES)
    args = parser.parse_args()
    docs = [json.loads(line) for line in (data_dir(args.data) / "ade" / "dev.jsonl").open()][:args.docs]
    embedder = Home(Settings()).embedder
    result: dict = {"machine": machine(), "command": COMMAND, "docs": len(docs), "slow_docs": min(args.slow_docs, len(docs)), "engines": {}}
    with tempfile.TemporaryDirectory(prefix="kgassist-bench-serving-") as tmp:
        models = Path(tmp) / "models"
        models.mkdir()
        for engine in args.engines:
            try:
                result["engines"][engine] = run(engine, models, embedder, docs, Path(tmp) / engine.replace(" ", "-"),
                                                args.slow_docs)
            except Exception as error:  # noqa: BLE001 - an engine that cannot run is reported, the others go on
                result["engines"][engine] = {"error": f"{type(error).__name__}: {error}"[:200]}
            print(engine, json.dumps(result["engines"][engine]), flush=True)
            write_results("serving", result, table(result))  # what is measured so far survives a stop
    md = write_results("serving", result, table(result))
    print(md.read_text())


if __name__ == "__main__":
    main()
