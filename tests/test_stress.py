"""bench/stress.py end to end at a small scale: load on loopback, then every fault, nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_the_stress_benchmark_holds_load_and_survives_every_fault(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    done = subprocess.run([sys.executable, "-m", "bench.stress", "--clients", "2", "--phase-s", "4", "--copies", "1",
                           "--seeds", "1", "--out", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "stress.json").read_text())
    phases = {p["phase"]: p for p in result["load"]["phases"]}
    assert phases["idle"]["answers"] > 0 and phases["idle"]["errors"] == 0
    assert phases["ingesting"]["answers"] > 0  # questions kept being answered while the batch ingested
    assert phases["recovered"]["answers"] > 0  # and again after the endpoint came back
    assert result["load"]["doctor_consistent"] and result["load"]["audit"]["intact"]
    for fault in result["faults"]:
        assert fault["survived"] == fault["trials"] and fault["lost"] == 0, fault
    assert (tmp_path / "stress.md").read_text().count("|") > 20
