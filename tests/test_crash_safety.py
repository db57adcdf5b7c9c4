"""Crash safety: `kgassist doctor` finds and repairs drift between store, database and index; kill -9 at
random points of ingestion and of fine-tuning (several seeds) loses nothing once restarted."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from sqlalchemy import delete, select, update

from finetune import export
from finetune.kge import TrainedKGE
from ingestion import doctor
from ingestion.lock import WriterBusyError, WriterLock
from kgstore import KGAssistError
from kgstore.db import Chunk, Document

from .helpers import KB, KGASSIST, SAMPLE, store_snapshot


@pytest.fixture
def kb(tmp_path, embedder, corpus) -> KB:
    home = KB(tmp_path / "home", embedder)
    home.ingest(corpus)
    return home


@pytest.fixture
def corpus(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def checkup(kb: KB) -> doctor.Checkup:
    pipeline = kb.pipeline()
    return doctor.check(pipeline.store, pipeline.db, pipeline.index)


def one_document(kb: KB) -> tuple[str, str]:
    with kb.db.session() as s:
        doc = s.scalars(select(Document).where(Document.uri.like("%metformin%"))).first()
        return doc.uri, doc.iri


def test_a_freshly_ingested_home_is_consistent(kb):
    up = checkup(kb)
    assert up.consistent, up.drift
    assert up.documents == up.graphs > 0 and up.vectors == up.indexed == up.chunks


def test_a_lost_graph_is_found_and_the_document_reingested(kb):
    uri, iri = one_document(kb)
    before = kb.store.stats()
    kb.store.remove_document(URIRef(iri))
    assert [(d.kind, d.subject) for d in checkup(kb).drift] == [("missing-graph", uri)]
    repaired = doctor.repair(kb.pipeline())
    assert repaired.consistent and any("re-ingested 1" in line for line in repaired.repaired)
    assert kb.store.stats() == before


def test_a_graph_that_holds_more_or_fewer_triples_than_recorded_is_reingested(kb):
    uri, iri = one_document(kb)
    kb.store.bulk_load(URIRef(iri), [(URIRef("urn:stray"), URIRef("urn:p"), Literal("half-written"))])
    assert [d.kind for d in checkup(kb).drift] == ["partial-graph"]
    assert doctor.repair(kb.pipeline()).consistent
    assert kb.store.query("ASK { ?s ?p 'half-written' }").boolean is False


def test_an_orphan_graph_is_dropped(kb):
    orphan = URIRef("https://w3id.org/kgassist/id/doc/0000orphan")
    kb.store.bulk_load(orphan, [(orphan, URIRef("urn:p"), Literal("left by a crash"))])
    assert [(d.kind, d.subject) for d in checkup(kb).drift] == [("orphan-graph", str(orphan))]
    assert doctor.repair(kb.pipeline()).consistent
    assert orphan not in kb.store.graph_sizes()


def test_a_pending_document_whose_file_is_gone_is_removed_everywhere(kb, corpus):
    uri, iri = one_document(kb)
    with kb.db.session() as s:
        s.execute(update(Document).where(Document.uri == uri).values(status="pending"))
    Path(uri).unlink()
    assert [(d.kind, d.subject) for d in checkup(kb).drift] == [("pending", uri)]
    repaired = doctor.repair(kb.pipeline())
    assert repaired.consistent and any("source file is gone" in line for line in repaired.repaired)
    assert URIRef(iri) not in kb.store.graph_sizes()


def test_lost_chunks_and_a_deleted_index_are_rebuilt(kb):
    uri, _ = one_document(kb)
    with kb.db.session() as s:
        doc_id = s.scalar(select(Document.id).where(Document.uri == uri))
        s.execute(delete(Chunk).where(Chunk.document_id == doc_id))
    for f in kb.settings.index_dir.glob("*.faiss"):
        f.unlink()
    kinds = {d.kind for d in checkup(kb).drift}
    assert kinds == {"missing-chunks", "index"}
    repaired = doctor.repair(kb.pipeline())
    assert repaired.consistent and repaired.vectors == repaired.indexed == repaired.chunks


def test_the_cli_doctor_reports_drift_with_exit_1_and_repairs_it(tmp_path, corpus):
    env = {**os.environ, "KGASSIST_HOME": str(tmp_path / "cli")}
    run = lambda *a: subprocess.run([KGASSIST, *a], env=env, capture_output=True, text=True)  # noqa: E731
    assert run("ingest", str(corpus / "medical"), "--no-vectors").returncode == 0
    assert run("doctor").returncode == 0
    for f in (tmp_path / "cli" / "index").glob("*.faiss"):
        f.unlink()
    with kb_db(tmp_path / "cli") as c:
        c.execute("UPDATE documents SET status = 'pending' WHERE id = 1")
    found = run("doctor", "--json")
    assert found.returncode == 1 and {d["kind"] for d in json.loads(found.stdout)["drift"]} == {"pending"}
    fixed = run("doctor", "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "store, database and index agree" in fixed.stdout and "audit trail intact" in fixed.stdout


def kb_db(home: Path):
    import sqlite3

    return sqlite3.connect(home / "kgassist.db")


def test_a_second_writer_is_refused_at_once_with_the_holders_pid(tmp_path):
    held = WriterLock(tmp_path / "writer.lock")
    with held.held():
        child = subprocess.run([sys.executable, "-c", "from ingestion.lock import WriterLock; import sys; "
                                "WriterLock(sys.argv[1]).acquire()", str(tmp_path / "writer.lock")],
                               capture_output=True, text=True)
        assert child.returncode == 1 and f"pid {os.getpid()}" in child.stderr
        with held.held():  # re-entrant within the process
            pass
    WriterLock(tmp_path / "writer.lock").acquire()  # free again once released
    assert issubclass(WriterBusyError, KGAssistError)


# -- kill -9 at random points -------------------------------------------------------------------------------
def _kill_after(command: list[str], env: dict, seconds: float) -> int:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
    return process.wait()


SMALL_BATCHES = {"KGASSIST_INGEST_BATCH_DOCS": "4"}  # many commits, so kills land between and inside them


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("big")
    for i in range(3):
        shutil.copytree(SAMPLE, corpus / f"copy{i}", ignore=shutil.ignore_patterns("README.md"))
    return corpus


@pytest.fixture(scope="module")
def clean_ingest(big_corpus, tmp_path_factory) -> tuple[float, tuple]:
    home = tmp_path_factory.mktemp("clean")
    started = time.monotonic()
    done = subprocess.run([KGASSIST, "ingest", str(big_corpus)], capture_output=True, text=True,
                          env={**os.environ, **SMALL_BATCHES, "KGASSIST_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    return time.monotonic() - started, store_snapshot(home)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_at_a_random_point_of_ingestion_then_doctor_and_rerun_lose_nothing(tmp_path, big_corpus,
                                                                                  clean_ingest, seed):
    duration, expected = clean_ingest
    env = {**os.environ, **SMALL_BATCHES, "KGASSIST_HOME": str(tmp_path / "killed")}
    at = random.Random(seed).uniform(0.2, 0.95) * duration
    _kill_after([KGASSIST, "ingest", str(big_corpus)], env, at)
    run = lambda *a: subprocess.run([KGASSIST, *a], env=env, capture_output=True, text=True)  # noqa: E731
    if (tmp_path / "killed" / "kgassist.db").exists():
        found = run("doctor", "--json")
        drift = {d["kind"] for d in json.loads(found.stdout)["drift"]} if found.stdout else set()
        assert drift <= {"pending", "index"}, found.stdout + found.stderr  # a crash leaves nothing else
        repaired = run("doctor", "--repair")
        assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    rerun = run("ingest", str(big_corpus))
    assert rerun.returncode == 0, rerun.stderr
    assert run("doctor").returncode == 0
    assert store_snapshot(tmp_path / "killed") == expected


def _triples_folder(root: Path) -> Path:
    """A graph big enough that training takes a few seconds and checkpoints several times."""
    return export.write(export.split(export.sibling_groups(groups=12, size=10), seed=0), root / "triples", source="crash test",
                        seed=0)


@pytest.mark.slow
def test_kill_9_while_fine_tuning_never_leaves_a_torn_checkpoint(tmp_path):
    folder = _triples_folder(tmp_path)
    command = [KGASSIST, "finetune", "kge", "--triples", str(folder), "--model", "distmult", "--dim", "256",
               "--epochs", "120", "--negatives", "0"]
    env = {**os.environ, "KGASSIST_HOME": str(tmp_path / "home")}
    started = time.monotonic()
    full = subprocess.run([*command, "--out", str(tmp_path / "full")], env=env, capture_output=True, text=True)
    assert full.returncode == 0, full.stderr
    duration = time.monotonic() - started
    outcomes = []
    for seed in range(1, 6):
        out = tmp_path / f"killed{seed}"
        _kill_after([*command, "--out", str(out)], env, random.Random(seed).uniform(0.3, 1.0) * duration)
        try:
            trained = TrainedKGE.load(out)  # the last complete checkpoint, or none at all
        except KGAssistError:
            outcomes.append("none yet")
            continue
        assert trained.model.entity_vectors().shape[0] == len(trained.entities)
        assert not list(out.parent.glob(f"{out.name}.writing-*")) and not out.with_name(out.name + ".previous").exists()
        outcomes.append("partial" if trained.metrics.get("partial") else "complete")
        again = subprocess.run([*command, "--out", str(out)], env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        assert not TrainedKGE.load(out).metrics.get("partial")
        assert (out / "triples" / "manifest.json").is_file()
    assert "partial" in outcomes or "complete" in outcomes, outcomes
