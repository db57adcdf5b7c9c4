"""Extraction quality per relation on labelled sentences, strict and relaxed
(`ingestion.extract.evaluate`), for the pattern extractor:

    .venv/bin/python -m bench.extraction

Sets, from least to most telling:
- `extract_dev`: phrasings written by whoever tuned the extractor (tests/fixtures/extract_dev.jsonl);
- `paraphrases`: written blind to the extractor, then used to tune it (tests/fixtures/paraphrases.jsonl);
- `holdout`: written blind, then tuned on in a later round (tests/fixtures/paraphrases_holdout.jsonl);
- `final`: written blind, measured untouched after the third round, then tuned on in the fourth
  (tests/fixtures/paraphrases_final.jsonl);
- `blind4`: written blind by someone who read neither the extractor nor the other sets, measured
  untouched after the fourth round, then tuned on in the fifth (tests/fixtures/paraphrases_blind4.jsonl);
- `blind5`: written blind the same way, measured untouched after the fifth round, then tuned on in
  the sixth (tests/fixtures/paraphrases_blind5.jsonl);
- `blind6`: written blind the same way while the sixth round was written, measured untouched after
  it, then tuned on in the seventh (tests/fixtures/paraphrases_blind6.jsonl);
- `blind7`, `blind8`: written blind the same way by two writers while the seventh round was written,
  measured untouched after it, then tuned on in the eighth (tests/fixtures/paraphrases_blind7.jsonl,
  paraphrases_blind8.jsonl; the second asked for the plain phrasings sources use most);
- `blind9`: 192 sentences (16 per relation) written blind the same way while the eighth round was
  written, measured untouched after it, then tuned on in the ninth (tests/fixtures/paraphrases_blind9.jsonl);
- `blind10`: 192 sentences written blind the same way while the ninth round was written, measured
  untouched after it, then tuned on in the tenth (tests/fixtures/paraphrases_blind10.jsonl);
- `blind11`: 240 sentences (20 per relation) written blind the same way while the tenth round was
  written, and never seen while tuning (tests/fixtures/paraphrases_blind11.jsonl): the measure of how
  the extractor generalises;
- `real`: sentences of ADE, PubMedQA and FinanceBench labelled by hand, read from
  ../shared/data (or KGASSIST_DATA) through the locators in tests/fixtures/paraphrases_real.jsonl.

With `--learned DIR` (a folder `kgassist finetune extractor` wrote) the written sets are also
scored, for the relations the model decides, by the model alone and by patterns + model combined
as ingestion combines them. `real` is left out there: its ADE sentences belong to ADE's
development half, which such a model is trained on. Without `--learned` the last such figures
are kept. Writes bench/results/extraction.json and .md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

from ingestion.extract import Combined, build_extractors
from ingestion.extract.evaluate import RELATIONS, score_found, triples
from ingestion.extract.patterns import PatternExtractor

from .common import RESULTS, write_results

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures"
COMMAND = ".venv/bin/python -m bench.extraction"
SETS = {"extract_dev": "extract_dev.jsonl", "paraphrases": "paraphrases.jsonl", "holdout": "paraphrases_holdout.jsonl",
        "final": "paraphrases_final.jsonl", "blind4": "paraphrases_blind4.jsonl",
        "blind5": "paraphrases_blind5.jsonl", "blind6": "paraphrases_blind6.jsonl",
        "blind7": "paraphrases_blind7.jsonl", "blind8": "paraphrases_blind8.jsonl", "blind9": "paraphrases_blind9.jsonl",
        "blind10": "paraphrases_blind10.jsonl", "blind11": "paraphrases_blind11.jsonl"}
_LEGACY_NAMES = {"CEO": "chiefExecutiveOfficer", "CFO": "chiefFinancialOfficer", "HEADQUARTERED_IN": "headquarteredIn",
                 "TICKER": "tickerSymbol", "HAS_SUBSIDIARY": "hasSubsidiary", "REPORTED_METRIC": "reportedMetric",
                 "TREATS": "treats", "CAUSES_ADVERSE_EVENT": "causesAdverseEvent",
                 "CONTRAINDICATED_IN": "contraindicatedIn", "INTERACTS_WITH": "interactsWith", "DOSAGE": "dosage",
                 "DRUG_CLASS": "drugClass"}


def load(name: str) -> list[dict]:
    """A labelled set, relations by their local names."""
    if name == "real":
        spec = importlib.util.spec_from_file_location("real_sentences", FIXTURES / "real_sentences.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.load_real(FIXTURES / "paraphrases_real.jsonl")
    items = [json.loads(line) for line in (FIXTURES / SETS[name]).read_text(encoding="utf-8").splitlines()
             if line.strip()]
    for item in items:
        item["expected"] = [[s, _LEGACY_NAMES.get(r, r), o] for s, r, o in item["expected"]]
    return items


def scores(extractor, items: list[dict], relations: Sequence[str] = RELATIONS, *,  # noqa: ANN001
           misses: bool = False) -> dict:
    """Relaxed and strict precision / recall of `relations` from one extraction of each item;
    with `misses`, the relaxed misses too."""
    found = [triples(extractor, item["text"]) for item in items]
    scored = {mode: {r: s for r, s in score_found(items, found, strict).items() if r in relations}
              for mode, strict in (("relaxed", False), ("strict", True))}
    out: dict = {mode: {r: {k: v for k, v in s.items() if k != "misses"} for r, s in by.items()}
                 for mode, by in scored.items()}
    if misses:
        out["misses"] = {r: s["misses"] for r, s in scored["relaxed"].items()}
    return out


def learned(folder: Path, sets: dict[str, list[dict]]) -> dict:
    """The written `sets` scored for the relations a trained model decides: by the model alone,
    and by patterns + model (the patterns alone are the main table's)."""
    model, = build_extractors(["learned"], learned_model=folder)
    decided = [name for name, iri in RELATIONS.items() if iri in model.decides]  # type: ignore[attr-defined]
    spec = model.spec  # type: ignore[attr-defined]
    out: dict = {"model": str(folder), "base_model": spec.get("base_model"), "data_digest": spec.get("data_digest"),
                 "sentences": spec.get("sentences"), "epochs": spec.get("epochs"), "relations": decided}
    runs = (Combined([model]), Combined([PatternExtractor(), model]))
    out["sets"] = {name: {e.name: scores(e, items, decided) for e in runs} for name, items in sets.items()}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learned", type=Path, help="Also score a trained extractor's folder (kgassist finetune "
                                                     "extractor) on the written sets.")
    args = parser.parse_args()
    extractor = PatternExtractor()
    results: dict = {"command": COMMAND, "extractor": "patterns", "sets": {}}
    sets = {name: load(name) for name in [*SETS, "real"]}
    for name, items in sets.items():
        results["sets"][name] = {"items": len(items), **scores(extractor, items, misses=True)}
    previous = RESULTS / "extraction.json"
    if args.learned:
        results["learned"] = learned(args.learned, {name: sets[name] for name in SETS})
    elif previous.is_file():
        results.update({k: v for k, v in json.loads(previous.read_text()).items() if k == "learned"})
    lines = [f"Pattern extractor, precision / recall per relation (relaxed; strict in brackets). "
             f"Reproduce with `{COMMAND}`.", "",
             "| relation | " + " | ".join(f"{n} ({results['sets'][n]['items']})" for n in results["sets"]) + " |",
             "|---|" + "---:|" * len(results["sets"])]
    for relation in RELATIONS:
        cells = []
        for name, data in results["sets"].items():
            r, s = data["relaxed"][relation], data["strict"][relation]
            n = r["tp"] + r["fn"]
            cells.append(f"{r['precision']:.2f} / {r['recall']:.2f} ({s['precision']:.2f} / {s['recall']:.2f}), n={n}")
        lines.append(f"| {relation} | " + " | ".join(cells) + " |")
    lines += ["", "`blind11` was written blind to the extractor and to the other sets and never used to tune it: "
              "it is the column that says how the rules generalise. `paraphrases`, `holdout`, `final`, `blind4` "
              "to `blind10` were written blind, then tuned on (in that order); "
              "`extract_dev` was written by the tuner. Up to the fifth round each round's rules lifted the set "
              "they were written for and left the next untouched set near where the previous one stood; the "
              "sixth round, written for structures (label fields, formulary headings, roles, addresses, "
              "ownership) rather than sentences, left the untouched blind6 with five relations at P >= 0.9 / "
              "R >= 0.8, the seventh left the untouched blind7 and blind8 with three, the eighth blind9 with "
              "four, the ninth blind10 with four, the tenth blind11 with two: which relations reach it depends on "
              "who wrote the set. FinanceBench "
              "table rows (most of `real`'s reportedMetric) are the statement reader's work, not these sentence "
              "patterns."]
    if "learned" in results:
        lines += ["", learned_table(results["learned"], results["sets"])]
    md = write_results("extraction", results, "\n".join(lines))
    print(md.read_text())


def learned_table(r: dict, patterns: dict) -> str:
    """The trained extractor's table; `patterns` are the main table's figures per set."""
    names = list(r["sets"])
    lines = [f"A trained extractor (`{COMMAND} --learned DIR`; {r['base_model']} fine-tuned {r['epochs']} epochs on "
             f"{r['sentences']} sentences, data digest {r['data_digest']}) on the relations it decides, precision / "
             "recall relaxed (strict in brackets); `patterns + learned` is what ingestion stores with both. `real` "
             "is left out: its ADE sentences are in the data such a model is trained on.", "",
             "| relation | extractor | " + " | ".join(f"{n} ({patterns[n]['items']})" for n in names) + " |",
             "|---|---|" + "---:|" * len(names)]
    for relation in r["relations"]:
        for extractor in ["patterns", *r["sets"][names[0]]]:
            cells = []
            for n in names:
                scored = patterns[n] if extractor == "patterns" else r["sets"][n][extractor]
                x, s = scored["relaxed"][relation], scored["strict"][relation]
                cells.append(f"{x['precision']:.2f} / {x['recall']:.2f} ({s['precision']:.2f} / {s['recall']:.2f})")
            lines.append(f"| {relation} | {extractor} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
