"""The assistant: link entities, look up the graph, retrieve passages, prompt the LLM, cite,
verify, and return an `Answer` that the audit trail can store and re-check."""

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

from . import prompt as prompting
from .graph import Fact, GraphLookup, QueryRecord, hinted_relations
from .linking import EntityLinker, Link
from .llm import LLM
from .question import check_question
from .retrieval import Passage, Retriever
from .text import STOPWORDS, sentences, terms
from .verify import Claim, Verifier

MODES = choices(AnswerMode)
NOT_FOUND_TEXT = "The knowledge base does not contain information to answer this question."
VERDICTS = ("yes", "no", "maybe")
_YES_NO = re.compile(r"^\s*(is|are|was|were|does|do|did|can|could|should|has|have|had|will|would|may|might|must)\b",
                     re.I)
#: Capitalised words that do not start a sentence: names.
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][A-Za-z]{2,}\b")
#: Words too general to show that a question is about something the corpus covers.
_GENERIC = frozenset("effect effects side use used drug drugs company companies revenue year fiscal patients "
                     "patient risk treatment dose total value annual".split())


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
    verdict_source: str | None = None  # the fact that decided the verdict ("F1"), or "model"

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
                "timings": self.timings}


def is_yes_no(question: str) -> bool:
    return bool(_YES_NO.match(question))


def deciding_fact(question: str, facts: list[Fact], links: list[Link]) -> Fact | None:
    """A graph fact that answers a yes/no question "yes": it states a relation the question asks
    about between things the question names (a linked entity, or a label the question contains).
    The graph records what documents state, not what they deny, so no fact ever decides "no"."""
    hinted = hinted_relations(question)
    linked = {lk.entity for lk in links}
    asked = f" {vocab.label_key(question)} "

    def named(node, label: str) -> bool:  # noqa: ANN001 - an RDF term
        key = vocab.label_key(label)
        return node in linked or (len(key) >= 3 and f" {key} " in asked)

    for fact in facts:
        if (fact.predicate in hinted and fact.subject != fact.object
                and named(fact.subject, fact.subject_label) and named(fact.object, fact.object_label)
                and (fact.subject in linked or fact.object in linked)):
            return fact
    return None


