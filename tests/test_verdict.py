"""Tuned verdicts: `kgassist finetune verdict` trains a yes/no/maybe model on labelled questions;
`kgassist ask` then gives yes/no questions — titles too — its verdict and says which model chose.
Trained here on a small fixture written for the tests (PubMedQA's format)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant.question import Question
from finetune import verdict
from kgstore import ConfigError

from .helpers import KB, ROOT, kgassist

FIXTURE = ROOT / "tests" / "fixtures" / "verdicts_small.json"
TRIAL = ("Exercise training and blood pressure. We studied whether exercise training affects blood pressure in "
         "adults. Patients given exercise training showed a significantly greater improvement in blood pressure "
         "than controls (p < 0.01).")


@pytest.fixture(scope="module")
def tuned(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("verdict-home")
    ran = kgassist("--home", str(home), "finetune", "verdict", "--data", str(FIXTURE), "--epochs", "6",
                   "--lr", "1e-4", "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["items"] == 36 and result["labels"] == {"yes": 12, "no": 12, "maybe": 12}
    return home


@pytest.mark.parametrize("text", [
    "Syncope during bathing in infants, a pediatric form of water-induced urticaria?",
    "Landolt C and snellen e acuity: differences in strabismus amblyopia?",
    "Children who snore: at risk of attention problems?",
    "Does metformin cause lactic acidosis?",
])
def test_yes_no_questions_in_every_form_get_a_verdict(text):
    assert Question.parse(text).yes_no


@pytest.mark.parametrize("text", ["In 2023, who led Orsted?", "Apixaban: which drugs interact with it?",
                                  "List the drugs that treat gout.", "How much revenue did Costco report?"])
def test_open_questions_do_not(text):
    assert not Question.parse(text).yes_no


def test_the_conclusion_is_never_read_and_folds_never_split_a_question():
    items = verdict.read(FIXTURE)
    assert not any("CONCLUSION-NEVER-READ" in i.question + " ".join(i.passages) for i in items)
    splits = verdict.folds(items, 6)
    for train, test in splits:
        assert not {i.id for i in train} & {i.id for i in test} and len(train) + len(test) == len(items)
        assert {i.label for i in test} == {"yes", "no", "maybe"}
    assert sorted(i.id for _, test in splits for i in test) == sorted(i.id for i in items)


def test_the_tuned_model_separates_the_labels_it_was_trained_on(tuned):
    model = verdict.VerdictModel(tuned / "finetune" / "verdict")
    items = verdict.read(FIXTURE)
    chosen = [model.choose(i.question, i.passages) for i in items]
    assert sum(c == i.label for c, i in zip(chosen, items)) >= 0.8 * len(items)
    spec = json.loads((tuned / "finetune" / "verdict" / "kgassist.json").read_text())
    assert spec["base_model"] == "all-MiniLM-L6-v2" and spec["data_digest"] == verdict.digest(items)


def test_ask_gives_a_title_question_the_tuned_verdict_and_says_so(tuned, embedder, llm, tmp_path):
    (tmp_path / "trial.txt").write_text(TRIAL)
    kb = KB(tuned, embedder, tmp_path / "trial.txt")
    kb.__dict__["llm"] = llm
    answer = kb.assistant().ask("Exercise training and blood pressure: is there a benefit?")
    assert answer.verdict == "yes" and answer.verdict_source == "tuned"
    assert answer.to_json()["verdict_source"] == "tuned"


@pytest.mark.parametrize("how, says", [("missing", "No trained verdict model"), ("corrupt-spec", "is corrupt"),
                                       ("corrupt-weights", "missing or corrupt"), ("other-kind", "not a yes/no/maybe")])
def test_a_missing_corrupt_or_foreign_model_is_one_line_saying_what_to_do(tuned, tmp_path, how, says):
    folder = tmp_path / how
    shutil.copytree(tuned / "finetune" / "verdict", folder)
    if how == "missing":
        shutil.rmtree(folder)
    elif how == "corrupt-spec":
        (folder / "kgassist.json").write_text("[1, 2")
    elif how == "corrupt-weights":
        (folder / "model.safetensors").write_bytes(b"\0" * 64)
    else:
        spec = json.loads((folder / "kgassist.json").read_text())
        (folder / "kgassist.json").write_text(json.dumps({**spec, "kind": "kgassist-relation-tagger"}))
    with pytest.raises(ConfigError, match=says):
        verdict.VerdictModel(folder)
    ran = kgassist("--home", str(tmp_path / "home"), "ask", "Does exercise lower blood pressure?",
                   env={"KGASSIST_VERDICT_MODEL": str(folder)})
    assert ran.returncode != 0 and says in ran.stderr and "Traceback" not in ran.stderr


@pytest.mark.parametrize("content, says", [("{\"q1\": {\"QUESTION\": \"Does it?\"}}", "lacks a field"),
                                           ("{not json", "not valid JSON"),
                                           ('{"q1": {"QUESTION": "a?", "CONTEXTS": [], "final_decision": "perhaps"}}',
                                            "yes, no or maybe")])
def test_training_data_that_does_not_read_is_refused(tmp_path, content, says):
    (tmp_path / "data.json").write_text(content)
    ran = kgassist("--home", str(tmp_path), "finetune", "verdict", "--data", str(tmp_path / "data.json"))
    assert ran.returncode != 0 and says in ran.stderr and "Traceback" not in ran.stderr
