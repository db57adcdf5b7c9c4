"""JSON Lines: one object a line; records are flattened to string values and rendered like table rows."""

from __future__ import annotations

import json
from pathlib import Path

from .base import LoadedDocument, LoadError, read_text
from .table import render


def load(path: Path) -> LoadedDocument:
    objects = []
    for number, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise LoadError(f"line {number} is not valid JSON ({error.msg})") from None
        if not isinstance(value, dict):
            raise LoadError(f"line {number} is not a JSON object")
        objects.append({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in value.items()})
    if not objects:
        raise LoadError("no JSON records found")
    text, records = render(objects)
    return LoadedDocument(uri=str(path), text=text, media_type="application/jsonl", title=path.stem,
                          records=records)
