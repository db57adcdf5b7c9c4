"""Access: a read-only mode for the CLI and the UI refuses every change (ingestion, removal, repair,
fine-tuning) and keeps answering; SPARQL endpoint credentials never reach logs, output or audit records."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kgstore import Settings
from kgstore.backends import split_credentials

from . import servers

KGASSIST = str(Path(sys.executable).parent / "kgassist")
SAMPLE = Path(__file__).parents[1] / "ingestion" / "sample"
APP = str(Path(__file__).parents[1] / "ui" / "app.py")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ro")
    shutil.copytree(SAMPLE / "medical", root / "corpus")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    done = subprocess.run([KGASSIST, "--home", str(root / "home"), "ingest", str(root / "corpus"), "--no-vectors"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return root


def kgassist(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    return subprocess.run([KGASSIST, "--home", str(root / "home"), *args], env={**environment, **env},
                          capture_output=True, text=True)


def state(root: Path) -> tuple:
    stats = json.loads(kgassist(root, "stats", "--json").stdout)
    index = sorted(p.name for p in (root / "home").rglob("*.faiss"))
    return stats, index, sorted(p.name for p in (root / "home").glob("finetune/**/*"))


@pytest.mark.parametrize("command", [
    ["ingest", "{corpus}"],
    ["index"],
    ["remove", "{corpus}/metformin.md"],
    ["doctor", "--repair"],
    ["finetune", "kge", "--epochs", "1"],
    ["finetune", "adapter", "--steps", "1"],
    ["init"],
], ids=lambda c: " ".join(c[:2]))
def test_read_only_refuses_every_change_with_a_clear_message_and_changes_nothing(home, command):
    before = state(home)
    args = [a.replace("{corpus}", str(home / "corpus")) for a in command]
    refused = kgassist(home, "--read-only", *args)
    assert refused.returncode == 1 and "read-only" in refused.stderr, refused.stderr
    assert kgassist(home, *args, KGASSIST_READ_ONLY="1").returncode == 1  # the setting does the same
    assert state(home) == before


def test_read_only_still_answers_queries_and_checks(home):
    assert kgassist(home, "--read-only", "stats").returncode == 0
    found = kgassist(home, "--read-only", "sparql", "SELECT ?d WHERE { ?d a kga:Drug } LIMIT 3", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["results"]["bindings"]
    assert kgassist(home, "--read-only", "doctor").returncode == 0
    assert kgassist(home, "--read-only", "audit", "--verify").returncode == 0


@pytest.mark.slow
def test_the_ui_in_read_only_mode_offers_no_ingestion(monkeypatch, home, model_cache):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KGASSIST_HOME", str(home / "home"))
    monkeypatch.setenv("KGASSIST_MODEL_CACHE", str(model_cache))
    monkeypatch.setenv("KGASSIST_READ_ONLY", "1")
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    at.switch_page("views/ingest.py").run()
    assert not at.exception, at.exception
    assert any("read-only" in i.value for i in at.info)
    assert not at.get("file_uploader") and not at.button


def test_credentials_in_an_endpoint_url_are_moved_out_of_it():
    assert split_credentials("http://ana:p%40ss@127.0.0.1:7878/query") == ("http://127.0.0.1:7878/query", "ana", "p@ss")
    assert split_credentials("https://host/sparql") == ("https://host/sparql", "", "")
    public = Settings(store_url="http://ana:pw@h:1/query", store_password="pw2", llm_api_key="k3").public_dict()
    assert not {"pw", "pw2", "k3"} & set(json.dumps(public).replace('"', " ").replace(":", " ").replace("@", " ").split())


SECRETS = {"url": "Url-Secret-9f3a", "env": "Env-Secret-4c1d", "key": "Api-Key-7b2e"}


@pytest.mark.slow
def test_endpoint_credentials_never_appear_in_logs_output_or_audit_records(tmp_path, model_cache):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "acme.txt").write_text("Acme Corp. reported revenue of $10.0 billion for fiscal year 2023.\n")
    with servers.oxigraph_server() as base:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")},
               "KGASSIST_HOME": str(tmp_path / "home"), "KGASSIST_MODEL_CACHE": str(model_cache),
               "KGASSIST_STORE_URL": base.replace("http://", f"http://analyst:{SECRETS['url']}@") + "/query",
               "KGASSIST_STORE_PASSWORD": SECRETS["env"], "KGASSIST_LLM_API_KEY": SECRETS["key"]}
        logged = ("import logging, sys; logging.basicConfig(level=logging.DEBUG); "
                  "from assistant.cli import cli; cli(sys.argv[1:], prog_name='kgassist')")
        outputs = []
        for args in (["init"], ["ingest", str(corpus)], ["stats", "--json"],
                     ["ask", "What was Acme's revenue in fiscal year 2023?", "--json"], ["doctor"],
                     ["audit", "--list"], ["--debug", "sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 99999"]):
            done = subprocess.run([sys.executable, "-c", logged, *args], env=env, capture_output=True, text=True)
            outputs.append(done.stdout + done.stderr)
            assert args[0] in {"--debug"} or done.returncode == 0, done.stderr
        assert "HTTP Request: POST http://127.0.0.1" in "\n".join(outputs)  # httpx logged every request, unredacted
    database = "\n".join(sqlite3.connect(tmp_path / "home" / "kgassist.db").iterdump())
    assert "Acme" in database and "analyst:***@" in database  # the answer and its (redacted) settings are there
    for where, text in [("output and logs", "\n".join(outputs)), ("database", database)]:
        for name, secret in SECRETS.items():
            assert secret not in text, f"the {name} secret leaked into the {where}"
