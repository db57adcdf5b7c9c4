"""CSV and TSV: each row rendered as `column: value; ...` on its own line, with the row's span kept."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .base import LoadedDocument, LoadError, Record, read_text


def render(records_in: list[dict[str, str]]) -> tuple[str, list[Record]]:
    """Render rows as lines of text and remember each row's character span."""
    lines, records, offset = [], [], 0
    for values in records_in:
        line = "; ".join(f"{k}: {v}" for k, v in values.items() if v not in (None, ""))
        records.append(Record(values, offset, offset + len(line)))
        lines.append(line)
        offset += len(line) + 1
    return "\n".join(lines), records


def load(path: Path) -> LoadedDocument:
    raw = read_text(path)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(raw), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise LoadError(f"malformed {path.suffix[1:].upper()} (line {reader.line_num}: {error})") from None
    if len(rows) < 2:
        raise LoadError("a table needs a header row and at least one data row")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header) or not all(header):
        raise LoadError("the header row has empty or repeated column names")
    values = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        # Ragged rows: short rows are padded, extra cells kept under `_extra_N` rather than lost.
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        cells.update({f"_extra_{i}": c.strip() for i, c in enumerate(row[len(header):], 1)})
        values.append(cells)
    text, records = render(values)
    return LoadedDocument(uri=str(path), text=text, media_type="text/csv", title=path.stem, records=records)
