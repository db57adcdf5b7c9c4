"""The openai backend against a real OpenAI-compatible server (`transformers serve`) running the
default small model, and the assistant answering through it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.llm.openai import LLMServerError, OpenAILLM

from .servers import free_port, openai_server

pytestmark = pytest.mark.slow
KGASSIST = str(Path(sys.executable).parent / "kgassist")


@pytest.fixture(scope="module")
def server(llm, model_cache):  # the session `llm` fixture converts the bundled GGUF into model_cache
    folder = model_cache / "smollm2-135m-instruct"
    with openai_server(folder) as base:
        yield base, str(folder)


def test_generate_and_stream_return_the_same_reply(server):
    base, model = server
    client = OpenAILLM(model, base, max_tokens=16)
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    reply = client.generate(messages)
    assert "paris" in reply.lower()
    assert "".join(client.stream(messages)) == reply


def test_an_unreachable_server_is_a_clear_error():
    client = OpenAILLM("m", f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(LLMServerError, match="Cannot reach the LLM server"):
        client.generate([{"role": "user", "content": "hi"}])


def test_kgassist_ask_answers_through_the_openai_backend(server, tmp_path, model_cache):
    base, model = server
    env = {**os.environ, "KGASSIST_HOME": str(tmp_path / "home"), "KGASSIST_MODEL_CACHE": str(model_cache),
           "KGASSIST_LLM_BASE_URL": base}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "metformin.txt").write_text("Metformin is used to treat type 2 diabetes. Metformin can cause nausea.\n")
    assert subprocess.run([KGASSIST, "ingest", str(corpus)], env=env, capture_output=True).returncode == 0
    asked = subprocess.run([KGASSIST, "ask", "What are the side effects of metformin?", "--backend", "openai",
                            "--model", model, "--json"], env=env, capture_output=True, text=True)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["found"] and answer["facts"]
