"""What only the embedded Oxigraph store promises: persistence, rdflib access, a clear lock error."""

from __future__ import annotations

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


def test_a_second_process_gets_a_clear_message_while_the_store_is_open(tmp_path):
    store = EmbeddedStore(tmp_path / "store")  # noqa: F841 - holds the lock
    code = ("from kgstore.oxigraph import EmbeddedStore\n"
            f"EmbeddedStore(__import__('pathlib').Path({str(tmp_path / 'store')!r}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "in use by another kgassist process" in result.stderr


def test_invalid_iris_are_refused_before_reaching_the_store(tmp_path):
    store = EmbeddedStore(tmp_path / "store")
    with pytest.raises(Exception, match="IRI"):
        store.bulk_load(URIRef("https://example.org/g"), [(URIRef("not an iri"), vocab.LABEL, vocab.DRUG)])
