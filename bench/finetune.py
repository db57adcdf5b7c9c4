"""Fine-tuning benchmarks: link prediction on UMLS, Nations and Kinships (filtered MRR, Hits@10,
training time, next to published figures; PyKEEN side by side when it is installed), and triple
classification on UMLS with the knowledge prefix adapter on the CPU default model.

    .venv/bin/python -m bench.finetune [--data ../shared/data] [--skip linkpred pykeen classification]
                                       [--steps 60] [--train-examples 512] [--test-examples 200]

PyKEEN is optional (`pip install pykeen`); without it the comparison row is left out.
Writes bench/results/finetune.json and finetune.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

import torch

from finetune import export
from finetune.kge import MODELS, preset, train

from .common import write_results

ROOT = Path(__file__).parents[1]
DATASETS = ("umls", "nations", "kinships")
#: Filtered test figures quoted in ../shared/data/kg/SOURCE.md (no others are claimed here).
PUBLISHED = {
    ("umls", "distmult"): "MRR .739, H@10 .948 (dice-embeddings, dim 32)",
    ("umls", "complex"): "MRR .749, H@10 .958 (dice-embeddings, dim 32)",
    ("kinships", "transe"): "H@10 .920 (PyKEEN benchmarking study, best)",
    ("kinships", "distmult"): "H@10 .925 (PyKEEN benchmarking study, best)",
    ("kinships", "complex"): "H@10 .983 (PyKEEN benchmarking study, best)",
    ("kinships", "rotate"): "H@10 .985 (PyKEEN benchmarking study, best)",
}


def data_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("KGASSIST_DATA", ROOT.parent / "shared" / "data"))


def link_prediction(kg: Path) -> list[dict]:
    rows = []
    for name in DATASETS:
        splits = export.read(kg / name)
        for model in MODELS:
            metrics = train(splits, preset(model)).metrics
            rows.append({"dataset": name, "model": model, **metrics, "published": PUBLISHED.get((name, model), "")})
            print(rows[-1], flush=True)
    return rows


def pykeen_side_by_side(kg: Path, epochs: int = 60) -> dict | None:
    """ComplEx with the same configuration, fixed epochs, no early stopping, one thread each."""
    try:
        import pykeen
        from pykeen.pipeline import pipeline
        from pykeen.triples import TriplesFactory
    except ImportError:
        return None
    splits = export.read(kg / "umls")
    config = preset("complex", epochs=epochs, eval_every=0, threads=1)
    ours = train(splits, config).metrics
    path = lambda s: str(kg / "umls" / f"{s}.txt")  # noqa: E731
    tr = TriplesFactory.from_path(path("train"), create_inverse_triples=True)
    kw = dict(entity_to_id=tr.entity_to_id, relation_to_id=tr.relation_to_id)
    torch.set_num_threads(1)
    result = pipeline(
        training=tr, validation=TriplesFactory.from_path(path("valid"), **kw),
        testing=TriplesFactory.from_path(path("test"), **kw), random_seed=0, device="cpu", model="ComplEx",
        model_kwargs=dict(embedding_dim=config.dim, regularizer=None, entity_initializer="xavier_normal",
                          relation_initializer="xavier_normal"),
        loss="BCEWithLogitsLoss", training_loop="LCWA", optimizer="Adam", optimizer_kwargs=dict(lr=config.lr),
        training_kwargs=dict(num_epochs=epochs, batch_size=config.batch_size,
                             label_smoothing=config.label_smoothing, use_tqdm=False),
        evaluator_kwargs=dict(filtered=True), evaluation_kwargs=dict(batch_size=512, use_tqdm=False))
    theirs = {"mrr": round(result.metric_results.get_metric("both.realistic.inverse_harmonic_mean_rank"), 4),
              "hits_at_10": round(result.metric_results.get_metric("both.realistic.hits_at_10"), 4),
              "seconds": round(result.train_seconds, 2)}
    return {"pykeen": pykeen.get_version(), "epochs": epochs, "dim": config.dim, "ours": ours, "theirs": theirs,
            "ratio": round(theirs["seconds"] / ours["seconds"], 2)}


def classification(kg: Path, steps: int, train_examples: int, test_examples: int) -> list[dict]:
    """UMLS triple classification: one corrupted triple per test triple (KoPA's protocol, seed 0),
    on the CPU default model: zero-shot, LoRA only, prefix only, prefix with LoRA."""
    import tempfile

    from assistant.llm.transformers import TransformersLLM
    from finetune.pipeline import adapter

    work = Path(tempfile.mkdtemp(prefix="kgassist-bench-ft-"))
    splits = export.read(kg / "umls")
    export.write(splits, work / "kge" / "triples")
    train(splits, preset("rotate"), checkpoint=work / "kge")  # KoPA's structural embeddings are RotatE's
    rows = []
    for name, prefix, lora, n in (("base model, zero-shot", False, False, 0), ("LoRA, no prefix", False, True, steps),
                                  ("prefix, no LoRA", True, False, steps), ("prefix + LoRA", True, True, steps)):
        llm = TransformersLLM(cache=work / "models")  # a fresh, unmodified base model for each configuration
        started = time.perf_counter()
        result = adapter(llm, work / "kge", work / f"adapter-{len(rows)}", steps=n, prefix=prefix, lora=lora,
                         batch_size=8, train_examples=train_examples, test_examples=test_examples, qa=False)
        result["seconds_total"] = round(time.perf_counter() - started, 1)
        rows.append({"configuration": name, **result})
        print(rows[-1], flush=True)
    return rows


def table(results: dict) -> str:
    lines = ["Fine-tuning benchmark on 2 CPU cores (no GPU). Link prediction: filtered test metrics (both "
             "directions, realistic rank), early stopping on validation MRR, the presets in finetune/kge.py, "
             "one torch thread.", "",
             "| dataset | model | MRR | H@1 | H@3 | H@10 | train s | epochs | published (filtered, test) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results.get("link_prediction", []):
        lines.append(f"| {r['dataset']} | {r['model']} | {r['mrr']:.3f} | {r['hits_at_1']:.3f} | {r['hits_at_3']:.3f} "
                     f"| {r['hits_at_10']:.3f} | {r['seconds']:.1f} | {r['epochs']} | {r['published']} |")
    side = results.get("pykeen")
    if side:
        lines += ["", f"**PyKEEN {side['pykeen']} side by side** (UMLS, ComplEx dim {side['dim']}, {side['epochs']} "
                  "epochs, same loss, optimiser, batch and initialisation, one thread each, same process):", "",
                  "| trainer | MRR | H@10 | train s |", "|---|---:|---:|---:|",
                  f"| kgassist | {side['ours']['mrr']:.3f} | {side['ours']['hits_at_10']:.3f} | {side['ours']['seconds']:.2f} |",
                  f"| PyKEEN | {side['theirs']['mrr']:.3f} | {side['theirs']['hits_at_10']:.3f} | "
                  f"{side['theirs']['seconds']:.2f} |", "", f"PyKEEN / kgassist training time: {side['ratio']}x."]
    rows = results.get("classification", [])
    if rows:
        lines += ["", f"**Triple classification on UMLS** (SmolLM2-135M-Instruct on CPU; test: {rows[0]['test_examples']}"
                  " examples = test triples sampled with seed 0 plus one corrupted triple each, head or tail replaced, "
                  f"filtered against all known triples; training: {rows[0]['train_examples']} examples from the train "
                  "split the same way; RotatE embeddings).", "",
                  "| configuration | steps | accuracy | precision | recall | F1 | seconds |", "|---|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['configuration']} | {r.get('steps', 0)} | {r['accuracy']:.3f} | {r['precision']:.3f} | "
                         f"{r['recall']:.3f} | {r['f1']:.3f} | {r['seconds_total']} |")
        lines += ["", "Published (KoPA, arXiv 2310.06671, UMLS, full training on GPU with a 7B model): RotatE 92.05% "
                  "accuracy, KoPA 92.58%."]
    lines += ["", f"Peak RSS {results['peak_rss_mb']} MB."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="Folder with kg/ (default ../shared/data or $KGASSIST_DATA).")
    parser.add_argument("--skip", nargs="*", default=[], choices=["linkpred", "pykeen", "classification"])
    parser.add_argument("--steps", type=int, default=60, help="Adapter training steps (batch 8).")
    parser.add_argument("--train-examples", type=int, default=512)
    parser.add_argument("--test-examples", type=int, default=200)
    args = parser.parse_args()
    kg = data_dir(args.data) / "kg"
    results: dict = {}
    if "linkpred" not in args.skip:
        results["link_prediction"] = link_prediction(kg)
    if "pykeen" not in args.skip:
        results["pykeen"] = pykeen_side_by_side(kg)
    if "classification" not in args.skip:
        results["classification"] = classification(kg, args.steps, args.train_examples, args.test_examples)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(write_results("finetune", results, table(results)).read_text())


if __name__ == "__main__":
    main()
