"""The learned relation extractor: trained by `kgassist finetune extractor` on labelled sentences,
used by `kgassist ingest` without further flags, refused with one clear line when its model is
missing, corrupt or from another training. Trained here on small fixtures written for the tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from finetune import relations
from ingestion.chunking import chunk
from ingestion.extract import build_extractors, combine
from ingestion.extract.learned import LearnedExtractor
from ingestion.loaders import LoadedDocument
from kgstore import ConfigError, vocab

from .helpers import ROOT, kgassist

FIXTURES = ROOT / "tests" / "fixtures"
#: In the training sentences' style, with drugs and effects the fixture pairs differently.
REPORT = ("Case report. A 61-year-old woman developed agranulocytosis after treatment with carbamazepine. "
          "She had received metformin for three years without complications.")


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A home whose extractor `kgassist finetune extractor` trained on the ADE-format fixture."""
    home = tmp_path_factory.mktemp("learned-home")
    ran = kgassist("--home", str(home), "finetune", "extractor", "--data", str(FIXTURES / "ade_small.jsonl"),
                   "--format", "ade", "--epochs", "12", "--lr", "3e-4", "--json")
    assert ran.returncode == 0, ran.stderr
    result = json.loads(ran.stdout)
    assert result["relations"] == {"causesAdverseEvent": ["Drug", "AdverseEvent"]}
    assert result["documents"] == 48 and result["model"] == str(home / "finetune" / "extractor")
    return home


def test_the_trained_model_names_its_base_encoder_labels_and_training_data(trained):
    spec = json.loads((trained / "finetune" / "extractor" / "kgassist.json").read_text())
    assert spec["base_model"] == "all-MiniLM-L6-v2" and spec["kind"] == "kgassist-relation-tagger"
    assert spec["labels"] == ["O", "B-AdverseEvent", "I-AdverseEvent", "B-Drug", "I-Drug"]
    assert spec["data_digest"] == relations.digest(relations.read(FIXTURES / "ade_small.jsonl", "ade"))
    assert (trained / "finetune" / "extractor" / "model.safetensors").is_file()


def test_ingest_uses_the_trained_extractor_without_flags_and_grounds_each_triple_in_its_span(trained, tmp_path):
    (tmp_path / "report.txt").write_text(REPORT)
    ran = kgassist("--home", str(trained), "ingest", str(tmp_path / "report.txt"), "--no-vectors")
    assert ran.returncode == 0, ran.stderr
    from assistant.home import Home
    from kgstore import Settings

    with Home(Settings(home=trained)) as kb:
        learned = [a for a in kb.store.assertions()
                   if a.provenance.extractor == "learned" and a.predicate == vocab.CAUSES_ADVERSE_EVENT]
        labels = {str(iri): label for iri, label, _ in kb.store.entity_labels()}
    found = {(labels[str(a.subject)].lower(), labels[str(a.object)].lower()) for a in learned}
    assert found == {("carbamazepine", "agranulocytosis")}
    span = REPORT[learned[0].provenance.start:learned[0].provenance.end]
    assert "carbamazepine" in span and "agranulocytosis" in span
    assert 0.8 <= learned[0].provenance.confidence <= 1.0


def test_with_patterns_the_model_decides_its_relations_and_a_shared_triple_keeps_both_provenances(trained):
    learned = LearnedExtractor(trained / "finetune" / "extractor")
    patterns, = build_extractors(["patterns"])
    document = LoadedDocument("report", REPORT, "text/plain")
    both = combine([learned, patterns], document, chunk(REPORT))
    pair = {(e.extractor, e.subject.text.lower(), e.object.text.lower()) for e in both
            if e.predicate == vocab.CAUSES_ADVERSE_EVENT}
    assert ("learned", "carbamazepine", "agranulocytosis") in pair
    assert {(s, o) for _, s, o in pair} == {(s, o) for x, s, o in pair if x == "learned"}
    assert all(e.confidence >= learned.threshold for e in both if e.extractor == "learned")
    strict = LearnedExtractor(trained / "finetune" / "extractor", threshold=1.0)
    assert not [e for e in combine([strict, patterns], document, chunk(REPORT))
                if e.predicate == vocab.CAUSES_ADVERSE_EVENT]


