"""The kgassist Streamlit app: chat, explore, ingest, audit and a SPARQL console.

Started by `kgassist ui` (or `streamlit run ui/app.py`), on the store the settings name."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kgstore import KGAssistError
from ui import services

VIEWS = Path(__file__).parent / "views"

# An emoji icon, not a :material/…: one, which the browser would fetch from fonts.gstatic.com.
st.set_page_config(page_title="kgassist", page_icon="🔎", layout="wide",
                   menu_items={"About": "kgassist: answers from your documents, with their sources."})
try:  # misconfiguration or an unreachable store: one message saying what to do, no traceback
    services.settings()
    services.store()
except KGAssistError as error:
    st.error(str(error))
    st.stop()
pages = [
    st.Page(VIEWS / "chat.py", title="Chat", icon=":material/chat:", default=True),
    st.Page(VIEWS / "explore.py", title="Explore", icon=":material/hub:"),
    st.Page(VIEWS / "ingest.py", title="Ingest", icon=":material/upload_file:"),
    st.Page(VIEWS / "audit.py", title="Audit", icon=":material/fact_check:"),
    st.Page(VIEWS / "sparql.py", title="SPARQL", icon=":material/terminal:"),
    st.Page(VIEWS / "document.py", title="Document", icon=":material/description:", url_path="document",
            visibility="hidden"),
]
st.navigation(pages).run()
