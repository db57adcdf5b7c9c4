"""The Streamlit app: each page's logic through Streamlit's AppTest on a home holding the sample
corpus (and on an empty one). Real store, database, index and the real small model throughout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

APP = str(Path(__file__).parents[1] / "ui" / "app.py")
SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"
KGASSIST = str(Path(sys.executable).parent / "kgassist")
QUESTION = "What are the side effects of metformin?"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def homes(tmp_path_factory, model_cache) -> dict[str, Path]:
    """A home with the sample corpus ingested (by the CLI), and an empty home."""
    root = tmp_path_factory.mktemp("ui")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    done = subprocess.run([KGASSIST, "--home", str(root / "sample"), "ingest", str(SAMPLE / "finance"),
                           str(SAMPLE / "medical")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return {"sample": root / "sample", "empty": root / "empty"}


def app_test(monkeypatch, home: Path, model_cache: Path, page: str | None = None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KGASSIST_HOME", str(home))
    monkeypatch.setenv("KGASSIST_MODEL_CACHE", str(model_cache))
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:  # noqa: ANN001
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [e.value for e in at.error] + [w.value for w in at.warning] + [s.value for s in at.success]
    return unescape("\n".join(map(str, parts)))


def unescape(markdown: str) -> str:
    """Markdown as read: backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_the_chat_answers_with_citation_chips_and_keeps_the_history(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache)
    assert at.title[0].value == "Chat" and "SmolLM2-135M-Instruct" in texts(at)
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    answer = unescape("\n".join(m.value for m in at.chat_message[1].markdown))
    assert "metformin" in answer.lower() and "[F" in answer
    chips = [p.proto.popover.label for p in at.get("popover")]
    assert chips and chips[0].startswith(("F", "P"))
    fact_popover = next(p for p in at.get("popover") if p.proto.popover.label.startswith("F"))
    assert any("metformin" in m.value.lower() for m in fact_popover.markdown)  # the fact
    assert any("orange-background" in m.value for m in fact_popover.markdown)  # its span, highlighted
    status = at.status[0]  # the stages, timed as they ran
    assert status.state == "complete" and status.label.startswith("Answered in")
    for stage in ("linking", "graph", "passages", "generation", "verification"):
        assert re.search(rf"{stage} \d+\.\d\d s", status.markdown[0].value), status.markdown[0].value
    at.chat_input[0].set_value("Who is the CEO of Amazon.com?").run()
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]


def test_a_citation_names_its_document_shows_the_cited_sentence_and_opens_it_in_the_app(monkeypatch, homes,
                                                                                       model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache)
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    popover = next(p for p in at.get("popover") if p.proto.popover.label.startswith("F"))
    shown = unescape("\n".join(e.value for e in [*popover.markdown, *popover.caption]))
    assert "w3id.org" not in shown  # the document by its title or file name, never its IRI
    assert re.search(r"^\*\*(Metformin|drug_reference)\*\*$", shown, re.M), shown
    sentence = next(m.value for m in popover.markdown if "orange-background" in m.value)
    more = popover.expander[0]  # the whole chunk behind "Show more", the span highlighted there too
    assert more.label == "Show more" and len(sentence) < len(more.markdown[0].value)
    assert sentence.split(":orange-background")[1] in more.markdown[0].value
    link = popover.get("page_link")[0].proto
    assert link.page == "document" and "doc=" in link.query_string and not link.external
    at.query_params = dict(urllib.parse.parse_qsl(link.query_string))
    at.switch_page("views/document.py").run()
    assert not at.exception, at.exception
    assert unescape(at.title[0].value) in ("Metformin", "drug_reference")
    assert any("orange-background" in m.value for m in at.markdown)  # the span, highlighted in the text


