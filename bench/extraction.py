"""Extraction quality per relation on labelled sentences, strict and relaxed
(`ingestion.extract.evaluate`), for the pattern extractor:

    .venv/bin/python -m bench.extraction

Sets, from least to most telling:
- `extract_dev`: phrasings written by whoever tuned the extractor (tests/fixtures/extract_dev.jsonl);
- `paraphrases`: written blind to the extractor, then used to tune it (tests/fixtures/paraphrases.jsonl);
- `holdout`: written blind, then tuned on in a later round (tests/fixtures/paraphrases_holdout.jsonl);
- `final`: written blind, measured untouched after the third round, then tuned on in the fourth
  (tests/fixtures/paraphrases_final.jsonl);
- `blind4`: written blind by someone who read neither the extractor nor the other sets, and never
  seen while tuning (tests/fixtures/paraphrases_blind4.jsonl): the measure of how the extractor
  generalises;
- `real`: sentences of ADE, PubMedQA and FinanceBench labelled by hand, read from
  ../shared/data (or KGASSIST_DATA) through the locators in tests/fixtures/paraphrases_real.jsonl.
Writes bench/results/extraction.json and .md.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from ingestion.extract.evaluate import RELATIONS, score
from ingestion.extract.patterns import PatternExtractor

from .common import write_results

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures"
COMMAND = ".venv/bin/python -m bench.extraction"
SETS = {"extract_dev": "extract_dev.jsonl", "paraphrases": "paraphrases.jsonl", "holdout": "paraphrases_holdout.jsonl",
        "final": "paraphrases_final.jsonl", "blind4": "paraphrases_blind4.jsonl"}
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


def main() -> None:
    extractor = PatternExtractor()
    results: dict = {"command": COMMAND, "extractor": "patterns", "sets": {}}
    for name in [*SETS, "real"]:
        items = load(name)
        results["sets"][name] = {"items": len(items), **{
            mode: {r: {k: v for k, v in s.items() if k != "misses"} for r, s in score(extractor, items, strict).items()}
            for mode, strict in (("relaxed", False), ("strict", True))}}
        results["sets"][name]["misses"] = {r: s["misses"] for r, s in score(extractor, items).items()}
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
    lines += ["", "`blind4` was written blind to the extractor and to the other sets and never used to tune it: "
              "it is the one column that says how the rules generalise. `paraphrases`, `holdout` and `final` were "
              "written blind, then tuned on (in that order); `extract_dev` was written by the tuner. The fourth "
              "round's rules, written for `final`'s misses, changed no figure on `blind4`: hand rules fit the "
              "phrasings they were written for. FinanceBench table rows (most of `real`'s reportedMetric) "
              "are the statement reader's work, not these sentence patterns."]
    md = write_results("extraction", results, "\n".join(lines))
    print(md.read_text())


if __name__ == "__main__":
    main()
