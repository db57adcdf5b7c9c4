"""Explore: search entities; an entity's facts grouped by predicate, their sources, and its
neighbourhood as a small graph."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st

from ui import services
from ui.render import escape

st.title("Explore")
if services.document_count() == 0:
    st.info(services.EMPTY_STORE)
    st.stop()

store = services.store()
text = st.text_input("Search entities", placeholder="metformin, Intel, revenue…")
if not text.strip():
    st.caption("Type a name, alias or part of one.")
    st.stop()
matches = store.find_entities(text.strip(), limit=20)
if not matches:
    st.warning(f"No entity matches {text.strip()!r}. Try a shorter or different name.")
    st.stop()

kind = lambda m: ", ".join(str(t).rsplit("#", 1)[-1] for t in m.types) or "entity"  # noqa: E731
options = {f"{m.label} ({kind(m)})": m for m in matches}
chosen = options[st.selectbox("Entity", list(options))]
st.subheader(chosen.label)
if chosen.matched != chosen.label:
    st.caption(f"Matched by {escape(chosen.matched)}")

edges = store.neighbourhood(chosen.iri, hops=1, limit=200)
labels = {str(m.iri): m.label for m in matches}


def name(term) -> str:  # noqa: ANN001 - an RDF term
    value = str(term)
    return labels.get(value) or value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


grouped: dict[str, list] = defaultdict(list)
for edge in edges:
    grouped[name(edge.predicate)].append(edge)
for predicate, group in sorted(grouped.items()):
    with st.expander(f"{predicate} ({len(group)})", expanded=len(grouped) <= 4):
        for edge in group[:50]:
            outgoing = str(edge.subject) == str(chosen.iri)
            other = edge.object if outgoing else edge.subject
            arrow = "→" if outgoing else "←"
            st.markdown(f"{arrow} {escape(name(other))}")
            for p in store.provenance(edge.subject, edge.predicate, edge.object)[:2]:
                st.caption(f"{p.document} · characters {p.start}–{p.end} · {p.extractor} · {p.confidence}")

if edges:
    dot = ["digraph { rankdir=LR; node [shape=box, style=rounded, fontsize=10]; edge [fontsize=9];"]
    quote = lambda s: '"' + str(s).replace("\\", "\\\\").replace('"', '\\"')[:40] + '"'  # noqa: E731
    for edge in edges[:40]:
        dot.append(f"{quote(name(edge.subject))} -> {quote(name(edge.object))} [label={quote(name(edge.predicate))}];")
    dot.append("}")
    st.subheader("Neighbourhood")
    st.graphviz_chart("\n".join(dot))
else:
    st.caption("This entity has no relations to other entities yet.")
