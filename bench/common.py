"""Helpers shared by the benchmarks: timing summaries, machine description, result files."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import datetime, timezone
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/mean of durations, in milliseconds."""
    ordered = sorted(samples_s)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"p50_ms": round(statistics.median(ordered) * 1000, 4), "p95_ms": round(pick(0.95), 4),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 4)}


def machine() -> dict[str, object]:
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "processor": platform.processor() or platform.machine(), "cpu": _cpu_model()}


def _cpu_model() -> str:
    """The CPU's name and the vector extensions that decide vLLM's CPU kernels (AVX2, AVX-512, AMX)."""
    from assistant.llm.serve import cpu_flags

    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.machine()
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")),
                platform.machine())
    flags = cpu_flags()
    extensions = [label for flag, label in (("avx2", "AVX2"), ("avx512f", "AVX-512"), ("amx_bf16", "AMX")) if flag in flags]
    return f"{name} ({', '.join(extensions)})" if extensions else name


def write_results(name: str, data: dict, table: str, folder: Path = RESULTS) -> Path:
    """Write <folder>/<name>.json and <name>.md (default bench/results); returns the markdown path."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"benchmark": name, "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(), **data}
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    md = folder / f"{name}.md"
    md.write_text(table + "\n")
    return md
