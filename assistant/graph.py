"""Graph lookups for a question: parameterised SPARQL templates run through the safe executor,
each recorded (text, bound values, result digest) so an audit can re-run it later."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgstore import KGStore, vocab
from kgstore.sparql import PREFIXES, QueryResult, term_json

from .display import format_amount
from .linking import Link
from .question import Question, metric_named
from .text import terms


_NOT_META = ("FILTER(?p NOT IN (rdf:subject, rdf:predicate, rdf:object, rdfs:label, "
             "<http://www.w3.org/2004/02/skos/core#altLabel>, kga:labelKey, kga:inDocument, kga:inChunk, "
             "kga:charStart, kga:charEnd, kga:extractor, kga:confidence, kga:sha256, kga:sourceUri))")

# Every template orders its rows by all the variables it selects: a total order, so that the rows
# kept under a LIMIT, and the digest an audit compares, are the same on every run of an unchanged store.
#
# Each template matches a fact and its labels inside one named graph (GRAPH ?g): every document graph
# carries the labels of the entities it mentions, and a triple stated by k documents then yields k
# rows, not k to the power of the patterns joined (the union default graph is a bag, not a set).

#: Facts about an entity, as subject: ?e is bound.
FACTS_OUT = PREFIXES + f"""SELECT DISTINCT ?p ?o ?ol WHERE {{
  GRAPH ?g {{ ?e ?p ?o . OPTIONAL {{ ?o rdfs:label ?ol }} }}
  OPTIONAL {{ GRAPH <{vocab.ONTOLOGY_GRAPH}> {{ ?o rdfs:label ?ol }} }}
  {_NOT_META}
  FILTER(?o != kga:Assertion)
}} ORDER BY ?p ?o ?ol"""

#: Facts about an entity, as object: ?e is bound.
FACTS_IN = PREFIXES + f"""SELECT DISTINCT ?s ?p ?sl WHERE {{
  GRAPH ?g {{ ?s ?p ?e . OPTIONAL {{ ?s rdfs:label ?sl }} }}
  {_NOT_META}
  FILTER NOT EXISTS {{ ?s a kga:MetricObservation }}
}} ORDER BY ?p ?s ?sl"""

#: Two-hop neighbourhood: entities one step from ?e, and their own facts.
NEIGHBOURHOOD_2 = PREFIXES + f"""SELECT DISTINCT ?s ?p ?o ?sl ?ol WHERE {{
  {{ ?e ?p1 ?s }} UNION {{ ?s ?p1 ?e }}
  FILTER(isIRI(?s) && ?s != ?e && ?p1 NOT IN (rdf:subject, rdf:object, rdf:type))
  FILTER NOT EXISTS {{ ?s a kga:Assertion }}
  GRAPH ?g {{ ?s ?p ?o . OPTIONAL {{ ?s rdfs:label ?sl }} OPTIONAL {{ ?o rdfs:label ?ol }} }}
  {_NOT_META}
  FILTER(?o != ?e && ?p != rdf:type)
}} ORDER BY ?s ?p ?o ?sl ?ol"""

#: Reported metrics of a company (value, unit, period): ?e is bound.
METRICS = PREFIXES + """SELECT DISTINCT ?obs ?label ?metric ?value ?unit ?period ?statement WHERE {
  GRAPH ?g {
    ?e kga:reportedMetric ?obs .
    ?obs kga:metric ?m ; kga:value ?value .
    OPTIONAL { ?obs rdfs:label ?label }
    OPTIONAL { ?m rdfs:label ?metric }
    OPTIONAL { ?obs kga:unit ?unit }
    OPTIONAL { ?obs kga:period ?period }
    OPTIONAL { ?obs kga:statement ?statement }
  }
} ORDER BY ?period ?metric ?obs ?label ?value ?unit ?statement"""

#: A company's figures of one metric, named by its label (?name), latest period first.
METRIC_NAMED = PREFIXES + """SELECT DISTINCT ?obs ?label ?metric ?value ?unit ?period ?statement ?end ?g WHERE {
  GRAPH ?g {
    ?e kga:reportedMetric ?obs .
    ?obs kga:metric ?m ; kga:value ?value .
    ?m rdfs:label ?name .
    OPTIONAL { ?obs rdfs:label ?label }
    OPTIONAL { ?m rdfs:label ?metric }
    OPTIONAL { ?obs kga:unit ?unit }
    OPTIONAL { ?obs kga:period ?period }
    OPTIONAL { ?obs kga:statement ?statement }
    OPTIONAL { ?obs kga:periodEnd ?end }
  }
} ORDER BY DESC(?period) ?obs ?label ?value ?unit ?statement"""

#: Does the store assert this triple? ?s ?p ?o are bound (verification of cited facts).
EXISTS = "ASK { ?s ?p ?o }"

@dataclass(frozen=True)
class Figure:
    """What a reported-figure fact states, field by field: the value as stored (base units)."""

    company: str
    metric: str
    period: str
    value: Decimal
    unit: str
    statement: str = ""  # income | balance | cashflow for a statement row; "" for a figure a sentence states
    end: str = ""  # the period's last day (ISO date), when the statement's column header gives it
    document: str = ""  # the named graph (the source document) that states it


@dataclass
class Fact:
    """A triple from the store, with readable labels and (once known) its provenance."""

    subject: URIRef
    predicate: URIRef
    object: URIRef | Literal
    subject_label: str
    predicate_label: str
    object_label: str
    score: float = 0.0
    provenance: list[dict[str, Any]] = field(default_factory=list)
    ref: str = ""  # its citation id in the answer that used it ("F3")
    figure: Figure | None = None  # for a reported figure's value: company, metric, period, unit

    @property
    def text(self) -> str:
        return f"{self.subject_label} — {self.predicate_label} — {self.object_label}"

    def key(self) -> tuple:
        return self.subject, self.predicate, self.object

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "subject": str(self.subject), "predicate": str(self.predicate),
                "object": term_json(self.object),
                "subject_label": self.subject_label, "predicate_label": self.predicate_label,
                "object_label": self.object_label, "provenance": self.provenance}


@dataclass
class QueryRecord:
    """A query as run: re-runnable text, bound values, and what came back."""

    purpose: str
    sparql: str
    bindings: dict[str, Any]
    digest: str
    rows: int
    result: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "sparql": self.sparql, "bindings": self.bindings, "digest": self.digest,
                "rows": self.rows}


class GraphLookup:
    """Runs the templates for linked entities and ranks the facts they return against the question."""

    def __init__(self, store: KGStore, limit: int = 200):
        self.store, self.limit = store, limit
        self.queries: list[QueryRecord] = []

    def run(self, purpose: str, template: str, bindings: dict[str, Any]) -> QueryResult:
        """Run a template, capped at `limit` rows by a LIMIT in the recorded text itself, so that
        a re-run applies the same cap."""
        sparql = template if template.lstrip().upper().startswith("ASK") else f"{template}\nLIMIT {self.limit}"
        result = self.store.query(sparql, bindings, limit=self.limit)
        self.queries.append(QueryRecord(purpose, sparql, {k: term_json(v) for k, v in bindings.items()},
                                        result.digest(), len(result), result.to_json()))
        return result

    def facts(self, question: Question, links: list[Link], max_entities: int = 3) -> list[Fact]:
        """Facts about the best-linked entities, most relevant to the question first."""
        found: dict[tuple, Fact] = {}
        asked = metric_named(question.text) if vocab.REPORTED_METRIC in question.relations else None
        for link in links[:max_entities]:
            e = link.entity
            for row in self.run(f"facts-out:{link.label}", FACTS_OUT, {"e": e}).rows:
                _add(found, Fact(e, row["p"], row["o"], link.label, predicate_label(row["p"]),
                                 _label(row["o"], row.get("ol"))))
            for row in self.run(f"facts-in:{link.label}", FACTS_IN, {"e": e}).rows:
                _add(found, Fact(row["s"], row["p"], e, _label(row["s"], row.get("sl")), predicate_label(row["p"]),
                                 link.label))
            if link.kind in (vocab.COMPANY, vocab.ORGANIZATION):
                # the metric the question names first (a filing holds hundreds of figures), then any
                figures = self.figures(link, asked) if asked else []
                figures += [_figure_fact(link, row) for row in self.run(f"metrics:{link.label}", METRICS, {"e": e}).rows]
                for fact in figures:
                    _add(found, fact)
            if sum(1 for f in found.values() if f.predicate != RDF.type) < 3:
                for row in self.run(f"neighbourhood-2:{link.label}", NEIGHBOURHOOD_2, {"e": e}).rows:
                    _add(found, Fact(row["s"], row["p"], row["o"], _label(row["s"], row.get("sl")),
                                     predicate_label(row["p"]), _label(row["o"], row.get("ol"))))
        ranked = list(found.values())
        for fact in ranked:
            fact.score = relevance(question, fact, links)
        ranked.sort(key=lambda f: -f.score)
        return ranked

    def figures(self, link: Link, metric: str) -> list[Fact]:
        """The company's figures of one metric (by its name), as facts with their fields."""
        rows = self.run(f"metrics:{link.label}:{metric}", METRIC_NAMED, {"e": link.entity, "name": Literal(metric)}).rows
        return [_figure_fact(link, row) for row in rows]

    def exists(self, fact: Fact) -> bool:
        return bool(self.run("verify", EXISTS, {"s": fact.subject, "p": fact.predicate, "o": fact.object}).boolean)

    def attach_provenance(self, facts: list[Fact]) -> None:
        for fact in facts:
            fact.provenance = [{"document": str(r.document), "chunk": str(r.chunk) if r.chunk else None,
                                "start": r.start, "end": r.end, "extractor": r.extractor,
                                "confidence": r.confidence}
                               for r in self.store.provenance(fact.subject, fact.predicate, fact.object)]


