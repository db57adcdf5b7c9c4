"""The assistant's lookups as LangChain tools, for an agent that plans its own: find entities, read
an entity's facts (the SPARQL templates), run read-only SPARQL (the safe executor), search passages
(FAISS + full text), compute a metric (the metric engine) and show a fact's provenance.

Every tool returns content for the model and an artifact for the answer (`content_and_artifact`):
the citation ids it handed out and the raw rows. The facts and passages it finds join one `Sources`
per answer, which gives each its citation id once ("F3", "P2"), so the final answer is verified
against, and cites, exactly what the tools returned. Text from the store and the documents is data:
it reaches the model quoted (`prompt.quote`), as passages do in the pipeline. No tool writes.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kgstore import vocab
from kgstore.errors import KGAssistError
from kgstore.sparql import STANDARD_PREFIXES, with_prefixes

from . import metrics
from .graph import Fact, GraphLookup, QueryRecord, local_name, predicate_label
from .linking import Link
from .prompt import quote, source_id
from .question import Question
from .retrieval import Passage

if TYPE_CHECKING:
    from .answer import Assistant

#: Rows a tool shows the model; all of them stay in the artifact.
SHOWN_ROWS = 20
PASSAGE_CHARS = 700


@dataclass
class Sources:
    """What the tools of one answer have found: facts and passages, each with its citation id (given
    once, in the order found), and the queries run, for the audit."""

    graph: GraphLookup
    facts: list[Fact] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    computed: list[tuple[metrics.Computed, Link]] = field(default_factory=list)  # figures compute_metric made

    @property
    def queries(self) -> list[QueryRecord]:
        return self.graph.queries

    def cite_fact(self, fact: Fact) -> Fact:
        known = next((f for f in self.facts if f.key() == fact.key()), None)
        if known is not None:
            known.figure = known.figure or fact.figure  # a reported figure's own row carries its fields
            return known
        fact.ref = source_id("F", len(self.facts) + 1)
        self.facts.append(fact)
        return fact

    def cite_passage(self, passage: Passage) -> Passage:
        known = next((p for p in self.passages if p.chunk_id == passage.chunk_id), None)
        if known is not None:
            return known
        passage.ref = source_id("P", len(self.passages) + 1)
        self.passages.append(passage)
        return passage

    def add_link(self, link: Link) -> None:
        if all(lk.entity != link.entity for lk in self.links):
            self.links.append(link)

    def fact(self, ref: str) -> Fact | None:
        return next((f for f in self.facts if f.ref == ref.strip().strip("[]").upper()), None)


class ToolError(KGAssistError):
    """A tool was called with arguments it cannot use; the message tells the model what to do."""


def digest(content: str) -> str:
    """A short fingerprint of what a tool returned, for the audit trail."""
    return hashlib.sha256(content.encode()).hexdigest()[:16]


# -- argument schemas: what a model fills in ------------------------------------------------------
class FindEntitiesArgs(BaseModel):
    name: str = Field(description="The name as the question writes it, e.g. 'Costco' or 'metformin'.")
    kind: str | None = Field(None, description="Optional class: company, person, drug, disease, ...")


class EntityFactsArgs(BaseModel):
    entity: str = Field(description="An entity IRI from find_entities, or its name.")
    relation: str | None = Field(None, description="Optional relation to keep, e.g. 'chief executive officer', "
                                 "'adverse effect', 'revenue'.")


class SparqlArgs(BaseModel):
    query: str = Field(description="One read-only SPARQL 1.1 SELECT or ASK query with a LIMIT.")


class SearchPassagesArgs(BaseModel):
    query: str = Field(description="What to look for in the documents, in words.")
    k: int = Field(5, ge=1, le=10, description="How many passages (1-10).")


class ComputeMetricArgs(BaseModel):
    company: str = Field(description="The company, as named or an IRI from find_entities.")
    metric: str = Field(description="The figure or ratio, e.g. 'revenue', 'gross margin', 'inventory turnover'.")
    period: str = Field(description="The fiscal year, e.g. 'FY2023' or '2023'.")


class ProvenanceArgs(BaseModel):
    fact_id: str = Field(description="A fact's citation id from an earlier tool result, e.g. 'F2'.")


class Toolbox:
    """The tools over one assistant's parts, filling one `Sources`."""

    def __init__(self, assistant: Assistant, sources: Sources, *, sparql_limit: int = 100,
                 sparql_timeout_s: float | None = None):
        self.assistant, self.sources = assistant, sources
        self.sparql_limit, self.sparql_timeout_s = sparql_limit, sparql_timeout_s

    def tools(self) -> list[BaseTool]:
        specs: list[tuple[Callable[..., tuple[str, dict]], type[BaseModel], str]] = [
            (self.find_entities, FindEntitiesArgs,
             "Find entities (companies, people, drugs, diseases, ...) in the knowledge graph by name. "
             "Returns their IRIs, labels and classes; use an IRI with entity_facts."),
            (self.entity_facts, EntityFactsArgs,
             "The facts the knowledge graph states about one entity, each with a citation id like [F1]; "
             "optionally only one relation."),
            (self.sparql, SparqlArgs,
             "Run your own read-only SPARQL query on the knowledge graph (no updates, no SERVICE, "
             f"at most {self.sparql_limit} rows). " + ontology_summary()),
            (self.search_passages, SearchPassagesArgs,
             "Search the documents for passages (semantic and keyword search). Each passage has a "
             "citation id like [P1] and its source document."),
            (self.compute_metric, ComputeMetricArgs,
             "Compute a company's financial figure or ratio for a fiscal year from its reported statement "
             "figures; says the formula, the inputs with citation ids, or what is missing."),
            (self.provenance, ProvenanceArgs,
             "Where a fact comes from: document, character span, extractor and confidence."),
        ]
        return [StructuredTool.from_function(func=_reported(fn), name=fn.__name__, description=text, args_schema=schema,
                                             response_format="content_and_artifact", handle_tool_error=True)
                for fn, schema, text in specs]

    # -- the tools ------------------------------------------------------------------------------
    def find_entities(self, name: str, kind: str | None = None) -> tuple[str, dict]:
        links = self._links(name)
        if kind:
            links = [lk for lk in links if kind.strip().lower() in local_name(lk.kind).lower()] or links
        for link in links:
            self.sources.add_link(link)
        rows = [{"entity": str(lk.entity), "label": lk.label, "class": local_name(lk.kind), "score": lk.score,
                 "match": lk.method} for lk in links]
        if not rows:
            return f"No entity in the knowledge graph is named {quote(name)!r}; try search_passages.", _artifact([], rows)
        lines = [f"<{r['entity']}> {quote(r['label'])} ({r['class']}, {r['match']} match)" for r in rows]
        return "\n".join(lines), _artifact([], rows)

    def entity_facts(self, entity: str, relation: str | None = None) -> tuple[str, dict]:
        link = self._entity(entity)
        question = Question.parse(f"{relation or ''} {link.label}".strip())
        facts = self.sources.graph.facts(question, [link], max_entities=1)
        if relation:
            wanted = relation.strip().lower()
            kept = [f for f in facts if wanted in f.predicate_label or wanted in f.text.lower()
                    or f.predicate in question.relations]
            facts = kept or facts
        facts = [self.sources.cite_fact(f) for f in facts if f.predicate != RDF.type][:SHOWN_ROWS]
        if not facts:
            return f"The knowledge graph states no facts about {quote(link.label)}.", _artifact([], [])
        lines = [f"[{f.ref}] {quote(f.text)}" for f in facts]
        return "\n".join(lines), _artifact([f.ref for f in facts], [f.to_json() for f in facts])

    def sparql(self, query: str) -> tuple[str, dict]:
        text = with_prefixes(query)
        result = self.sources.graph.store.query(text, limit=self.sparql_limit, timeout=self.sparql_timeout_s)
        self.sources.queries.append(QueryRecord("agent:sparql", text, {}, result.digest(), len(result),
                                                result.to_json()))
        if result.kind == "ask":
            return f"ASK: {'true' if result.boolean else 'false'}", _artifact([], [{"boolean": bool(result.boolean)}])
        rows = result.to_json()["results"]["bindings"]
        refs = [self.sources.cite_fact(f).ref for f in self._row_facts(result.rows)]
        shown = [" | ".join(f"{k}={quote(v['value'])}" for k, v in row.items()) for row in rows[:SHOWN_ROWS]]
        more = f"\n… {len(rows) - SHOWN_ROWS} more rows" if len(rows) > SHOWN_ROWS else ""
        facts = "".join(f"\n[{r}] {quote(self.sources.fact(r).text)}" for r in refs[:SHOWN_ROWS])
        return (f"{len(rows)} rows" + (" (truncated at the cap)" if result.truncated else "") + ":\n"
                + "\n".join(shown) + more + facts), _artifact(refs, rows)

    def search_passages(self, query: str, k: int = 5) -> tuple[str, dict]:
        q = Question.parse(query)
        passages = [self.sources.cite_passage(p) for p in self.assistant.passages(q, self.assistant.subject(q), k)]
        if not passages:
            return "No passage matches; try other words.", _artifact([], [])
        blocks = [f"[{p.ref}] ({quote(p.title)}) {quote(' '.join(p.text.split()))[:PASSAGE_CHARS]}" for p in passages]
        return "\n".join(blocks), _artifact([p.ref for p in passages], [p.to_json() for p in passages])

    def compute_metric(self, company: str, metric: str, period: str) -> tuple[str, dict]:
        link = self._entity(company)
        year = period.strip().upper().removeprefix("FY").strip()
        ask = metrics.asked(f"What was the {metric} in FY{year}?")
        if ask is None:
            raise ToolError(f"No formula or reported figure is named {metric!r} for a fiscal year {period!r}; "
                            "name a figure such as 'revenue' or a ratio such as 'gross margin', and a year.")
        computed = metrics.compute(ask, link.label, lambda name: self.sources.graph.figures(link, name))
        for i in computed.inputs:
            i.fact = self.sources.cite_fact(i.fact)
            i.also, i.earlier = [self.sources.cite_fact(f) for f in i.also], [self.sources.cite_fact(f) for f in i.earlier]
        refs = list(dict.fromkeys(f.ref for i in computed.inputs for f in i.facts))
        if computed.number is None:
            return (f"Not computed: missing {', '.join(computed.missing) or 'its inputs'} for {quote(link.label)}.",
                    _artifact(refs, [computed.to_json()]))
        self.sources.computed.append((computed, link))
        return metrics.sentence(computed, link.label), _artifact(refs, [computed.to_json()])

    def provenance(self, fact_id: str) -> tuple[str, dict]:
        fact = self.sources.fact(fact_id)
        if fact is None:
            known = ", ".join(f.ref for f in self.sources.facts) or "none yet"
            raise ToolError(f"No fact has the id {fact_id!r} in this answer (known: {known}).")
        self.sources.graph.attach_provenance([fact])
        lines = [f"[{fact.ref}] from {p['document']} characters {p['start']}-{p['end']} "
                 f"({p['extractor']}, confidence {p['confidence']})" for p in fact.provenance]
        return "\n".join(lines) or f"[{fact.ref}] has no recorded provenance.", _artifact([fact.ref], fact.provenance)

    # -------------------------------------------------------------------------------------------
    def _links(self, name: str) -> list[Link]:
        return self.assistant.linker.link(Question.parse(name))

    def _entity(self, entity: str) -> Link:
        """An IRI from find_entities, or a name linked as the pipeline links it."""
        text = entity.strip().strip("<>")
        if text.startswith(("http://", "https://")):
            iri = URIRef(text)
            label = self.assistant.linker.label(iri)
            if label is None:
                raise ToolError(f"{text} is not an entity of the knowledge graph; use find_entities first.")
            link = next((lk for lk in self.sources.links if lk.entity == iri), None)
            return link or Link(label, 0, 0, iri, label, vocab.ENTITY, 1.0, "exact")
        links = self._links(text)
        if not links:
            raise ToolError(f"No entity is named {entity!r}; use find_entities or search_passages.")
        self.sources.add_link(links[0])
        return links[0]

    def _row_facts(self, rows: list[dict]) -> list[Fact]:
        """Rows that bind ?s ?p ?o as facts, so that the answer can cite what the query found."""
        out = []
        for row in rows:
            s, p, o = row.get("s"), row.get("p"), row.get("o")
            if isinstance(s, URIRef) and isinstance(p, URIRef) and o is not None:
                label = self.assistant.linker.label
                out.append(Fact(s, p, o, label(s) or str(s), predicate_label(p),
                                (label(o) or str(o)) if isinstance(o, URIRef) else str(o)))
        return out


