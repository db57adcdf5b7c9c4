"""Question-answering benchmarks: PubMedQA verdicts, FinanceBench answers, and `ask` latency.

    .venv/bin/python -m bench.qa [--data ../shared/data] [--pubmedqa 500] [--finance 65]
                                 [--finance-scope evidence|filings] [--modes hybrid graph retrieval]

Each dataset is asked in three configurations (graph and passages, graph only, passages only)
on the CPU default model. Writes bench/results/qa.json and qa.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from assistant.home import Home
from assistant.text import terms
from assistant.verify import answer_problems
from ingestion.numbers import numbers_in
from kgstore import Settings
from kgstore.settings import AnswerMode, choices

from .common import RESULTS, percentiles, write_results

ROOT = Path(__file__).parents[1]
MODES = choices(AnswerMode)
LABELS = ("yes", "no", "maybe")


def data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("KGASSIST_DATA", ROOT.parent / "shared" / "data"))


def fresh_home(path: Path, embedder, llm, **settings) -> Home:  # noqa: ANN001
    """A new kgassist home sharing the already loaded models (the composition root)."""
    home = Home(Settings(home=path, **settings), embedder=embedder, llm=llm)
    home.init_if_needed()
    return home


def ingest(home: Home, folder: Path) -> dict:
    started = time.perf_counter()
    report = home.pipeline().ingest([folder])
    return {"documents": report.ok, "failed": len(report.failed), "chunks": report.chunks,
            "triples": report.triples, "seconds": round(time.perf_counter() - started, 1)}


# -- PubMedQA -------------------------------------------------------------------------------------------
def pubmedqa(data: Path, work: Path, embedder, llm, limit: int, modes: list[str], **settings) -> dict:  # noqa: ANN001
    items = json.loads((data / "pubmedqa" / "dev.json").read_text())
    folder = work / "pubmedqa-docs"
    folder.mkdir()
    for pmid, item in items.items():
        (folder / f"{pmid}.txt").write_text("\n".join(item["CONTEXTS"]) + "\n")
    home = fresh_home(work / "pubmedqa-home", embedder, llm, **settings)
    ingested = ingest(home, folder)
    assistant = home.assistant()
    chosen = sorted(items)[:limit]
    out: dict = {"ingest": ingested, "questions": len(chosen), "gold": _counts(items[p]["final_decision"] for p in chosen)}
    for mode in modes:
        predictions, seconds, broken = [], [], 0
        for pmid in chosen:
            started = time.perf_counter()
            answer = assistant.ask(items[pmid]["QUESTION"], mode=mode, verdict=True, generate=False)
            seconds.append(time.perf_counter() - started)
            broken += bool(answer_problems(answer))
            predictions.append(answer.verdict or "maybe")
        gold = [items[p]["final_decision"] for p in chosen]
        out[mode] = {**classification(gold, predictions), "predicted": _counts(predictions),
                     "seconds_per_question": round(statistics.median(seconds), 3), "answers_with_problems": broken}
    return out


def verdicts(data: Path, llm, embedder, folds: int, work: Path, *, encoder_folds: int = 0, epochs: int = 4,  # noqa: ANN001
             zero_shot: bool = True) -> dict:
    """PubMedQA verdicts over each question's own contexts, `folds`-fold cross-validated by
    question: (c) the findings classifier and the fine-tuned encoder (on the first
    `encoder_folds` folds only: hours on a CPU), each trained on the other folds only; (d) the
    LLM's zero-shot choice over the same contexts; always "yes"."""
    import numpy as np

    from assistant import prompt as prompting
    from assistant.answer import VERDICTS
    from assistant.retrieval import Passage
    from finetune import findings, verdict
    from ingestion.embed import model_path, offline

    offline()
    items = verdict.read(data / "pubmedqa" / "dev.json")
    started = time.perf_counter()
    x = {i.id: findings.features(i.question, i.passages, embedder.embed) for i in items}  # no fitting: fold-free
    feature_seconds = time.perf_counter() - started
    names = ["findings classifier (c)", "fine-tuned encoder (c)", "zero-shot LLM (d)", "always yes"]
    gold: dict[str, list[str]] = {n: [] for n in names}
    chosen: dict[str, list[str]] = {n: [] for n in names}
    seconds: dict[str, list[float]] = {n: [] for n in names[:2]}

    def record(name: str, test: list, predicted: list[str]) -> None:
        gold[name] += [i.label for i in test]
        chosen[name] += predicted

    for number, (train, test) in enumerate(verdict.folds(items, folds)):
        started = time.perf_counter()
        classifier = verdict.fit_findings(train, np.stack([x[i.id] for i in train]))
        seconds[names[0]].append(time.perf_counter() - started + feature_seconds * len(train) / len(items))
        record(names[0], test, [verdict.LABELS[k] for k in classifier.probabilities(
            np.stack([x[i.id] for i in test])).argmax(1)])
        if number < encoder_folds:
            model, tokenizer, spec = verdict.train_encoder(train, model_path("all-MiniLM-L6-v2"), epochs=epochs,
                                                           base_name="all-MiniLM-L6-v2")
            seconds[names[1]].append(spec.seconds)
            tuned = verdict.VerdictModel(verdict.save_encoder(work / f"verdict-fold{number}", model, tokenizer, spec))
            record(names[1], test, [tuned.choose(i.question, i.passages) for i in test])
        if zero_shot:
            asked = []
            for i in test:
                passage = Passage(0, i.id, i.id, 0, 0, " ".join(i.passages), 1.0, None, None)
                built = prompting.build(i.question, [], [passage], llm.count_tokens, 1536)
                asked.append(llm.choose(prompting.verdict_messages(built), VERDICTS))
            record(names[2], test, asked)
        record(names[3], test, ["yes"] * len(test))
        print(f"fold {number + 1}/{folds}: findings {classification(gold[names[0]], chosen[names[0]])}", flush=True)
    return {"questions": len(items), "folds": folds, "encoder_folds": encoder_folds, "epochs": epochs,
            "gold": _counts(i.label for i in items),
            "training_seconds_per_fold": {n: round(statistics.median(v), 1) for n, v in seconds.items() if v},
            "results": {n: {**classification(gold[n], chosen[n]), "questions": len(gold[n]),
                            "predicted": _counts(chosen[n])} for n in names if gold[n]}}


