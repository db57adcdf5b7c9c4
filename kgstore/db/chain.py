"""The audit trail as a hash chain: each answer record is sealed with sha256(previous hash + its content).

Records are append-only (database triggers refuse UPDATE and DELETE, see migration 0004) and carry
`seq`, `prev_hash` and `hash`; the `audit_head` row holds the last seq and hash. `verify` recomputes
every hash in seq order, so an edited record (its hash no longer matches), a deleted one (a gap in
seq, or a head that runs past the last record) and a reordered one (its prev_hash is not the hash
of the record before) are all reported. An anchor kept outside the database (`verify(anchor=...)`)
also catches the removal of the newest records together with a rewritten head.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from .models import Answer

GENESIS = "0" * 64


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


@dataclass
class Verification:
    records: int = 0
    head: Head = Head(0, GENESIS)
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "records": self.records, "head": {"seq": self.head.seq,
                "hash": self.head.hash}, "problems": self.problems}


def content(row: Answer) -> dict[str, Any]:
    """What a record's hash covers: every audited field of the answer and of its queries, passages and
    claims (not the chunk id, which the database clears when the chunk itself is re-ingested)."""
    return {
        "id": row.id, "question": row.question, "answer": row.answer, "found": bool(row.found),
        "verdict": row.verdict, "model": row.model, "backend": row.backend, "settings": row.settings,
        "timings": row.timings, "facts": row.facts, "created_at": _instant(row.created_at),
        "queries": [{"ord": q.ord, "purpose": q.purpose, "sparql": q.sparql, "bindings": q.bindings,
                     "digest": q.result_digest, "rows": q.row_count, "result": q.result}
                    for q in sorted(row.queries, key=lambda q: q.ord)],
        "passages": [{"rank": p.rank, "score": p.score, "document": p.document_uri, "start": p.start, "end": p.end}
                     for p in sorted(row.passages, key=lambda p: p.rank)],
        "claims": [{"ord": c.ord, "sentence": c.sentence, "supported": bool(c.supported), "reason": c.reason,
                    "citations": c.citations} for c in sorted(row.claims, key=lambda c: c.ord)],
    }


def digest(prev_hash: str, row: Answer) -> str:
    body = json.dumps(content(row), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def append(session: Session, row: Answer) -> Head:
    """Seal `row` as the next record and add it. Call inside the transaction that stores it.

    The head row is updated first, so concurrent writers queue on its lock (SQLite's write lock,
    PostgreSQL's row lock) and every record gets a distinct seq and the true previous hash.
    """
    session.execute(text("UPDATE audit_head SET seq = seq + 1 WHERE id = 1"))
    seq, prev = session.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    for record in (row, *row.queries, *row.passages, *row.claims):
        _fill_defaults(record)  # hash exactly what the database will hold once the insert applies them
    row.seq, row.prev_hash = seq, prev
    row.hash = digest(prev, row)
    session.add(row)
    session.execute(text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": row.hash})
    return Head(seq, row.hash)


def head(session: Session) -> Head:
    seq, value = session.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).one()
    return Head(int(seq), value)


def verify(session: Session, anchor: Head | None = None) -> Verification:
    """Recompute the chain and say what, if anything, was edited, deleted or reordered."""
    report = Verification(head=head(session))
    expected_seq, prev = 1, GENESIS
    rows = (select(Answer).order_by(Answer.seq).execution_options(yield_per=500)
            .options(selectinload(Answer.queries), selectinload(Answer.passages), selectinload(Answer.claims)))
    for row in session.scalars(rows):  # children loaded per batch of records, not one query per record
        report.records += 1
        where = f"record {row.seq} (answer {row.id})"
        if row.seq is None:
            report.problems.append(f"answer {row.id} is not sealed into the chain (inserted behind kgassist's back)")
            continue
        if row.seq > expected_seq:
            report.problems.append(f"records {expected_seq}..{row.seq - 1} are missing (deleted)")
        elif row.seq < expected_seq:
            report.problems.append(f"{where} repeats a sequence number (inserted or reordered)")
        if row.prev_hash != prev:
            report.problems.append(f"{where} does not follow the record before it (reordered, or one removed)")
        if digest(row.prev_hash or "", row) != row.hash:
            report.problems.append(f"{where} was edited after it was recorded (its content no longer matches "
                                   "its hash)")
        expected_seq, prev = row.seq + 1, row.hash
    last = expected_seq - 1
    if report.head.seq != last or report.head.hash != prev:
        report.problems.append(f"the chain head says {report.head.seq} records ending in {report.head.hash[:12]}, "
                               f"the records end at {last} with {prev[:12]} (newest records deleted or head edited)")
    if anchor is not None and anchor.seq > 0:
        if anchor.seq > last:
            report.problems.append(f"the external anchor saw record {anchor.seq}, the database ends at {last} "
                                   "(newest records deleted)")
        else:
            at = session.scalars(select(Answer.hash).where(Answer.seq == anchor.seq)).first()
            if at != anchor.hash:
                report.problems.append(f"record {anchor.seq} differs from the external anchor's hash "
                                       "(the chain was rewritten)")
    return report


def _fill_defaults(record: Any) -> None:
    """Set each unset column that has a Python-side default to that default, as the INSERT would."""
    for column in record.__table__.columns:
        default = column.default
        if default is None or getattr(record, column.key, None) is not None:
            continue
        if default.is_callable:
            setattr(record, column.key, default.arg(None))
        elif default.is_scalar:
            setattr(record, column.key, default.arg)


def _instant(value: datetime | None) -> str | None:
    """A timestamp as UTC ISO text, whether the driver returns it aware (PostgreSQL) or naive (SQLite)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()
