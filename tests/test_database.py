"""The metadata/audit database: Alembic migrations from empty to head, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from kgstore.db import Answer, AnswerQuery, Base, Chunk, ClaimCheck, Document, RetrievedChunk, open_database
from kgstore.db.database import head_revision, make_engine
from kgstore.db.fulltext import FullText, managed_by_migration

TABLES = {"documents", "chunks", "ingestion_runs", "answers", "answer_queries", "retrieved_chunks", "claim_checks",
          "entity_merges", "audit_head"}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kgassist.db'}"
    server = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


def test_migrations_bring_an_empty_database_to_head(db_url):
    db = open_database(db_url)
    assert db.revision() == head_revision() == "0005"
    assert TABLES <= set(inspect(db.engine).get_table_names())


def test_migrations_match_the_orm_models(db_url):
    db = open_database(db_url)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": managed_by_migration})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrading_twice_is_harmless(db_url):
    open_database(db_url).close()
    assert open_database(db_url).revision() == head_revision()


def test_deleting_a_document_deletes_its_chunks(db_url):
    db = open_database(db_url)
    with db.session() as s:
        doc = Document(uri="a.txt", iri="urn:doc:a", sha256="0" * 64, status="ok")
        doc.chunks = [Chunk(ord=i, start=i * 10, end=i * 10 + 10, text="x" * 10) for i in range(3)]
        s.add(doc)
    with db.session() as s:
        s.delete(s.scalars(select(Document)).one())
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Chunk)) == 0


def test_an_answer_keeps_its_queries_passages_and_claims_after_the_chunk_is_gone(db_url):
    db = open_database(db_url)
    with db.session() as s:
        doc = Document(uri="b.txt", iri="urn:doc:b", status="ok", chunks=[Chunk(ord=0, start=0, end=5, text="hello")])
        s.add(doc)
        s.flush()
        s.add(Answer(id="a1", question="q?", answer="a.", model="m", backend="b",
                     queries=[AnswerQuery(ord=0, purpose="facts", sparql="SELECT * {}", bindings={"e": "urn:x"},
                                          result_digest="d" * 64, row_count=0)],
                     passages=[RetrievedChunk(chunk_id=doc.chunks[0].id, rank=1, score=0.5, document_uri="b.txt",
                                              start=0, end=5)],
                     claims=[ClaimCheck(ord=0, sentence="a.", supported=True, citations=["F1"])]))
    with db.session() as s:
        s.delete(s.scalars(select(Document)).one())
    with db.session() as s:
        answer = s.get(Answer, "a1")
        assert answer.queries[0].bindings == {"e": "urn:x"}
        assert answer.passages[0].chunk_id is None and answer.passages[0].document_uri == "b.txt"
        assert answer.claims[0].citations == ["F1"]


def test_answers_recorded_before_the_chain_existed_are_sealed_by_the_migration(db_url):
    from alembic import command

    from kgstore.db import chain
    from kgstore.db.database import _alembic_config

    engine = make_engine(db_url)
    config = _alembic_config(db_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with engine.begin() as connection:
        for n in range(3):
            connection.execute(text(
                "INSERT INTO answers (id, question, answer, found, model, backend, settings, timings, facts, "
                "created_at) VALUES (:id, 'q?', 'a.', true, 'm', 'b', '{}', '{}', '[]', :at)"),
                {"id": f"old{n}", "at": f"2026-01-0{n + 1} 00:00:00"})
    db = open_database(db_url)
    with db.session() as s:
        report = chain.verify(s)
        assert report.intact and report.records == 3
        assert [a.id for a in s.scalars(select(Answer).order_by(Answer.seq))] == ["old0", "old1", "old2"]


def test_audit_records_are_chained_and_the_database_refuses_to_change_them(db_url):
    from sqlalchemy.exc import DBAPIError

    from kgstore.db import chain

    db = open_database(db_url)
    for n in range(3):
        with db.session() as s:
            chain.append(s, Answer(id=f"a{n}", question="q?", answer=f"{n}.", model="m", backend="b",
                                   claims=[ClaimCheck(ord=0, sentence=f"{n}.", supported=True, citations=[])]))
    with db.session() as s:
        report = chain.verify(s)
    assert report.intact and report.records == 3 and report.head.seq == 3
    for statement in ("UPDATE answers SET answer = 'x'", "DELETE FROM answers", "UPDATE claim_checks SET supported = false"):
        with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
            s.execute(text(statement))


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_full_text_search_finds_chunks_of_ok_documents_as_they_commit_and_forgets_removed_ones(db_url):
    db = open_database(db_url)
    texts = ["Metformin may cause lactic acidosis in rare cases.", "Warfarin interacts with aspirin.",
             "Lisinopril treats hypertension; metformin treats type 2 diabetes."]
    with db.session() as s:
        s.add(Document(uri="ok.txt", iri="urn:doc:ok", status="ok",
                       chunks=[Chunk(ord=i, start=0, end=len(t), text=t) for i, t in enumerate(texts)]))
        s.add(Document(uri="half.txt", iri="urn:doc:half", status="pending",
                       chunks=[Chunk(ord=0, start=0, end=20, text="metformin pending text")]))
    lexical = FullText(db)
    hits = lexical.search(["metformin", "acidosis"], k=5)
    with db.session() as s:
        by_id = {c.id: c.text for c in s.scalars(select(Chunk))}
    assert [by_id[i] for i, _ in hits] == [texts[0], texts[2]]  # both words first; never the pending one
    assert hits[0][1] > hits[1][1] > 0
    assert lexical.df("metformin") == 3 and lexical.df("treating") == 1 and lexical.df("zorblatamab") == 0  # stemmed
    assert lexical.search(['" OR *', "NEAR(", "aspirin\" AND"], k=5)[0][0] in by_id  # words, never query syntax
    with db.session() as s:
        s.delete(s.scalars(select(Document).where(Document.uri == "ok.txt")).one())
    assert lexical.search(["metformin"], k=5) == [] and lexical.df("warfarin") == 0
