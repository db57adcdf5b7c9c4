"""Rendering helpers shared by the pages. Document and model text is always escaped as Markdown
and never rendered as HTML: no page passes document content with unsafe_allow_html."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from assistant.display import format_amount, format_figures, format_value, verdict_line
from ui import sources

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$=])")
_CITATION = re.compile(r"\[([FP]\d+)\]")
#: The in-app view of a document, opened with ?doc=<IRI>&start=…&end=…
DOCUMENT_PAGE = "views/document.py"


def escape(text: str) -> str:
    """Text shown literally by st.markdown: every Markdown control character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def highlighted(text: str, start: int, end: int) -> str:
    """Markdown of `text` with characters [start, end) highlighted (the rest escaped)."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if end <= start:
        return escape(text)
    return f"{escape(text[:start])}:orange-background[**{escape(text[start:end])}**]{escape(text[end:])}"


def highlighted_lines(text: str, start: int, end: int) -> str:
    """`highlighted`, line by line, the line breaks kept (Markdown would join the lines)."""
    out, offset = [], 0
    for line in text.split("\n"):
        out.append(highlighted(line, start - offset, end - offset))
        offset += len(line) + 1
    return "  \n".join(out)


def show_excerpt(part: sources.Text, start: int, end: int) -> None:
    """Part of a document with the document span [start, end) highlighted."""
    st.markdown(highlighted_lines(part.text, start - part.start, end - part.start))


def show_source(database: Any, document: str, start: int | None, end: int | None, detail: str = "") -> None:
    """A cited span: its document's name, the sentence or table row around it, the whole chunk
    behind "Show more", and a link that opens the document in the app."""
    found = sources.cited(database, document, start, end)
    if found is None:
        st.markdown(f"**{escape(sources.name(database, document))}**")
        st.caption(detail or "The cited text is no longer stored.")
        return
    st.markdown(f"**{escape(found.source.name)}**")
    st.caption(" · ".join(filter(None, [f"characters {start}–{end}", detail])))
    show_excerpt(found.context, found.start, found.end)
    if found.chunk.text.strip() != found.context.text.strip():
        with st.expander("Show more"):
            show_excerpt(found.chunk, found.start, found.end)
    document_link(found.source.iri, found.start, found.end)


def document_link(iri: str, start: int, end: int, label: str = "Open the document") -> None:
    """A link that opens the document inside the app, the span [start, end) highlighted."""
    st.page_link(DOCUMENT_PAGE, label=label, icon=":material/description:",
                 query_params={"doc": iri, "start": str(start), "end": str(end)})


def fact_text(fact: dict[str, Any]) -> str:
    return (f"**{escape(fact['subject_label'])}** — {escape(fact['predicate_label'])} — "
            f"**{escape(format_value(fact['object_label']))}**")


def show_fact(fact: dict[str, Any], database: Any) -> None:
    """A fact as subject — predicate — object, then where it was stated, each span highlighted."""
    st.markdown(fact_text(fact))
    if not fact.get("provenance"):
        st.caption("No provenance recorded for this fact.")
    for p in fact.get("provenance", [])[:3]:
        show_source(database, p["document"], p.get("start"), p.get("end"),
                    f"{p['extractor']} · confidence {p['confidence']}")


def show_passage(passage: dict[str, Any], database: Any, claims: list[str]) -> None:
    """A retrieved passage: the sentence the answer draws on (the one most like the `claims` citing
    it), the whole passage behind "Show more", and a link that opens its document."""
    start, end = passage["span"]
    text = passage.get("text") or ""
    doc = sources.source(database, passage["document"]) if database is not None else None
    st.markdown(f"**{escape(passage.get('title') or (doc.name if doc else 'a document'))}**")
    st.caption(f"characters {start}–{end}")
    a, b = sources.best_sentence(text, claims, table=bool(doc and doc.table))
    st.markdown(escape(text[a:b]))
    if text[a:b].strip() != text.strip():
        with st.expander("Show more"):
            st.markdown(highlighted_lines(text, a, b))
    if doc is not None:
        document_link(doc.iri, start + a, start + b)


def show_inputs(value: dict[str, Any]) -> None:
    """A computed figure's formula and inputs as a small table, each input with its citation."""
    st.caption(f"{escape(value['shown'])} = {escape(value['formula'])}")
    st.table([{"input": i["concept"], "period": i["period"], "value": format_amount(i["value"], i.get("unit", "")),
               "source": " ".join([i["ref"], *i.get("also", [])]),
               "earlier filings": "; ".join(f"{format_amount(e['value'], i.get('unit', ''))} [{e['ref']}]"
                                            for e in i.get("earlier", []))} for i in value["inputs"]])


def step_line(step: dict[str, Any]) -> str:
    """One agent step as the app lists it: who planned it, the tool, its arguments, rows, citations."""
    arguments = ", ".join(f"{k}={v!r}" for k, v in step["arguments"].items())
    outcome = f":red[error: {escape(step['error'][:160])}]" if step.get("error") else f"{step['rows']} rows"
    refs = f" → {', '.join(step['citations'])}" if step.get("citations") else ""
    by = "kgassist" if step.get("planner") == "kgassist" else "model"
    return f"- :gray[{by}] **{escape(step['tool'])}**({escape(arguments[:200])}): {outcome}{escape(refs)}"


def show_steps(steps: list[dict[str, Any]], expanded: bool = False) -> None:
    with st.expander(f"Agent steps ({len(steps)})", expanded=expanded):
        st.markdown("\n".join(step_line(s) for s in steps))


def show_answer(answer: dict[str, Any], database: Any, key: str, *, steps_shown: bool = False) -> None:
    """An answer: its verified statements, then one chip per citation that opens the fact with its
    provenance or the passage; model text that no source supports only collapsed, marked as such."""
    claims = answer.get("claims") or [{"sentence": answer["answer"], "supported": True}]
    if answer.get("steps") and not steps_shown:
        show_steps(answer["steps"])
    if answer.get("notice"):
        st.info(answer["notice"])
    st.markdown(escape(format_figures(answer["answer"])))
    if answer.get("value") and answer["value"].get("inputs"):
        show_inputs(answer["value"])
    if answer.get("verdict"):
        st.markdown(f"Verdict: **{escape(verdict_line(answer['verdict'], answer.get('verdict_source')))}**")
    by_ref = {f["ref"]: ("fact", f) for f in answer.get("facts", []) if f.get("ref")}
    by_ref.update({p["ref"]: ("passage", p) for p in answer.get("passages", []) if p.get("ref")})
    cited = [r for r in dict.fromkeys(_CITATION.findall(answer["answer"])) if r in by_ref]
    if cited:
        columns = st.columns(min(len(cited), 8))
        for i, ref in enumerate(cited):
            kind, source = by_ref[ref]
            with columns[i % len(columns)].popover(ref, key=f"{key}-{ref}"):
                if kind == "fact":
                    show_fact(source, database)
                else:
                    citing = [c["sentence"] for c in claims if ref in (c.get("citations") or [])]
                    show_passage(source, database, citing)
    unsupported = [c for c in claims if not c.get("supported", True)]
    if unsupported:
        with st.expander(f"Model text that no source supports ({len(unsupported)}), not part of the answer"):
            for claim in unsupported:
                st.markdown(f":red-background[{escape(claim['sentence'])}]  \n"
                            f":gray[{escape(claim.get('reason') or 'unsupported')}]")
    st.caption(f"{answer.get('backend', '')} · {answer.get('model', '')} · answer {answer['id'][:8]}")
