"""Audit: answers filtered by date, text and status; one answer's SPARQL, re-run against the
current store (identical or changed per query), and its audit as JSON."""

from __future__ import annotations

import json
from datetime import date

import streamlit as st

from assistant import audit as trail
from ui import services
from ui.render import escape, show_fact

st.title("Audit")
database = services.database()
answers = trail.recent(database, limit=500)
if not answers:
    st.info("No answers recorded yet. Ask a question on the **Chat** page (or with `kgassist ask`); every "
            "answer is stored here with the SPARQL behind it.")
    st.stop()

left, middle, right = st.columns(3)
text = left.text_input("Question contains")
status = middle.selectbox("Status", ["all", "found", "not found"])
first = min(date.fromisoformat(a["created_at"][:10]) for a in answers)
since = right.date_input("Since", value=first)
shown = [a for a in answers
         if text.lower() in a["question"].lower()
         and (status == "all" or a["found"] == (status == "found"))
         and date.fromisoformat(a["created_at"][:10]) >= since]
st.dataframe([{"id": a["id"][:8], "when": a["created_at"][:19], "found": "found" if a["found"] else "not found",
               "verdict": a["verdict"] or "—", "question": a["question"]} for a in shown], hide_index=True,
             width="stretch")
if not shown:
    st.caption("No answer matches these filters.")
    st.stop()

labels = {f"{a['id'][:8]} · {a['question'][:80]}": a["id"] for a in shown}
answer_id = labels[st.selectbox("Open an answer", list(labels))]
stored = trail.load(database, answer_id)
st.markdown(f"**Q:** {escape(stored['question'])}")
st.markdown(f"**A:** {escape(stored['answer'])}")
st.caption(f"{stored['created_at'][:19]} · {stored['backend']} · {stored['model']}")

if st.button("Re-run its SPARQL on the current store", type="primary"):
    _, checks = trail.rerun(services.store(), database, answer_id)
    st.session_state[f"checks-{answer_id}"] = [c.to_json() for c in checks]
checks = st.session_state.get(f"checks-{answer_id}")
for i, q in enumerate(stored["queries"]):
    check = checks[i] if checks and i < len(checks) else None
    badge = {"identical": ":green-badge[identical]", "changed": ":orange-badge[changed]"}.get(
        (check or {}).get("status"), ":red-badge[failed]" if check else ":gray-badge[not re-run]")
    with st.expander(f"{q['purpose']} · {q['rows']} rows then", expanded=bool(check and check["status"] != "identical")):
        st.markdown(badge)
        st.code(q["sparql"], language="sparql")
        if q["bindings"]:
            st.json(q["bindings"], expanded=False)
        if check and check["status"] == "changed":
            st.markdown(f"{len(check['added'])} rows added, {len(check['removed'])} removed")
            st.json({"added": check["added"], "removed": check["removed"]}, expanded=False)
for fact in stored["facts"]:
    with st.container(border=True):
        show_fact(fact, database)
export = {**stored, "rerun": checks}
st.download_button("Download this audit as JSON", json.dumps(export, indent=2, default=str),
                   file_name=f"audit-{answer_id[:8]}.json", mime="application/json")

st.divider()
if st.button("Verify the whole trail", help="Recompute the hash chain: was any record edited, deleted or reordered?"):
    report = trail.verify(database)
    if report.intact:
        st.success(f"Audit trail intact: {report.records} records, head {report.head.seq} `{report.head.hash}`")
    else:
        st.error(f"Audit trail tampered with: {len(report.problems)} problem(s) in {report.records} records")
        for problem in report.problems:
            st.markdown(f"- {escape(problem)}")
