"""A document as stored, opened from a citation (?doc=<IRI>&start=…&end=…): its text rebuilt from
its chunks, the cited span highlighted in its sentence and in the whole text."""

from __future__ import annotations

import streamlit as st

from ui import services, sources
from ui.render import escape, show_excerpt

#: Longer documents are shown around the cited span only.
SHOWN_CHARS = 100_000


def _offset(name: str) -> int | None:
    value = st.query_params.get(name, "")
    return int(value) if value.isdigit() else None


database = services.database()
doc = sources.source(database, st.query_params.get("doc", ""))
if "session" in st.session_state:
    st.page_link("views/chat.py", label="Back to the chat", icon=":material/arrow_back:",
                 query_params={"session": st.session_state["session"]})
if doc is None:
    st.title("Document")
    st.warning("This document is not in the database (it may have been removed). Open a document from a "
               "citation in the **Chat**, or from a fact's source in **Explore**.")
    st.stop()

start, end = _offset("start"), _offset("end")
st.title(escape(doc.name))
text = sources.document_text(database, doc)
st.caption(f"{escape(doc.uri)} · {doc.media_type or 'unknown type'} · {len(text.text):,} characters")
if start is not None and end is not None and end > start:
    found = sources.cited(database, doc.iri, start, end)
    if found is not None:
        st.markdown(f"**Cited, characters {start}–{end}**")
        with st.container(border=True):
            show_excerpt(found.context, start, end)
    middle = (start + end) // 2
    text = text.part(middle - SHOWN_CHARS // 2, middle + SHOWN_CHARS // 2)
else:
    start = end = 0
    text = text.part(0, SHOWN_CHARS)
st.subheader("Text")
if text.start > 0 or len(text.text) >= SHOWN_CHARS:
    st.caption(f"Characters {text.start:,}–{text.end:,} of the document.")
show_excerpt(text, start, end)
