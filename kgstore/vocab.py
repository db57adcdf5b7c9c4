"""Namespaces and ontology terms as Python constants (the Turtle twin is ontology.ttl)."""

from __future__ import annotations

import re
import unicodedata
from hashlib import sha1
from importlib.resources import files

from rdflib import Namespace, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

KGA = Namespace("https://w3id.org/kgassist/ontology#")
ID = Namespace("https://w3id.org/kgassist/id/")
ONTOLOGY_GRAPH = URIRef("https://w3id.org/kgassist/graph/ontology")

__all__ = ["KGA", "ID", "ONTOLOGY_GRAPH", "RDF", "RDFS", "OWL", "SKOS", "PROV", "XSD"]

# Classes
ENTITY, ORGANIZATION, PERSON = KGA.Entity, KGA.Organization, KGA.Person
COMPANY, SECURITY, FILING, METRIC, METRIC_OBSERVATION = (
    KGA.Company, KGA.Security, KGA.Filing, KGA.Metric, KGA.MetricObservation)
DRUG, MEDICAL_CONDITION, DISEASE, ADVERSE_EVENT = (
    KGA.Drug, KGA.MedicalCondition, KGA.Disease, KGA.AdverseEvent)
DOCUMENT, CHUNK, ASSERTION = KGA.Document, KGA.Chunk, KGA.Assertion

# Finance relations
HAS_EXECUTIVE, CEO, CFO = KGA.hasExecutive, KGA.chiefExecutiveOfficer, KGA.chiefFinancialOfficer
HAS_SUBSIDIARY, ISSUED_SECURITY, TICKER = KGA.hasSubsidiary, KGA.issuedSecurity, KGA.tickerSymbol
FILED, FILING_TYPE, HEADQUARTERED_IN, INDUSTRY = KGA.filed, KGA.filingType, KGA.headquarteredIn, KGA.industry
REPORTED_METRIC, METRIC_OF, VALUE, UNIT, PERIOD, REPORTED_IN = (
    KGA.reportedMetric, KGA.metric, KGA.value, KGA.unit, KGA.period, KGA.reportedIn)
# A statement figure's fields beyond metric, value, unit and period
CONCEPT, LINE_LABEL, STATEMENT, SCALE, PERIOD_END, PERIOD_MONTHS = (
    KGA.concept, KGA.lineLabel, KGA.statement, KGA.scaleAsPrinted, KGA.periodEnd, KGA.periodMonths)

# Medical relations
TREATS, CAUSES_ADVERSE_EVENT, CONTRAINDICATED_IN = KGA.treats, KGA.causesAdverseEvent, KGA.contraindicatedIn
INTERACTS_WITH, DOSAGE, DRUG_CLASS = KGA.interactsWith, KGA.dosage, KGA.drugClass

# Provenance
IN_DOCUMENT, IN_CHUNK, CHAR_START, CHAR_END = KGA.inDocument, KGA.inChunk, KGA.charStart, KGA.charEnd
EXTRACTOR, CONFIDENCE, SHA256, SOURCE_URI, LABEL_KEY = (
    KGA.extractor, KGA.confidence, KGA.sha256, KGA.sourceUri, KGA.labelKey)

LABEL, ALT_LABEL = RDFS.label, SKOS.altLabel

#: Classes an extractor may type a domain entity with.
DOMAIN_CLASSES: frozenset[URIRef] = frozenset({
    ORGANIZATION, PERSON, COMPANY, SECURITY, FILING, METRIC, DRUG, MEDICAL_CONDITION, DISEASE, ADVERSE_EVENT})

#: Predicates an extractor may assert about domain entities (the extraction constraint).
DOMAIN_PREDICATES: frozenset[URIRef] = frozenset({
    RDF.type, LABEL, ALT_LABEL,
    HAS_EXECUTIVE, CEO, CFO, HAS_SUBSIDIARY, ISSUED_SECURITY, TICKER, FILED, FILING_TYPE,
    HEADQUARTERED_IN, INDUSTRY, REPORTED_METRIC, METRIC_OF, VALUE, UNIT, PERIOD, REPORTED_IN,
    CONCEPT, LINE_LABEL, STATEMENT, SCALE, PERIOD_END, PERIOD_MONTHS,
    TREATS, CAUSES_ADVERSE_EVENT, CONTRAINDICATED_IN, INTERACTS_WITH, DOSAGE, DRUG_CLASS,
})

#: Predicates that describe kgassist's own bookkeeping, never domain knowledge.
META_PREDICATES: frozenset[URIRef] = frozenset({
    RDF.subject, RDF.predicate, RDF.object, IN_DOCUMENT, IN_CHUNK, CHAR_START, CHAR_END,
    EXTRACTOR, CONFIDENCE, SHA256, SOURCE_URI, LABEL_KEY,
})


def ontology_turtle() -> str:
    """The ontology as Turtle text, shipped inside the package."""
    return files("kgstore").joinpath("ontology.ttl").read_text(encoding="utf-8")


_LEGAL_SUFFIX = re.compile(
    r"\b(incorporated|inc|corporation|corp|company|co|limited|ltd|llc|plc|ag|sa|nv|holdings)\.?$")


def label_key(label: str) -> str:
    """Normalise a label for indexed lookup: NFKC, lower case, punctuation and spaces collapsed."""
    text = unicodedata.normalize("NFKC", label).casefold()
    text = re.sub(r"[^\w%$]+", " ", text).strip()
    return text


def entity_key(label: str) -> str:
    """Key for canonical entity identity: `label_key` without trailing legal suffixes (Inc., Corp.)."""
    key = label_key(label)
    while True:
        stripped = _LEGAL_SUFFIX.sub("", key).strip()
        if stripped == key or not stripped:
            return key
        key = stripped


def entity_iri(label: str, kind: str = "entity") -> URIRef:
    """Canonical, deterministic IRI for an entity named `label`."""
    key = entity_key(label)
    slug = re.sub(r"\s+", "-", key)[:60].strip("-") or "x"
    slug = re.sub(r"[^a-z0-9-]", "", slug) or "x"
    return ID[f"{kind}/{slug}-{sha1(key.encode()).hexdigest()[:8]}"]


def document_iri(uri: str) -> URIRef:
    """IRI (and named-graph name) of the document whose source is `uri`."""
    return ID[f"doc/{sha1(uri.encode()).hexdigest()[:20]}"]
