"""The audit trail is append-only and hash-chained: `kgassist audit --verify` finds any record that was
edited, deleted or reordered by someone with direct access to the SQLite file."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kgstore.db import Answer, AnswerQuery, ClaimCheck, RetrievedChunk, chain, open_database

KGASSIST = str(Path(sys.executable).parent / "kgassist")


def record(db, n: int) -> str:
    """Seal one answer with a query, a passage and a claim, as `assistant.audit.save` does."""
    row = Answer(id=str(uuid.uuid4()), question=f"What was Acme's revenue in {2000 + n}?",
                 answer=f"Acme reported ${n}.0 billion [F1].", found=True, verdict=None, model="m", backend="b",
                 settings={"mode": "hybrid"}, timings={"total": 0.25}, facts=[{"subject": "urn:acme"}],
                 queries=[AnswerQuery(ord=0, purpose="facts", sparql="SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                      bindings={"e": {"type": "uri", "value": "urn:acme"}},
                                      result_digest="d" * 64, row_count=1, result={"head": {}})],
                 passages=[RetrievedChunk(rank=0, score=0.5, document_uri="acme.txt", start=0, end=10)],
                 claims=[ClaimCheck(ord=0, sentence="Acme reported.", supported=True, reason=None, citations=["F1"])])
    with db.session() as session:
        chain.append(session, row)
    return row.id


@pytest.fixture
def home(tmp_path) -> Path:
    db = open_database(f"sqlite:///{tmp_path / 'kgassist.db'}")
    for n in range(1, 6):
        record(db, n)
    db.close()
    return tmp_path


def verify(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KGASSIST, "--home", str(home), "audit", "--verify", *args], capture_output=True, text=True)


def tamper(home: Path, *statements: str) -> None:
    """What an attacker with the file can do: drop the guards, then change rows."""
    with sqlite3.connect(home / "kgassist.db") as c:
        for table in ("answers", "answer_queries", "claim_checks", "retrieved_chunks"):
            c.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            c.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        for statement in statements:
            c.execute(statement)


def test_an_untouched_trail_verifies(home):
    result = verify(home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intact: 5 records" in result.stdout


@pytest.mark.parametrize("statement", [
    "UPDATE answers SET answer = 'Acme reported $9.0 billion [F1].' WHERE seq = 3",
    "UPDATE answers SET created_at = '2020-01-01 00:00:00' WHERE seq = 3",
    "UPDATE claim_checks SET supported = 0 WHERE answer_id = (SELECT id FROM answers WHERE seq = 3)",
    "UPDATE answer_queries SET sparql = 'SELECT * WHERE { ?s ?p 1 }' "
    "WHERE answer_id = (SELECT id FROM answers WHERE seq = 3)",
    "DELETE FROM retrieved_chunks WHERE answer_id = (SELECT id FROM answers WHERE seq = 3)",
])
def test_an_edited_record_is_reported(home, statement):
    tamper(home, statement)
    result = verify(home)
    assert result.returncode == 1
    assert "record 3" in result.stdout and "edited" in result.stdout


def test_a_deleted_record_is_reported(home):
    tamper(home, "DELETE FROM answers WHERE seq = 2")
    result = verify(home)
    assert result.returncode == 1 and "records 2..2 are missing" in result.stdout


def test_reordered_records_are_reported(home):
    tamper(home, "UPDATE answers SET seq = -1 WHERE seq = 2", "UPDATE answers SET seq = 2 WHERE seq = 4",
           "UPDATE answers SET seq = 4 WHERE seq = -1")
    result = verify(home)
    assert result.returncode == 1 and "does not follow the record before it" in result.stdout


def test_deleting_the_newest_record_is_reported_by_the_head_and_by_an_external_anchor(home):
    anchor = home / "head.json"
    anchor.write_text(verify(home, "--json").stdout)
    tamper(home, "DELETE FROM answers WHERE seq = 5")
    assert "newest records deleted or head edited" in verify(home).stdout
    # A careful attacker also rewinds the head row; the anchor kept outside the database still knows.
    previous = sqlite3.connect(home / "kgassist.db").execute("SELECT hash FROM answers WHERE seq = 4").fetchone()[0]
    tamper(home, f"UPDATE audit_head SET seq = 4, hash = '{previous}'")
    assert verify(home).returncode == 0
    result = verify(home, "--anchor", str(anchor))
    assert result.returncode == 1 and "external anchor saw record 5" in result.stdout


def test_the_json_report_names_the_head_and_the_problems(home):
    tamper(home, "UPDATE answers SET question = 'changed?' WHERE seq = 1")
    report = json.loads(verify(home, "--json").stdout)
    assert report["intact"] is False and report["records"] == 5 and report["head"]["seq"] == 5
    assert any("record 1" in p for p in report["problems"])


@pytest.mark.parametrize("statement", [
    "UPDATE answers SET answer = 'rewritten' WHERE seq = 1",
    "DELETE FROM answers WHERE seq = 1",
    "DELETE FROM claim_checks",
    "UPDATE answer_queries SET row_count = 0",
    "UPDATE retrieved_chunks SET score = 1.0",
])
def test_the_database_itself_refuses_updates_and_deletes_of_audit_records(home, statement):
    with sqlite3.connect(home / "kgassist.db") as c, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        c.execute(statement)


def _append_many(url: str, count: int) -> None:
    db = open_database(url)
    for n in range(count):
        record(db, n)
    db.close()


def test_writers_in_several_processes_extend_one_unbroken_chain(tmp_path):
    url = f"sqlite:///{tmp_path / 'kgassist.db'}"
    open_database(url).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(url, 10)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    result = verify(tmp_path)
    assert result.returncode == 0 and "intact: 40 records" in result.stdout, result.stdout
