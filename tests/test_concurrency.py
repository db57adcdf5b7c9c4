"""Concurrency: several processes query while a batch ingests; none sees half a document, nobody
deadlocks; one writer per home, and the embedded store says so clearly when a second process asks."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ingestion import doctor
from kgstore.db import Chunk, Document, open_database

from . import servers
from .helpers import KB

SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"
KGASSIST = str(Path(sys.executable).parent / "kgassist")
READERS = 3


def read_while_writing(query_url: str, db_url: str, sizes: dict[str, int], chunks: dict[str, int],
                       stop: str, out: str) -> None:
    """A reader process: over and over, every document graph and every `ok` document must be whole."""
    from kgstore.endpoint import EndpointStore

    store = EndpointStore(query_url, query_url.replace("/query", "/update"), read_only=True)
    db = open_database(db_url, migrate=False)
    rounds, seen, problems = 0, set(), []
    while not os.path.exists(stop) or rounds < 3:
        for graph, n in store.graph_sizes().items():
            if str(graph) in sizes and n != sizes[str(graph)]:
                problems.append(f"graph {graph}: {n} triples, whole is {sizes[str(graph)]}")
        with db.session() as session:
            rows = session.execute(select(Document.iri, func.count(Chunk.id)).join(Chunk, isouter=True)
                                   .where(Document.status == "ok").group_by(Document.iri)).all()
        for iri, count in rows:
            if count != chunks[iri]:
                problems.append(f"document {iri}: {count} chunks, whole is {chunks[iri]}")
        seen.add(len(rows))
        rounds += 1
    Path(out).write_text(json.dumps({"rounds": rounds, "seen": sorted(seen), "problems": problems[:20]}))


def whole(store, db) -> tuple[dict[str, int], dict[str, int]]:  # noqa: ANN001
    """Each document graph's size and each document's chunk count after an uninterrupted ingest."""
    sizes = {str(g): n for g, n in store.graph_sizes().items()}
    with db.session() as session:
        chunks = dict(session.execute(select(Document.iri, func.count(Chunk.id)).join(Chunk)
                                      .group_by(Document.iri)).all())
    return sizes, chunks


@pytest.mark.slow
def test_readers_in_other_processes_never_see_half_a_document_while_a_batch_ingests(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    for i in range(2):
        shutil.copytree(SAMPLE, corpus / f"copy{i}", ignore=shutil.ignore_patterns("README.md"))
    reference = KB(tmp_path / "reference", embedder, corpus)
    sizes, chunks = whole(reference.store, reference.db)

    with servers.oxigraph_server() as base:
        live = KB(tmp_path / "live", embedder, store_url=f"{base}/query")
        settings, store, db = live.settings, live.store, live.db
        pipeline = live.pipeline()
        pipeline.options = dataclasses.replace(pipeline.options, batch_docs=3)  # many small commits to interleave
        context = multiprocessing.get_context("spawn")
        stop = tmp_path / "stop"
        readers = [context.Process(target=read_while_writing, args=(f"{base}/query", settings.db_url, sizes, chunks,
                                                                   str(stop), str(tmp_path / f"reader{i}.json")))
                   for i in range(READERS)]
        for r in readers:
            r.start()
        time.sleep(3)  # let the readers start querying
        report = pipeline.ingest([corpus])
        stop.touch()
        for r in readers:
            r.join(120)
        assert [r.exitcode for r in readers] == [0] * READERS, "a reader crashed or deadlocked"
        results = [json.loads((tmp_path / f"reader{i}.json").read_text()) for i in range(READERS)]
        assert report.ok == len(chunks) and not report.failed
        assert [r["problems"] for r in results] == [[]] * READERS
        assert sum(r["rounds"] for r in results) >= 10
        assert any(0 < n < len(chunks) for r in results for n in r["seen"]), results  # they read mid-batch
        assert doctor.check(store, db, pipeline.index).consistent
        store.close()


@pytest.mark.slow
def test_a_second_process_on_an_embedded_store_is_told_at_once_which_process_holds_it(tmp_path):
    home = tmp_path / "home"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}, "KGASSIST_HOME": str(home)}
    corpus = tmp_path / "corpus"
    for i in range(3):
        shutil.copytree(SAMPLE, corpus / f"copy{i}", ignore=shutil.ignore_patterns("README.md"))
    writer = subprocess.Popen([KGASSIST, "ingest", str(corpus)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (home / "writer.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        second = subprocess.run([KGASSIST, "stats"], env=env, capture_output=True, text=True, timeout=120)
        assert writer.poll() is None, "the ingest ended before the second process tried"
        assert second.returncode == 1
        assert f"pid {writer.pid} (`kgassist ingest {corpus}`)" in second.stderr, second.stderr
    finally:
        writer.wait(600)
    assert writer.returncode == 0
    assert subprocess.run([KGASSIST, "stats"], env=env, capture_output=True, text=True).returncode == 0


def _convert(cache: str) -> None:
    from assistant.llm.transformers import model_folder

    model_folder("SmolLM2-135M-Instruct", Path(cache))


@pytest.mark.slow
def test_processes_converting_the_bundled_model_at_once_all_get_one_complete_folder(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_convert, args=(str(tmp_path),)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(600)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert [p.name for p in tmp_path.iterdir()] == ["smollm2-135m-instruct"]
    assert (tmp_path / "smollm2-135m-instruct" / "model.safetensors").is_file()
