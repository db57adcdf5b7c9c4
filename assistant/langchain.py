"""kgassist as LangChain components, for anyone's chain or agent:

- `KGRetriever`: a `BaseRetriever` whose `Document`s are the graph facts and the passages for a
  query, each with its provenance in `metadata` (document, chunk, span, extractor, confidence,
  citation id);
- `kg_tools(assistant)`: the agent's tools (assistant/tools.py) as a list of LangChain tools;
- `as_runnable(answerer)`: the assistant (or the agent) as a `Runnable` from a question to an answer
  dict (`Answer.to_json()`).

    from assistant.langchain import KGRetriever
    retriever = KGRetriever.from_settings(load_settings())
    docs = retriever.invoke("Who is the CEO of Alphabet?")
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.tools import BaseTool
from pydantic import ConfigDict

from .graph import Fact, GraphLookup
from .question import Question
from .retrieval import Passage
from .tools import Sources, Toolbox


class KGRetriever(BaseRetriever):
    """Facts (up to `facts`) then passages (up to `k`) for a query, as Documents with provenance."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    assistant: Any  # an assistant.answer.Assistant (its store, linker and retriever; no model is used)
    k: int = 5
    facts: int = 10
    home: Any | None = None  # the Home it opened (`from_settings`), closed by `close()`

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> KGRetriever:  # a kgstore.Settings
        """A retriever over the home that `settings` names (opened through the composition root)."""
        from .home import Home

        home = Home(settings)
        return cls(assistant=home.assistant(llm=_NoModel()), home=home, **kw)

    def close(self) -> None:
        if self.home is not None:
            self.home.close()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        a = self.assistant
        q = Question.parse(query, a.max_question_chars)
        subject = a.subject(q)
        graph = GraphLookup(a.store, limit=a.graph_rows)
        sources = Sources(graph)
        facts = [sources.cite_fact(f) for f in graph.facts(q, list(subject.links)) if f.score > 0][:self.facts]
        graph.attach_provenance(facts)
        passages = [sources.cite_passage(p) for p in a.passages(q, subject, self.k)]
        return [*(fact_document(f) for f in facts), *(passage_document(p) for p in passages)]


def fact_document(fact: Fact) -> Document:
    """A fact as a Document: its text, and where it was stated (the first provenance record)."""
    first = fact.provenance[0] if fact.provenance else {}
    return Document(page_content=fact.text, metadata={
        "kind": "fact", "citation": fact.ref, "subject": str(fact.subject), "predicate": str(fact.predicate),
        "object": str(fact.object), "document": first.get("document"), "chunk": first.get("chunk"),
        "span": [first.get("start"), first.get("end")], "extractor": first.get("extractor"),
        "confidence": first.get("confidence"), "provenance": fact.provenance})


def passage_document(passage: Passage) -> Document:
    return Document(page_content=passage.text, metadata={
        "kind": "passage", "citation": passage.ref, "document": passage.document_uri, "title": passage.title,
        "chunk": passage.chunk_id, "span": [passage.start, passage.end], "extractor": "chunker",
        "confidence": 1.0, "score": passage.score})


def kg_tools(assistant: Any, sources: Sources | None = None) -> list[BaseTool]:
    """The agent's tools over `assistant`; their citation ids count within `sources` (one answer's)."""
    return Toolbox(assistant, sources or Sources(GraphLookup(assistant.store, limit=assistant.graph_rows))).tools()


def as_runnable(answerer: Any, **ask: Any) -> Runnable:  # an Assistant or an Agent
    """The assistant as a Runnable: a question in, the answer's JSON dict out."""
    return RunnableLambda(lambda question: answerer.ask(question, **ask).to_json(), name="kgassist")


class _NoModel:
    """The retriever uses no model; this stands where an assistant expects one."""

    name, backend = "none", "none"
    supports_prefix = supports_json_schema = supports_tools = supports_lora = False
    batch_size = 1

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1
