"""What every loader returns, and the strict text decoding they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class LoadError(Exception):
    """A file could not be read; the message says why, in words a user can act on."""


@dataclass(frozen=True)
class Record:
    """One row of a table (CSV/JSONL) and the span of its rendering in the document text."""

    values: dict[str, str]
    start: int
    end: int


@dataclass
class LoadedDocument:
    """Document text plus metadata. Offsets everywhere else index into `text`."""

    uri: str
    text: str
    media_type: str
    title: str = ""
    date: str | None = None
    pages: int = 1
    records: list[Record] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    """What one file may cost, so that memory stays bounded whatever arrives (settings: KGASSIST_MAX_*)."""

    #: bytes on disk
    file_bytes: int | None = 100 * 1024 * 1024
    #: characters of extracted text
    text_chars: int | None = 20_000_000
    #: bytes a PDF's compressed streams may expand to (decompression bombs)
    inflated_bytes: int | None = 512 * 1024 * 1024


def read_text(path: Path) -> str:
    """Decode UTF-8 (with or without BOM; UTF-16 with a BOM) strictly; refuse binary content and other
    encodings, naming the first bad byte."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise LoadError(f"not valid UTF-16 despite its byte-order mark (offset {error.start})") from None
    if b"\x00" in data[:8192]:
        raise LoadError("binary content (NUL bytes) in a text file; is the extension right?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
                        "convert the file to UTF-8, e.g. `iconv -f latin1 -t utf-8`") from None


def title_from_text(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return fallback
