"""Sentence-aware chunking with exact character offsets into the document text."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace and an
# upper-case letter, digit or quote; or at a blank line / page break. Abbreviations such as
# "Inc." followed by a lower-case word do not end a sentence.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])|\n\s*\n|\f")
_NO_BREAK_BEFORE = re.compile(r"\b(?:Inc|Corp|Co|Ltd|Dr|Mr|Mrs|Ms|vs|No|St|U\.S|e\.g|i\.e|approx|Fig)\.$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    ord: int
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Span]:
    """Sentence spans (whitespace trimmed) covering the text in order."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if _NO_BREAK_BEFORE.search(text[max(0, m.start() - 8):m.start()]):
            continue
        spans.append(Span(start, m.start()))
        start = m.end()
    spans.append(Span(start, len(text)))
    return [s for s in (_trim(text, s) for s in spans) if s.end > s.start]


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def chunk(text: str, size: int = 800, overlap: int = 120) -> list[Chunk]:
    """Pack whole sentences into chunks of about `size` characters, repeating up to `overlap`
    characters of trailing sentences at the start of the next chunk. A sentence longer than `size`
    is split at line ends (so a table row stays whole), else at whitespace."""
    pieces = [p for s in sentences(text) for p in _split_long(text, s, size)]
    chunks: list[Chunk] = []
    i = 0
    while i < len(pieces):
        j, start = i, pieces[i].start
        while j + 1 < len(pieces) and pieces[j + 1].end - start <= size:
            j += 1
        end = pieces[j].end
        chunks.append(Chunk(len(chunks), start, end, text[start:end]))
        if j + 1 >= len(pieces):
            break
        k = j + 1  # next chunk starts at the earliest sentence within `overlap` of this chunk's end
        while k - 1 > i and end - pieces[k - 1].start <= overlap:
            k -= 1
        i = k
    return chunks


def _split_long(text: str, span: Span, size: int) -> list[Span]:
    if span.end - span.start <= size:
        return [span]
    out, start = [], span.start
    while span.end - start > size:
        cut = text.rfind("\n", start + 1, start + size)
        if cut <= start:
            cut = text.rfind(" ", start + size // 2, start + size)
        cut = cut if cut > start else start + size
        out.append(_trim(text, Span(start, cut)))
        start = cut
    out.append(_trim(text, Span(start, span.end)))
    return [s for s in out if s.end > s.start]
