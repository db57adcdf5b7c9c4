"""SPARQL console: read-only and bounded (the safe executor), results as a table with CSV download."""

from __future__ import annotations

import csv
import io

import streamlit as st

from kgstore import KGAssistError
from kgstore.sparql import with_prefixes
from ui import services

#: Each drug once (the same triple stated by several documents is one row per document otherwise).
EXAMPLE = "SELECT DISTINCT ?drug ?label WHERE { ?drug a kga:Drug ; rdfs:label ?label } ORDER BY ?label LIMIT 20"

st.title("SPARQL")
settings = services.settings()
st.caption(f"Read-only: updates and SERVICE are refused; at most {settings.sparql_limit:,} rows, "
           f"{settings.sparql_timeout_s:g} s. Prefixes rdf, rdfs, owl, xsd, skos, prov and kga need no declaration.")
if services.document_count() == 0:
    st.info(services.EMPTY_STORE)
query = st.text_area("Query", height=160,
                     value=EXAMPLE)
if st.button("Run", type="primary") and query.strip():
    try:
        result = services.store().query(with_prefixes(query))
    except KGAssistError as error:
        st.error(str(error))
        st.stop()
    if result.kind == "ask":
        st.markdown(f"Answer: **{'yes' if result.boolean else 'no'}**")
    else:
        header = result.variables if result.kind == "select" else ["subject", "predicate", "object"]
        rows = ([[str(r.get(v, "")) for v in header] for r in result.rows] if result.kind == "select"
                else [[str(x) for x in t] for t in result.triples])
        st.dataframe([dict(zip(header, r)) for r in rows], hide_index=True, width="stretch")
        if result.truncated:
            st.warning(f"Truncated at {len(rows)} rows: add a LIMIT, or narrow the query.")
        out = io.StringIO()
        csv.writer(out).writerows([header, *rows])
        st.download_button("Download CSV", out.getvalue(), file_name="results.csv", mime="text/csv")
