"""The transformers backend on the real default model (SmolLM2-135M-Instruct from its GGUF), and the
LLM extractor on it. Slow: the first use converts the GGUF to a cached safetensors folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.chunking import chunk
from ingestion.extract.base import Mention
from ingestion.extract.llm import LLMExtractor
from ingestion.loaders import LoadedDocument

pytestmark = pytest.mark.slow


def test_the_default_model_loads_offline_from_its_converted_cache(llm, model_cache):
    assert (model_cache / "smollm2-135m-instruct" / "model.safetensors").exists()
    assert "paris" in llm.generate([{"role": "user", "content": "What is the capital of France?"}]).lower()


def test_streaming_yields_the_same_text_as_generating(llm):
    messages = [{"role": "user", "content": "Name one use of aspirin."}]
    assert "".join(llm.stream(messages, max_tokens=20)) == llm.generate(messages, max_tokens=20)


def test_batched_generation_answers_each_conversation(llm):
    replies = llm.generate_batch([[{"role": "user", "content": "Say hello."}],
                                  [{"role": "user", "content": "What is 2 + 2?"}]], max_tokens=12)
    assert len(replies) == 2 and all(r.strip() for r in replies)


def test_the_llm_extractor_returns_only_grounded_ontology_triples(llm):
    text = "Metformin is used to treat type 2 diabetes. A common side effect of metformin is diarrhoea."
    found = LLMExtractor(llm).extract(LoadedDocument("x", text, "text/plain"), chunk(text))
    assert found, "the small model produced no usable triple"
    for e in found:
        assert e.extractor == "llm" and isinstance(e.subject, Mention)
        assert text[e.subject.start:e.subject.end].lower() == e.subject.text.lower()


def test_the_cli_ingests_with_the_llm_extractor(tmp_path, model_cache):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "note.txt").write_text("Warfarin is used to treat deep vein thrombosis. Bleeding is a side effect "
                                     "of warfarin.")
    env = {**os.environ, "KGASSIST_HOME": str(tmp_path / "home"), "KGASSIST_MODEL_CACHE": str(model_cache)}
    result = subprocess.run([str(Path(sys.executable).parent / "kgassist"), "ingest", str(folder), "--extractor",
                             "patterns", "--extractor", "llm", "--json"], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] == 1
    exported = subprocess.run([str(Path(sys.executable).parent / "kgassist"), "export", "--format", "jsonl"],
                              env=env, capture_output=True, text=True)
    extractors = {json.loads(line)["extractor"] for line in exported.stdout.splitlines()}
    assert "patterns" in extractors


def test_choose_returns_the_option_the_model_would_reply_with(llm):
    question = [{"role": "user", "content": "Is Paris the capital of France? Answer yes, no or maybe."}]
    first_word = llm.generate(question, max_tokens=3).strip().split()[0].strip(".,:!").lower()
    assert first_word in ("yes", "no", "maybe"), first_word
    assert llm.choose(question, ["yes", "no", "maybe"]) == first_word
    assert llm.choose(question, ["certainly yes", "certainly not"]) in ("certainly yes", "certainly not")


def test_token_counts_follow_the_tokenizer(llm):
    assert 0 < llm.count_tokens("metformin") < llm.count_tokens("metformin treats type 2 diabetes")