def test_an_empty_chat_shows_the_knowledge_base_and_example_questions_that_ask(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache)
    assert re.search(r"holds \*\*\d+\*\* documents and \*\*[\d,]+\*\* facts", at.markdown[0].value)
    examples = [b for b in at.button if b.key and b.key.startswith("example-")]
    assert 3 <= len(examples) <= 4 and all(b.label.endswith("?") for b in examples)
    question = examples[0].label
    examples[0].click().run()
    assert not at.exception, at.exception
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert unescape(at.chat_message[0].markdown[0].value) == question
    assert not [b for b in at.button if b.key and b.key.startswith("example-")]  # the examples gave way


def test_a_chat_session_keeps_its_history_across_a_reload(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache)
    session = at.query_params["session"]
    at.chat_input[0].set_value("Who is the CEO of Amazon.com?").run()
    answer = [m.value for m in at.chat_message[1].markdown]
    from streamlit.testing.v1 import AppTest

    reloaded = AppTest.from_file(APP, default_timeout=600)
    reloaded.query_params["session"] = session
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert [m.name for m in reloaded.chat_message] == ["user", "assistant"]
    assert unescape(reloaded.chat_message[0].markdown[0].value) == "Who is the CEO of Amazon.com?"
    again = [m.value for m in reloaded.chat_message[1].markdown]  # the answer, shown again after the reload
    assert any(m.startswith("linking") for m in answer) and again and answer[-len(again):] == again
    chips = lambda app: [p.proto.popover.label for p in app.get("popover")]  # noqa: E731
    assert chips(reloaded) == chips(at)
    elsewhere = app_test(monkeypatch, homes["sample"], model_cache)  # another browser session
    assert elsewhere.query_params["session"] != session and not elsewhere.chat_message


def test_a_blank_or_over_long_question_is_refused_before_anything_is_audited(monkeypatch, homes, model_cache):
    from assistant import audit
    from kgstore import Settings
    from kgstore.db import open_database

    at = app_test(monkeypatch, homes["sample"], model_cache)
    database = open_database(Settings().db_url)
    before = len(audit.recent(database, limit=10_000))
    at.chat_input[0].set_value("   ").run()
    at.chat_input[0].set_value("Is metformin safe? " * 106).run()  # 2,014 characters
    assert not at.exception, at.exception
    assert not at.chat_message
    assert at.warning and "limit is 2,000" in at.warning[0].value
    assert len(audit.recent(database, limit=10_000)) == before


def test_a_table_citation_shows_its_row_not_the_whole_chunk(monkeypatch, homes):
    from sqlalchemy import select

    from kgstore import Settings
    from kgstore.db import Document, open_database
    from ui.sources import cited

    database = open_database(Settings(home=homes["sample"]).db_url)
    with database.session() as session:
        iri = session.scalar(select(Document.iri).where(Document.uri.endswith("drug_reference.csv")))
    found = cited(database, iri, 0, 188)  # where the table extractor found metformin's facts
    assert found.source.name == "drug_reference" and found.source.table
    assert found.context.text.startswith("drug: metformin;") and "atorvastatin" not in found.context.text
    assert "atorvastatin" in found.chunk.text  # the whole chunk, shown behind "Show more"


def test_model_text_no_source_supports_is_shown_only_collapsed_and_marked_after_the_answer():
    from streamlit.testing.v1 import AppTest

    def page():
        from ui.render import show_answer

        show_answer({"id": "0" * 32, "answer": "Acme's revenue for fiscal 2023 was $10 billion [F1].", "facts": [],
                     "passages": [], "claims": [
                         {"sentence": "Acme's revenue for fiscal 2023 was $10 billion [F1].", "supported": True},
                         {"sentence": "Revenue was $9 billion.", "supported": False, "reason": "9000000000"}]},
                    None, key="t")

    at = AppTest.from_function(page).run()
    assert "$10 billion" in at.markdown[0].value and "9 billion" not in at.markdown[0].value
    [collapsed] = at.expander
    assert collapsed.label.startswith("Model text that no source supports (1)")
    assert collapsed.markdown[0].value.startswith(":red-background[Revenue was")


