"""Ingestion benchmarks: ADE extraction quality per extractor, finance fact recall from real
filings, and deterministic throughput (PDFs and 10,000 small documents); LLM-path throughput on CPU.

    .venv/bin/python -m bench.ingest [--data ../shared/data] [--small-docs 10000] [--llm-docs 30]

Writes bench/results/ingest.json and ingest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from finetune import relations
from ingestion.chunking import chunk
from ingestion.extract import Combined
from ingestion.extract.base import Mention
from ingestion.extract.patterns import PatternExtractor
from ingestion.loaders import LoadedDocument
from kgstore import Settings, vocab
from kgstore.artifacts import SPEC_FILE

from .common import RESULTS, write_results

ROOT = Path(__file__).parents[1]


def data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("KGASSIST_DATA", ROOT.parent / "shared" / "data"))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def _relaxed(pred: tuple[str, str], gold: tuple[str, str]) -> bool:
    (pd, pe), (gd, ge) = pred, gold
    return (pd == gd or pd in gd or gd in pd) and (pe == ge or pe in ge or ge in pe)


def score_ade(docs: list[dict], extractor) -> dict:  # noqa: ANN001 - an Extractor
    """Micro P/R/F1 of `extractor` over unique (drug, effect) pairs per document: strict (lower-cased,
    whitespace-normalised exact match) and relaxed (either string contains the other)."""
    strict, relaxed = [0, 0, 0], [0, 0, 0]
    started = time.perf_counter()
    for doc in docs:
        text = " ".join(doc["sentences"])
        gold = {(_norm(r["drug"]), _norm(r["effect"])) for r in doc["relations"]}
        pred = {(_norm(e.subject.text), _norm(e.object.text))
                for e in extractor.extract(LoadedDocument("ade", text, "text/plain"))
                if e.predicate == vocab.CAUSES_ADVERSE_EVENT and isinstance(e.object, Mention)}
        tp = len(pred & gold)
        strict[0] += tp
        strict[1] += len(pred) - tp
        strict[2] += len(gold) - tp
        matched_gold = {g for g in gold if any(_relaxed(p, g) for p in pred)}
        matched_pred = {p for p in pred if any(_relaxed(p, g) for g in gold)}
        relaxed[0] += len(matched_gold)
        relaxed[1] += len(pred - matched_pred)
        relaxed[2] += len(gold - matched_gold)
    seconds = time.perf_counter() - started
    return {"documents": len(docs), "strict": _prf(*strict), "relaxed": _prf(*relaxed),
            "seconds": round(seconds, 2), "docs_per_s": round(len(docs) / seconds, 2)}


def ade(data: Path, llm_docs: int, models: Path) -> dict:
    docs = [json.loads(line) for line in (data / "ade" / "dev.jsonl").open()]
    patterns = PatternExtractor()
    out = {"patterns": score_ade(docs, patterns)}
    if llm_docs:
        from assistant.llm.transformers import TransformersLLM
        from ingestion.extract.llm import LLMExtractor

        subset = docs[:llm_docs]
        out["llm"] = score_ade(subset, Combined([LLMExtractor(TransformersLLM(cache=models))]))
        out["patterns_on_llm_subset"] = score_ade(subset, patterns)
    return out


def _train_fold(train: list, epochs: int, folder: Path) -> float:
    """Train one fold's model on its training sentences (one torch thread: folds train side by side,
    which uses the cores better than one fold on all of them). Returns its training seconds."""
    import torch

    from ingestion.embed import model_path

    torch.set_num_threads(1)
    model, tokenizer, spec = relations.train(train, model_path("all-MiniLM-L6-v2"), epochs=epochs,
                                             base_name="all-MiniLM-L6-v2")
    relations.save(folder, model, tokenizer, spec)
    return spec.seconds


class _OverThreshold:
    """The earlier rule of combining: the model's triples, and any other extractor's triple of a
    relation the model decides only at or over the model's threshold."""

    def __init__(self, learned, patterns):  # noqa: ANN001
        self.learned, self.patterns = learned, patterns

    def extract(self, document: LoadedDocument) -> list:
        return self.learned.extract(document, chunk(document.text)) + [
            e for e in self.patterns.extract(document) if e.predicate not in self.learned.decides
            or e.confidence >= self.learned.threshold]


