"""Loaders turn a file into text with stable character offsets and metadata, one module per format.

`load(path)` picks the loader by file extension and raises `LoadError` with a clear reason for
anything it cannot read (unknown type, binary content, bad encoding, corrupt or encrypted PDF).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .base import LoadedDocument, LoadError, Record, read_text
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


def load(path: Path, *, max_bytes: int | None = None) -> LoadedDocument:
    """Load one file; raises LoadError saying why it could not be read."""
    loader = _LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(f"unsupported file type '{path.suffix or '(none)'}'; kgassist reads {', '.join(SUPPORTED)}")
    size = path.stat().st_size
    if size == 0:
        raise LoadError("the file is empty")
    if max_bytes is not None and size > max_bytes:
        raise LoadError(f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
                        "(KGASSIST_MAX_FILE_MB)")
    document = loader(path)
    if not document.text.strip():
        raise LoadError("no text could be extracted (scanned PDF or empty content?)")
    return document


__all__ = ["LoadedDocument", "LoadError", "Record", "load", "supports", "read_text", "SUPPORTED"]
