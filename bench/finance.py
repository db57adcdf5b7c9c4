"""FinanceBench, development half, on the CPU default (../shared/data/financebench or
KGASSIST_DATA):

    .venv/bin/python -m bench.finance [--types metrics-generated ...] [--settings open-book evidence]

Two settings, as in the FinanceBench paper: `open-book`, a store per filing built from the real
PDF (questions whose filing is in pdfs/; passages by full-text search unless `--open-book-vectors`
also embeds the filings' chunks, which takes about 30 minutes on 2 cores), and `evidence`, one shared store of every question's
evidence pages (each page a text document whose first line names the company and filing, as the
dataset records them). Numeric answers are right within 1% after unit normalisation (the computed
value, else a number the answer writes, in base units, thousands, millions or billions, or as a
percentage); others by key-term match (half of the gold answer's content words in the answer).
Accuracy per question type and overall, beside the paper's GPT-4-Turbo figures. Writes
bench/results/finance.json and .md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path

from assistant.home import Home
from assistant.text import terms
from assistant.verify import answer_problems
from ingestion.numbers import stated_numbers
from kgstore.settings import Settings

from .common import write_results
from .ingest import data_dir

COMMAND = ".venv/bin/python -m bench.finance"
TYPES = ("metrics-generated", "domain-relevant", "novel-generated")
#: GPT-4-Turbo on FinanceBench (the paper's released labels): shared vector store, store per filing,
#: handed the right page.
PAPER = {"shared store": 0.193, "store per filing": 0.500, "evidence page given": 0.853}


def gold_number(answer: str) -> tuple[Decimal, bool, int] | None:
    """The gold answer's number, whether it is a percentage, and its decimals ('$1577.00', '0.66',
    '101.5%')."""
    m = re.search(r"-?\$?\(?-?\d[\d,]*(?:\.\d+)?\)?\s*%?", answer)
    if not m:
        return None
    text = m.group()
    try:
        value = Decimal(re.sub(r"[^\d.]", "", text))
    except InvalidOperation:
        return None
    negative = "-" in text or "(" in text
    places = len(text.split(".", 1)[1].rstrip("%) ")) if "." in text else 0
    return (-value if negative else value), text.rstrip().endswith("%"), places


def numeric_right(gold: tuple[Decimal, bool, int], candidates: list[Decimal]) -> bool:
    """Within 1% of the gold number after unit normalisation, or equal to it at the gold's own
    rounding ('0.4%' for 0.42%)."""
    value, percent, places = gold
    step = Decimal(1).scaleb(-places)
    for c in candidates:
        forms = [c, c / 10 ** 3, c / 10 ** 6, c / 10 ** 9, c * 100 if percent else c]
        if any(abs(f - value) <= abs(value) * Decimal("0.01") or f.quantize(step) == value for f in forms):
            return True
    return False


def key_terms_right(gold: str, answer: str) -> bool:
    wanted = set(terms(gold))
    return bool(wanted) and len(wanted & set(terms(answer))) >= len(wanted) / 2


def score(question: dict, answer) -> tuple[bool, str]:  # noqa: ANN001 - an Answer
    gold = gold_number(question["answer"]) if question["question_type"] == "metrics-generated" else None
    if gold is not None:
        value = answer.value
        candidates = [value.number] if value is not None and value.number is not None else \
            [n for n, _ in stated_numbers(answer.answer)]
        return numeric_right(gold, candidates), "numeric"
    return key_terms_right(question["answer"], answer.answer), "key terms"


def _ask_all(home: Home, questions: list[dict]) -> list[dict]:
    assistant = home.assistant()
    out = []
    for q in questions:
        start = time.perf_counter()
        answer = assistant.ask(q["question"])
        right, how = score(q, answer)
        out.append({"id": q["financebench_id"], "type": q["question_type"], "doc": q["doc_name"], "right": right,
                    "scored_by": how, "gold": q["answer"][:120], "answer": answer.answer[:400],
                    "value": answer.value.to_json() if answer.value is not None else None,
                    "problems": answer_problems(answer), "seconds": round(time.perf_counter() - start, 2)})
    return out


def open_book(data: Path, questions: list[dict], workdir: Path, vectors: bool = True) -> dict:
    pdfs = data / "financebench" / "pdfs"
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for q in questions:
        if (pdfs / f"{q['doc_name']}.pdf").exists():
            by_doc[q["doc_name"]].append(q)
    results, ingest_s = [], 0.0
    for doc, qs in sorted(by_doc.items()):
        folder = workdir / doc
        (folder / "corpus").mkdir(parents=True)
        shutil.copy(pdfs / f"{doc}.pdf", folder / "corpus")
        with Home(Settings(home=folder / "home")) as home:
            start = time.perf_counter()
            home.pipeline(vectors=vectors).ingest([folder / "corpus"])
            ingest_s += time.perf_counter() - start
            results += _ask_all(home, qs)
        shutil.rmtree(folder, ignore_errors=True)
    return {"questions": results, "documents": len(by_doc), "ingest_s": round(ingest_s, 1),
            "retrieval": "dense + full-text" if vectors else "full-text only (no chunk vectors)"}


def evidence(questions: list[dict], workdir: Path) -> dict:
    corpus = workdir / "evidence"
    corpus.mkdir(parents=True)
    for q in questions:
        for i, e in enumerate(q["evidence"]):
            page = e.get("evidence_text_full_page") or e.get("evidence_text") or ""
            name = f"{q['doc_name']}-p{e.get('evidence_page_num', i)}.txt"
            (corpus / name).write_text(f"{q['company']} — {q['doc_name']}, page {e.get('evidence_page_num', i)}\n"
                                       f"{page}", encoding="utf-8")
    with Home(Settings(home=workdir / "evidence-home")) as home:
        start = time.perf_counter()
        home.pipeline().ingest([corpus])
        ingest_s = time.perf_counter() - start
        results = _ask_all(home, questions)
    return {"questions": results, "documents": len(list(corpus.iterdir())), "ingest_s": round(ingest_s, 1),
            "retrieval": "dense + full-text"}


def accuracy(results: list[dict]) -> dict:
    out = {}
    for t in (*TYPES, "all"):
        rows = [r for r in results if t in ("all", r["type"])]
        out[t] = {"n": len(rows), "accuracy": round(sum(r["right"] for r in rows) / len(rows), 3) if rows else None}
    return out


def table(r: dict) -> str:
    lines = [f"FinanceBench development half, CPU default. Reproduce with `{r['command']}`.", "",
             "| setting | " + " | ".join(f"{t} (n)" for t in (*TYPES, "all")) + " |",
             "|---|" + "---:|" * (len(TYPES) + 1)]
    for name, s in r["settings"].items():
        cells = [f"{s['accuracy'][t]['accuracy']} ({s['accuracy'][t]['n']})" for t in (*TYPES, "all")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "GPT-4-Turbo in the FinanceBench paper (all question types): " +
              ", ".join(f"{k} {v:.1%}" for k, v in PAPER.items()) + ".",
              "Numeric answers (metrics-generated) are scored within 1% after unit normalisation; the others by "
              "key-term match (half the gold answer's content words), a generous proxy for a human grader.", ""]
    for name, s in r["settings"].items():
        problems = sum(1 for q in s["questions"] if q["problems"])
        seconds = sorted(q["seconds"] for q in s["questions"])
        lines.append(f"- {name}: {s['documents']} documents ingested in {s['ingest_s']} s; passages by "
                     f"{s.get('retrieval', 'dense + full-text')}; median answer {seconds[len(seconds) // 2]} s; answers "
                     f"breaking the verification promise: {problems}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="Folder with financebench/ (default ../shared/data or $KGASSIST_DATA).")
    parser.add_argument("--types", nargs="*", default=list(TYPES), choices=TYPES)
    parser.add_argument("--settings", nargs="*", default=["open-book", "evidence"], choices=["open-book", "evidence"])
    parser.add_argument("--open-book-vectors", action="store_true",
                        help="Embed the 41 filings' chunks too (about 30 min on 2 cores); default full-text only.")
    args = parser.parse_args()
    data = data_dir(args.data)
    questions = [json.loads(line) for line in (data / "financebench" / "dev.jsonl").open()]
    questions = [q for q in questions if q["question_type"] in args.types]
    result: dict = {"command": COMMAND + (f" --types {' '.join(args.types)}" if args.types != list(TYPES) else ""),
                    "settings": {}}
    with tempfile.TemporaryDirectory() as tmp:
        if "open-book" in args.settings:
            run = open_book(data, questions, Path(tmp) / "open", vectors=args.open_book_vectors)
            result["settings"]["open book (store per filing)"] = {**run, "accuracy": accuracy(run["questions"])}
        if "evidence" in args.settings:
            run = evidence(questions, Path(tmp) / "pages")
            result["settings"]["evidence pages (one shared store)"] = {**run, "accuracy": accuracy(run["questions"])}
    md = write_results("finance", result, table(result))
    print(md.read_text())


if __name__ == "__main__":
    main()