class Assistant:
    """Answers questions over one store, database and vector index with one LLM.

    `mode` picks the sources: "hybrid" (graph and passages), "graph" or "retrieval"."""

    def __init__(self, store, retriever: Retriever, llm: LLM, linker: EntityLinker, *,  # noqa: ANN001
                 prompt_tokens: int = 1536, max_tokens: int | None = None, passages: int = 5,
                 knowledge: Any | None = None, max_question_chars: int = 2000, graph_rows: int = 200):
        self.store, self.retriever, self.llm, self.linker = store, retriever, llm, linker
        self.max_question_chars, self.graph_rows = max_question_chars, graph_rows
        self.prompt_tokens, self.max_tokens, self.k = prompt_tokens, max_tokens, passages
        self.knowledge = knowledge  # a finetune KnowledgePrefix: linked entities become prefix tokens

    def ask(self, question: str, *, mode: str = "hybrid", verdict: bool | None = None,
            on_text: Callable[[str], None] | None = None, generate: bool = True,
            on_stage: StageListener | None = None) -> Answer:
        """Answer `question`. `on_text` receives the reply as it streams; `on_stage(stage, seconds)`
        hears each stage start (seconds None) and end (its duration), stages named as in
        `Answer.timings`; `verdict` forces (or skips) the yes/no/maybe verdict, which is given by
        default for yes/no questions; `generate=False` skips the free-text reply (the verdict and
        sources are still produced). An empty or over-long question raises `QuestionError`."""
        if mode not in MODES:
            raise ConfigError(f"Unknown answer mode {mode!r}; choose one of {', '.join(MODES)}.")
        question = check_question(question, self.max_question_chars)
        timings: dict[str, float] = {}
        clock = _Clock(timings, on_stage)
        with clock("linking"):
            links = self.linker.link(question)
        graph = GraphLookup(self.store, limit=self.graph_rows)
        facts: list[Fact] = []
        if mode != "retrieval":
            with clock("sparql"):
                facts = [f for f in graph.facts(question, links) if f.predicate != RDF.type or f.score > 0]
        passages: list[Passage] = []
        if mode != "graph":
            with clock("retrieval"):
                passages = self.retriever.search(question, k=self.k)
        answer_id = str(uuid.uuid4())
        want_verdict = is_yes_no(question) if verdict is None else verdict
        decider = deciding_fact(question, facts, links) if want_verdict else None
        if decider is not None:  # first in the prompt, so that it is always among the cited sources
            facts = [decider] + [f for f in facts if f is not decider]
        if not self._relevant(question, links, facts, passages):
            text = NOT_FOUND_TEXT
            if on_text:
                on_text(text)
            return Answer(answer_id, question, text, False, [], [], graph.queries, [Claim(text)],
                          "maybe" if want_verdict else None, self.llm.name, self.llm.backend, links, timings, mode)
        built = prompting.build(question, facts, passages, self.llm.count_tokens, self.prompt_tokens)
        for i, fact in enumerate(built.facts):
            fact.ref = f"F{i + 1}"
        for i, passage in enumerate(built.passages):
            passage.ref = f"P{i + 1}"
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
                chosen, verdict_source = self.llm.choose(prompting.verdict_messages(built), VERDICTS), "model"
            else:
                chosen, verdict_source = None, None
        with clock("verification"):
            text, claims = self._cite_and_check(question, reply, built, links, decider)
            ids = {i for c in claims for i in c.citations}
            cited_facts = [f for i, f in enumerate(built.facts) if f"F{i + 1}" in ids]
            for i, fact in enumerate(built.facts):
                if f"F{i + 1}" in ids and not graph.exists(fact):
                    for claim in claims:
                        if f"F{i + 1}" in claim.citations:
                            claim.supported, claim.reason = False, f"F{i + 1} is no longer in the store"
            graph.attach_provenance(cited_facts)
        cited_passages = [p for i, p in enumerate(built.passages) if f"P{i + 1}" in ids]
        return Answer(answer_id, question, text, True, cited_facts, cited_passages or built.passages, graph.queries,
                      claims, chosen, self.llm.name, self.llm.backend, links, timings, mode, verdict_source)

    # -------------------------------------------------------------------------------------------
    def _relevant(self, question: str, links: list[Link], facts: list[Fact], passages: list[Passage]) -> bool:
        """Whether the sources can answer: linked facts, or passages on a subject the corpus covers.
        Not covered: a name the corpus never mentions (outside the linked mentions), or a question
        most of whose content words the corpus never uses."""
        if facts and links:
            return True
        if not passages:
            return False
        bm25 = self.retriever.lexical()
        linked = {w for link in links for w in terms(link.mention)}
        content = [t for t in terms(question) if t not in linked and t not in _GENERIC and t not in STOPWORDS
                   and not any(c.isdigit() for c in t)]
        unknown = [t for t in content if bm25.df(t) == 0]
        names = [m.group().lower() for m in _NAME.finditer(question)]
        if any(name in unknown for name in names):
            return False
        if content and len(unknown) > len(content) / 2:
            return False
        best = max((p.dense or 0.0) for p in passages)
        return best >= 0.3 or any(p.lexical for p in passages)

    def _cite_and_check(self, question: str, reply: str, built: prompting.Prompt, links: list[Link],
                        decider: Fact | None = None) -> tuple[str, list[Claim]]:
        """Verify each sentence of the reply, then add the graph facts the question asks about,
        each cited, so the answer states the facts behind it even when the model did not. A fact
        that decides a yes/no question opens the answer; a reply sentence saying "no" to it is
        marked unsupported."""
        names = [f.subject_label for f in built.facts] + [f.object_label for f in built.facts]
        names += [lk.label for lk in links]
        verifier = Verifier(built.facts, built.passages, names)
        parts = _statements(reply)
        claims = [verifier.check(s) for s in parts]
        if decider is not None:
            for claim in claims:
                if _SAYS_NO.match(claim.sentence):
                    claim.supported, claim.reason = False, f"contradicts {decider.ref}, which the graph states"
            opening = Claim(f"Yes: {decider.subject_label} {decider.predicate_label} {decider.object_label} "
                            f"[{decider.ref}].", [decider.ref])
            claims.insert(0, opening)
        text_parts = [c.sentence if not c.attributed else f"{c.sentence.rstrip()} [{c.citations[0]}]"
                      for c in claims]
        hinted = hinted_relations(question)
        top = max((f.score for f in built.facts), default=0.0)
        key_facts = [(i, f) for i, f in enumerate(built.facts) if f is not decider
                     and f.score >= max(2.0, top - 0.5) and (f.predicate in hinted or f.score >= 3)]
        if key_facts:
            summary = "From the knowledge graph: " + "; ".join(
                f"{f.subject_label} {f.predicate_label} {f.object_label} [F{i + 1}]" for i, f in key_facts[:6]) + "."
            text_parts.append(summary)
            claims.append(Claim(summary, [f"F{i + 1}" for i, _ in key_facts[:6]]))
        if not text_parts:
            text_parts, claims = [NOT_FOUND_TEXT], [Claim(NOT_FOUND_TEXT)]
        return " ".join(text_parts), claims


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


_SAYS_NO = re.compile(r"^\W*no\b", re.I)
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
    return Assistant(store, Retriever(db, index, embedder), llm, linker, prompt_tokens=settings.prompt_tokens,
                     max_tokens=settings.answer_max_tokens, passages=settings.passages, knowledge=knowledge,
                     max_question_chars=settings.max_question_chars)
