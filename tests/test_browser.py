"""The first run, as README says and a user sees it: `kgassist quickstart` on a fresh home, then
every page of the app in headless Chromium. No page may show an error, the browser may reach no
host but loopback, and a question gets an answer whose citation opens. Screenshots of each page go
to $SCREENSHOT_DIR (docs/img/ when refreshed by hand) or the test's temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from . import servers

KGASSIST = str(Path(sys.executable).parent / "kgassist")
QUESTION = "What are the side effects of metformin?"
WAIT_MS = 300_000  # the first answer also loads the models on CPU
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory, model_cache):
    """README's first command's main job, on a fresh home: init, ingest the sample corpus, serve the app."""
    if not Path("/usr/bin/chromium").exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser test: .ci/install --dev installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed; `bash .ci/install --dev` installs it")
    home = tmp_path_factory.mktemp("first-run") / ".kgassist"
    port = servers.free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")},
           "KGASSIST_MODEL_CACHE": str(model_cache)}
    process = subprocess.Popen([KGASSIST, "--home", str(home), "quickstart", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 480  # ingestion, then (where it is the default) vLLM's server, then the app
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kgassist quickstart exited: {process.stdout.read()[-3000:]}")
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        pytest.fail("the app did not come up within 480 s")
    yield url, home
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                                           "--disable-background-networking", "--disable-component-update",
                                           "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


class Visit:
    """A browser page on the app that records every request to a host other than loopback."""

    def __init__(self, browser, url: str, shots: Path):  # noqa: ANN001
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.outside: list[str] = []
        self.page.on("request", self._seen)
        self.url, self.shots = url, shots

    def _seen(self, request) -> None:  # noqa: ANN001
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOOPBACK:
            self.outside.append(request.url)

    def open(self, path: str = "/") -> None:
        from playwright.sync_api import expect

        self.page.goto(self.url + path)
        expect(self.page.get_by_test_id("stApp")).to_be_visible()
        self.settled()

    def settled(self) -> None:
        """The script run is over: no running indicator, then no exception or error box shown."""
        from playwright.sync_api import expect

        deadline, idle = time.monotonic() + WAIT_MS / 1000, 0
        while idle < 4 and time.monotonic() < deadline:  # the running indicator gone for 2 s in a row
            self.page.wait_for_timeout(500)
            idle = idle + 1 if self.page.get_by_test_id("stStatusWidget").count() == 0 else 0
        expect(self.page.get_by_test_id("stHeading").first).to_be_visible(timeout=WAIT_MS)
        errors = self.page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
        assert errors.count() == 0, errors.all_inner_texts()

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))


def test_after_quickstart_a_question_is_answered_and_its_citation_opens(quickstart, browser, shots):
    from playwright.sync_api import expect

    url, _ = quickstart
    visit = Visit(browser, url, shots)
    visit.open("/")
    expect(visit.page.get_by_test_id("stAppDeployButton")).to_have_count(0)  # a product, not a dev server
    visit.shot("chat-empty")
    box = visit.page.locator('[data-testid="stChatInput"] textarea')
    box.fill(QUESTION)
    box.press("Enter")
    messages = visit.page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(2, timeout=WAIT_MS)
    expect(messages.nth(1)).to_contain_text("answer ", timeout=WAIT_MS)  # the caption of a final, audited answer
    visit.settled()
    # the answer opens with the graph's facts; model text no source supports is only collapsed below
    expect(messages.nth(1).get_by_test_id("stMarkdownContainer").filter(has_text="[F1]").first).to_be_visible()
    unsupported = messages.nth(1).get_by_test_id("stExpander").filter(has_text="Model text that no source supports")
    for i in range(unsupported.count()):
        expect(unsupported.nth(i).locator("details")).not_to_have_attribute("open", "")
    chip = messages.nth(1).get_by_role("button", name="F1")
    chip.click()
    body = visit.page.get_by_test_id("stPopoverBody")
    expect(body).to_contain_text("metformin", ignore_case=True)
    expect(body).not_to_contain_text("w3id.org")  # the source by its name, not its IRI
    visit.shot("chat-cited-answer")
    assert visit.outside == [], visit.outside


@pytest.mark.parametrize(("path", "name"), [("/explore", "explore"), ("/ingest", "ingest"), ("/audit", "audit"),
                                            ("/sparql", "sparql")])
def test_after_quickstart_every_page_renders_without_an_error(quickstart, browser, shots, path, name):
    from playwright.sync_api import expect

    url, _ = quickstart
    visit = Visit(browser, url, shots)
    visit.open(path)
    page = visit.page
    if name == "explore":
        field = page.get_by_test_id("stTextInput").locator("input").first
        field.fill("metformin")
        field.press("Enter")
        visit.settled()
        expect(page.get_by_test_id("stHeading").filter(has_text="metformin").first).to_be_visible()
        expect(page.locator('[data-testid="stGraphVizChart"] svg').first).to_be_visible()
        assert "w3id.org" not in page.get_by_test_id("stMain").inner_text()
    elif name == "sparql":
        page.get_by_role("button", name="Run").click()
        visit.settled()
        expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    elif name == "audit":
        expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    visit.shot(name)
    assert visit.outside == [], visit.outside
