"""A generated corpus of hostile and broken files: each gets a clear error of its own, the rest lands,
nothing is half-stored, and memory stays bounded (limits in settings)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion import loaders

from bench.hostile import MB, bomb_pdf, write_bad_corpus
from .helpers import KGASSIST

#: the limits the run below sets, and the peak memory the whole `kgassist ingest` process may reach
LIMITS = {"KGASSIST_MAX_FILE_MB": "64", "KGASSIST_MAX_INFLATED_MB": "128", "KGASSIST_MAX_TEXT_CHARS": "8000000"}
PEAK_RSS_MB = 1500

_MEASURED = """import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))"""


def measured(*args: str, env: dict) -> dict:
    """Run kgassist in a child process and report its exit code, output and peak resident memory."""
    out = subprocess.run([sys.executable, "-c", _MEASURED, KGASSIST, *args], env=env, capture_output=True, text=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> tuple[Path, dict[str, str | None]]:
    folder = tmp_path_factory.mktemp("bad")
    return folder, write_bad_corpus(folder, huge_mb=64, bomb_mb=1024)


@pytest.mark.slow
def test_every_bad_file_gets_its_own_clear_error_and_the_rest_lands_in_bounded_memory(bad, tmp_path):
    folder, expected = bad
    env = {**os.environ, "KGASSIST_HOME": str(tmp_path / "home"), **LIMITS}
    run = measured("ingest", str(folder), "--json", "--no-vectors", env=env)  # vectors: not the loaders' concern
    assert run["rc"] == 0, run["stderr"]
    report = json.loads(run["stdout"])
    errors = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(errors) == {name for name, reason in expected.items() if reason}
    for name, error in errors.items():
        assert expected[name] in error, (name, error)
    assert report["ok"] == sum(reason is None for reason in expected.values())
    assert run["peak_mb"] < PEAK_RSS_MB, f"peak memory {run['peak_mb']:.0f} MB with a 1 GB decompression bomb"
    doctor = subprocess.run([KGASSIST, "doctor", "--json"], env=env, capture_output=True, text=True)
    assert doctor.returncode == 0 and json.loads(doctor.stdout)["documents"] == report["ok"]
    again = json.loads(subprocess.run([KGASSIST, "ingest", str(folder), "--json", "--no-vectors"], env=env, capture_output=True,
                                      text=True).stdout)
    assert again["skipped"] == report["ok"] and len(again["failed"]) == len(errors)  # nothing lost, nothing new


def test_scripts_in_html_never_reach_the_text(bad):
    folder, _ = bad
    text = loaders.load(folder / "script.html").text
    assert text == "Lisinopril treats hypertension." and "ignore previous" not in text


def test_utf16_with_a_byte_order_mark_is_read(bad):
    folder, _ = bad
    assert loaders.load(folder / "utf16.txt").text.startswith("Metformin treats type 2 diabetes.")


def test_a_text_limit_refuses_documents_that_would_extract_too_much(bad):
    folder, _ = bad
    with pytest.raises(loaders.LoadError, match="KGASSIST_MAX_TEXT_CHARS"):
        loaders.load(folder / "long-line.txt", loaders.Limits(text_chars=500_000))


def test_a_bomb_is_refused_before_any_pdf_library_inflates_it(tmp_path):
    path = bomb_pdf(tmp_path / "bomb.pdf", inflated_mb=64)
    with pytest.raises(loaders.LoadError, match="decompression bomb"):
        loaders.load(path, loaders.Limits(inflated_bytes=16 * MB))
    assert "A" in loaders.load(path, loaders.Limits(inflated_bytes=None, text_chars=None)).text  # a real PDF
