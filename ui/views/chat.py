"""Chat: streamed answers with their stages timed, citation chips, unsupported statements marked,
and the history of this browser session kept in the audit trail (?session=… in the URL)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

import streamlit as st

from assistant import audit as trail
from assistant.answer import STAGES
from assistant.question import QuestionError, check_question
from kgstore.settings import AnswerMode, choices
from ui import services
from ui.render import escape, show_answer, step_line

#: The answer's stages as users know them.
STAGE_NAMES = dict(zip(STAGES, ("linking", "graph", "passages", "generation", "verification")))

st.title("Chat")
settings = services.settings()
st.caption(f"Model **{escape(settings.llm_model)}** on the **{settings.llm_backend}** backend · answers cite facts "
           "[F…] and passages [P…]; every answer is audited.")

database = services.database()
session = services.session_id()
if st.session_state.get("history_of") != session:  # a new browser session, or a reload: from the audit
    st.session_state["history"] = trail.session_answers(database, session)
    st.session_state["history_of"] = session
history: list[dict] = st.session_state["history"]
mode = st.sidebar.radio("Sources", choices(AnswerMode), horizontal=True,
                        index=choices(AnswerMode).index(settings.answer_mode),
                        help="Graph facts and passages, graph facts only, passages only, or an agent that plans "
                             "its own lookups (a model that calls tools; otherwise the pipeline answers).")

stats = services.stats()
empty = stats.documents == 0
intro = st.empty()
asked: str | None = None
if empty:
    intro.info(services.EMPTY_STORE)
elif not history:
    with intro.container():
        st.markdown(f"The knowledge base holds **{stats.documents:,}** documents and **{stats.assertions:,}** facts "
                    f"about **{stats.entities:,}** entities. Try one of these:")
        for i, example in enumerate(services.example_questions()):
            if st.button(example, key=f"example-{i}", icon=":material/help:"):
                asked = example

for i, turn in enumerate(history):
    with st.chat_message("user"):
        st.markdown(escape(turn["question"]))
    with st.chat_message("assistant"):
        show_answer(turn, database, key=f"h{i}")


def _answer_stream(question: str, sink: dict[str, Any], status: Any, steps: Any) -> Iterator[str]:
    """Run the assistant in a worker thread; yield the reply as it is generated, show each stage,
    with its time, in `status`, and each agent step as it is made in `steps` (Streamlit is only
    called here, in the script's thread)."""
    events: queue.Queue = queue.Queue()
    lock = services.model_lock()  # resolved here, in the script's thread
    answerer = services.agent() if mode == "agent" else services.assistant()
    extra = {"on_step": lambda step: events.put(("step", step.to_json()))} if mode == "agent" else {}

    def work() -> None:
        try:
            with lock:
                sink["answer"] = answerer.ask(question, mode=mode, on_text=lambda t: events.put(("text", t)),
                                              on_stage=lambda s, secs: events.put(("stage", (s, secs))), **extra)
        except Exception as error:  # shown to the user below, never swallowed
            sink["error"] = error
        finally:
            events.put(None)

    threading.Thread(target=work, daemon=True).start()
    board, done, running, made = status.empty(), {}, None, []
    while (event := events.get()) is not None:
        kind, value = event
        if kind == "text":
            yield escape(value)
            continue
        if kind == "step":
            made.append(value)
            steps.markdown("\n".join(step_line(s) for s in made))
            continue
        stage, seconds = value
        name = STAGE_NAMES.get(stage, stage)
        if seconds is None:
            running = name
            status.update(label=f"{name.capitalize()}…")
        else:
            done[name], running = seconds, None
        board.markdown(" · ".join([f"{n} {s:.2f} s" for n, s in done.items()] + [f"{running}…"] * bool(running)))


def _ask(question: str) -> None:
    with st.chat_message("user"):
        st.markdown(escape(question))
    with st.chat_message("assistant"):
        sink: dict[str, Any] = {}
        started = time.perf_counter()
        steps = st.expander("Agent steps", expanded=True).empty() if mode == "agent" else st.empty()
        status = st.status("Answering…", expanded=False)
        with status:  # the model's draft, unverified, stays inside the collapsed status box
            st.caption("Model draft (each sentence is verified before it can be part of the answer):")
            st.write_stream(_answer_stream(question, sink, status, steps))
        if "error" in sink:
            status.update(label="The assistant failed", state="error")
            st.error(f"The assistant failed: {sink['error']}")
            return
        status.update(label=f"Answered in {time.perf_counter() - started:.1f} s", state="complete")
        answer = sink["answer"]
        trail.save(database, answer, {**settings.public_dict(), "backend": answer.backend, "model": answer.model,
                                      "mode": mode, "via": "ui", "session": session})
        turn = answer.to_json()
        show_answer(turn, database, key=f"h{len(history)}", steps_shown=True)
        history.append(turn)


typed = st.chat_input("Ask about the documents", disabled=empty)  # no max_chars: it would cut silently
if typed is not None or asked:
    try:
        question = check_question(asked or typed or "", settings.max_question_chars)
    except QuestionError as error:
        st.warning(str(error))
    else:
        intro.empty()
        _ask(question)
