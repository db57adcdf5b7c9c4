"""The Streamlit app: each page's logic through Streamlit's AppTest on a home holding the sample
corpus (and on an empty one), and one end-to-end run in headless Chromium. Real store, database,
index and the real small model throughout."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

APP = str(Path(__file__).parents[1] / "ui" / "app.py")
SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"
KGASSIST = str(Path(sys.executable).parent / "kgassist")
QUESTION = "What are the side effects of metformin?"
WAIT_MS = 300_000  # the small model answers on CPU in seconds, the first answer also loads the models

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def homes(tmp_path_factory, model_cache) -> dict[str, Path]:
    """A home with the sample corpus ingested (by the CLI), a copy for the browser test (the embedded
    store admits one process), and an empty home."""
    root = tmp_path_factory.mktemp("ui")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    done = subprocess.run([KGASSIST, "--home", str(root / "sample"), "ingest", str(SAMPLE / "finance"),
                           str(SAMPLE / "medical")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    shutil.copytree(root / "sample", root / "browser")
    return {"sample": root / "sample", "browser": root / "browser", "empty": root / "empty"}


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
    at.chat_input[0].set_value("Who is the CEO of Amazon.com?").run()
    assert [m.name for m in at.chat_message] == ["user", "assistant", "user", "assistant"]


def test_unsupported_statements_are_marked_in_the_chat():
    from streamlit.testing.v1 import AppTest

    def page():
        from ui.render import show_answer

        show_answer({"id": "0" * 32, "answer": "Revenue was $9 billion.", "facts": [], "passages": [],
                     "claims": [{"sentence": "Revenue was $9 billion.", "supported": False}]}, None, key="t")

    at = AppTest.from_function(page).run()
    assert "unsupported" in at.markdown[0].value and ":red-background" in at.markdown[0].value


def test_document_text_is_escaped_not_rendered(monkeypatch):
    from ui.render import escape, highlighted

    hostile = "<script>alert(1)</script> **bold** [link](http://x) :red[x]"
    shown = escape(hostile)
    assert "<script>" not in shown and "\\*\\*" in shown and "\\[link\\]" in shown
    assert highlighted("abc <b>x</b>", 4, 12).startswith("abc :orange-background[**\\<b\\>")
    ui_sources = "\n".join(p.read_text() for p in Path(APP).parent.rglob("*.py"))
    assert not re.search(r"unsafe_allow_html\s*=\s*True", ui_sources)


def test_explore_shows_an_entity_with_its_facts_grouped_and_a_graph(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "explore")
    at.text_input[0].set_value("metformin").run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.lower() == "metformin"
    groups = [e.label for e in at.expander]
    assert any(g.startswith("causes adverse event") or "adverse" in g.lower() for g in groups), groups
    assert at.get("graphviz_chart")


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
    assert len(at.dataframe[0].value) >= 1
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert ":green-badge[identical]" in texts(at)
    assert at.get("download_button")
    at.button[-1].click().run()  # verify the whole trail
    assert "Audit trail intact" in texts(at)


def test_the_sparql_console_shows_rows_and_refuses_updates(monkeypatch, homes, model_cache):
    at = app_test(monkeypatch, homes["sample"], model_cache, "sparql")
    at.button[0].click().run()
    assert len(at.dataframe[0].value) > 0 and at.get("download_button")
    at.text_area[0].set_value("DELETE WHERE { ?s ?p ?o }").run()
    at.button[0].click().run()
    assert at.error and "read-only" in at.error[0].value.lower()


@pytest.mark.parametrize("page", ["chat", "explore", "ingest", "audit", "sparql"])
def test_every_page_works_on_an_empty_store_with_a_helpful_message(monkeypatch, homes, model_cache, page):
    at = app_test(monkeypatch, homes["empty"], model_cache, None if page == "chat" else page)
    assert not at.exception
    if page != "ingest":
        assert at.info and ("empty" in at.info[0].value or "No answers" in at.info[0].value)


# -- end to end, in a real browser ----------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(homes, model_cache):
    port = _free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")},
           "KGASSIST_MODEL_CACHE": str(model_cache)}
    server = subprocess.Popen([KGASSIST, "--home", str(homes["browser"]), "ui", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"kgassist ui exited: {server.stdout.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":  # the app on loopback
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield url
    os.killpg(server.pid, 15)
    server.wait(20)


@pytest.mark.browser
def test_in_a_browser_a_question_gets_a_cited_answer_whose_citation_opens(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: .ci/install --dev installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed; `bash .ci/install --dev` installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(served + "/")
        box = page.locator('[data-testid="stChatInput"] textarea')
        box.fill(QUESTION)
        box.press("Enter")
        messages = page.get_by_test_id("stChatMessage")
        expect(messages).to_have_count(2, timeout=WAIT_MS)
        # the caption shown once the answer is final, verified and audited
        expect(messages.nth(1)).to_contain_text("answer ", timeout=WAIT_MS)
        expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT_MS)
        messages.nth(1).get_by_role("button", name="F1").click()
        body = page.get_by_test_id("stPopoverBody")
        expect(body).to_contain_text("Metformin")
        expect(body).to_contain_text("characters")
        shot = Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "chat-cited-answer.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 10_000