def _counts(labels) -> dict[str, int]:  # noqa: ANN001
    labels = list(labels)
    return {label: labels.count(label) for label in LABELS}


def classification(gold: list[str], predicted: list[str]) -> dict[str, float]:
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / max(1, len(gold))
    f1s = []
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted))
        fp = sum(p == label != g for g, p in zip(gold, predicted))
        fn = sum(g == label != p for g, p in zip(gold, predicted))
        precision, recall = tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {"accuracy": round(accuracy, 4), "macro_f1": round(sum(f1s) / len(f1s), 4)}


# -- FinanceBench ----------------------------------------------------------------------------------------
def finance(data: Path, work: Path, embedder, llm, limit: int, modes: list[str], scope: str,  # noqa: ANN001
            **settings) -> dict:
    questions = [json.loads(line) for line in (data / "financebench" / "dev.jsonl").open()]
    home = fresh_home(work / f"finance-{scope}-home", embedder, llm, **settings)
    if scope == "evidence":
        folder = work / "finance-evidence"
        folder.mkdir()
        for q in questions:
            for e in q["evidence"]:
                source = e.get("evidence_doc_name") or e.get("doc_name") or q["doc_name"]
                name = f"{source}_page{e['evidence_page_num']}.txt"
                (folder / name).write_text(e["evidence_text_full_page"])
        asked = questions[:limit]
    else:
        folder = data / "financebench" / "pdfs"
        asked = [q for q in questions if (folder / f"{q['doc_name']}.pdf").exists()][:limit]
    ingested = ingest(home, folder)
    assistant = home.assistant()
    out: dict = {"scope": scope, "ingest": ingested, "questions": len(asked),
                 "numeric_questions": sum(_gold_numbers(q["answer"]) != [] for q in asked)}
    for mode in modes:
        numeric_hits = key_hits = key_total = broken = 0
        seconds, detail = [], []
        for q in asked:
            started = time.perf_counter()
            answer = assistant.ask(q["question"], mode=mode)
            seconds.append(time.perf_counter() - started)
            broken += bool(answer_problems(answer))
            gold = _gold_numbers(q["answer"])
            if gold:
                hit = _states_number(answer.answer, gold)
                numeric_hits += hit
            else:
                hit = _key_terms(answer.answer, q["answer"])
                key_hits += hit
                key_total += 1
            detail.append({"id": q.get("financebench_id"), "correct": bool(hit), "found": answer.found})
        numeric = out["numeric_questions"]
        out[mode] = {"numeric_accuracy": round(numeric_hits / max(1, numeric), 4),
                     "key_term_accuracy": round(key_hits / max(1, key_total), 4), "answers_with_problems": broken,
                     "found": sum(d["found"] for d in detail), "seconds_per_question": round(statistics.median(seconds), 2),
                     "detail": detail}
    return out


