"""Rendering helpers shared by the pages. Document and model text is always escaped as Markdown
and never rendered as HTML: no page passes document content with unsafe_allow_html."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=])")
_CITATION = re.compile(r"\[([FP]\d+)\]")


def escape(text: str) -> str:
    """Text shown literally by st.markdown: every Markdown control character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def highlighted(text: str, start: int, end: int) -> str:
    """Markdown of `text` with characters [start, end) highlighted (the rest escaped)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return escape(text)
    return f"{escape(text[:start])}:orange-background[**{escape(text[start:end])}**]{escape(text[end:])}"


def chunk_text(database: Any, document: str, start: int | None, end: int | None) -> tuple[str, int, int] | None:
    """The stored chunk of `document` holding [start, end): its text and the span relative to it."""
    from sqlalchemy import select

    from kgstore.db import Chunk, Document

    if start is None or end is None:
        return None
    with database.session() as session:
        row = session.execute(select(Chunk.text, Chunk.start).join(Document).where(
            (Document.iri == document) | (Document.uri == document), Chunk.start <= start, Chunk.end >= end)
            .order_by(Chunk.ord).limit(1)).first()
    if row is None:
        return None
    text, offset = row
    return text, start - offset, end - offset


def show_fact(fact: dict[str, Any], database: Any) -> None:
    """A fact as subject — predicate — object, then each provenance with its span highlighted."""
    st.markdown(f"**{escape(fact['subject_label'])}** — {escape(fact['predicate_label'])} — "
                f"**{escape(fact['object_label'])}**")
    if not fact.get("provenance"):
        st.caption("No provenance recorded for this fact.")
    for p in fact.get("provenance", [])[:3]:
        st.caption(f"{p['document']} · characters {p['start']}–{p['end']} · {p['extractor']} · "
                   f"confidence {p['confidence']}")
        found = chunk_text(database, p["document"], p.get("start"), p.get("end"))
        if found:
            st.markdown(highlighted(*found))


def show_passage(passage: dict[str, Any]) -> None:
    start, end = passage["span"]
    st.caption(f"{passage.get('title') or passage['document']} · characters {start}–{end}")
    st.markdown(escape(passage["text"]))


def show_answer(answer: dict[str, Any], database: Any, key: str) -> None:
    """An answer: each statement (unsupported ones marked), then one chip per citation that opens
    the fact with its provenance or the passage."""
    claims = answer.get("claims") or [{"sentence": answer["answer"], "supported": True}]
    lines = []
    for claim in claims:
        sentence = escape(claim["sentence"])
        if claim.get("supported", True):
            lines.append(sentence)
        else:
            lines.append(f":red-background[⚠ unsupported: {sentence}]")
    st.markdown("\n\n".join(lines))
    if answer.get("verdict"):
        st.markdown(f"Verdict: **{answer['verdict']}**")
    sources = {f["ref"]: ("fact", f) for f in answer.get("facts", []) if f.get("ref")}
    sources.update({p["ref"]: ("passage", p) for p in answer.get("passages", []) if p.get("ref")})
    cited = [r for r in dict.fromkeys(_CITATION.findall(answer["answer"])) if r in sources]
    if cited:
        columns = st.columns(min(len(cited), 8))
        for i, ref in enumerate(cited):
            kind, source = sources[ref]
            with columns[i % len(columns)].popover(ref, key=f"{key}-{ref}"):
                show_fact(source, database) if kind == "fact" else show_passage(source)
    unsupported = [c for c in claims if not c.get("supported", True)]
    if unsupported:
        st.caption(f"{len(unsupported)} statement(s) not supported by the cited sources are marked.")
    st.caption(f"{answer.get('backend', '')} · {answer.get('model', '')} · answer {answer['id'][:8]}")
