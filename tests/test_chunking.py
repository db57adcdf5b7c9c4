"""Chunks are sentence-aligned, sized and overlapping, with exact character offsets."""

from __future__ import annotations

from ingestion.chunking import chunk, sentences

TEXT = ("Acme Corp. reported revenue of $5 billion for fiscal year 2023. Jane Roe is its CEO. "
        "The company is based in Springfield.\n\nMetformin treats type 2 diabetes. It is cheap.")


def test_sentences_split_at_sentence_ends_but_not_after_abbreviations():
    parts = [TEXT[s.start:s.end] for s in sentences(TEXT)]
    assert parts[0] == "Acme Corp. reported revenue of $5 billion for fiscal year 2023."
    assert parts[-1] == "It is cheap." and len(parts) == 5


def test_chunk_offsets_index_the_document_text_exactly():
    for c in chunk(TEXT, size=100, overlap=40):
        assert TEXT[c.start:c.end] == c.text
        assert len(c.text) <= 100


def test_chunks_overlap_by_whole_sentences():
    chunks = chunk(TEXT, size=120, overlap=60)
    assert len(chunks) > 1
    assert chunks[1].start < chunks[0].end  # the tail sentence of one chunk opens the next


def test_a_sentence_longer_than_the_size_is_split_at_spaces():
    long = "word " * 100
    chunks = chunk(long, size=80, overlap=0)
    assert all(len(c.text) <= 80 for c in chunks) and chunks[-1].end == len(long.rstrip())