def _reported(tool: Callable[..., tuple[str, dict]]) -> Callable[..., tuple[str, dict]]:
    """The tool with kgassist's errors (a refused query, an unknown entity) returned to the model as
    the tool's result, marked as an error, rather than raised."""
    @functools.wraps(tool)
    def run(**arguments: Any) -> tuple[str, dict]:
        try:
            return tool(**arguments)
        except KGAssistError as error:
            raise ToolException(str(error)) from None
        except Exception as error:  # noqa: BLE001 - a failing tool is one failed step, never a failed answer
            raise ToolException(f"The tool failed ({type(error).__name__}: {error}).") from None
    return run


def _artifact(citations: list[str], rows: list[Any]) -> dict:
    return {"citations": citations, "rows": json.loads(json.dumps(rows, default=str))}


@lru_cache(maxsize=1)
def ontology_summary() -> str:
    """The ontology in a few lines, for a model writing SPARQL: prefixes, classes, properties."""
    g = Graph().parse(data=vocab.ontology_turtle(), format="turtle")
    short = {iri: p for p, iri in STANDARD_PREFIXES.items()}

    def name(term: URIRef) -> str:
        text = str(term)
        for iri, p in short.items():
            if text.startswith(iri):
                return f"{p}:{text[len(iri):]}"
        return f"<{text}>"

    classes = sorted(name(c) for c in g.subjects(RDF.type, OWL.Class))
    props = []
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in g.subjects(RDF.type, kind):
            domain, range_ = g.value(prop, RDFS.domain), g.value(prop, RDFS.range)
            props.append(name(prop) + (f" ({name(domain)} -> {name(range_)})" if domain and range_ else ""))
    return (f"Prefixes: {', '.join(f'{p}: <{i}>' for p, i in STANDARD_PREFIXES.items() if p in ('rdf', 'rdfs', 'kga'))}. "
            f"Every entity has rdfs:label. Classes: {', '.join(classes)}. Properties: {', '.join(sorted(props))}.")
