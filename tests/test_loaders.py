"""Loaders give text with stable offsets and metadata, and clear reasons for what they cannot read."""

from __future__ import annotations

import pytest

from ingestion import loaders
from ingestion.loaders import LoadError

from bench.pdfs import write_encrypted_pdf, write_text_pdf


def test_text_and_markdown_keep_the_file_content_as_is(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Metformin\nDate: 2024-01-02\n\nMetformin treats type 2 diabetes.\n")
    doc = loaders.load(path)
    assert doc.text == path.read_text() and doc.title == "Metformin" and doc.date == "2024-01-02"
    assert doc.media_type == "text/markdown"


def test_html_keeps_visible_text_and_drops_scripts(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("<html><head><title>T</title><script>alert('x')</script></head>"
                    "<body><p>Aspirin &amp; pain.</p><style>p{}</style><p>Second.</p></body></html>")
    doc = loaders.load(path)
    assert doc.text == "Aspirin & pain.\nSecond." and doc.title == "T"


def test_pdf_pages_are_joined_with_page_breaks(tmp_path):
    path = write_text_pdf(tmp_path / "filing.pdf", [["Acme Corp. annual report"], ["Revenue was $5 million."]],
                          title="Acme 10-K")
    doc = loaders.load(path)
    assert doc.pages == 2 and doc.title == "Acme 10-K"
    assert "Acme Corp. annual report" in doc.text and "\f" in doc.text
    assert doc.text.index("Revenue") > doc.text.index("\f")


def test_csv_rows_render_with_spans_and_ragged_rows_lose_nothing(tmp_path):
    path = tmp_path / "drugs.csv"
    path.write_text("drug,indication\nmetformin,type 2 diabetes\nwarfarin\naspirin,pain,extra cell\n")
    doc = loaders.load(path)
    assert [r.values["drug"] for r in doc.records] == ["metformin", "warfarin", "aspirin"]
    first = doc.records[0]
    assert doc.text[first.start:first.end] == "drug: metformin; indication: type 2 diabetes"
    assert doc.records[2].values["_extra_1"] == "extra cell"


def test_jsonl_records_are_rendered_like_rows(tmp_path):
    path = tmp_path / "facts.jsonl"
    path.write_text('{"company": "Acme", "revenue": 5}\n{"company": "Widget"}\n')
    doc = loaders.load(path)
    assert doc.text.splitlines() == ["company: Acme; revenue: 5", "company: Widget"]


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty"),
    ("blob.txt", b"\x00\x01\x02binary\x00", "binary content"),
    ("latin1.txt", "café olé".encode("latin-1"), "not valid UTF-8"),
    ("corrupt.pdf", b"%PDF-1.4\nthis is not really a pdf", "corrupt or unreadable PDF"),
    ("image.png", b"\x89PNG\r\n\x1a\n....", "unsupported file type"),
    ("bad.jsonl", b'{"a": 1}\n{broken\n', "line 2 is not valid JSON"),
    ("one-row.csv", b"only,a,header\n", "header row and at least one data row"),
])
def test_unreadable_files_raise_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        loaders.load(path)


def test_encrypted_pdfs_are_refused_with_advice(tmp_path):
    plain = write_text_pdf(tmp_path / "plain.pdf", [["secret text"]])
    path = write_encrypted_pdf(tmp_path / "locked.pdf", plain)
    with pytest.raises(LoadError, match="encrypted"):
        loaders.load(path)


def test_files_over_the_size_limit_are_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 5000)
    with pytest.raises(LoadError, match="over the"):
        loaders.load(path, loaders.Limits(file_bytes=1000))