def _gold_numbers(answer: str) -> list[Decimal]:
    head = answer.strip().split("\n")[0]
    if len(head) > 40:  # a sentence, not a figure: scored by key terms
        return []
    return [n for n in numbers_in(head) if n != 0]


def _states_number(text: str, gold: list[Decimal]) -> bool:
    """Correct when the answer states the gold figure within 1%, in any of the usual scales."""
    stated = numbers_in(text)
    for g in gold:
        for n in stated:
            for scale in (1, 10 ** 3, 10 ** 6, 10 ** 9):
                if abs(abs(n) / scale - abs(g)) <= abs(g) * Decimal("0.01"):
                    return True
    return False


def _key_terms(text: str, gold: str) -> bool:
    """Key-term match for non-numeric answers: at least half of the gold answer's first sentence's
    content words appear in the answer."""
    wanted = set(terms(re.split(r"(?<=[.!?])\s", gold.strip())[0]))
    return bool(wanted) and len(wanted & set(terms(text))) / len(wanted) >= 0.5


# -- latency ----------------------------------------------------------------------------------------------
LATENCY_QUESTIONS = [
    "What are the side effects of metformin?", "Who is the CEO of Amazon.com?",
    "What was Alphabet's revenue in fiscal year 2023?", "Does warfarin interact with aspirin?",
    "What does lisinopril treat?", "Where is Intel headquartered?", "What is the ticker symbol of Pfizer?",
    "Which company owns Mobileye?", "What is metformin contraindicated in?", "What is the dosage of metformin?",
    "What drug class is atorvastatin?", "What was Microsoft's revenue in fiscal year 2023?",
]


def latency(work: Path, embedder, llm, **settings) -> dict:  # noqa: ANN001
    home = fresh_home(work / "sample-home", embedder, llm, **settings)
    ingest(home, ROOT / "ingestion" / "sample")
    assistant = home.assistant()
    assistant.ask(LATENCY_QUESTIONS[0])  # warm-up: entity-label index, BM25, model caches
    stages: dict[str, list[float]] = {s: [] for s in ("linking", "sparql", "retrieval", "generation", "verification")}
    totals = []
    for question in LATENCY_QUESTIONS:
        started = time.perf_counter()
        answer = assistant.ask(question)
        totals.append(time.perf_counter() - started)
        for stage in stages:
            stages[stage].append(answer.timings.get(stage, 0.0))
    return {"questions": len(LATENCY_QUESTIONS), "total": percentiles(totals),
            **{stage: percentiles(values) for stage, values in stages.items()}}


# -- main ----------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="Folder with pubmedqa/ and financebench/ (default ../shared/data or $KGASSIST_DATA).")
    parser.add_argument("--pubmedqa", type=int, default=500, help="PubMedQA questions to ask (per configuration).")
    parser.add_argument("--finance", type=int, default=65, help="FinanceBench questions to ask (per configuration).")
    parser.add_argument("--finance-scope", choices=["evidence", "filings"], default="evidence")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--verdict-folds", type=int, default=10, help="Cross-validation folds of the tuned verdicts.")
    parser.add_argument("--verdict-epochs", type=int, default=4, help="Epochs of the fine-tuned encoder.")
    parser.add_argument("--encoder-folds", type=int, default=0,
                        help="Folds on which the fine-tuned encoder is also measured (each takes about 20 minutes "
                             "on 2 cores).")
    parser.add_argument("--skip", nargs="*", default=[], choices=["pubmedqa", "finance", "latency", "verdicts",
                                                                   "zero-shot"])
    parser.add_argument("--max-tokens", type=int, default=Settings().answer_max_tokens,
                        help="Token limit of each written answer (KGASSIST_ANSWER_MAX_TOKENS).")
    args = parser.parse_args()
    data = data_dir(args.data)
    settings = Settings()
    models = Home(settings)
    llm, embedder = models.llm, models.embedder
    result: dict = {"params": {k: v for k, v in vars(args).items() if k != "data"}, "data": str(data),
                    "model": f"{llm.backend}:{llm.name}", "embedding_model": settings.embedding_model}
    overrides = {"answer_max_tokens": args.max_tokens}
    previous = RESULTS / "qa.json"
    if args.skip and previous.is_file():  # sections skipped now keep their last measured figures
        earlier = json.loads(previous.read_text())
        result.update({k: earlier[k] for k in ("latency", "finance", "pubmedqa", "verdicts") if k in earlier})
    with tempfile.TemporaryDirectory(prefix="kgassist-bench-qa-") as tmp:
        work = Path(tmp)
        if "latency" not in args.skip:
            result["latency"] = latency(work, embedder, llm, **overrides)
            _save(result)
        if "finance" not in args.skip:
            result["finance"] = finance(data, work, embedder, llm, args.finance, args.modes, args.finance_scope,
                                        **overrides)
            _save(result)
        if "pubmedqa" not in args.skip:
            result["pubmedqa"] = pubmedqa(data, work, embedder, llm, args.pubmedqa, args.modes, **overrides)
            _save(result)
        if "verdicts" not in args.skip:
            result["verdicts"] = verdicts(data, llm, embedder, args.verdict_folds, work,
                                          encoder_folds=args.encoder_folds, epochs=args.verdict_epochs,
                                          zero_shot="zero-shot" not in args.skip)
    path = _save(result)
    print(table(result))
    print(f"\nwritten: {path}")


