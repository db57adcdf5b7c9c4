"""Plain text and Markdown: the text is the file's content, unchanged, so offsets are exact."""

from __future__ import annotations

import re
from pathlib import Path

from .base import LoadedDocument, read_text, title_from_text

_DATE = re.compile(r"^(?:date|published)\s*:\s*(\d{4}-\d{2}-\d{2})", re.IGNORECASE | re.MULTILINE)


def load(path: Path) -> LoadedDocument:
    text = read_text(path)
    media = "text/markdown" if path.suffix.lower() in (".md", ".markdown") else "text/plain"
    date = _DATE.search(text)
    return LoadedDocument(uri=str(path), text=text, media_type=media, title=title_from_text(text, path.stem),
                          date=date.group(1) if date else None)
