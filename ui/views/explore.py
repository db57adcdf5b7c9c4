"""Explore: search entities (typos forgiven); an entity's facts grouped by relation, each with the
documents that state it, and its neighbourhood as a small graph. Labels throughout, never IRIs."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from assistant.display import format_amount, format_value
from kgstore import vocab
from ui import services, sources
from ui.labels import HIDDEN_PREDICATES, describe
from ui.render import document_link, escape

#: A company's statement figures, each with its line as printed, period and source document.
STATEMENT_FIGURES = """PREFIX kga: <https://w3id.org/kgassist/ontology#>
SELECT ?doc ?statement ?line ?period ?value ?unit (MIN(?at) AS ?first) WHERE {
  GRAPH ?doc { ?e kga:reportedMetric ?obs . ?obs kga:statement ?statement ; kga:lineLabel ?line ;
               kga:period ?period ; kga:value ?value ; kga:unit ?unit . }
  OPTIONAL { GRAPH ?doc { ?a <http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> ?obs ; kga:charStart ?at } }
} GROUP BY ?doc ?statement ?line ?period ?value ?unit ORDER BY ?doc ?statement ?first ?line ?period"""

st.title("Explore")
if services.document_count() == 0:
    st.info(services.EMPTY_STORE)
    st.stop()

store, database = services.store(), services.database()
text = st.text_input("Search entities", placeholder="metformin, Intel, revenue…").strip()
if not text:
    st.caption("Type a name, alias or part of one; a misspelt name finds the closest ones.")
    st.stop()
matches, close = services.find_entities(text)
if not matches:
    st.warning(f"No entity is named like {text!r}. Try a shorter or different name.")
    st.stop()
if close:
    st.caption(f"Nothing is named {escape(text)!r}; these are the closest names.")

names = describe(store, [t for m in matches for t in (m.iri, *m.types)])
kind = lambda m: ", ".join(names[str(t)].label for t in m.types) or "entity"  # noqa: E731
options = {f"{m.label} ({kind(m)})": m for m in matches}
chosen = options[st.selectbox("Entity", list(options))]
st.subheader(chosen.label)

edges = store.neighbourhood(chosen.iri, hops=1, limit=200)
names |= describe(store, [t for e in edges for t in (e.subject, e.predicate, e.object)])
own = {e.predicate: e.object for e in edges if str(e.subject) == str(chosen.iri)}
aliases = sorted({str(e.object) for e in edges if e.predicate == vocab.ALT_LABEL and e.subject == chosen.iri})
about = [f"**{escape(kind(chosen))}**"]
if chosen.matched not in (chosen.label, vocab.label_key(chosen.label)):
    about.append(f"found by {escape(chosen.matched)}")
if aliases:
    about.append("also known as " + ", ".join(escape(a) for a in aliases))
st.markdown(" · ".join(about))
documents: dict[str, str] = {}  # document IRI -> its title or file name


def shown(term: URIRef | Literal, predicate: URIRef) -> str:
    """A node as its label (a metric observation with its amount), a value in its unit."""
    if isinstance(term, URIRef):
        return str(names[str(term)]) if str(term) in names else str(term)
    if predicate == vocab.VALUE and vocab.UNIT in own:
        return format_amount(term, str(own[vocab.UNIT]))
    return format_value(str(term))


grouped: dict[str, list] = defaultdict(list)
for edge in edges:
    if edge.predicate not in HIDDEN_PREDICATES and not (edge.predicate == vocab.UNIT and vocab.VALUE in own):
        grouped[names[str(edge.predicate)].label].append(edge)
for predicate, group in sorted(grouped.items()):
    with st.expander(f"{predicate} ({len(group)})", expanded=len(grouped) <= 4):
        for edge in group[:50]:
            outgoing = str(edge.subject) == str(chosen.iri)
            other = edge.object if outgoing else edge.subject
            st.markdown(f"{'→' if outgoing else '←'} {escape(shown(other, edge.predicate))}")
            for p in store.provenance(edge.subject, edge.predicate, edge.object)[:2]:
                document = documents.setdefault(str(p.document), sources.name(database, str(p.document)))
                line = (f"{escape(document)} · characters {p.start}–{p.end} · {p.extractor} · "
                        f"confidence {p.confidence:g}")
                if p.start is None or p.end is None:
                    st.caption(line)
                else:
                    document_link(str(p.document), p.start, p.end, label=line)

if vocab.COMPANY in chosen.types:  # its statements as tables: a row per line as printed, a column per period
    figures = store.query(STATEMENT_FIGURES, {"e": chosen.iri}, limit=5000).rows
    tables: dict[tuple[str, str], dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for row in figures:
        document = documents.setdefault(str(row["doc"]), sources.name(database, str(row["doc"])))
        cells = tables[(document, str(row["statement"]))][str(row["line"])]
        cells[str(row["period"])] = format_amount(row["value"], str(row["unit"]))
    if tables:
        st.subheader("Statements")
        titles = {"income": "Income statement", "balance": "Balance sheet", "cashflow": "Cash-flow statement"}
        for (document, statement), lines in sorted(tables.items()):
            with st.expander(f"{titles.get(statement, statement)} · {document}"):
                periods = sorted({p for cells in lines.values() for p in cells}, reverse=True)
                st.table([{"line": line, **{p: cells.get(p, "—") for p in periods}} for line, cells in lines.items()])

relations = [e for e in edges if e.predicate not in HIDDEN_PREDICATES and isinstance(e.object, URIRef)
             and e.predicate != RDF.type]
if relations:
    dot = ["digraph { rankdir=LR; node [shape=box, style=rounded, fontsize=10]; edge [fontsize=9];"]
    quote = lambda s: '"' + str(s).replace("\\", "\\\\").replace('"', '\\"')[:60] + '"'  # noqa: E731
    for edge in relations[:40]:
        dot.append(f"{quote(shown(edge.subject, edge.predicate))} -> {quote(shown(edge.object, edge.predicate))} "
                   f"[label={quote(names[str(edge.predicate)].label)}];")
    dot.append("}")
    st.subheader("Neighbourhood")
    st.graphviz_chart("\n".join(dot))
else:
    st.caption("This entity has no relations to other entities yet.")