def test_a_generic_span_file_trains_the_same_kind_of_model(tmp_path):
    sentences = relations.read(FIXTURES / "spans_small.jsonl", "spans")
    assert relations.relation_types(sentences) == {"causesAdverseEvent": ["Drug", "AdverseEvent"]}
    ran = kgassist("--home", str(tmp_path), "finetune", "extractor", "--data", str(FIXTURES / "spans_small.jsonl"),
                   "--epochs", "1", "--out", str(tmp_path / "tagger"), "--json")
    assert ran.returncode == 0, ran.stderr
    assert LearnedExtractor(tmp_path / "tagger").relations == {vocab.CAUSES_ADVERSE_EVENT: ("Drug", "AdverseEvent")}


def test_cross_validation_folds_never_split_a_document():
    sentences = relations.read(FIXTURES / "ade_small.jsonl", "ade")
    splits = relations.folds(sentences, 5)
    held_out = [{s.document for s in test} for _, test in splits]
    for train, test in splits:
        assert not {s.document for s in train} & {s.document for s in test}
        assert len(train) + len(test) == len(sentences)
    assert set().union(*held_out) == {s.document for s in sentences}
    assert sum(len(h) for h in held_out) == len({s.document for s in sentences})


@pytest.mark.parametrize("line, says", [
    ("not json", "is not JSON"),
    ('{"text": "Aspirin caused rash.", "entities": [{"start": 0, "end": 99, "type": "Drug"}]}', "outside its text"),
    ('{"text": "Aspirin caused rash.", "entities": [{"start": 0, "end": 7, "type": "Pill"}], '
     '"relations": [{"subject": 0, "object": 0, "type": "causesAdverseEvent"}]}', "not an ontology class"),
    ('{"text": "Aspirin caused rash.", "entities": [{"start": 0, "end": 7, "type": "Drug"}], '
     '"relations": [{"subject": 0, "object": 0, "type": "cures"}]}', "not an ontology predicate"),
    ('{"text": "Aspirin caused rash."}', "no relation to learn from"),
])
def test_training_data_that_does_not_read_is_refused_with_what_is_wrong(tmp_path, line, says):
    (tmp_path / "data.jsonl").write_text(line + "\n")
    ran = kgassist("--home", str(tmp_path), "finetune", "extractor", "--data", str(tmp_path / "data.jsonl"))
    assert ran.returncode != 0 and says in ran.stderr and "Traceback" not in ran.stderr


def _broken(trained: Path, tmp_path: Path, how: str) -> Path:
    folder = tmp_path / how
    shutil.copytree(trained / "finetune" / "extractor", folder)
    if how == "corrupt-spec":
        (folder / "kgassist.json").write_text("{not json")
    elif how == "corrupt-weights":
        (folder / "model.safetensors").write_bytes(b"\0" * 100)
    elif how == "mismatched":
        spec = json.loads((folder / "kgassist.json").read_text())
        spec["labels"] = spec["labels"][:3]
        (folder / "kgassist.json").write_text(json.dumps(spec))
    elif how == "missing":
        shutil.rmtree(folder)
    return folder


@pytest.mark.parametrize("how, says", [("missing", "No trained extractor"), ("corrupt-spec", "is corrupt"),
                                       ("corrupt-weights", "missing or corrupt"), ("mismatched", "mixes two trainings")])
def test_a_missing_corrupt_or_mismatched_model_is_one_line_saying_what_to_do(trained, tmp_path, how, says):
    folder = _broken(trained, tmp_path, how)
    with pytest.raises(ConfigError, match=says):
        LearnedExtractor(folder)
    (tmp_path / "report.txt").write_text(REPORT)
    ran = kgassist("--home", str(tmp_path / "home"), "ingest", str(tmp_path / "report.txt"), "--no-vectors",
                   env={"KGASSIST_EXTRACTORS": "patterns,learned", "KGASSIST_EXTRACTOR_MODEL": str(folder)})
    assert ran.returncode != 0 and says in ran.stderr and "kgassist finetune extractor" in ran.stderr
    assert "Traceback" not in ran.stderr