def _save(result: dict) -> Path:
    """Write what is measured so far (a long run keeps its finished sections)."""
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return write_results("qa", result, table(result))


def table(r: dict) -> str:
    lines = [f"QA benchmark on {os.cpu_count()} CPU cores (no GPU), model {r['model']}, embeddings "
             f"{r['embedding_model']}, answers up to {r['params']['max_tokens']} tokens; peak RSS "
             f"{r['peak_rss_mb']} MB.", ""]
    if "pubmedqa" in r:
        p = r["pubmedqa"]
        lines += [f"**PubMedQA** (development half, first {p['questions']} questions by PubMed id; gold "
                  f"{p['gold']}): all {p['ingest']['documents']} abstracts' contexts ingested into one store; "
                  "verdict = the model's most likely of yes/no/maybe after the prompt (no free text).", "",
                  "| configuration | accuracy | macro-F1 | predicted yes/no/maybe | s/question |",
                  "|---|---:|---:|---|---:|"]
        for mode in MODES:
            if mode in p:
                m = p[mode]
                pred = "/".join(str(m["predicted"][k]) for k in LABELS)
                lines.append(f"| {mode} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {pred} | {m['seconds_per_question']} |")
        lines.append("")
    if "verdicts" in r:
        v = r["verdicts"]
        took = v["training_seconds_per_fold"]
        lines += [f"**PubMedQA verdicts, {v['folds']}-fold cross-validation by question** (the {v['questions']} "
                  f"development questions, gold {v['gold']}; each question's own contexts, never its conclusion). "
                  "Each fold's model was trained on the other folds only: the findings classifier in "
                  f"{took.get('findings classifier (c)', 0):.1f} s (median fold, its features included)"
                  + (f", the fine-tuned encoder (all-MiniLM-L6-v2, {v['epochs']} epochs) in "
                     f"{took['fine-tuned encoder (c)']:.0f} s, on the first {v['encoder_folds']} folds only"
                     if "fine-tuned encoder (c)" in took else "; the fine-tuned encoder was not measured") + ". "
                  "Published, official test half: always yes 0.552 / macro-F1 0.237, BioBERT fine-tuned 0.681, "
                  "human 0.780.", "",
                  "| verdicts | questions | accuracy | macro-F1 | predicted yes/no/maybe |", "|---|---:|---:|---:|---|"]
        for name, m in v["results"].items():
            pred = "/".join(str(m["predicted"][k]) for k in LABELS)
            lines.append(f"| {name} | {m['questions']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {pred} |")
        lines.append("")
    if "finance" in r:
        f = r["finance"]
        lines += [f"**FinanceBench** ({f['scope']} scope, {f['questions']} questions, {f['numeric_questions']} with a "
                  f"numeric answer; {f['ingest']['documents']} documents ingested): numeric = the answer states "
                  "the gold figure within 1% (any of units, thousands, millions, billions); key-term = half the "
                  "gold answer's content words appear (non-numeric questions).", "",
                  "| configuration | numeric accuracy | key-term accuracy | found | s/question | answers with an "
                  "unsupported sentence, name or number in their text |", "|---|---:|---:|---:|---:|---:|"]
        for mode in MODES:
            if mode in f:
                m = f[mode]
                lines.append(f"| {mode} | {m['numeric_accuracy']:.3f} | {m['key_term_accuracy']:.3f} | {m['found']} | "
                             f"{m['seconds_per_question']} | {m.get('answers_with_problems', 'not measured')} |")
        lines.append("")
    if "latency" in r:
        lat = r["latency"]
        lines += [f"**`ask` latency** on the sample corpus ({lat['questions']} questions, hybrid, full generation), ms:", "",
                  "| stage | p50 | p95 |", "|---|---:|---:|"]
        for stage in ("linking", "sparql", "retrieval", "generation", "verification", "total"):
            lines.append(f"| {stage} | {lat[stage]['p50_ms']:.0f} | {lat[stage]['p95_ms']:.0f} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
