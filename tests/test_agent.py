"""The agent (assistant/agent.py) and kgassist's LangChain components (assistant/langchain.py) on
the sample corpus. The loop's plumbing is driven by LangChain's fake chat model, scripted to call
each tool (the one place a scripted model is allowed); tests/test_vllm.py runs the loop on the real
small model behind `kgassist serve`."""

from __future__ import annotations

import itertools

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import RunnableLambda

from assistant.agent import Agent, Limits
from assistant.langchain import KGRetriever, as_runnable, kg_tools

from .helpers import KB, ScriptedLLM, sample_copy

CEO = "Who is the chief executive officer of Alphabet?"


@pytest.fixture(scope="module")
def home(tmp_path_factory, embedder) -> KB:
    return KB(tmp_path_factory.mktemp("home"), embedder, sample_copy(tmp_path_factory.mktemp("corpus")))


class ScriptedChat(GenericFakeChatModel):
    """LangChain's fake chat model, replying with the scripted turns in order; every prompt it is
    sent is kept, and it accepts tools as a tool-calling model does."""

    seen: list = []

    def bind_tools(self, tools, **kw):  # noqa: ANN001, ANN201
        return self

    def _generate(self, messages, *args, **kw):  # noqa: ANN001, ANN202
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kw)


_IDS = itertools.count()


def call(tool: str, **args) -> AIMessage:  # noqa: ANN003
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": f"call-{next(_IDS)}"}])


def agent(home: KB, *turns: AIMessage | str, limits: Limits = Limits(), endless: bool = False) -> tuple[Agent, ScriptedChat]:
    """An agent over `home` whose model replies with `turns` (each turn a fresh message, forever if `endless`)."""
    script = (t.model_copy(update={"tool_calls": [{**c, "id": f"call-{next(_IDS)}"} for c in t.tool_calls]})
              if isinstance(t, AIMessage) else t for t in (itertools.cycle(turns) if endless else turns))
    chat = ScriptedChat(messages=script, seen=[])
    return Agent(home.assistant(ScriptedLLM()), limits, chat_model=chat), chat


def test_each_tool_gets_its_arguments_and_its_results_become_citations(home):
    sparql = ("SELECT ?s ?p ?o WHERE { ?s kga:chiefExecutiveOfficer ?o . BIND(kga:chiefExecutiveOfficer AS ?p) } "
              "ORDER BY ?s LIMIT 5")
    bot, chat = agent(home, call("find_entities", name="Alphabet", kind="company"),
                      call("entity_facts", entity="Alphabet Inc.", relation="chief executive officer"),
                      call("sparql", query=sparql), call("search_passages", query="Alphabet chief executive", k=3),
                      call("compute_metric", company="Alphabet", metric="revenue", period="FY2023"),
                      call("provenance", fact_id="F1"),
                      "Sundar Pichai is the chief executive officer of Alphabet Inc. [F1]")
    answer = bot.ask(CEO)
    by_model = [s for s in answer.steps if s["planner"] == "model"]
    assert [s["tool"] for s in by_model] == ["find_entities", "entity_facts", "sparql", "search_passages",
                                             "compute_metric", "provenance"]
    assert by_model[2]["arguments"] == {"query": sparql} and by_model[3]["arguments"]["k"] == 3
    assert all(s["error"] is None for s in answer.steps), answer.steps
    assert {s["tool"] for s in answer.steps if s["planner"] == "kgassist"} >= {"find_entities", "search_passages"}
    # the model saw each result, quoted, with the citation ids the artifact carries
    shown = [m for m in chat.seen[-1] if isinstance(m, ToolMessage)]
    assert any("Sundar Pichai" in m.content and "[F" in m.content for m in shown)
    assert all(s["citations"] for s in by_model[1:])
    cited = {ref for s in answer.steps for ref in s["citations"]}
    assert answer.found and answer.answer.startswith("Alphabet Inc.'s chief executive officer is Sundar Pichai [F")
    assert {f.ref for f in answer.facts} <= cited and all(f.provenance for f in answer.facts)
    assert "agent:sparql" in [q.purpose for q in answer.queries]
    assert answer.to_json()["steps"] == answer.steps and answer.mode == "agent"


