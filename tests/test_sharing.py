"""Several processes, one knowledge base on the embedded default: while the app runs on a home it
hosts the store on loopback, and every other kgassist command on that home shares it. Real
processes throughout: `kgassist ui` (Streamlit and `oxigraph serve`), the CLI, the real small model."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kgstore import share

from . import servers

SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"
KGASSIST = str(Path(sys.executable).parent / "kgassist")

pytestmark = pytest.mark.slow


def environment(home: Path, model_cache: Path) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")},
            "KGASSIST_HOME": str(home), "KGASSIST_MODEL_CACHE": str(model_cache)}


def kgassist(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([KGASSIST, *args], env=env, capture_output=True, text=True, timeout=timeout)


def wait_for(check, what: str, process: subprocess.Popen, seconds: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what}: the process exited: {process.stdout.read()[-2000:] if process.stdout else ''}")
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {seconds} s")


def start_app(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = servers.free_port()
    app = subprocess.Popen([KGASSIST, "ui", "--port", str(port), "--no-llm-server"], env=env,  # sharing, not serving
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok"
        except httpx.HTTPError:
            return False

    wait_for(healthy, "kgassist ui", app)
    return app, url


@pytest.fixture(scope="module")
def running(tmp_path_factory, model_cache):
    """A home with the sample corpus, and `kgassist ui` running on it."""
    home = tmp_path_factory.mktemp("shared") / "home"
    env = environment(home, model_cache)
    done = kgassist(env, "ingest", str(SAMPLE / "finance"), str(SAMPLE / "medical"))
    assert done.returncode == 0, done.stderr
    app, url = start_app(env)
    yield home, env, app
    os.killpg(app.pid, signal.SIGTERM)
    app.wait(30)


def test_the_running_app_hosts_the_store_on_loopback(running):
    home, _, app = running
    holder = share.serving(home / "store")
    assert holder is not None and holder.pid == app.pid and holder.url.startswith("http://127.0.0.1:")
    assert "kgassist ui" in holder.command


def test_with_the_app_running_stats_sparql_ask_and_audit_work_from_other_processes(running):
    _, env, _ = running
    stats = kgassist(env, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["store"]["documents"] == 31
    rows = kgassist(env, "sparql", "SELECT DISTINCT ?d WHERE { ?d a kga:Drug } LIMIT 5", "--json")
    assert rows.returncode == 0 and len(json.loads(rows.stdout)["results"]["bindings"]) == 5
    asked = kgassist(env, "ask", "What does lisinopril treat?", "--json")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["found"] and any("hypertension" in f["object_label"].lower() for f in answer["facts"])
    audited = kgassist(env, "audit", answer["id"], "--json")
    assert audited.returncode == 0, audited.stderr
    assert {q["status"] for q in json.loads(audited.stdout)["queries"]} == {"identical"}


def test_with_the_app_running_an_ingest_from_another_process_lands(running, tmp_path):
    _, env, _ = running
    note = tmp_path / "apixaban.md"
    note.write_text("Apixaban is used to treat atrial fibrillation. Apixaban may cause bleeding.\n")
    done = kgassist(env, "ingest", str(note))
    assert done.returncode == 0, done.stderr
    assert "ok 1" in done.stdout
    assert json.loads(kgassist(env, "stats", "--json").stdout)["store"]["documents"] == 32


def test_a_process_holding_the_store_in_process_is_named_at_once(tmp_path, model_cache):
    """Without a host, a command opens the folder itself; another one is told who holds it."""
    env = environment(tmp_path / "home", model_cache)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\n"
                               "from kgstore import Settings, open_store\n"
                               "store = open_store(Settings())\nprint('open', flush=True)\ntime.sleep(600)"],
                              env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        second = kgassist(env, "stats", timeout=60)
        assert second.returncode == 1
        assert f"is open in another process, pid {holder.pid}" in second.stderr and "Traceback" not in second.stderr
        app = subprocess.run([KGASSIST, "ui", "--port", str(servers.free_port())], env=env, capture_output=True,
                             text=True, timeout=60)
        assert app.returncode == 1 and f"pid {holder.pid}" in app.stderr
    finally:
        holder.kill()
        holder.wait()
    assert kgassist(env, "stats").returncode == 0  # released when the holder is gone


def test_the_store_server_ends_with_the_app_even_when_it_is_killed(tmp_path, model_cache):
    home = tmp_path / "home"
    env = environment(home, model_cache)
    assert kgassist(env, "init").returncode == 0
    app, _ = start_app(env)
    holder = share.serving(home / "store")
    assert holder is not None
    server_pid = next(int(p) for p in os.listdir("/proc") if p.isdigit() and _is_store_server(int(p), home))
    os.kill(app.pid, signal.SIGKILL)  # no clean-up code runs in the app's process
    app.wait(10)
    deadline = time.monotonic() + 20
    while share.alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not share.alive(server_pid) or _zombie(server_pid), "oxigraph serve outlived the app"
    assert share.serving(home / "store") is None
    assert kgassist(env, "stats").returncode == 0  # the next command opens the store itself
    shutil.rmtree(home, ignore_errors=True)


def _is_store_server(pid: int, home: Path) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(part.endswith(b"oxigraph") for part in command[:1]) and str(home / "store").encode() in command


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True
