"""Chat: streamed answers with citation chips, unsupported statements marked, history per session."""

from __future__ import annotations

import queue
import threading

import streamlit as st

from ui import services
from ui.render import escape, show_answer

st.title("Chat")
settings = services.settings()
st.caption(f"Model **{escape(settings.llm_model)}** on the **{settings.llm_backend}** backend · answers cite facts "
           "[F…] and passages [P…]; every answer is audited.")

empty = services.document_count() == 0
if empty:
    st.info(services.EMPTY_STORE)

history: list[dict] = st.session_state.setdefault("history", [])
mode = st.sidebar.radio("Sources", ["hybrid", "graph", "retrieval"], horizontal=True,
                        help="Graph facts and passages, graph facts only, or passages only.")

for i, turn in enumerate(history):
    with st.chat_message("user"):
        st.markdown(escape(turn["question"]))
    with st.chat_message("assistant"):
        show_answer(turn, services.database(), key=f"h{i}")


def _answer_stream(question: str, sink: dict):
    """Run the assistant in a worker thread and yield the reply as it is generated."""
    pieces: queue.Queue = queue.Queue()
    assistant, lock = services.assistant(), services.model_lock()  # resolved here, in the script's thread

    def work() -> None:
        try:
            with lock:
                sink["answer"] = assistant.ask(question, mode=mode, on_text=pieces.put)
        except Exception as error:  # shown to the user below, never swallowed
            sink["error"] = error
        finally:
            pieces.put(None)

    threading.Thread(target=work, daemon=True).start()
    while (piece := pieces.get()) is not None:
        yield escape(piece)


if question := st.chat_input("Ask about the documents", disabled=empty):
    with st.chat_message("user"):
        st.markdown(escape(question))
    with st.chat_message("assistant"):
        sink: dict = {}
        live = st.empty()
        with live.container():
            st.write_stream(_answer_stream(question, sink))
        live.empty()
        if "error" in sink:
            st.error(f"The assistant failed: {sink['error']}")
        else:
            from assistant.audit import save

            answer = sink["answer"]
            save(services.database(), answer, {**services.settings().public_dict(), "backend": answer.backend,
                                               "model": answer.model, "mode": mode, "via": "ui"})
            turn = answer.to_json()
            show_answer(turn, services.database(), key=f"h{len(history)}")
            history.append(turn)