def test_a_failing_tool_returns_an_error_the_model_reads_and_the_loop_goes_on(home):
    bot, chat = agent(home, call("provenance", fact_id="F999"), call("entity_facts", entity="Nobody Such Ltd"),
                      "Sundar Pichai leads Alphabet Inc. [F1]")
    answer = bot.ask(CEO)
    failed = [s for s in answer.steps if s["error"]]
    assert [s["tool"] for s in failed] == ["provenance", "entity_facts"]
    assert "No fact has the id 'F999'" in failed[0]["error"] and "find_entities" in failed[1]["error"]
    last_prompt = chat.seen[-1]
    assert [m.status for m in last_prompt if isinstance(m, ToolMessage)][-2:] == ["error", "error"]
    assert answer.found  # the lookups made before still answer


def test_the_step_limit_stops_a_model_that_never_stops(home):
    bot, chat = agent(home, call("search_passages", query="Alphabet"), limits=Limits(steps=3), endless=True)
    answer = bot.ask(CEO)
    assert len(chat.seen) == 3 and answer.notice == "The agent stopped at its step limit (3 model turns)."
    assert answer.found  # from the sources found, verified as always


def test_an_invented_reply_never_reaches_the_answer(home):
    bot, _ = agent(home, "Alphabet Inc. is led by Ayssiparibal Quonk, who doubled revenue to $999 billion [F1].")
    answer = bot.ask(CEO)
    assert "Ayssiparibal" not in answer.answer and "999" not in answer.answer
    assert any("Ayssiparibal" in c.sentence for c in answer.unsupported)


def test_a_backend_that_cannot_call_tools_is_answered_by_the_pipeline_and_says_so(home):
    answer = Agent(home.assistant(ScriptedLLM())).ask(CEO)
    assert answer.mode == "hybrid" and answer.found
    assert answer.notice.startswith("Agent mode needs a model that calls tools") and "test backend" in answer.notice


def test_the_retriever_returns_facts_and_passages_with_their_provenance(home):
    retriever = KGRetriever(assistant=home.assistant(ScriptedLLM()), k=3)
    docs = retriever.invoke(CEO)
    facts = [d for d in docs if d.metadata["kind"] == "fact"]
    passages = [d for d in docs if d.metadata["kind"] == "passage"]
    assert facts[0].page_content == "Alphabet Inc. — chief executive officer — Sundar Pichai"
    assert facts[0].metadata["citation"] == "F1" and facts[0].metadata["extractor"] == "patterns"
    assert facts[0].metadata["document"] and facts[0].metadata["span"][1] > facts[0].metadata["span"][0]
    assert len(passages) == 3 and passages[0].metadata["document"].endswith("alphabet.md")
    start, end = passages[0].metadata["span"]
    assert passages[0].page_content and end > start and passages[0].metadata["citation"] == "P1"
    # in a chain, as any LangChain user would compose it
    chain = retriever | RunnableLambda(lambda ds: "\n".join(f"[{d.metadata['citation']}] {d.page_content}" for d in ds))
    assert "[F1] Alphabet Inc. — chief executive officer — Sundar Pichai" in chain.invoke(CEO)


def test_the_tools_and_the_assistant_serve_any_langchain_user(home):
    tools = {t.name: t for t in kg_tools(home.assistant(ScriptedLLM()))}
    assert set(tools) == {"find_entities", "entity_facts", "sparql", "search_passages", "compute_metric", "provenance"}
    assert "kga:chiefExecutiveOfficer" in tools["sparql"].description
    result = tools["entity_facts"].invoke({"name": "entity_facts", "args": {"entity": "Alphabet"}, "id": "1",
                                           "type": "tool_call"})
    assert "Sundar Pichai" in result.content and result.artifact["citations"][0] == "F1"
    answer = as_runnable(home.assistant(ScriptedLLM())).invoke(CEO)
    assert answer["answer"].startswith("Alphabet Inc.'s chief executive officer is Sundar Pichai")
