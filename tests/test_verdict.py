"""Tuned verdicts: `kgassist finetune verdict` trains a yes/no/maybe model (the findings classifier
by default, or a fine-tuned encoder) on labelled questions; `kgassist ask` then gives yes/no
questions — titles too — its verdict and says which model chose. Trained here on a small fixture
written for the tests (PubMedQA's format)."""

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


def _trained(home: Path, *options: str) -> Path:
    ran = kgassist("--home", str(home), "finetune", "verdict", "--data", str(FIXTURE), *options, "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["items"] == 36 and result["labels"] == {"yes": 12, "no": 12, "maybe": 12}
    return home


@pytest.fixture(scope="module")
def tuned(tmp_path_factory) -> Path:
    """A home whose verdict model is the default kind, the findings classifier."""
    return _trained(tmp_path_factory.mktemp("verdict-home"))


@pytest.fixture(scope="module")
def tuned_encoder(tmp_path_factory) -> Path:
    return _trained(tmp_path_factory.mktemp("verdict-encoder-home"), "--model", "encoder", "--epochs", "6",
                    "--lr", "1e-4")


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


@pytest.mark.parametrize("kind", ["findings", "encoder"])
def test_each_kind_separates_the_labels_it_was_trained_on(kind, tuned, tuned_encoder, embedder):
    folder = (tuned if kind == "findings" else tuned_encoder) / "finetune" / "verdict"
    model = verdict.VerdictModel(folder, embedder)
    items = verdict.read(FIXTURE)
    chosen = [model.choose(i.question, i.passages) for i in items]
    assert sum(c == i.label for c, i in zip(chosen, items)) >= 0.8 * len(items)
    spec = json.loads((folder / "kgassist.json").read_text())
    assert spec["model"] == kind
    assert spec["base_model"] == "all-MiniLM-L6-v2" and spec["data_digest"] == verdict.digest(items)


def test_the_findings_classifier_reads_unseen_phrasings_of_a_finding(tuned, embedder):
    """Findings worded unlike the fixture's: an absent effect reads as no, a significant one as yes."""
    model = verdict.VerdictModel(tuned / "finetune" / "verdict", embedder)
    question = "Does early mobilisation shorten hospital stay after hip surgery?"
    design = "We compared early and late mobilisation in 300 patients after hip surgery."
    assert model.choose(question, [design, "Length of stay was comparable between the groups and no significant "
                                           "difference emerged (p = 0.61)."]) == "no"
    assert model.choose(question, [design, "Early mobilisation significantly reduced the length of stay, from 9 "
                                           "to 6 days (p < 0.001)."]) == "yes"


def test_ask_gives_a_title_question_the_tuned_verdict_and_says_so(tuned, embedder, llm, tmp_path):
    (tmp_path / "trial.txt").write_text(TRIAL)
    kb = KB(tuned, embedder, tmp_path / "trial.txt")
    kb.__dict__["llm"] = llm
    answer = kb.assistant().ask("Exercise training and blood pressure: is there a benefit?")
    assert answer.verdict == "yes" and answer.verdict_source == "tuned"
    assert answer.to_json()["verdict_source"] == "tuned"


@pytest.mark.parametrize("how, says", [("missing", "No trained verdict model"), ("corrupt-spec", "is corrupt"),
                                       ("corrupt-weights", "missing or corrupt"),
                                       ("corrupt-encoder-weights", "missing or corrupt"),
                                       ("other-kind", "not a yes/no/maybe"),
                                       ("other-embeddings", "trained with the all-MiniLM-L6-v2 embeddings")])
def test_a_missing_corrupt_or_foreign_model_is_one_line_saying_what_to_do(tuned, tuned_encoder, tmp_path, how,
                                                                          says):
    folder = tmp_path / how
    shutil.copytree((tuned_encoder if how == "corrupt-encoder-weights" else tuned) / "finetune" / "verdict", folder)
    env = {"KGASSIST_VERDICT_MODEL": str(folder)}
    if how == "missing":
        shutil.rmtree(folder)
    elif how == "corrupt-spec":
        (folder / "kgassist.json").write_text("[1, 2")
    elif how == "corrupt-weights":
        (folder / "findings.json").write_text('{"features": []')
    elif how == "corrupt-encoder-weights":
        (folder / "model.safetensors").write_bytes(b"\0" * 64)
    elif how == "other-kind":
        spec = json.loads((folder / "kgassist.json").read_text())
        (folder / "kgassist.json").write_text(json.dumps({**spec, "kind": "kgassist-relation-tagger"}))
    else:
        spec = json.loads((folder / "kgassist.json").read_text())
        (folder / "kgassist.json").write_text(json.dumps({**spec, "base_model": "all-mpnet-base-v2"}))
        says = "trained with the all-mpnet-base-v2 embeddings"
    with pytest.raises(ConfigError, match=says):
        verdict.VerdictModel(folder, _Named("all-MiniLM-L6-v2"))
    ran = kgassist("--home", str(tmp_path / "home"), "ask", "Does exercise lower blood pressure?", env=env)
    assert ran.returncode != 0 and says in ran.stderr and "Traceback" not in ran.stderr


class _Named:
    """An embedder as far as a model's check of its name goes."""

    def __init__(self, name: str):
        self.name = name


@pytest.mark.parametrize("content, says", [("{\"q1\": {\"QUESTION\": \"Does it?\"}}", "lacks a field"),
                                           ("{not json", "not valid JSON"),
                                           ('{"q1": {"QUESTION": "a?", "CONTEXTS": [], "final_decision": "perhaps"}}',
                                            "yes, no or maybe")])
def test_training_data_that_does_not_read_is_refused(tmp_path, content, says):
    (tmp_path / "data.json").write_text(content)
    ran = kgassist("--home", str(tmp_path), "finetune", "verdict", "--data", str(tmp_path / "data.json"))
    assert ran.returncode != 0 and says in ran.stderr and "Traceback" not in ran.stderr
