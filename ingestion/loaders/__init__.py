"""Loaders turn a file into text with stable character offsets and metadata, one module per format.

`load(path)` picks the loader by file extension and raises `LoadError` with a clear reason for
anything it cannot read (unknown type, binary content, bad encoding, corrupt or encrypted PDF).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .base import LoadedDocument, LoadError, Limits, Record, read_text
from . import html, jsonl, pdf, table, text

_LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".txt": text.load, ".text": text.load, ".md": text.load, ".markdown": text.load,
    ".html": html.load, ".htm": html.load,
    ".pdf": pdf.load,
    ".csv": table.load, ".tsv": table.load,
    ".jsonl": jsonl.load, ".ndjson": jsonl.load,
}

SUPPORTED = tuple(sorted(_LOADERS))


def supports(path: Path) -> bool:
    return path.suffix.lower() in _LOADERS


def load(path: Path, limits: Limits = Limits()) -> LoadedDocument:
    """Load one file within `limits`; raises LoadError saying why it could not be read."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(f"unsupported file type '{path.suffix or '(none)'}'; kgassist reads {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size == 0:
        raise LoadError("the file is empty")
    if limits.file_bytes is not None and size > limits.file_bytes:
        raise LoadError(f"the file is {size / 2**20:.1f} MB, over the {limits.file_bytes / 2**20:g} MB limit "
                        "(KGASSIST_MAX_FILE_MB)")
    if loader is pdf.load and limits.inflated_bytes is not None:
        pdf.check_inflation(path, limits.inflated_bytes)
    document = loader(path)
    if limits.text_chars is not None and len(document.text) > limits.text_chars:
        raise LoadError(f"the extracted text has {len(document.text):,} characters, over the "
                        f"{limits.text_chars:,} limit (KGASSIST_MAX_TEXT_CHARS); split the document")
    if not document.text.strip():
        raise LoadError("no text could be extracted (scanned PDF or empty content?)")
    return document


__all__ = ["LoadedDocument", "LoadError", "Limits", "Record", "load", "supports", "read_text", "SUPPORTED"]
