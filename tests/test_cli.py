"""The `kgassist` command line as a user runs it: commands in-process through click's runner, and
the installed console script once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kgstore.db.database import head_revision

from . import servers
from .helpers import kgassist

KGASSIST = str(Path(sys.executable).parent / "kgassist")


run = kgassist  # in-process; test_the_console_script_runs_as_installed runs the real one


def test_init_then_stats_prints_counts(tmp_path):
    init = run("init")
    assert init.returncode == 0, init.stderr
    assert "embedded Oxigraph" in init.stdout and f"schema {head_revision()}" in init.stdout
    stats = run("stats")
    assert stats.returncode == 0, stats.stderr
    assert "quads" in stats.stdout and "documents" in stats.stdout
    as_json = json.loads(run("stats", "--json").stdout)
    assert as_json["store"]["quads"] > 100 and as_json["database"]["answers"] == 0
    assert (tmp_path / ".kgassist" / "store").is_dir() and (tmp_path / ".kgassist" / "kgassist.db").is_file()


def test_sparql_answers_a_select_as_table_and_as_results_json():
    run("init")
    query = "SELECT ?label WHERE { kga:Drug rdfs:label ?label }"
    table = run("sparql", query)
    assert table.returncode == 0, table.stderr
    assert "drug" in table.stdout and "(1 row)" in table.stdout
    results = json.loads(run("sparql", query, "--json").stdout)
    assert results["head"]["vars"] == ["label"]
    assert results["results"]["bindings"] == [{"label": {"type": "literal", "value": "drug"}}]
    assert run("sparql", "-", input="ASK { kga:Drug a owl:Class }").stdout.strip() == "yes"


@pytest.mark.parametrize("query", ["DELETE WHERE { ?s ?p ?o }", "CLEAR ALL", "LOAD <http://example.org/x>",
                                   "INSERT DATA { <urn:a> <urn:b> <urn:c> }"])
def test_sparql_refuses_updates_without_a_traceback_and_changes_nothing(query):
    run("init")
    before = run("stats", "--json").stdout
    refused = run("sparql", query)
    assert refused.returncode == 1
    assert "update refused" in refused.stderr and "Traceback" not in refused.stderr
    assert run("stats", "--json").stdout == before


def test_sparql_refuses_service_calls():
    run("init")
    refused = run("sparql", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert refused.returncode == 1 and "SERVICE refused" in refused.stderr


def test_bad_usage_exits_with_2():
    assert run("sparql").returncode == 2
    assert run("no-such-command").returncode == 2


@pytest.mark.endpoint
def test_the_cli_works_against_a_sparql_endpoint(tmp_path):
    with servers.oxigraph_server(tmp_path / "served") as base:
        env = {"KGASSIST_STORE_URL": f"{base}/query"}
        init = run("init", env=env)
        assert init.returncode == 0, init.stderr
        assert "SPARQL endpoint" in init.stdout
        answer = run("sparql", "SELECT ?l WHERE { kga:Disease rdfs:label ?l }", "--json", env=env)
        assert json.loads(answer.stdout)["results"]["bindings"][0]["l"]["value"] == "disease"
        assert run("sparql", "DROP ALL", env=env).returncode == 1
        assert json.loads(run("stats", "--json", env=env).stdout)["store"]["graphs"] == 1


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_ask_refuses_empty_and_over_long_questions_with_exit_2_and_audits_nothing(question):
    from click.testing import CliRunner

    from assistant.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    refused = runner.invoke(cli, ["ask", question])
    assert refused.exit_code == 2
    assert ("question is empty" in refused.output) or ("limit is 2,000" in refused.output
                                                        and "KGASSIST_MAX_QUESTION_CHARS" in refused.output)
    assert json.loads(runner.invoke(cli, ["stats", "--json"]).output)["database"]["answers"] == 0


def test_the_question_limit_is_a_setting():
    from click.testing import CliRunner

    from assistant.cli import cli

    refused = CliRunner().invoke(cli, ["ask", "x" * 30], env={"KGASSIST_MAX_QUESTION_CHARS": "20"})
    assert refused.exit_code == 2 and "limit is 20" in refused.output


def test_ingest_without_a_terminal_prints_progress_lines(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(25):
        (corpus / f"note{i:02}.txt").write_text(f"Note {i}: metformin is used to treat type 2 diabetes.\n")
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    done = run("ingest", str(corpus), "--no-vectors")  # stderr is a pipe here, as in logs and CI
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0] == "ingesting 26 files"
    assert any(line.startswith("ingesting: 10/26 files done") for line in lines), lines
    assert any(line.startswith("ingesting: 20/26 files done") for line in lines), lines
    assert any("failed: " in line and "broken.pdf" in line for line in lines), lines
    assert "ok 25, skipped 0, failed 1" in done.stdout


def test_the_console_script_runs_as_installed():
    assert subprocess.run([KGASSIST, "init"], capture_output=True, timeout=120).returncode == 0
    done = subprocess.run([KGASSIST, "sparql", "ASK { kga:Drug a owl:Class }"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "yes", done.stderr
    assert subprocess.run([KGASSIST, "--help"], capture_output=True, text=True).stdout.startswith("Usage: kgassist")
