"""Everything user- or model-facing is parsed first, read-only, bounded, and binds user text safely."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from rdflib import Literal, URIRef

from kgstore import UnsafeQueryError, vocab
from kgstore.sparql import bind, check_query

from .factbook import load_documents

WRITES = [
    "DELETE WHERE { ?s ?p ?o }",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP ALL",
    "CREATE GRAPH <urn:g>",
    "PREFIX x: <urn:x> CLEAR DEFAULT ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
]


@pytest.fixture
def loaded(store):
    for doc in load_documents():
        store.put_document(doc.info, doc.facts)
    return store


@pytest.mark.parametrize("update", WRITES)
def test_updates_are_refused_with_a_clear_message_and_change_nothing(loaded, update):
    before = loaded.stats()
    with pytest.raises(UnsafeQueryError, match="update refused.*kgassist ingest"):
        loaded.query(update)
    assert loaded.stats() == before


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://x/> { ?s ?q ?r } } }",
    "ASK { { SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } } } }",
])
def test_service_calls_are_refused_even_when_nested(loaded, query):
    with pytest.raises(UnsafeQueryError, match="SERVICE refused"):
        loaded.query(query)


def test_invalid_syntax_is_reported_as_such(loaded):
    with pytest.raises(UnsafeQueryError, match="Not a valid SPARQL query"):
        loaded.query("SELEKT ?s WHERE { ?s ?p ?o }")


def test_rows_are_capped_and_truncation_is_flagged(loaded):
    result = loaded.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", limit=5)
    assert len(result.rows) == 5 and result.truncated
    small = loaded.query("SELECT ?s WHERE { ?s a <https://w3id.org/kgassist/ontology#Drug> }", limit=5)
    assert len(small.rows) == 1 and not small.truncated


def test_a_limit_over_the_cap_is_refused(loaded):
    loaded.limit_cap = 100
    with pytest.raises(UnsafeQueryError, match="over the cap of 100"):
        loaded.query("SELECT * WHERE { ?s ?p ?o } LIMIT 5000")


def test_queries_run_past_the_timeout_are_stopped(loaded):
    triples = [(URIRef(f"urn:e{i}"), URIRef("urn:p"), Literal(i)) for i in range(2000)]
    loaded.bulk_load(URIRef("urn:g"), triples)
    from kgstore import QueryTimeoutError

    with pytest.raises(QueryTimeoutError, match="KGASSIST_SPARQL_TIMEOUT_S"):
        loaded.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }", timeout=0.5)


HOSTILE = [
    'x" } ; DROP ALL ; SELECT * { "',
    "x' } } DELETE WHERE { ?s ?p ?o } #",
    '"""} UNION { ?s ?p ?o } #',
    "\\\" } ?s ?p ?o . {",
    "metformin\n} LIMIT 1 #",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_bound_user_text_with_quotes_and_braces_cannot_change_the_query(loaded, text):
    before = loaded.stats()
    result = loaded.query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                          "SELECT ?e WHERE { ?e rdfs:label ?name }", {"name": text})
    assert result.rows == []  # matched only as a literal label, which no entity has
    assert loaded.stats() == before


def test_bound_text_is_visible_to_filters_like_a_prepared_statement_parameter(loaded):
    rows = loaded.query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                        "SELECT ?l WHERE { ?e rdfs:label ?l FILTER(CONTAINS(LCASE(?l), ?needle)) }",
                        {"needle": "metf"}).rows
    assert sorted(str(r["l"]) for r in rows) == ["Metformin", "Metformin notes"]


def test_iris_that_would_escape_their_brackets_are_refused(loaded):
    with pytest.raises(UnsafeQueryError, match="valid absolute IRI"):
        loaded.query("SELECT ?p WHERE { ?s ?p ?o }", {"s": URIRef("urn:x> } DROP ALL { <urn:y")})


def test_variable_names_are_validated(loaded):
    with pytest.raises(UnsafeQueryError, match="variable name"):
        loaded.query("SELECT ?s WHERE { ?s ?p ?o }", {"s) {} DROP ALL #": "x"})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_any_bound_string_matches_only_itself_as_one_literal(text):
    """Fuzz: whatever the text, the bound query still parses and matches exactly that label."""
    import pyoxigraph as ox

    label = "http://www.w3.org/2000/01/rdf-schema#label"
    memory = ox.Store()
    memory.add(ox.Quad(ox.NamedNode("urn:hit"), ox.NamedNode(label), ox.Literal(text)))
    memory.add(ox.Quad(ox.NamedNode("urn:miss"), ox.NamedNode(label), ox.Literal(text + "x")))
    checked = check_query(f"SELECT ?e WHERE {{ ?e <{label}> ?name }}", 10)
    rows = list(memory.query(bind(checked, {"name": text})))
    assert [r["e"].value for r in rows] == ["urn:hit"]


def test_label_keys_ignore_case_punctuation_and_legal_suffixes():
    assert vocab.label_key("  ACME, Corp. ") == "acme corp"
    assert vocab.entity_key("Acme Corp.") == vocab.entity_key("ACME") == "acme"
    assert vocab.entity_iri("Widget Labs, Inc.") == vocab.entity_iri("widget labs")
