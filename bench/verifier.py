"""The answer verifier against hand-labelled model sentences.

    .venv/bin/python -m bench.verifier [--fixture tests/fixtures/verifier_sentences.jsonl]

Each line of the fixture is one sentence that SmolLM2-135M-Instruct wrote in a real answer, with
every source of that answer's prompt and a label given by a person reading the sentence against
those sources: "supported" (everything it asserts is stated by what it cites, or, uncited, by
one of the sources; a sentence with no factual claim counts as supported) or "unsupported".
`assistant.verify.Verifier` checks each sentence against the same sources; a sentence it marks
unsupported is "flagged". Catch rate = flagged unsupported / unsupported; precision = flagged
unsupported / flagged; false-flag rate = flagged supported / supported. No model is loaded.
Writes bench/results/verifier.json and .md.

The sentences were collected by asking ~140 finance and medical questions (some about things the
store lacks, some yes/no) of kgassist at commit 3b7145e with its default model, over
ingestion/sample plus six short documents in other styles (a news brief, a drug label excerpt, a
study abstract, a 10-K paragraph, a prescribing summary, a results brief) whose text is in the
fixture's passages; each sentence is the model's raw reply split by `assistant.answer._statements`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rdflib import URIRef

from assistant.graph import Fact
from assistant.retrieval import Passage
from assistant.verify import Verifier

from .common import write_results

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "verifier_sentences.jsonl"
COMMAND = ".venv/bin/python -m bench.verifier"


def load(path: Path = FIXTURE) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def sources(item: dict) -> tuple[list[Fact], list[Passage]]:
    """The item's prompt sources as the verifier receives them: placeholder IRIs for a fact's
    subject and object, its predicate's IRI as the store had it (a verifier may read the relation)."""
    facts, passages = [], []
    for ref, s in item["sources"].items():
        if s["kind"] == "fact":
            base = f"urn:kgassist:fixture:{item['id']}:{ref}"
            facts.append(Fact(URIRef(f"{base}:s"), URIRef(s.get("predicate") or f"{base}:p"), URIRef(f"{base}:o"),
                              s["subject_label"], s["predicate_label"], s["object_label"], ref=ref))
        else:
            passages.append(Passage(0, f"urn:kgassist:fixture:{item['id']}", s["title"], 0, len(s["text"]),
                                    s["text"], 0.0, None, None, ref=ref))
    return facts, passages


def flagged(item: dict) -> tuple[bool, str | None]:
    """Whether the verifier marks the item's sentence unsupported, and its reason."""
    claim = Verifier(*sources(item)).check(item["sentence"])
    return not claim.supported, claim.reason


def score(items: list[dict]) -> dict:
    rows = [(item, *flagged(item)) for item in items]
    bad = [r for r in rows if r[0]["label"] == "unsupported"]
    good = [r for r in rows if r[0]["label"] == "supported"]
    caught = sum(f for _, f, _ in bad)
    false_flags = sum(f for _, f, _ in good)
    claims = [r for r in good if r[0]["why"] != "no claim"]
    ratio = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
    show = lambda r: {"id": r[0]["id"], "sentence": r[0]["sentence"], "why": r[0]["why"], "reason": r[2]}  # noqa: E731
    return {"sentences": len(rows), "unsupported": len(bad), "supported": len(good),
            "caught": caught, "missed": len(bad) - caught, "false_flags": false_flags,
            "catch_rate": ratio(caught, len(bad)), "precision": ratio(caught, caught + false_flags),
            "false_flag_rate": ratio(false_flags, len(good)),
            "no_claim": sum(r[0]["why"] == "no claim" for r in good),
            "false_flags_no_claim": sum(r[1] and r[0]["why"] == "no claim" for r in good),
            "false_flag_rate_claims": ratio(sum(f for _, f, _ in claims), len(claims)),
            "misses": [show(r) for r in bad if not r[1]], "false_flagged": [show(r) for r in good if r[1]]}


def table(result: dict, fixture: str) -> str:
    r = result
    lines = [f"Answer verifier (`assistant.verify.Verifier`) on {r['sentences']} hand-labelled sentences from "
             f"SmolLM2-135M-Instruct answers (`{fixture}`: {r['unsupported']} unsupported, {r['supported']} "
             f"supported). No model runs; reproduce with `{COMMAND}`.", "",
             "| catch rate (unsupported flagged) | precision of flags | false-flag rate (supported flagged) "
             "| caught | missed | false flags |", "|---:|---:|---:|---:|---:|---:|",
             f"| {r['catch_rate']} | {r['precision']} | {r['false_flag_rate']} | {r['caught']} | {r['missed']} "
             f"| {r['false_flags']} |", "",
             f"Of the supported sentences, {r['no_claim']} state nothing to check (filler, or that the sources lack "
             f"the answer; labelled why=\"no claim\"); {r['false_flags_no_claim']} of the false flags are among them "
             f"(kept out of an answer, they cost it nothing). Of the supported sentences that do state something, "
             f"{r['false_flag_rate_claims']:.0%} are flagged: mostly comments on the passages (\"The passage provides "
             f"information about …\") and paraphrases in words no source uses; an answer led by its sources "
             f"(KGASSIST_ANSWER_LEAD=sources) does not depend on them.",
             "", f"**Missed** ({r['missed']}): unsupported sentences the verifier passed.", "",
             "| id | sentence | why unsupported |", "|---|---|---|"]
    cell = lambda s: (s or "").replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines += [f"| {m['id']} | {cell(m['sentence'])} | {cell(m['why'])} |" for m in r["misses"]]
    lines += ["", f"**False flags** ({r['false_flags']}): supported sentences the verifier flagged.", "",
              "| id | sentence | verifier's reason |", "|---|---|---|"]
    lines += [f"| {m['id']} | {cell(m['sentence'])} | {cell(m['reason'])} |" for m in r["false_flagged"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    args = parser.parse_args()
    result = score(load(args.fixture))
    shown = args.fixture.resolve().relative_to(ROOT) if args.fixture.resolve().is_relative_to(ROOT) else args.fixture
    md = write_results("verifier", {"command": COMMAND, "fixture": str(shown), **result}, table(result, str(shown)))
    print(md.read_text())


if __name__ == "__main__":
    main()
