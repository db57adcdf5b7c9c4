"""The audit trail: every answer is stored with its queries, passages and checks; `rerun` replays
the recorded SPARQL against the current store and says, per query, identical or changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kgstore import KGStore
from kgstore.db import Database, chain
from kgstore.db.models import Answer as AnswerRow
from kgstore.db.models import AnswerQuery, ClaimCheck, RetrievedChunk
from kgstore.errors import KGAssistError
from kgstore.sparql import term_from_json

from .answer import Answer
from .prompt import source_id


class AnswerNotFoundError(KGAssistError):
    """No stored answer has that id."""


def save(db: Database, answer: Answer, settings: dict[str, Any] | None = None) -> None:
    """Store an answer with everything needed to audit it later, sealed as the next record of the chain."""
    with db.session() as session:
        row = AnswerRow(id=answer.id, question=answer.question, answer=answer.answer, found=answer.found,
                        verdict=answer.verdict, model=answer.model, backend=answer.backend,
                        settings={**(settings or {}), "mode": answer.mode,
                                  **({"computed": answer.value.to_json()} if answer.value is not None else {}),
                                  **({"steps": answer.steps} if answer.steps else {}),
                                  **({"notice": answer.notice} if answer.notice else {})},
                        timings=answer.timings,
                        facts=[f.to_json() for f in answer.facts])
        row.queries = [AnswerQuery(ord=i, purpose=q.purpose[:64], sparql=q.sparql, bindings=q.bindings,
                                   result_digest=q.digest, row_count=q.rows, result=q.result)
                       for i, q in enumerate(answer.queries)]
        row.passages = [RetrievedChunk(chunk_id=p.chunk_id, rank=i, score=p.score, document_uri=p.document_uri,
                                       start=p.start, end=p.end) for i, p in enumerate(answer.passages)]
        row.claims = [ClaimCheck(ord=i, sentence=c.sentence, supported=c.supported, reason=c.reason,
                                 citations=c.citations) for i, c in enumerate(answer.claims)]
        chain.append(session, row)


def verify(db: Database, anchor: chain.Head | None = None) -> chain.Verification:
    """Check that no audit record was edited, deleted or reordered (`kgassist audit --verify`).

    `anchor` is a head printed by an earlier verification (`--json`), kept outside the database:
    it also catches the newest records being removed together with the chain head.
    """
    with db.session() as session:
        return chain.verify(session, anchor)


@dataclass
class QueryCheck:
    purpose: str
    sparql: str
    bindings: dict[str, Any]
    status: str  # identical | changed | failed
    rows_then: int
    rows_now: int
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "sparql": self.sparql, "bindings": self.bindings, "status": self.status,
                "rows_then": self.rows_then, "rows_now": self.rows_now, "added": self.added,
                "removed": self.removed, "error": self.error}


def load(db: Database, answer_id: str) -> dict[str, Any]:
    """A stored answer as a plain dict (question, answer, facts, passages, queries, claims)."""
    with db.session() as session:
        row = session.get(AnswerRow, answer_id)
        if row is None:
            matches = list(session.scalars(select(AnswerRow).where(AnswerRow.id.startswith(answer_id)).limit(2)))
            if len(matches) != 1:
                raise AnswerNotFoundError(f"No stored answer has id {answer_id!r}; `kgassist audit --list` shows them.")
            row = matches[0]
        return {"id": row.id, "question": row.question, "answer": row.answer, "found": row.found,
                "verdict": row.verdict, "model": row.model, "backend": row.backend, "created_at": str(row.created_at),
                "facts": row.facts, "timings": row.timings, "settings": row.settings,
                "passages": [{"document": p.document_uri, "span": [p.start, p.end], "chunk_id": p.chunk_id,
                              "score": p.score} for p in row.passages],
                "queries": [{"purpose": q.purpose, "sparql": q.sparql, "bindings": q.bindings,
                             "digest": q.result_digest, "rows": q.row_count, "result": q.result} for q in row.queries],
                "claims": [{"sentence": c.sentence, "supported": c.supported, "reason": c.reason,
                            "citations": c.citations} for c in row.claims]}


def rerun(store: KGStore, db: Database, answer_id: str) -> tuple[dict[str, Any], list[QueryCheck]]:
    """Replay each recorded query on the current store and compare with what it returned then."""
    stored = load(db, answer_id)
    checks = []
    for q in stored["queries"]:
        bindings = {name: term_from_json(value) for name, value in q["bindings"].items()}
        then = _bindings(q["result"])
        try:
            result = store.query(q["sparql"], bindings)
        except KGAssistError as error:
            checks.append(QueryCheck(q["purpose"], q["sparql"], q["bindings"], "failed", q["rows"], 0, [], [],
                                     str(error)))
            continue
        now = _bindings(result.to_json())
        status = "identical" if result.digest() == q["digest"] else "changed"
        added = [json.loads(r) for r in sorted(set(now) - set(then))]
        removed = [json.loads(r) for r in sorted(set(then) - set(now))]
        checks.append(QueryCheck(q["purpose"], q["sparql"], q["bindings"], status, q["rows"], len(result),
                                 added, removed))
    return stored, checks


def recent(db: Database, limit: int = 50) -> list[dict[str, Any]]:
    with db.session() as session:
        rows = session.scalars(select(AnswerRow).order_by(AnswerRow.created_at.desc()).limit(limit))
        return [{"id": r.id, "created_at": str(r.created_at), "question": r.question, "found": r.found,
                 "verdict": r.verdict, "model": r.model} for r in rows]


def _bindings(result: dict[str, Any] | None) -> list[str]:
    """Each row (or the ASK boolean) as canonical JSON text, for set comparison."""
    if not result:
        return []
    if "boolean" in result:
        return [json.dumps({"boolean": result["boolean"]})]
    return [json.dumps(b, sort_keys=True) for b in result.get("results", {}).get("bindings", [])]


def session_answers(db: Database, session_id: str) -> list[dict[str, Any]]:
    """The answers given in one app session (saved with settings["session"]), oldest first, as the
    chat shows them: question, answer, claims, facts, and passages with their text and citation ids."""
    from kgstore.db.models import Chunk, Document

    with db.session() as session:
        rows = session.scalars(select(AnswerRow).where(AnswerRow.settings["session"].as_string() == session_id)
                               .order_by(AnswerRow.seq, AnswerRow.created_at))
        turns = []
        for row in rows:
            chunks = {c.id: c for c in session.scalars(select(Chunk).where(
                Chunk.id.in_([p.chunk_id for p in row.passages if p.chunk_id is not None])))}
            titles = dict(session.execute(select(Document.uri, Document.title).where(
                Document.uri.in_({p.document_uri for p in row.passages}))).all())
            refs = _passage_refs(len(row.passages), [i for c in row.claims for i in c.citations or []])
            turns.append({
                "id": row.id, "question": row.question, "answer": row.answer, "found": row.found,
                "verdict": row.verdict, "model": row.model, "backend": row.backend, "facts": row.facts,
                "mode": (row.settings or {}).get("mode"), "timings": row.timings, "created_at": str(row.created_at),
                "steps": (row.settings or {}).get("steps", []), "notice": (row.settings or {}).get("notice"),
                "claims": [{"sentence": c.sentence, "supported": c.supported, "reason": c.reason,
                            "citations": c.citations} for c in row.claims],
                "passages": [{"ref": ref, "chunk_id": p.chunk_id, "document": p.document_uri,
                              "title": titles.get(p.document_uri) or "", "span": [p.start, p.end],
                              "text": chunks[p.chunk_id].text if p.chunk_id in chunks else "", "score": p.score}
                             for ref, p in zip(refs, row.passages)]})
        return turns


def _passage_refs(count: int, citations: list[str]) -> list[str]:
    """The citation ids of an answer's stored passages, which are the cited ones in prompt order
    when any was cited, else all of the prompt's passages (P1, P2, …)."""
    cited = sorted({c for c in citations if c.startswith("P") and c[1:].isdigit()}, key=lambda c: int(c[1:]))
    return cited if len(cited) == count else [source_id("P", i + 1) for i in range(count)]
