"""Ingestion end to end on the bundled sample corpus: real Oxigraph, SQLite, FAISS and MiniLM."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from rdflib import Graph, Literal, URIRef
from sqlalchemy import func, select

from ingestion.loaders import load
from kgstore import vocab
from kgstore.db import Chunk, Document, EntityMerge

from .helpers import KB, SAMPLE, ScriptedLLM, kgassist
from bench.pdfs import write_text_pdf

@pytest.fixture
def corpus(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


@pytest.fixture
def kb(tmp_path, embedder) -> KB:
    return KB(tmp_path / "home", embedder)


def test_ingesting_the_sample_corpus_fills_store_database_and_index(kb, corpus):
    report = kb.ingest(corpus)
    files = [p for p in corpus.rglob("*") if p.is_file()]
    assert report.ok == len(files) >= 30 and not report.failed
    assert kb.store.stats().documents == len(files)
    assert kb.count(Chunk) == report.chunks > 0
    pipeline = kb.pipeline()
    assert len(pipeline.index) == report.chunks
    drugs = {str(r["l"]) for r in kb.store.query(
        "PREFIX kga: <https://w3id.org/kgassist/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?l WHERE { ?d kga:causesAdverseEvent ?e . ?d rdfs:label ?l }").rows}
    assert {"metformin", "atorvastatin", "warfarin"} <= drugs
    ceo = kb.store.query("PREFIX kga: <https://w3id.org/kgassist/ontology#> "
                         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                         "SELECT DISTINCT ?n WHERE { ?c rdfs:label \"Apple Inc.\" ; kga:chiefExecutiveOfficer ?p . "
                         "?p rdfs:label ?n }").rows
    assert [str(r["n"]) for r in ceo] == ["Tim Cook"]
    hits = pipeline.index.search(kb.embedder.embed(["side effects of metformin"])[0], k=3)
    with kb.db.session() as s:
        texts = [s.get(Chunk, cid).text for cid, _ in hits]
    assert any("metformin" in t.lower() for t in texts)


def test_a_second_run_skips_everything(kb, corpus):
    first = kb.ingest(corpus)
    before = set(kb.store.graph_triples())
    second = kb.ingest(corpus)
    assert second.ok == 0 and second.skipped == first.ok and not second.failed
    assert set(kb.store.graph_triples()) == before


def test_editing_one_file_reingests_only_that_file(kb, corpus):
    kb.ingest(corpus)
    path = corpus / "medical" / "metformin.md"
    path.write_text(path.read_text().replace("500 mg twice daily", "850 mg once daily"))
    report = kb.ingest(corpus)
    assert report.ok == 1 and report.skipped == len([p for p in corpus.rglob("*") if p.is_file()]) - 1
    doses = {str(r["d"]) for r in kb.store.query(
        "PREFIX kga: <https://w3id.org/kgassist/ontology#> SELECT ?d WHERE { GRAPH ?g { ?m kga:dosage ?d } }",
        {"g": vocab.document_iri(str(path.resolve()))}).rows}
    assert doses == {"850 mg once daily"}
    with kb.db.session() as s:
        doc = s.scalars(select(Document).where(Document.uri == str(path.resolve()))).one()
        assert all("500 mg twice daily" not in c.text for c in doc.chunks)


def test_removing_a_document_leaves_no_triple_chunk_or_vector(kb, corpus):
    kb.ingest(corpus)
    path = corpus / "medical" / "warfarin.md"
    iri = vocab.document_iri(str(path.resolve()))
    with kb.db.session() as s:
        ids = {c.id for c in s.scalars(select(Document).where(Document.uri == str(path.resolve()))).one().chunks}
    pipeline = kb.pipeline()
    assert pipeline.remove(str(path))
    assert list(kb.store.graph_triples(iri)) == []
    assert not any(a.provenance.document == iri for a in kb.store.assertions())
    with kb.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Chunk).where(Chunk.id.in_(ids))) == 0
    assert not ids & kb.pipeline().index.ids()


def test_every_relation_traces_to_a_span_that_contains_both_mentions(kb, corpus):
    kb.ingest(corpus / "medical", corpus / "finance")
    labels: dict = {}
    for entity, label, _ in kb.store.entity_labels():
        labels.setdefault(entity, set()).add(label.lower())
    texts = {}
    with kb.db.session() as s:
        for doc in s.scalars(select(Document)):
            texts[URIRef(doc.iri)] = load(Path(doc.uri)).text  # what spans count in (a table's rows, a page's text)
    checked = 0
    relations = {vocab.TREATS, vocab.CAUSES_ADVERSE_EVENT, vocab.CONTRAINDICATED_IN, vocab.INTERACTS_WITH,
                 vocab.CEO, vocab.HAS_SUBSIDIARY}
    for a in kb.store.assertions():
        text = texts.get(a.provenance.document)
        if a.predicate not in relations or text is None or a.provenance.extractor != "patterns":
            continue
        span = text[a.provenance.start:a.provenance.end].lower()
        assert any(label in span for label in labels[a.subject]), (span, labels[a.subject])
        assert any(label in span for label in labels[a.object]), (span, labels[a.object])
        [record] = [r for r in kb.store.provenance(a.subject, a.predicate, a.object)
                    if r.start == a.provenance.start and r.document == a.provenance.document]
        assert record.chunk is not None
        checked += 1
    assert checked >= 20


def test_synonyms_and_salt_forms_merge_into_one_entity_and_the_merge_is_recorded(kb, tmp_path):
    folder = tmp_path / "drugs"
    folder.mkdir()
    (folder / "a.txt").write_text("Paracetamol is used to treat fever.")
    (folder / "b.txt").write_text("Metformin hydrochloride is used to treat type 2 diabetes.")
    kb.ingest(folder)
    assert kb.store.find_entities("paracetamol")[0].label == "acetaminophen"
    assert kb.store.find_entities("metformin hydrochloride")[0].label == "metformin"
    with kb.db.session() as s:
        methods = {m.surface: m.method for m in s.scalars(select(EntityMerge))}
    assert methods == {"paracetamol": "drug-synonym", "metformin hydrochloride": "drug-salt"}


def test_a_reverted_merge_gives_the_surface_form_its_own_entity(kb, tmp_path):
    folder = tmp_path / "drugs"
    folder.mkdir()
    (folder / "a.txt").write_text("Paracetamol is used to treat fever.")
    kb.ingest(folder)
    with kb.db.session() as s:
        s.scalars(select(EntityMerge)).one().reverted = True
    (folder / "a.txt").write_text("Paracetamol is used to treat fever and pain.")
    kb.ingest(folder)
    assert kb.store.find_entities("paracetamol")[0].label == "Paracetamol"


def test_bad_files_are_reported_and_the_good_one_lands(kb, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%%garbage without objects")
    (folder / "program.exe").write_bytes(b"MZ\x90\x00\x03" + bytes(range(256)))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("Métformine traite le diabète.".encode("latin-1"))
    (folder / "good.md").write_text("Metformin is used to treat type 2 diabetes.")
    report = kb.ingest(folder)
    assert report.ok == 1
    reasons = {Path(f["path"]).name: f["error"] for f in report.failed}
    assert "corrupt or unreadable PDF" in reasons["corrupt.pdf"]
    assert "unsupported file type" in reasons["program.exe"]
    assert "empty" in reasons["empty.txt"]
    assert "not valid UTF-8" in reasons["latin1.txt"]
    with kb.db.session() as s:
        stored = {Path(d.uri).name: (d.status, d.error) for d in s.scalars(select(Document))}
    assert stored["good.md"] == ("ok", None) and stored["empty.txt"][0] == "failed"


class PoisonExtractor:
    """Emits a triple with an invalid predicate IRI for documents that mention POISON."""

    name = "poison"

    def extract(self, document, chunks):
        from ingestion.extract import Extraction, Mention

        at = document.text.find("POISON")
        if at < 0:
            return []
        return [Extraction(Mention("POISON", at, at + 6, vocab.DRUG), URIRef("not an iri"), Literal("x"),
                           at, at + 6, 1.0, self.name)]


def test_a_document_whose_triples_cannot_be_stored_fails_alone(kb, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for i in range(5):
        (folder / f"doc{i}.txt").write_text(f"Metformin is used to treat type 2 diabetes. Note {i}.")
    (folder / "doc2.txt").write_text("POISON is here.")
    pipeline = kb.pipeline()
    pipeline.extractors.append(PoisonExtractor())
    report = pipeline.ingest([folder])
    assert report.ok == 4
    assert [Path(f["path"]).name for f in report.failed] == ["doc2.txt"]
    assert "not an iri" in report.failed[0]["error"]
    assert len(kb.store.documents()) == 4


class BatchRecorder(ScriptedLLM):
    """A scripted model that records how many conversations each batch carried."""

    def __init__(self, reply: str):
        super().__init__(reply)
        self.batches: list[int] = []

    def generate_batch(self, conversations, *, max_tokens, json_schema=None):  # noqa: ANN001, ANN201
        self.batches.append(len(conversations))
        return super().generate_batch(conversations, max_tokens=max_tokens, json_schema=json_schema)


def test_the_llm_extractor_gets_the_chunks_of_several_documents_in_one_batch(kb, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for i in range(3):
        (folder / f"note{i}.txt").write_text(f"Aspirin treats pain. Note {i}.")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%%garbage without objects")
    llm = BatchRecorder('{"triples": [{"subject": "Aspirin", "predicate": "treats", "object": "pain"}]}')
    report = kb.pipeline(["patterns", "llm"], llm=llm).ingest([folder])
    assert llm.batches == [3]  # one call for three documents, the corrupt one reported apart
    assert report.ok == 3 and [Path(f["path"]).name for f in report.failed] == ["corrupt.pdf"]
    found_by_llm = {a.provenance.document for a in kb.store.assertions() if a.provenance.extractor == "llm"}
    assert len(found_by_llm) == 3


def test_vectors_can_be_deferred_and_computed_later(kb, corpus):
    pipeline = kb.pipeline(vectors=False)
    report = pipeline.ingest([corpus / "medical"])
    assert report.ok > 0 and report.timings["embed"] == 0
    assert len(pipeline.index) == 0
    with kb.db.session() as s:
        assert s.scalar(select(func.count()).where(Chunk.embedding.is_(None))) == report.chunks
    assert pipeline.embed_pending(batch=7) == report.chunks
    assert len(kb.pipeline().index) == report.chunks
    assert kb.pipeline().embed_pending() == 0


def test_pdfs_are_ingested_page_by_page(kb, tmp_path):
    pdf = write_text_pdf(tmp_path / "ACME_2023_10K.pdf",
                         [["Acme Corp. reported revenue of $12.5 billion for fiscal year 2023."],
                          ["Jane Roe is the chief executive officer of Acme Corp."]])
    report = kb.ingest(pdf)
    assert report.ok == 1 and report.pages == 2
    assert kb.store.find_entities("Jane Roe")[0].label == "Jane Roe"


def test_the_cli_ingests_with_a_json_summary_and_exit_codes(tmp_path, corpus):
    env = {"KGASSIST_HOME": str(tmp_path / "cli")}
    result = kgassist("ingest", str(corpus / "medical"), "--json", env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary) == {"ok", "skipped", "failed", "triples", "chunks", "seconds"}
    assert summary["ok"] == 15 and summary["triples"] > 100
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    failed = kgassist("ingest", str(bad), "--json", env=env)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["failed"][0]["error"] == "the file is empty"


def test_the_cli_defers_vectors_and_indexes_them_later(tmp_path, corpus):
    env = {"KGASSIST_HOME": str(tmp_path / "cli")}
    run = kgassist("ingest", str(corpus / "finance"), "--no-vectors", "--json", env=env)
    assert run.returncode == 0, run.stderr
    chunks = json.loads(run.stdout)["chunks"]
    indexed = kgassist("index", env=env)
    assert indexed.returncode == 0, indexed.stderr
    assert f"embedded {chunks:,} chunks; the index holds {chunks:,} vectors" in indexed.stdout


def test_export_writes_turtle_ntriples_and_jsonl(kb, corpus, tmp_path):
    kb.ingest(corpus / "medical" / "metformin.md")
    from kgstore.export import write_export

    with (tmp_path / "g.ttl").open("w") as f:
        count = write_export(kb.store, "ttl", f)
    assert len(Graph().parse(tmp_path / "g.ttl", format="turtle")) == count > 0
    with (tmp_path / "g.nt").open("w") as f:
        write_export(kb.store, "nt", f)
    assert len(Graph().parse(tmp_path / "g.nt", format="nt")) == count
    with (tmp_path / "g.jsonl").open("w") as f:
        write_export(kb.store, "jsonl", f)
    records = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text().splitlines()]
    treats = [r for r in records if r["predicate_label"] == "treats"]
    assert treats and treats[0]["subject_label"] == "metformin" and treats[0]["object_label"] == "type 2 diabetes"
    assert set(records[0]) >= {"subject", "predicate", "object", "subject_label", "predicate_label",
                               "object_label", "document", "span"}


def test_the_index_is_repaired_from_the_database_after_drift(kb, corpus):
    kb.ingest(corpus / "medical")
    pipeline = kb.pipeline()
    count = len(pipeline.index)
    pipeline.index.remove(list(pipeline.index.ids())[:5])
    pipeline.index.add([999_999], np.zeros((1, 384), dtype=np.float32))
    pipeline.index.save()
    assert kb.pipeline().sync_index() == (5, 1)
    assert len(kb.pipeline().index) == count


def test_near_duplicate_names_merge_by_embedding_similarity_and_the_merge_is_recorded(kb, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text("Metformin is used to treat type 2 diabetes.")
    (folder / "b.txt").write_text("Glipizide is used to treat type II diabetes.")
    (folder / "c.txt").write_text("Insulin is used to treat type 1 diabetes.")
    kb.ingest(folder)
    t2 = kb.store.find_entities("type 2 diabetes")[0]
    assert kb.store.find_entities("type II diabetes")[0].iri == t2.iri
    assert kb.store.find_entities("type 1 diabetes")[0].iri != t2.iri
    with kb.db.session() as s:
        merge = s.scalars(select(EntityMerge).where(EntityMerge.surface == "type ii diabetes")).one()
    assert merge.method.startswith("embedding:") and float(merge.method.split(":")[1]) >= 0.92


def test_the_cli_exports_a_document_and_removes_it(tmp_path, corpus):
    env = {"KGASSIST_HOME": str(tmp_path / "cli")}
    doc = corpus / "medical" / "metformin.md"
    assert kgassist("ingest", str(doc), env=env).returncode == 0
    exported = kgassist("export", "--format", "jsonl", "--doc", str(doc), env=env)
    assert exported.returncode == 0, exported.stderr
    assert any(json.loads(line)["predicate_label"] == "dosage" for line in exported.stdout.splitlines())
    removed = kgassist("remove", str(doc), env=env)
    assert removed.returncode == 0, removed.stderr
    stats = json.loads(kgassist("stats", "--json", env=env).stdout)
    assert stats["store"]["documents"] == 0 and stats["database"]["chunks"] == 0
    again = kgassist("remove", str(doc), env=env)
    assert again.returncode == 1 and "No ingested document" in again.stderr