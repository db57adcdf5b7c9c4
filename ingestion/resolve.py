"""Entity resolution: mentions to canonical IRIs, aliases as skos:altLabel, recorded merges.

Two mentions name the same entity when their canonical keys agree: case, punctuation and legal
suffixes (Inc., Corp.) are ignored, drug salt forms are dropped ("metformin hydrochloride") and
known drug synonyms and brand names map to one name ("paracetamol" -> "acetaminophen"). Every
non-trivial merge is reported so the pipeline can record it; a reverted merge is honoured by
giving the surface form its own entity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha1

import numpy as np
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgstore import Statement, Provenance, vocab

from .extract import lexicon
from .extract.base import Extraction, Mention, Node


@dataclass(frozen=True)
class Merge:
    """A surface form resolved onto an entity named differently; `method` says which rule did it."""

    surface: str
    canonical: str
    iri: URIRef
    method: str


def canonical_label(text: str, kind: URIRef) -> tuple[str, str]:
    """(canonical label, method) for a mention; method is '' when only case/spacing changed."""
    label = " ".join(text.split())
    if kind == vocab.DRUG:
        lower = label.lower()
        words = lower.split()
        while len(words) > 1 and words[-1] in lexicon.SALT_SUFFIXES:
            words.pop()
        base = " ".join(words)
        if base in lexicon.DRUG_SYNONYMS:
            return lexicon.DRUG_SYNONYMS[base], "drug-synonym"
        if base != lower:
            return base, "drug-salt"
        return lower, ""
    if kind == vocab.METRIC:
        return label.lower(), ""
    key, entity = vocab.label_key(label), vocab.entity_key(label)
    return label, ("legal-suffix" if key != entity else "")


_NAMING = frozenset({RDF.type, vocab.LABEL, vocab.ALT_LABEL})


class Resolver:
    """Turns extractions into kgstore Facts with provenance, naming entities canonically."""

    def __init__(self, reverted: Iterable[str] = ()):
        self.reverted = {vocab.label_key(s) for s in reverted}

    def iri_of(self, mention: Mention) -> tuple[URIRef, str, str]:
        label, method = canonical_label(mention.text, mention.type)
        if method and vocab.label_key(mention.text) in self.reverted:
            label, method = " ".join(mention.text.split()), ""
        return vocab.entity_iri(label), label, method

    def facts(self, extractions: Iterable[Extraction], document: URIRef, chunk_of) -> tuple[list[Statement], list[Merge]]:  # noqa: ANN001
        """Facts for the extractions (plus type and label facts of every entity they mention).

        `chunk_of(start)` returns the chunk IRI holding a character offset."""
        facts: dict[tuple, Statement] = {}
        merges: dict[str, Merge] = {}

        def add(s: URIRef, p: URIRef, o, start: int, end: int, confidence: float, extractor: str) -> None:  # noqa: ANN001
            # Type and label facts are kept once per document (at their first mention); relations
            # are kept once per evidence span, so each finding keeps its own provenance.
            key = (s, p, o, extractor) if p in _NAMING else (s, p, o, extractor, start, end)
            if key not in facts:
                facts[key] = Statement(s, p, o, Provenance(document, extractor, confidence, chunk_of(start), start, end))

        def term(t, extraction: Extraction):  # noqa: ANN001
            if isinstance(t, Mention):
                iri, label, method = self.iri_of(t)
                add(iri, RDF.type, t.type, t.start, t.end, extraction.confidence, extraction.extractor)
                add(iri, vocab.LABEL, Literal(label), t.start, t.end, extraction.confidence, extraction.extractor)
                surface = " ".join(t.text.split())
                if vocab.label_key(surface) != vocab.label_key(label):
                    add(iri, vocab.ALT_LABEL, Literal(surface), t.start, t.end, extraction.confidence,
                        extraction.extractor)
                if method:
                    merges.setdefault(surface.lower(), Merge(surface, label, iri, method))
                return iri
            if isinstance(t, Node):
                # a node belongs to its document: the same figure in two filings is two figures
                iri = vocab.ID[f"node/{sha1(f'{document}|{t.key}'.encode()).hexdigest()[:20]}"]
                add(iri, RDF.type, t.type, extraction.start, extraction.end, extraction.confidence, extraction.extractor)
                add(iri, vocab.LABEL, Literal(t.label), extraction.start, extraction.end, extraction.confidence,
                    extraction.extractor)
                return iri
            return t

        for e in extractions:
            s, o = term(e.subject, e), term(e.object, e)
            add(s, e.predicate, o, e.start, e.end, e.confidence, e.extractor)
        return list(facts.values()), list(merges.values())


MERGEABLE = frozenset({vocab.COMPANY, vocab.DRUG, vocab.DISEASE, vocab.MEDICAL_CONDITION, vocab.ADVERSE_EVENT})


@dataclass(frozen=True)
class EmbeddingMerge:
    surface: str
    iri: URIRef
    into: URIRef
    label: str
    score: float


class EmbeddingMerger:
    """Merges a new entity into a known one of the same class when their labels' embeddings are
    closer than `threshold` (cosine), e.g. 'type II diabetes' into 'type 2 diabetes'."""

    def __init__(self, embedder, threshold: float = 0.92, reverted: Iterable[str] = ()):  # noqa: ANN001
        self.embedder, self.threshold = embedder, threshold
        self.reverted = {vocab.label_key(s) for s in reverted}
        self._iris: dict[URIRef, list[URIRef]] = {}
        self._labels: dict[URIRef, list[str]] = {}
        self._vectors: dict[URIRef, np.ndarray] = {}
        self._known: set[URIRef] = set()
        self._fresh: dict[URIRef, np.ndarray] = {}  # vectors computed by `remap`, reused by `learn`

    def learn(self, entities: Iterable[tuple[URIRef, str, URIRef]]) -> None:
        """Remember (entity, label, class) triples; an entity is embedded once, by its first label."""
        by_kind: dict[URIRef, list[tuple[URIRef, str]]] = {}
        for iri, label, kind in entities:
            if kind in MERGEABLE and iri not in self._known:
                self._known.add(iri)
                by_kind.setdefault(kind, []).append((iri, label))
        for kind, items in by_kind.items():
            todo = [label for iri, label in items if iri not in self._fresh]
            computed = iter(self.embedder.embed(todo)) if todo else iter(())
            vectors = np.stack([self._fresh.pop(iri) if iri in self._fresh else next(computed) for iri, _ in items])
            self._iris.setdefault(kind, []).extend(i for i, _ in items)
            self._labels.setdefault(kind, []).extend(label for _, label in items)
            old = self._vectors.get(kind)
            self._vectors[kind] = vectors if old is None else np.vstack([old, vectors])

    def remap(self, facts: list[Statement]) -> tuple[list[Statement], list[EmbeddingMerge]]:
        """Facts with new entities renamed onto close known ones, and the merges made."""
        kinds = {f.subject: f.object for f in facts if f.predicate == RDF.type and f.object in MERGEABLE}
        labels = {f.subject: str(f.object) for f in facts if f.predicate == vocab.LABEL}
        new = [iri for iri in kinds if iri not in self._known and iri in labels
               and vocab.label_key(labels[iri]) not in self.reverted]
        mapping: dict[URIRef, URIRef] = {}
        merges: list[EmbeddingMerge] = []
        if new:
            vectors = self.embedder.embed([labels[i] for i in new])
            for iri, vector in zip(new, vectors):
                known = self._vectors.get(kinds[iri])
                if known is None or not len(known):
                    self._fresh[iri] = vector
                    continue
                scores = known @ vector
                best = int(np.argmax(scores))
                if float(scores[best]) >= self.threshold:
                    target = self._iris[kinds[iri]][best]
                    mapping[iri] = target
                    merges.append(EmbeddingMerge(labels[iri], iri, target, self._labels[kinds[iri]][best],
                                                 round(float(scores[best]), 4)))
                else:
                    self._fresh[iri] = vector
        if not mapping:
            return facts, merges
        renamed = [Statement(mapping.get(f.subject, f.subject), f.predicate,
                        mapping.get(f.object, f.object) if isinstance(f.object, URIRef) else f.object, f.provenance)
                   for f in facts]
        return renamed, merges
