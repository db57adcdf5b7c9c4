"""The assistant: parse the question, link entities, look up the graph, retrieve passages, check
that the sources can answer, prompt the LLM, cite, verify, and return an `Answer` that the audit
trail can store and re-check. `Assistant.ask` reads as those stages, in order."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib.namespace import RDF

from kgstore import vocab
from kgstore.errors import ConfigError
from kgstore.settings import AnswerMode, choices

from . import metrics
from . import prompt as prompting
from .compose import Composed, answering_facts, compose, extract_answer, fact_sentence, specific_terms
from .gate import relevant
from .graph import Fact, GraphLookup, QueryRecord
from .linking import EntityLinker, Link
from .llm import LLM
from .question import Question
from .retrieval import Passage, Retriever
from .subject import Subject, find_subject
from .text import sentences, terms
from .verify import Claim, Verifier

MODES = choices(AnswerMode)
NOT_FOUND_TEXT = "The knowledge base does not contain information to answer this question."
VERDICTS = ("yes", "no", "maybe")


@dataclass
class Answer:
    id: str
    question: str
    answer: str
    found: bool
    facts: list[Fact]
    passages: list[Passage]
    queries: list[QueryRecord]
    claims: list[Claim]
    verdict: str | None
    model: str
    backend: str
    links: list[Link] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    mode: str = "hybrid"
    verdict_source: str | None = None  # who decided the verdict: a fact ("F1"), "model" (the LLM) or "tuned"
    value: metrics.Computed | None = None  # a figure computed by the metric engine, with its inputs
    steps: list[dict[str, Any]] = field(default_factory=list)  # an agent's tool calls (assistant.agent.Step)
    notice: str | None = None  # what the user should know about how it was answered ("the pipeline answered")

    @property
    def unsupported(self) -> list[Claim]:
        return [c for c in self.claims if not c.supported]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "answer": self.answer, "found": self.found,
                "facts": [f.to_json() for f in self.facts], "passages": [p.to_json() for p in self.passages],
                "queries": [q.to_json() for q in self.queries],
                "unsupported": [{"sentence": c.sentence, "reason": c.reason} for c in self.unsupported],
                "claims": [c.to_json() for c in self.claims], "verdict": self.verdict,
                "verdict_source": self.verdict_source, "model": self.model,
                "backend": self.backend, "mode": self.mode,
                "entities": [{"mention": lk.mention, "entity": str(lk.entity), "label": lk.label,
                              "score": lk.score, "method": lk.method} for lk in self.links],
                "timings": self.timings, "value": self.value.to_json() if self.value is not None else None,
                "steps": self.steps, "notice": self.notice}


def deciding_fact(question: Question, facts: list[Fact], links: list[Link]) -> Fact | None:
    """A graph fact that answers a yes/no question "yes": it states a relation the question asks
    about between things the question names (a linked entity, or a label the question contains).
    The graph records what documents state, not what they deny, so no fact ever decides "no"."""
    linked = {lk.entity for lk in links}

    def named(node, label: str) -> bool:  # noqa: ANN001 - an RDF term
        return node in linked or question.mentions(label)

    for fact in facts:
        if (fact.predicate in question.relations and fact.subject != fact.object
                and named(fact.subject, fact.subject_label) and named(fact.object, fact.object_label)
                and (fact.subject in linked or fact.object in linked)):
            return fact
    return None


class Assistant:
    """Answers questions over one store, database and vector index with one LLM.

    `mode` picks the sources: "hybrid" (graph and passages), "graph" or "retrieval"."""

    def __init__(self, store, retriever: Retriever, llm: LLM, linker: EntityLinker, *,  # noqa: ANN001
                 prompt_tokens: int = 1536, max_tokens: int | None = None, passages: int = 5,
                 knowledge: Any | None = None, max_question_chars: int = 2000, graph_rows: int = 200,
                 lead: str = "sources", verdicts: Any | None = None):
        self.store, self.retriever, self.llm, self.linker = store, retriever, llm, linker
        self.lead = lead  # what an answer opens with: "sources" (facts, else a quoted sentence) or "model"
        self.max_question_chars, self.graph_rows = max_question_chars, graph_rows
        self.prompt_tokens, self.max_tokens, self.k = prompt_tokens, max_tokens, passages
        self.knowledge = knowledge  # a finetune KnowledgePrefix: linked entities become prefix tokens
        self.verdicts = verdicts  # a finetune VerdictModel: it, not the LLM, chooses yes / no / maybe

    def ask(self, question: str | Question, *, mode: str = "hybrid", verdict: bool | None = None,
            on_text: Callable[[str], None] | None = None, generate: bool = True,
            on_stage: StageListener | None = None) -> Answer:
        """Answer `question`. `on_text` receives the reply as it streams; `on_stage(stage, seconds)`
        hears each stage start (seconds None) and end (its duration), stages named as in
        `Answer.timings`; `verdict` forces (or skips) the yes/no/maybe verdict, which is given by
        default for yes/no questions; `generate=False` skips the free-text reply (the verdict and
        sources are still produced). An empty or over-long question raises `QuestionError`."""
        if mode not in MODES:
            raise ConfigError(f"Unknown answer mode {mode!r}; choose one of {', '.join(MODES)}.")
        q = question if isinstance(question, Question) else Question.parse(question, self.max_question_chars)
        timings: dict[str, float] = {}
        clock = _Clock(timings, on_stage)
        record = dict(id=str(uuid.uuid4()), question=q.text, model=self.llm.name, backend=self.llm.backend,
                      timings=timings, mode=mode)
        with clock("linking"):
            subject = self.subject(q)
            links = list(subject.links)
        graph = GraphLookup(self.store, limit=self.graph_rows)
        facts: list[Fact] = []
        if mode != "retrieval":
            with clock("sparql"):
                facts = [f for f in graph.facts(q, links) if f.predicate != RDF.type or f.score > 0]
                figure = self._figure(q, links, graph)
            if figure is not None:  # computed by code from the statements' figures, no model
                return self.figure_answer(record, *figure, links, graph)
        passages: list[Passage] = []
        if mode != "graph":
            with clock("retrieval"):
                passages = self.passages(q, subject)
        want_verdict = q.yes_no if verdict is None else verdict
        decider = deciding_fact(q, facts, links) if want_verdict else None
        if decider is not None:  # first in the prompt, so that it is always among the cited sources
            facts = [decider] + [f for f in facts if f is not decider]
        if not relevant(q, links, facts, passages, self.retriever.lexical().df, subject):
            if on_text:
                on_text(NOT_FOUND_TEXT)
            return Answer(**record, answer=NOT_FOUND_TEXT, found=False, facts=[], passages=[], queries=graph.queries,
                          claims=[Claim(NOT_FOUND_TEXT)], verdict="maybe" if want_verdict else None, links=links)
        built = prompting.build(q.text, facts, passages, self.llm.count_tokens, self.prompt_tokens)
        reply = ""
        with clock("generation"):
            if generate:
                pieces = []
                prefix = self.knowledge.for_entities([lk.entity for lk in links]) if self.knowledge else None
                for piece in self.llm.stream(built.messages, max_tokens=self.max_tokens, prefix=prefix):
                    pieces.append(piece)
                    if on_text:
                        on_text(piece)
                reply = "".join(pieces).strip()
            decider = decider if decider in built.facts else None
            if decider is not None:  # the graph states it: the verdict follows the fact
                chosen, verdict_source = "yes", decider.ref
            elif want_verdict:
                chosen, verdict_source = self.choose_verdict(q, built)
            else:
                chosen, verdict_source = None, None
        with clock("verification"):
            return self.conclude(record, q, reply, built, links, subject, graph, decider=decider,
                                 verdict=chosen, verdict_source=verdict_source)

    def choose_verdict(self, q: Question, built: prompting.Prompt) -> tuple[str, str]:
        """Yes, no or maybe over a prompt's sources, and who chose: the tuned verdict model when one
        is configured ("tuned"), else the LLM ("model")."""
        if self.verdicts is not None:
            return self.verdicts.choose(q.text, [f.text for f in built.facts] + [p.text for p in built.passages]), "tuned"
        return self.llm.choose(prompting.verdict_messages(built), VERDICTS), "model"

    def subject(self, question: Question, links: list[Link] | None = None) -> Subject:
        """The names a question writes, linked (`links`, or the linker's) or not, and the documents
        whose text writes them."""
        links = self.linker.link(question) if links is None else links
        return find_subject(question, links, self.retriever.lexical())

    def passages(self, question: Question, subject: Subject, k: int | None = None) -> list[Passage]:
        """The `k` best passages for a question, only from its subject's documents when it names one."""
        return self.retriever.search(question, k=self.k if k is None else k, documents=subject.documents,
                                     extra_terms=[t for lk in subject.links for t in terms(lk.label)])

    def conclude(self, record: dict, question: Question, reply: str, built: prompting.Prompt, links: list[Link],
                 subject: Subject, graph: GraphLookup, *, decider: Fact | None = None, verdict: str | None = None,
                 verdict_source: str | None = None, **extra: Any) -> Answer:
        """The answer from a model's reply and the sources it was given (`built`): each sentence
        verified, the answer composed from verified statements, each cited fact checked in the store
        and given its provenance. The pipeline and the agent both end here."""
        composed = self._compose(question, reply, built, links, subject, decider, verdict)
        claims = composed.claims
        cited = {i for c in claims for i in c.citations}
        cited_facts = [f for f in built.facts if f.ref in cited]
        for fact in cited_facts:
            if not graph.exists(fact):
                for claim in claims:
                    if fact.ref in claim.citations:
                        claim.supported, claim.reason = False, f"{fact.ref} is no longer in the store"
        graph.attach_provenance(cited_facts)
        cited_passages = [p for p in built.passages if p.ref in cited]
        text = composed.text if composed.found else NOT_FOUND_TEXT
        if not composed.found:
            claims = [Claim(NOT_FOUND_TEXT), *claims]
        return Answer(**record, **extra, answer=text, found=composed.found, facts=cited_facts,
                      passages=cited_passages or built.passages, queries=graph.queries, claims=claims,
                      verdict=verdict, verdict_source=verdict_source, links=links)

    # -------------------------------------------------------------------------------------------
    def _figure(self, question: Question, links: list[Link], graph: GraphLookup) -> tuple[metrics.Computed, Link] | None:
        """The figure a question asks of a linked company, computed from its statement figures."""
        company = next((lk for lk in links if lk.kind in (vocab.COMPANY, vocab.ORGANIZATION)), None)
        ask = metrics.asked(question.text, line_items=vocab.REPORTED_METRIC in question.relations) \
            if company is not None else None
        if ask is None:
            return None
        computed = metrics.compute(ask, company.label, lambda name: graph.figures(company, name))
        if computed.number is None and not any(i for i in computed.inputs) and ask.formula.expression.isidentifier():
            return None  # a line item the graph has no figure of: the passages may state it
        return computed, company

    def figure_answer(self, record: dict, computed: metrics.Computed, company: Link, links: list[Link],
                      graph: GraphLookup, *, numbered: bool = False, **extra: Any) -> Answer:
        """The answer to a figure question: the value, its formula and each input cited, or what is
        missing; each input checked against the store and given its provenance. The inputs are
        numbered F1, F2, … here unless they already carry their citation ids (`numbered`)."""
        inputs = list({id(f): f for i in computed.inputs for f in i.facts}.values())
        for n, fact in enumerate([] if numbered else inputs, 1):
            fact.ref = prompting.source_id("F", n)
        graph.attach_provenance(inputs)
        text = metrics.sentence(computed, company.label)
        claims = [Claim(text, [f.ref for f in inputs])]
        if computed.number is not None and not all(graph.exists(f) for f in inputs):
            claims = [Claim(NOT_FOUND_TEXT), Claim(text, claims[0].citations, False, "an input is no longer in the store")]
            text = NOT_FOUND_TEXT
        found = text != NOT_FOUND_TEXT and computed.number is not None
        return Answer(**record, **extra, answer=text, found=found, facts=inputs, passages=[], queries=graph.queries,
                      claims=claims, verdict=None, links=links, value=computed if found else None)

    def _compose(self, question: Question, reply: str, built: prompting.Prompt, links: list[Link],
                 subject: Subject, decider: Fact | None = None, verdict: str | None = None) -> Composed:
        """Verify each sentence of the reply, and compose the answer from verified statements: a
        fact that decides a yes/no question opens it (the verdict is then "yes"), then the direct
        answer and the supported model sentences. A reply sentence that answers "yes" or "no"
        against the `verdict` is marked unsupported: the verdict and the text never contradict
        each other."""
        verifier = Verifier(built.facts, built.passages)
        claims = [verifier.check(s) for s in _statements(reply)]
        because = f", which {decider.ref} decides" if decider is not None else ""
        for claim in claims if verdict is not None else []:
            said = _POLAR_ANSWER.match(claim.sentence)
            if claim.supported and said and said.group(1).lower() != verdict:
                claim.supported = False
                claim.reason = f"answers {said.group(1).lower()!r} where the verdict is {verdict!r}{because}"
        opening = verifier.check(f"Yes: {fact_sentence([decider])}") if decider is not None else None
        lead_facts = [f for f in answering_facts(question, built.facts, links) if f is not decider]
        extracted = extract_answer(question, built.passages, subject)
        return compose(question, lead_facts, extracted, claims, verifier, lead=self.lead, opening=opening,
                       specific=specific_terms(question, subject))


def _statements(reply: str) -> list[str]:
    """The reply as sentences: list markers dropped, repeated items removed, and a last sentence
    that the token limit cut off left out."""
    reply = reply.strip()
    if reply and reply[-1] not in ".!?])\"" and "." in reply:
        reply = reply[:reply.rfind(".") + 1]
    seen: set[str] = set()
    out: list[str] = []
    for line in reply.splitlines():
        line = _LIST_MARKER.sub("", line).strip()
        for sentence in sentences(line):
            key = " ".join(sentence.lower().split())
            if key.strip(".") and key not in seen:
                seen.add(key)
                out.append(sentence if sentence[-1] in ".!?])" else sentence + ".")
    return out


_POLAR_ANSWER = re.compile(r"^\W*(yes|no)\s*(?:[,.:;!]|\[|$)", re.I)  # "Yes, …", "No." — not "No significant …"
_LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")


#: Stages of an answer, in order, as named in `Answer.timings` and told to `on_stage`.
STAGES = ("linking", "sparql", "retrieval", "generation", "verification")
StageListener = Callable[[str, "float | None"], None]


class _Clock:
    def __init__(self, timings: dict[str, float], listener: StageListener | None = None):
        self.timings, self.listener = timings, listener

    def __call__(self, stage: str) -> _Clock:
        self._stage = stage
        return self

    def __enter__(self) -> None:
        self._started = time.perf_counter()
        if self.listener:
            self.listener(self._stage, None)

    def __exit__(self, *exc: object) -> None:
        took = time.perf_counter() - self._started
        self.timings[self._stage] = round(self.timings.get(self._stage, 0.0) + took, 4)
        if self.listener:
            self.listener(self._stage, round(took, 4))


def open_assistant(settings, store, db, llm: LLM, embedder, index) -> Assistant:  # noqa: ANN001
    """An assistant over opened parts, wired as the settings say (`assistant.home.Home.assistant`
    is the one caller): the store's entities, the chunk index, the LLM."""
    linker = EntityLinker(store.entity_labels(), embedder)
    knowledge = None
    if settings.adapter:
        from pathlib import Path

        from finetune.pipeline import load_for

        knowledge = load_for(llm, Path(settings.adapter))
    verdicts = None
    if settings.verdict_model_dir is not None:
        from finetune.verdict import VerdictModel

        verdicts = VerdictModel(settings.verdict_model_dir, embedder)
    return Assistant(store, Retriever(db, index, embedder), llm, linker, prompt_tokens=settings.prompt_tokens,
                     max_tokens=settings.answer_max_tokens, passages=settings.passages, knowledge=knowledge,
                     max_question_chars=settings.max_question_chars, lead=settings.answer_lead, verdicts=verdicts)