def relevance(question: Question, fact: Fact, links: list[Link]) -> float:
    """How well a fact matches the question: the relation asked about, shared words, the year asked."""
    score = 0.0
    if fact.predicate in question.relations or (fact.predicate == vocab.VALUE
                                                and vocab.REPORTED_METRIC in question.relations):
        score += 2.0
    linked = {w for link in links if link.entity in (fact.subject, fact.object) for w in terms(link.mention)}
    shared = set(question.terms) & set(terms(f"{fact.subject_label} {fact.object_label}")) - linked
    score += 0.7 * len(shared)
    entities = {link.entity for link in links}
    if fact.subject in entities and fact.object in entities:
        score += 1.5  # connects two things the question names
    if question.years and fact.predicate == vocab.VALUE:
        score += 1.5 if any(y in fact.subject_label for y in question.years) else -1.0
    if fact.predicate == RDF.type:
        score -= 1.0
    return round(score, 3)


def _add(found: dict[tuple, Fact], fact: Fact) -> None:
    """Keep the first fact per triple; a reported figure's own row (with its fields) wins."""
    known = found.get(fact.key())
    if known is None or (fact.figure is not None and known.figure is None):
        found[fact.key()] = fact


def _label(term: Any, label: Any) -> str:
    if label is not None:
        return str(label)
    if isinstance(term, URIRef):
        return local_name(term)
    return str(term)


def predicate_label(predicate: URIRef) -> str:
    if predicate == RDF.type:
        return "is a"
    name = local_name(predicate)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def local_name(iri: URIRef) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def _figure_fact(link: Link, row: dict[str, Any]) -> Fact:
    """A METRICS row as the fact of its value, with the figure's fields."""
    label = str(row.get("label") or f"{link.label} {row.get('metric', '')} {row.get('period', '')}")
    value, unit = row["value"], str(row.get("unit") or "")
    return Fact(row["obs"], vocab.VALUE, value, label, "value", format_amount(value, unit),
                figure=_figure(link.label, row, unit))


def _figure(company: str, row: dict[str, Any], unit: str) -> Figure | None:
    try:
        value = Decimal(str(row["value"]))
    except ArithmeticError:
        return None
    return Figure(company, str(row.get("metric") or ""), str(row.get("period") or ""), value, unit,
                  str(row.get("statement") or ""), str(row.get("end") or ""), str(row.get("g") or ""))
