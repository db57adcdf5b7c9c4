"""The vLLM backend on the GPU machine: chat, constrained choice, guided JSON, prompt embeddings.
Skipped cleanly without CUDA or vLLM (CI has neither)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gpu

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("needs CUDA", allow_module_level=True)
pytest.importorskip("vllm")


@pytest.fixture(scope="module")
def vllm_llm(tmp_path_factory):
    from assistant.llm.vllm import VLLM

    return VLLM("SmolLM2-135M-Instruct", tmp_path_factory.mktemp("models"), max_tokens=32)


def test_vllm_answers_a_chat_message(vllm_llm):
    assert "paris" in vllm_llm.generate([{"role": "user", "content": "What is the capital of France?"}]).lower()


def test_vllm_choice_is_constrained_to_the_options(vllm_llm):
    reply = vllm_llm.choose([{"role": "user", "content": "Is Paris in France? yes, no or maybe?"}],
                            ["yes", "no", "maybe"])
    assert reply in ("yes", "no", "maybe")


def test_vllm_guided_json_follows_the_schema(vllm_llm):
    import json

    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    [reply] = vllm_llm.generate_batch([[{"role": "user", "content": "Name a city as JSON."}]], max_tokens=40,
                                      json_schema=schema)
    assert "city" in json.loads(reply)


def test_vllm_takes_prompt_embeddings_as_a_prefix(vllm_llm):
    prefix = torch.zeros(2, vllm_llm.input_embeddings().shape[1])
    assert isinstance(vllm_llm.generate([{"role": "user", "content": "Say hi."}], prefix=prefix), str)
