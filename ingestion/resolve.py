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

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgstore import Fact, Provenance, vocab

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


class Resolver:
    """Turns extractions into kgstore Facts with provenance, naming entities canonically."""

    def __init__(self, reverted: Iterable[str] = ()):
        self.reverted = {vocab.label_key(s) for s in reverted}

    def iri_of(self, mention: Mention) -> tuple[URIRef, str, str]:
        label, method = canonical_label(mention.text, mention.type)
        if method and vocab.label_key(mention.text) in self.reverted:
            label, method = " ".join(mention.text.split()), ""
        return vocab.entity_iri(label), label, method

    def facts(self, extractions: Iterable[Extraction], document: URIRef, chunk_of) -> tuple[list[Fact], list[Merge]]:  # noqa: ANN001
        """Facts for the extractions (plus type and label facts of every entity they mention).

        `chunk_of(start)` returns the chunk IRI holding a character offset."""
        facts: dict[tuple, Fact] = {}
        merges: dict[str, Merge] = {}

        def add(s: URIRef, p: URIRef, o, start: int, end: int, confidence: float, extractor: str) -> None:  # noqa: ANN001
            prov = Provenance(document, extractor, confidence, chunk_of(start), start, end)
            facts.setdefault((s, p, o, extractor, start, end), Fact(s, p, o, prov))

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
                iri = vocab.ID[f"node/{sha1(t.key.encode()).hexdigest()[:20]}"]
                add(iri, RDF.type, t.type, extraction.start, extraction.end, extraction.confidence, extraction.extractor)
                add(iri, vocab.LABEL, Literal(t.label), extraction.start, extraction.end, extraction.confidence,
                    extraction.extractor)
                return iri
            return t

        for e in extractions:
            s, o = term(e.subject, e), term(e.object, e)
            add(s, e.predicate, o, e.start, e.end, e.confidence, e.extractor)
        return list(facts.values()), list(merges.values())
