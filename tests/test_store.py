"""The KGStore contract, run on the embedded store and on a real `oxigraph serve`."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kgstore import PROVENANCE_QUERY, DocumentInfo, Statement, Provenance, vocab
from kgstore.errors import UnsafeQueryError

from .factbook import load_documents


@pytest.fixture
def docs(store):
    documents = load_documents()
    store.load_ontology()
    for d in documents:
        store.put_document(d.info, d.facts)
    return {d.info.uri: d for d in documents}


def test_put_document_makes_its_facts_queryable(store, docs):
    result = store.query("PREFIX kga: <https://w3id.org/kgassist/ontology#> "
                         "SELECT ?c WHERE { ?d kga:treats ?c }")
    assert [row["c"] for row in result.rows] == [vocab.entity_iri("type 2 diabetes")]
    assert set(store.documents()) == {d.info.iri for d in docs.values()}


def test_one_query_traces_a_triple_to_document_chunk_and_span(store, docs):
    doc = docs["docs/metformin.txt"]
    metformin, diarrhoea = doc.entities["metformin"], doc.entities["diarrhoea"]
    rows = store.query(PROVENANCE_QUERY, {"s": metformin, "p": vocab.CAUSES_ADVERSE_EVENT, "o": diarrhoea}).rows
    assert len(rows) == 1
    row = rows[0]
    assert row["document"] == doc.info.iri
    assert row["chunk"] == URIRef(f"{doc.info.iri}/chunk/0")
    assert str(row["extractor"]) == "fixture"
    span = doc.text[int(row["start"]):int(row["end"])].lower()
    assert "metformin" in span and "diarrhoea" in span


def test_provenance_helper_returns_typed_records(store, docs):
    doc = docs["docs/acme.txt"]
    [record] = store.provenance(doc.entities["acme"], vocab.HAS_SUBSIDIARY, doc.entities["widget"])
    assert record.document == doc.info.iri and record.confidence == pytest.approx(0.9)
    assert doc.text[record.start:record.end] == "Acme Corp. owns Widget Labs Inc"


def test_replacing_a_document_swaps_its_triples_atomically(store, docs):
    doc = docs["docs/metformin.txt"]
    prov = Provenance(doc.info.iri, "fixture", chunk=None)
    new_dose = Statement(doc.entities["metformin"], vocab.DOSAGE, Literal("850 mg once daily"), prov)
    store.put_document(doc.info, [new_dose])
    rows = store.query("PREFIX kga: <https://w3id.org/kgassist/ontology#> SELECT ?d WHERE { ?m kga:dosage ?d }").rows
    assert [str(r["d"]) for r in rows] == ["850 mg once daily"]
    assert store.query("PREFIX kga: <https://w3id.org/kgassist/ontology#> ASK { ?m kga:treats ?c }").boolean is False


def test_several_documents_are_put_in_one_write_and_replace_earlier_versions(store, docs):
    metformin, acme = docs["docs/metformin.txt"], docs["docs/acme.txt"]
    new = DocumentInfo(vocab.document_iri("docs/new.txt"), "docs/new.txt")
    dose = Statement(metformin.entities["metformin"], vocab.DOSAGE, Literal("850 mg"), Provenance(metformin.info.iri, "t"))
    counts = store.put_documents([(metformin.info, [dose]), (acme.info, acme.facts), (new, [])])
    assert len(counts) == 3 and all(counts)
    assert new.iri in store.documents()
    rows = store.query("PREFIX kga: <https://w3id.org/kgassist/ontology#> SELECT ?d WHERE { ?m kga:dosage ?d }").rows
    assert [str(r["d"]) for r in rows] == ["850 mg"]


def test_a_batch_with_one_invalid_term_writes_nothing(store, docs):
    before = store.stats()
    good = DocumentInfo(vocab.document_iri("docs/good.txt"), "docs/good.txt")
    bad = DocumentInfo(vocab.document_iri("docs/bad.txt"), "docs/bad.txt")
    broken = Statement(vocab.entity_iri("x"), URIRef("not an iri"), Literal("y"), Provenance(bad.iri, "t"))
    with pytest.raises(UnsafeQueryError):
        store.put_documents([(good, []), (bad, [broken])])
    assert store.stats() == before and good.iri not in store.documents()


def test_removing_a_document_leaves_nothing_of_it(store, docs):
    doc = docs["docs/acme.txt"]
    store.remove_document(doc.info.iri)
    leftover = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g = ?doc) }",
                           {"doc": doc.info.iri})
    assert int(leftover.rows[0]["n"]) == 0
    assert store.find_entities("Acme") == []
    assert store.documents() == [docs["docs/metformin.txt"].info.iri]


def test_entities_are_found_by_label_and_alias_ignoring_case_and_punctuation(store, docs):
    metformin = docs["docs/metformin.txt"].entities["metformin"]
    by_label = store.find_entities("metformin")
    assert by_label[0].iri == metformin and by_label[0].score == 1.0 and by_label[0].label == "Metformin"
    assert vocab.DRUG in by_label[0].types
    assert store.find_entities("GLUCOPHAGE")[0].iri == metformin
    assert store.find_entities("acme corp")[0].label == "Acme Corp."
    partial = store.find_entities("widget")
    assert partial[0].label == "Widget Labs Inc." and 0 < partial[0].score < 1
    assert store.find_entities("nonexistent thing") == []


def test_neighbourhood_has_domain_edges_and_no_provenance(store, docs):
    acme = docs["docs/acme.txt"].entities["acme"]
    one_hop = store.neighbourhood(acme, hops=1)
    predicates = {e.predicate for e in one_hop}
    assert {vocab.CEO, vocab.HAS_SUBSIDIARY, RDF.type, vocab.LABEL} <= predicates
    assert not predicates & vocab.META_PREDICATES
    assert all(e.hop == 1 for e in one_hop)
    two_hops = store.neighbourhood(acme, hops=2)
    widget_label = [e for e in two_hops if e.subject == docs["docs/acme.txt"].entities["widget"]
                    and e.predicate == vocab.LABEL]
    assert widget_label and widget_label[0].hop == 2
    assert len(store.neighbourhood(acme, hops=2, limit=3)) == 3


def test_stats_count_documents_assertions_and_entities(store, docs):
    stats = store.stats()
    assert stats.documents == 2
    assert stats.assertions == sum(len(d.facts) for d in docs.values())
    assert stats.entities == 7
    assert stats.graphs == 3  # two documents and the ontology


def test_triples_export_only_asserted_domain_triples(store, docs):
    exported = set(store.triples())
    asserted = {(f.subject, f.predicate, f.object) for d in docs.values() for f in d.facts}
    assert exported == asserted


def test_bulk_load_adds_plain_triples_to_a_graph(store):
    graph = URIRef("https://example.org/graph/bulk")
    triples = [(URIRef(f"https://example.org/e{i}"), URIRef("https://example.org/p"), Literal(i)) for i in range(500)]
    assert store.bulk_load(graph, triples) == 500
    assert store.stats().quads == 500


def test_ontology_graph_is_loaded_once_even_when_reloaded(store):
    store.load_ontology()
    first = store.stats().quads
    store.load_ontology()
    assert store.stats().quads == first > 100
    labels = store.query("PREFIX kga: <https://w3id.org/kgassist/ontology#> "
                         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                         "SELECT ?l WHERE { kga:causesAdverseEvent rdfs:label ?l }").rows
    assert [str(r["l"]) for r in labels] == ["causes adverse event"]


def test_literals_with_quotes_and_newlines_round_trip(store):
    doc = DocumentInfo(vocab.document_iri("odd.txt"), "odd.txt", title='The "odd" one\n} ;')
    store.put_document(doc, [])
    rows = store.query("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?t WHERE { ?d rdfs:label ?t }",
                       {"d": doc.iri}).rows
    assert str(rows[0]["t"]) == 'The "odd" one\n} ;'


def test_an_rdf_file_imports_as_reference_data(store, tmp_path):
    path = tmp_path / "ref.nt"
    path.write_text('<https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "A \\"quoted\\" name" .\n'
                    '<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n')
    store.import_file(path)
    store.import_file(path, URIRef("https://example.org/graph/ref"))
    rows = store.query("SELECT ?l WHERE { <https://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> ?l }").rows
    assert {str(r["l"]) for r in rows} == {'A "quoted" name'}
    assert (store.stats().quads, store.stats().graphs) == (2, 1)  # stats count named graphs


def test_one_triple_found_by_two_extractors_is_stored_once_with_both_provenances(store):
    doc = DocumentInfo(vocab.document_iri("two.txt"), "two.txt")
    drug, disease = vocab.entity_iri("aspirin"), vocab.entity_iri("pain")
    facts = [Statement(drug, vocab.TREATS, disease, Provenance(doc.iri, "patterns", 0.8, None, 0, 20)),
             Statement(drug, vocab.TREATS, disease, Provenance(doc.iri, "llm", 0.6, None, 0, 40))]
    store.put_document(doc, facts)
    assert list(store.triples()) == [(drug, vocab.TREATS, disease)]
    assert {r.extractor for r in store.provenance(drug, vocab.TREATS, disease)} == {"patterns", "llm"}