def test_agent_steps_are_listed_above_the_answer_with_their_tools_rows_and_citations():
    from streamlit.testing.v1 import AppTest

    def page():
        from ui.render import show_answer

        show_answer({"id": "0" * 32, "answer": "Alphabet Inc.'s chief executive officer is Sundar Pichai [F1].",
                     "facts": [], "passages": [], "claims": [], "steps": [
                         {"tool": "find_entities", "arguments": {"name": "Alphabet"}, "rows": 1, "citations": [],
                          "planner": "kgassist", "error": None},
                         {"tool": "entity_facts", "arguments": {"entity": "Alphabet"}, "rows": 4, "citations": ["F1"],
                          "planner": "model", "error": None},
                         {"tool": "sparql", "arguments": {"query": "DROP ALL"}, "rows": 0, "citations": [],
                          "planner": "model", "error": "SPARQL update refused"}]}, None, key="t")

    at = AppTest.from_function(page).run()
    [steps] = at.expander
    assert steps.label == "Agent steps (3)"
    listed = unescape(steps.markdown[0].value)
    assert "**find_entities**(name='Alphabet'): 1 rows" in listed and "**entity_facts**" in listed
    assert "→ F1" in listed and ":red[error: SPARQL update refused]" in listed
    assert "Sundar Pichai" in at.markdown[-1].value or any("Sundar Pichai" in m.value for m in at.markdown)


def test_the_agent_choice_on_a_model_that_cannot_call_tools_says_the_pipeline_answered(monkeypatch, homes,
                                                                                       model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache)
    at.sidebar.radio[0].set_value("agent").run()
    at.chat_input[0].set_value(QUESTION).run()
    assert not at.exception, at.exception
    assert any(i.value.startswith("Agent mode needs a model that calls tools") for i in at.info)
    answer = unescape("\n".join(m.value for m in at.chat_message[1].markdown))
    assert "metformin" in answer.lower() and "[F" in answer


def test_document_text_is_escaped_not_rendered(monkeypatch):
    from ui.render import escape, highlighted

    hostile = "<script>alert(1)</script> **bold** [link](http://x) :red[x]"
    shown = escape(hostile)
    assert "<script>" not in shown and "\\*\\*" in shown and "\\[link\\]" in shown
    assert highlighted("abc <b>x</b>", 4, 12).startswith("abc :orange-background[**\\<b\\>")
    ui_sources = "\n".join(p.read_text() for p in Path(APP).parent.rglob("*.py"))
    assert not re.search(r"unsafe_allow_html\s*=\s*True", ui_sources)


def test_the_app_runs_without_the_deploy_button_and_without_outside_requests(monkeypatch):
    import tomllib

    from streamlit import config

    flags = {"--client.toolbarMode": "minimal", "--browser.gatherUsageStats": "false",
             "--client.showErrorLinks": "false", "--server.headless": "true"}
    monkeypatch.setattr(config, "_main_script_path", APP)  # as `streamlit run ui/app.py` sets it
    try:
        options = config.get_config_options(force_reparse=True)
        for flag, value in flags.items():  # ui/.streamlit/config.toml, read next to the script
            assert str(options[flag[2:]].value).lower() == value, flag
    finally:
        monkeypatch.undo()
        config.get_config_options(force_reparse=True)
    toml = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text())
    assert toml["client"]["toolbarMode"] == "minimal" and toml["browser"]["gatherUsageStats"] is False
    # a :material/…: page icon is fetched by the browser from fonts.gstatic.com
    assert not re.search(r"page_icon\s*=\s*[\"']:material", Path(APP).read_text())


def test_a_document_is_rebuilt_from_overlapping_chunks_and_a_span_shown_in_its_sentence_or_row():
    from ui.sources import Text, context, stitch

    text = stitch([(0, "One fine day. Two"), (14, "Two more days."), (29, "Three.")])
    assert text == Text(0, "One fine day. Two more days. Three.")
    assert context(text, 16, 20, table=False).text == "Two more days."
    table = Text(10, "a,1\nb,2\nc,3")
    assert context(table, 14, 17, table=True) == Text(14, "b,2")