def ade_cross_validated(data: Path, folds: int, epochs: int, work: Path, workers: int) -> dict:
    """The learned extractor, patterns and both (as ingestion combines them: the learned
    threshold applied to the relation's triples from both) over `folds` folds by PubMed id; each
    fold's model is trained on the other folds' documents only (`workers` folds at a time).
    Micro-averaged over all folds."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ingestion.extract.learned import LearnedExtractor

    path = data / "ade" / "dev.jsonl"
    docs = {str(d["pmid"]): d for d in (json.loads(line) for line in path.open())}
    sentences = relations.read(path, "ade")
    patterns = PatternExtractor()
    runs: dict[str, list[dict]] = {"learned": [], "patterns": [], "learned + patterns": []}
    runs["learned + patterns over the threshold"] = []
    splits = relations.folds(sentences, folds)
    folders = [work / f"fold{number}" for number in range(folds)]
    missing = [n for n, folder in enumerate(folders) if not (folder / SPEC_FILE).is_file()]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_train_fold, [splits[n][0] for n in missing], [epochs] * len(missing),
                      [folders[n] for n in missing]))
    training = [json.loads((folder / SPEC_FILE).read_text())["seconds"] for folder in folders]
    for number, (train, test) in enumerate(splits):
        learned = LearnedExtractor(folders[number])
        held_out = [docs[d] for d in sorted({s.document for s in test})]
        for name, extractors in (("learned", [learned]), ("patterns", [patterns]),
                                 ("learned + patterns", [learned, patterns])):
            runs[name].append(score_ade(held_out, Combined(extractors)))
        runs["learned + patterns over the threshold"].append(score_ade(held_out, _OverThreshold(learned, patterns)))
        print(f"fold {number + 1}/{folds}: learned strict F1 {runs['learned'][-1]['strict']['f1']}, "
              f"both {runs['learned + patterns'][-1]['strict']['f1']} (trained in {training[number]:.0f} s)", flush=True)
    out = {}
    for name, scored in runs.items():
        merged = {kind: _prf(*(sum(f[kind][k] for f in scored) for k in ("tp", "fp", "fn")))
                  for kind in ("strict", "relaxed")}
        seconds = sum(f["seconds"] for f in scored)
        documents = sum(f["documents"] for f in scored)
        out[f"{name} ({folds}-fold CV)"] = {"documents": documents, **merged, "seconds": round(seconds, 2),
                                           "docs_per_s": round(documents / seconds, 2)}
    out[f"learned ({folds}-fold CV)"]["training_seconds_per_fold"] = sorted(training)[len(training) // 2]
    out[f"learned ({folds}-fold CV)"]["epochs"] = epochs
    return out


def _ingest(folder: Path, home: Path, workers: int = 1, vectors: bool = True) -> dict:
    """Two timed stages, as `kgassist ingest --no-vectors` then `kgassist index` run them: the
    deterministic path (load, chunk, extract, resolve, store, database) and the chunk vectors."""
    from assistant.home import Home

    kb = Home(Settings(home=home))
    kb.init_if_needed()
    pipeline = kb.pipeline(vectors=False)
    megabytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    started = time.perf_counter()
    report = pipeline.ingest([folder], workers=workers)
    deterministic = time.perf_counter() - started
    started = time.perf_counter()
    embedded = pipeline.embed_pending() if vectors else 0
    vectors = time.perf_counter() - started if vectors else None
    total = deterministic + (vectors or 0)
    return {"timings": report.timings, "documents": report.ok, "failed": len(report.failed), "pages": report.pages,
            "chunks": report.chunks, "triples": report.triples, "megabytes": round(megabytes, 2),
            "deterministic": {"seconds": round(deterministic, 2), "docs_per_s": round(report.ok / deterministic, 2),
                              "pages_per_s": round(report.pages / deterministic, 2),
                              "mb_per_s": round(megabytes / deterministic, 3)},
            "vectors": {"seconds": vectors and round(vectors, 2), "chunks": embedded,
                        "chunks_per_s": round(embedded / vectors, 2) if vectors else None},
            "with_vectors": {"seconds": round(total, 2), "docs_per_s": round(report.ok / total, 2),
                             "pages_per_s": round(report.pages / total, 2)},
            "store": kb.store, "db": kb.db}


_GOLD = re.compile(r"-?\$?\(?-?\d[\d,]*(?:\.\d+)?")


def _gold_number(answer: str) -> Decimal | None:
    m = _GOLD.search(answer)
    if not m:
        return None
    digits = re.sub(r"[^\d.\-]", "", m.group())
    try:
        return Decimal(digits)
    except Exception:  # noqa: BLE001
        return None


def finance(data: Path, home: Path, vectors: bool = True) -> dict:
    pdfs = data / "financebench" / "pdfs"
    run = _ingest(pdfs, home, vectors=vectors)
    store = run.pop("store")
    run.pop("db")
    questions = [json.loads(line) for line in (data / "financebench" / "dev.jsonl").open()]
    metric_qs = [q for q in questions if q["question_type"] == "metrics-generated"
                 and (pdfs / f"{q['doc_name']}.pdf").exists()]
    observations: dict[str, list[tuple[Decimal, str, str]]] = {}
    spans_ok = spans_all = 0
    for q_doc in {q["doc_name"] for q in metric_qs}:
        iri = vocab.document_iri(str((pdfs / f"{q_doc}.pdf").resolve()))
        text = None
        rows = store.query(
            "PREFIX kga: <https://w3id.org/kgassist/ontology#> SELECT ?v ?p ?m WHERE { GRAPH ?g { "
            "?o kga:value ?v ; kga:period ?p ; kga:metric ?metric . ?metric <http://www.w3.org/2000/01/rdf-schema#label> ?m } }",
            {"g": iri}, limit=1000).rows
        observations[q_doc] = [(Decimal(str(r["v"])), str(r["p"]), str(r["m"])) for r in rows]
        for a in store.assertions(iri):
            if a.predicate != vocab.VALUE or a.provenance.start is None:
                continue
            if text is None:
                from ingestion import loaders

                text = loaders.load(pdfs / f"{q_doc}.pdf").text
            span = re.sub(r"[^\d]", "", text[a.provenance.start:a.provenance.end])
            value = abs(Decimal(str(a.object)))
            spans_all += 1
            spans_ok += any(_digits(value / s) in span for s in (1, 10 ** 3, 10 ** 6, 10 ** 9) if value / s >= 1)
    hits = hits_with_metric = 0
    detail = []
    for q in metric_qs:
        gold = _gold_number(q["answer"])
        year = re.search(r"FY\s?(\d{4})", q["question"])
        found = False
        found_metric = False
        for value, period, metric in observations.get(q["doc_name"], []):
            if gold is None or (year and period != f"FY{year.group(1)}"):
                continue
            for scale in (1, 10 ** 3, 10 ** 6, 10 ** 9):
                if gold != 0 and abs(abs(value) / scale - abs(gold)) <= abs(gold) * Decimal("0.01"):
                    found = True
                    found_metric |= metric in q["question"].lower()
        hits += found
        hits_with_metric += found_metric
        detail.append({"doc": q["doc_name"], "answer": q["answer"], "found": found})
    run.update({"metric_questions": len(metric_qs), "fact_recall": round(hits / max(1, len(metric_qs)), 4),
                "fact_recall_metric_named": round(hits_with_metric / max(1, len(metric_qs)), 4),
                "value_facts": spans_all, "span_contains_value": round(spans_ok / max(1, spans_all), 4),
                "questions": detail})
    return run


def _digits(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.replace(".", "").lstrip("0") if "." in text else text


def small_docs(count: int, home: Path, workdir: Path, vectors: bool = True) -> dict:
    sample = ROOT / "ingestion" / "sample"
    files = [p for p in sample.rglob("*") if p.is_file() and p.name != "README.md"]
    folder = workdir / "small"
    for i in range(count):
        source = files[i % len(files)]
        target = folder / f"batch{i // 1000:02d}" / f"{i:05d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        # Each copy differs (its own last line), so no content-level cache can make copies cheaper.
        target.write_bytes(source.read_bytes() + (f"\nCopy {i}.\n" if source.suffix != ".csv" else "").encode())
    run = _ingest(folder, home, vectors=vectors)
    run.pop("store")
    run.pop("db")
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="Folder with ade/ and financebench/ (default ../shared/data or $KGASSIST_DATA).")
    parser.add_argument("--small-docs", type=int, default=10_000)
    parser.add_argument("--llm-docs", type=int, default=30, help="ADE documents for the (slow) CPU LLM extractor.")
    parser.add_argument("--ade-folds", type=int, default=5, help="Cross-validation folds of the learned extractor.")
    parser.add_argument("--ade-epochs", type=int, default=relations.EPOCHS, help="Training epochs of the learned extractor.")
    parser.add_argument("--ade-models", type=Path, help="Keep the fold models here (and score those already there "
                        "instead of training them again).")
    parser.add_argument("--ade-workers", type=int, default=os.cpu_count() or 1,
                        help="Folds of the learned extractor trained side by side, one core each.")
    parser.add_argument("--skip", nargs="*", default=[], choices=["ade", "ade-learned", "finance", "small"])
    parser.add_argument("--no-vectors", action="store_true", help="Time the deterministic path only (no embeddings).")
    args = parser.parse_args()
    data = data_dir(args.data)
    result: dict = {"params": {k: v for k, v in vars(args).items() if k not in ("data", "ade_models")},
                    "data": str(data)}
    previous = RESULTS / "ingest.json"
    if args.skip and previous.is_file():  # sections skipped now keep their last measured figures
        earlier = json.loads(previous.read_text())
        result.update({k: earlier[k] for k in ("finance", "small_docs", "ade", "ade_learned") if k in earlier})
    with tempfile.TemporaryDirectory(prefix="kgassist-bench-ingest-") as tmp:
        tmp_path = Path(tmp)
        models = tmp_path / "models"
        # Throughput first, on an otherwise idle machine; extraction quality (and the slow LLM) last.
        if "finance" not in args.skip:
            result["finance"] = finance(data, tmp_path / "finance-home", vectors=not args.no_vectors)
        if "small" not in args.skip:
            result["small_docs"] = small_docs(args.small_docs, tmp_path / "small-home", tmp_path,
                                              vectors=not args.no_vectors)
        if "ade" not in args.skip:
            result["ade"] = ade(data, args.llm_docs, models)
        if "ade-learned" not in args.skip:
            result["ade_learned"] = ade_cross_validated(data, args.ade_folds, args.ade_epochs,
                                                        args.ade_models or tmp_path / "ade-models", args.ade_workers)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    path = write_results("ingest", result, table(result))
    print(table(result))
    print(f"\nwritten: {path}")


def table(r: dict) -> str:
    lines = [f"Ingestion benchmark on {os.cpu_count()} CPU cores (no GPU); peak RSS {r['peak_rss_mb']} MB.", ""]
    if "ade" in r:
        lines += ["**ADE (drug causes adverse effect), development half.** Micro P/R/F1 over unique (drug, effect) "
                  "pairs per document; strict = lower-cased, whitespace-normalised exact match; relaxed = either "
                  "string contains the other.", "",
                  "| extractor | documents | strict P | strict R | strict F1 | relaxed F1 | docs/s |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for name, s in [*r["ade"].items(), *r.get("ade_learned", {}).items()]:
            lines.append(f"| {name} | {s['documents']} | {s['strict']['precision']:.3f} | {s['strict']['recall']:.3f} "
                         f"| {s['strict']['f1']:.3f} | {s['relaxed']['f1']:.3f} | {s['docs_per_s']} |")
        lines.append("")
        learned = next((s for name, s in r.get("ade_learned", {}).items() if "training_seconds_per_fold" in s), None)
        if learned:
            lines += [f"Cross-validated rows: each fold's `learned` model (all-MiniLM-L6-v2 fine-tuned, "
                      f"{learned['epochs']} epochs) was trained on the other folds' documents only, in "
                      f"{learned['training_seconds_per_fold']:.0f} s (median fold) on this CPU; "
                      "`learned + patterns` is what ingestion stores with both configured: the trained model decides "
                      "its relation (a pattern triple of it stands where the model found it too, with both "
                      "provenances); `learned + patterns over the threshold` is the earlier rule (any extractor's "
                      "triple of the relation at KGASSIST_EXTRACTOR_THRESHOLD or above).", ""]
    if "finance" in r:
        f = r["finance"]
        lines += ["**FinanceBench filings (real 10-K/10-Q/8-K PDFs), deterministic extractors (patterns + table).** "
                  "Statement recall: metric questions whose gold figure the graph holds as a fact (value within 1%, "
                  "fiscal year).", "",
                  "| PDFs | pages | failed | triples | metric questions | fact recall | with metric named "
                  "| value facts whose span contains the value |", "|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {f['documents']} | {f['pages']} | {f['failed']} | {f['triples']:,} | {f['metric_questions']} | "
                  f"{f['fact_recall']:.3f} | {f['fact_recall_metric_named']:.3f} | {f['span_contains_value']:.3f} |", ""]
    runs = [(name, r[key]) for name, key in (("41 FinanceBench PDFs", "finance"),
                                              (f"{r.get('small_docs', {}).get('documents', 0):,} small documents",
                                               "small_docs")) if key in r]
    if runs:
        lines += ["**Throughput**, one process. Deterministic path = load, chunk, extract (patterns + table), "
                  "resolve, store and database writes (`kgassist ingest --no-vectors`); vectors = MiniLM chunk "
                  "embeddings and FAISS (`kgassist index`, also run by a plain `kgassist ingest`).", "",
                  "| corpus | docs | pages | chunks | MB | deterministic s | docs/s | pages/s | MB/s "
                  "| vectors s | chunks/s | with vectors: docs/s | pages/s |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, x in runs:
            d, v, w = x["deterministic"], x["vectors"], x["with_vectors"]
            if v["seconds"] is None:  # run with --no-vectors
                v = w = {"seconds": "not run", "chunks_per_s": "", "docs_per_s": "", "pages_per_s": ""}
            lines.append(f"| {name} | {x['documents']:,} | {x['pages']:,} | {x['chunks']:,} | {x['megabytes']} | "
                         f"{d['seconds']} | {d['docs_per_s']} | {d['pages_per_s']} | {d['mb_per_s']} | {v['seconds']} | "
                         f"{v['chunks_per_s']} | {w['docs_per_s']} | {w['pages_per_s']} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
