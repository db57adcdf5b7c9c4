"""What only the embedded Oxigraph store promises: persistence, rdflib access, a clear lock error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rdflib import URIRef

from kgstore import vocab
from kgstore.oxigraph import EmbeddedStore

from .factbook import load_documents


def test_data_persists_across_reopening(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    doc = load_documents()[0]
    store.put_document(doc.info, doc.facts)
    store.close()
    del store
    reopened = EmbeddedStore(tmp_path / "store")
    assert reopened.documents() == [doc.info.iri]


def test_rdflib_sees_the_same_graph(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    doc = load_documents()[0]
    store.put_document(doc.info, doc.facts)
    dataset = store.rdflib_dataset()
    metformin = doc.entities["metformin"]
    assert (metformin, vocab.TREATS, doc.entities["t2d"]) in dataset
    assert len(list(dataset.objects(metformin, vocab.ALT_LABEL))) == 1


def test_a_second_process_is_told_which_process_holds_the_store(tmp_path):
    store = EmbeddedStore(tmp_path / "store")  # noqa: F841 - holds the folder
    code = ("from kgstore.oxigraph import EmbeddedStore\n"
            f"EmbeddedStore(__import__('pathlib').Path({str(tmp_path / 'store')!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"is open in another process, pid {os.getpid()}" in result.stderr


def test_a_closed_store_is_released_to_other_processes(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    store.close()
    code = ("from kgstore.oxigraph import EmbeddedStore\n"
            f"EmbeddedStore(__import__('pathlib').Path({str(tmp_path / 'store')!r})).close()")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0
    assert not (tmp_path / "store.holder.json").exists()


def test_invalid_iris_are_refused_before_reaching_the_store(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(Exception, match="IRI"):
        store.bulk_load(URIRef("https://example.org/g"), [(URIRef("not an iri"), vocab.LABEL, vocab.DRUG)])