def test_close_spellings_find_entities():
    from ui.services import closest

    names = ["type 2 diabetes", "metformin", "Tim Cook", "Apple Inc."]
    assert closest("diabtes", names) == ["type 2 diabetes"]
    assert closest("metfromin", names) == ["metformin"]
    assert closest("warfarin", names) == []


def test_explore_shows_an_entity_with_its_facts_grouped_and_a_graph(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "explore")
    at.text_input[0].set_value("metformin").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.lower() == "metformin"
    groups = [e.label for e in at.expander]
    assert any(g.startswith("causes adverse event") or "adverse" in g.lower() for g in groups), groups
    assert at.get("graphviz_chart")


def test_explore_shows_labels_and_document_names_not_iris(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "explore")
    at.text_input[0].set_value("metformin").run()
    groups = [e.label for e in at.expander]
    assert "treats (1)" in groups and "drug class (1)" in groups
    assert not [g for g in groups if re.search(r"label|type|[a-z][A-Z]", g)], groups  # no bookkeeping
    links = [unescape(link.value) for link in at.page_link]  # each source, opening it in the app
    shown = "\n".join([texts(at), at.get("graphviz_chart")[0].proto.spec, *links])
    assert "also known as Glucophage" in shown and "→ type 2 diabetes" in shown
    assert "w3id.org" not in shown and not re.search(r"-[0-9a-f]{8}\b", shown)  # no IRIs, no hashed ids
    assert re.search(r"^(Metformin|drug_reference) · characters \d+–\d+", shown, re.M)
    at.text_input[0].set_value("Apple Inc. revenue FY2023").run()
    assert "→ $383.3 billion" in texts(at)


def test_explore_finds_a_misspelt_entity(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "explore")
    at.text_input[0].set_value("diabtes").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "type 2 diabetes"
    assert "closest names" in texts(at)


def test_ingest_reports_each_file_and_the_errors(monkeypatch, homes, model_cache, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "note.md").write_text("Apixaban is used to treat atrial fibrillation.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 this is not a pdf")
    at = app_test(monkeypatch, homes["sample"], model_cache, "ingest")
    at.text_input[0].set_value(str(folder)).run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert "ok 1" in texts(at) and "failed 1" in texts(at)
    assert any("broken.pdf" in e.value for e in at.error)


def test_audit_lists_answers_reruns_their_sparql_and_exports_json(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "audit")
    table = at.dataframe[0].value
    assert len(table) >= 1
    assert set(table["found"]) <= {"found", "not found"} and table["verdict"].notna().all()
    assert set(table["verdict"]) <= {"yes", "no", "maybe", "—"}
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert ":green-badge[identical]" in texts(at)
    assert at.get("download_button")
    at.button[-1].click().run()  # verify the whole trail
    assert "Audit trail intact" in texts(at)


def test_the_sparql_console_shows_rows_and_refuses_updates(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "sparql")
    at.button[0].click().run()
    drugs = at.dataframe[0].value
    assert len(drugs) > 0 and at.get("download_button")
    assert drugs["drug"].is_unique  # the example names each drug once
    at.text_area[0].set_value("DELETE WHERE { ?s ?p ?o }").run()
    at.button[0].click().run()
    assert at.error and "read-only" in at.error[0].value.lower()


@pytest.mark.parametrize("page", ["chat", "explore", "ingest", "audit", "sparql"])
def test_every_page_works_on_an_empty_store_with_a_helpful_message(monkeypatch, homes, model_cache, page):
    at = app_test(monkeypatch, homes["empty"], model_cache, None if page == "chat" else page)
    assert not at.exception
    if page != "ingest":
        assert at.info and ("empty" in at.info[0].value or "No answers" in at.info[0].value)


def test_a_misconfigured_app_says_what_to_do_instead_of_a_traceback(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KGASSIST_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KGASSIST_EXTRACTORS", "pattern")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert at.error and "KGASSIST_EXTRACTORS: unknown extractor 'pattern'" in at.error[0].value
