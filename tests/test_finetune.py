"""Fine-tuning: graph export without leakage, the KGE trainer (on a small graph written here, on the
sample corpus's graph through the CLI), and the knowledge prefix adapter on the real small model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from finetune import export
from finetune.adapter import AdapterMismatchError, KnowledgePrefix, base_fingerprint
from finetune.kge import MODELS, KGEConfig, TrainedKGE, preset, train

KGASSIST = str(Path(sys.executable).parent / "kgassist")
SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"




@pytest.fixture(scope="module")
def group_folder(tmp_path_factory) -> Path:
    splits = export.split(export.sibling_groups(), seed=0)
    return export.write(splits, tmp_path_factory.mktemp("ring"), source="test group graph", seed=0)


@pytest.fixture(scope="module")
def group_kge(group_folder, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kge")
    export.write(export.read(group_folder), folder / "triples")
    train(export.read(group_folder), KGEConfig(model="complex", dim=16, epochs=60, eval_every=20), checkpoint=folder)
    return folder


# -- export -------------------------------------------------------------------------------------------------
def test_the_split_keeps_a_triple_and_its_inverse_together_and_holds_out_only_known_entities():
    splits = export.split(export.sibling_groups(), seed=1)
    assert len(splits.train) + len(splits.valid) + len(splits.test) == len(set(export.sibling_groups()))
    assert splits.valid and splits.test
    assert export.leakage(splits) == {"valid": 0, "test": 0}
    seen = {x for h, r, t in splits.train for x in (h, r, t)}
    assert all({h, r, t} <= seen for h, r, t in splits.valid + splits.test)


def test_inverse_relations_are_detected_and_reported_in_the_manifest(group_folder):
    manifest = json.loads((group_folder / "manifest.json").read_text())
    pairs = {(i["relation"], i["inverse"]) for i in manifest["inverse_relations"]}
    assert ("sibling_of", "sibling_of") in pairs
    assert manifest["reverse_pairs_in_train"] == {"valid": 0, "test": 0}
    assert export.read(group_folder).train == sorted(export.read(group_folder).train)


def test_a_folder_without_split_files_is_refused_with_what_it_needs(tmp_path):
    from kgstore import KGAssistError

    with pytest.raises(KGAssistError, match="train.txt, valid.txt and test.txt"):
        export.read(tmp_path)


# -- embeddings -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS)
def test_each_model_learns_the_graph_far_above_chance(group_folder, model):
    trained = train(export.read(group_folder), preset(model, dim=16, epochs=100, eval_every=20, lr=0.02,
                                                           batch_size=32))
    m = trained.metrics
    assert 0 <= m["hits_at_1"] <= m["hits_at_3"] <= m["hits_at_10"] <= 1
    assert m["mrr"] > 0.25, m  # a random ranking scores about 0.13 here


def test_negative_sampling_with_self_adversarial_weights_trains_rotate(group_folder):
    config = KGEConfig(model="rotate", dim=16, epochs=100, eval_every=20, negatives=16, lr=0.02, batch_size=32)
    assert train(export.read(group_folder), config).metrics["mrr"] > 0.3


def test_a_checkpoint_reloads_with_the_same_scores(group_kge):
    again = TrainedKGE.load(group_kge)
    assert again.entities == export.read(group_kge / "triples").entities
    e = torch.tensor([0, 1])
    r = torch.tensor([0, 1])
    first = TrainedKGE.load(group_kge).model(e, r)
    assert torch.equal(again.model(e, r), first)
    assert again.model.relation_vectors().shape[0] == len(again.relations)


def test_the_cli_trains_on_a_triple_folder_and_prints_the_metrics(group_folder, tmp_path):
    done = subprocess.run([KGASSIST, "--home", str(tmp_path), "finetune", "kge", "--triples", str(group_folder),
                           "--model", "distmult", "--dim", "32", "--lr", "0.02", "--epochs", "100", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"mrr", "hits_at_1", "hits_at_3", "hits_at_10", "seconds"} and result["mrr"] > 0.3
    assert (tmp_path / "finetune" / "kge" / "kge.safetensors").is_file()


@pytest.mark.slow
def test_the_cli_trains_on_the_sample_corpus_graph(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    home = ["--home", str(tmp_path)]
    assert subprocess.run([KGASSIST, *home, "ingest", str(SAMPLE / "finance"), str(SAMPLE / "medical"),
                           "--no-vectors"], env=env, capture_output=True, timeout=600).returncode == 0
    done = subprocess.run([KGASSIST, *home, "finetune", "kge", "--model", "complex", "--dim", "32", "--epochs", "50"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "test (filtered): MRR" in done.stdout
    manifest = json.loads((tmp_path / "finetune" / "kge" / "triples" / "manifest.json").read_text())
    assert manifest["counts"]["train"] > 100 and manifest["reverse_pairs_in_train"] == {"valid": 0, "test": 0}
    labels = (tmp_path / "finetune" / "kge" / "triples" / "entities.tsv").read_text()
    assert "Metformin" in labels or "metformin" in labels


# -- the knowledge prefix adapter on the real small model --------------------------------------------------
@pytest.fixture(scope="module")
def adapter_folder(llm, group_kge, tmp_path_factory) -> Path:
    from finetune.pipeline import adapter

    out = tmp_path_factory.mktemp("adapter")
    result = adapter(llm, group_kge, out, steps=2, batch_size=2, train_examples=8, test_examples=4)
    assert set(result) >= {"accuracy", "f1", "steps", "adapter"}
    return out


@pytest.mark.slow
def test_adapter_artifacts_name_the_base_model_and_hold_projector_vectors_and_index(adapter_folder, llm):
    config = json.loads((adapter_folder / "adapter.json").read_text())
    assert config["base_model"] == base_fingerprint(llm.input_embeddings(), llm.name)
    assert {p.name for p in adapter_folder.iterdir()} >= {"adapter.json", "projector.safetensors", "kge.safetensors",
                                                          "entities.txt", "relations.txt"}


@pytest.mark.slow
def test_the_prefix_changes_the_model_input_and_removing_it_restores_the_base_model(adapter_folder, llm):
    knowledge = KnowledgePrefix.load(adapter_folder)
    knowledge.attach(llm)
    messages = [{"role": "user", "content": "Which group is g0_e1 in?"}]
    prefix = knowledge.for_entities(["g0_e1"])
    assert prefix is not None and prefix.shape == (1, llm.input_embeddings().shape[1])
    with_prefix = llm._inputs(messages, prefix)
    without = llm._inputs(messages, None)
    assert with_prefix["inputs_embeds"].shape[1] == without["input_ids"].shape[1] + 1
    base = llm.generate(messages, max_tokens=12)
    prefixed = llm.generate(messages, max_tokens=12, prefix=prefix * 50)  # a strong prefix must change the reply
    assert prefixed != base
    assert llm.generate(messages, max_tokens=12) == base  # and without it the base model answers as before
    assert knowledge.for_entities(["not-an-entity"]) is None


@pytest.mark.slow
def test_an_adapter_refuses_a_different_base_model(adapter_folder, llm):
    knowledge = KnowledgePrefix.load(adapter_folder)
    knowledge.config.base_model = {**knowledge.config.base_model, "embedding_digest": "0" * 16, "name": "Other-7B"}
    with pytest.raises(AdapterMismatchError, match="Other-7B"):
        knowledge.attach(llm)


@pytest.mark.slow
def test_the_assistant_prefixes_linked_entities_when_an_adapter_is_configured(adapter_folder, llm, tmp_path,
                                                                              embedder):
    from .helpers import KB

    with KB(tmp_path, embedder, adapter=str(adapter_folder)) as kb:
        assert isinstance(kb.assistant(llm).knowledge, KnowledgePrefix)
