"""The kgassist Streamlit app: chat, explore, ingest, audit and a SPARQL console.

Started by `kgassist ui` (or `streamlit run ui/app.py`), on the store the settings name."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

VIEWS = Path(__file__).parent / "views"

st.set_page_config(page_title="kgassist", page_icon=":material/search:", layout="wide")
pages = [
    st.Page(VIEWS / "chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page(VIEWS / "explore.py", title="Explore", icon=":material/hub:"),
    st.Page(VIEWS / "ingest.py", title="Ingest", icon=":material/upload_file:"),
    st.Page(VIEWS / "audit.py", title="Audit", icon=":material/fact_check:"),
    st.Page(VIEWS / "sparql.py", title="SPARQL", icon=":material/terminal:"),
]
st.navigation(pages).run()
