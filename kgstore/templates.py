"""The SPARQL templates behind the store's own methods (entity search, neighbourhood, stats,
provenance, exports). They name graphs explicitly (GRAPH ?g), so they do not depend on whether an
endpoint treats its default graph as the union of named graphs; values are bound at call time."""

from __future__ import annotations

from .sparql import PREFIXES

ENTITY_EXACT = PREFIXES + """SELECT DISTINCT ?entity ?matched WHERE {
  GRAPH ?g { ?entity kga:labelKey ?key . }
  GRAPH ?h { ?entity rdfs:label|skos:altLabel ?matched . }
} LIMIT 100"""
ENTITY_CONTAINS = PREFIXES + """SELECT DISTINCT ?entity ?key WHERE {
  GRAPH ?g { ?entity kga:labelKey ?key . }
  FILTER(CONTAINS(?key, ?needle))
} LIMIT 200"""
ENTITY_DETAILS = PREFIXES + """SELECT ?label ?type WHERE {
  OPTIONAL { GRAPH ?g1 { ?entity rdfs:label ?label } }
  OPTIONAL { GRAPH ?g2 { ?entity rdf:type ?type } }
} LIMIT 50"""
OUTGOING = PREFIXES + "SELECT DISTINCT ?p ?o WHERE { GRAPH ?g { ?entity ?p ?o } }"
INCOMING = PREFIXES + "SELECT DISTINCT ?s ?p WHERE { GRAPH ?g { ?s ?p ?entity } }"
STATS = PREFIXES + """SELECT
  (COUNT(*) AS ?quads)
  (SUM(IF(?p = rdf:type && ?o = kga:Assertion, 1, 0)) AS ?assertions)
  (SUM(IF(?p = rdf:type && ?o = kga:Document, 1, 0)) AS ?documents)
  (COUNT(DISTINCT ?g) AS ?graphs)
WHERE { GRAPH ?g { ?s ?p ?o } }"""
ENTITY_COUNT = PREFIXES + "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { GRAPH ?g { ?e kga:labelKey ?k } }"
GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
DOCUMENTS = PREFIXES + "SELECT DISTINCT ?d WHERE { GRAPH ?d { ?d a kga:Document } } ORDER BY ?d"
#: Labels before aliases, the fullest first ("Amazon.com, Inc." before "Amazon.com Inc."), in a fixed
#: order: whoever takes an entity's first label gets the same one on every run.
ENTITY_LABELS = PREFIXES + """SELECT DISTINCT ?e ?label ?type ?alias WHERE {
  GRAPH ?g { ?e kga:labelKey ?k ; a ?type .
    { ?e rdfs:label ?label BIND(false AS ?alias) } UNION { ?e skos:altLabel ?label BIND(true AS ?alias) } }
} ORDER BY ?e ?alias DESC(STRLEN(?label)) ?label ?type"""
ASSERTIONS = PREFIXES + """SELECT ?s ?p ?o ?document ?chunk ?start ?end ?extractor ?confidence WHERE {
  GRAPH ?g {
    ?a a kga:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
       kga:inDocument ?document ; kga:extractor ?extractor ; kga:confidence ?confidence .
    OPTIONAL { ?a kga:inChunk ?chunk }
    OPTIONAL { ?a kga:charStart ?start ; kga:charEnd ?end }
  }
} ORDER BY ?document ?start ?s ?p ?o"""
GRAPH_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
TRIPLES = PREFIXES + """SELECT DISTINCT ?s ?p ?o WHERE {
  GRAPH ?g { ?a a kga:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o . }
}"""


