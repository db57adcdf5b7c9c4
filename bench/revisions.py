"""Deterministic ingestion of the FinanceBench PDFs at several git revisions, side by side in one run.

Each revision is checked out into a temporary worktree and ingested (`kgassist ingest --no-vectors`'s
path: load, chunk, extract, resolve, store, database) into a fresh home by this environment's Python,
in rounds that alternate the revisions, so that machine noise falls on all of them alike.

    .venv/bin/python -m bench.revisions 8e1f54d HEAD --rounds 2

Writes bench/results/revisions.{json,md}: per revision the median seconds, pages/s and triples.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import write_results
from bench.ingest import data_dir

_RUN = """
import json, sys, tempfile, time
from pathlib import Path
from kgstore import Settings
from assistant.home import Home
kb = Home(Settings(home=Path(tempfile.mkdtemp())))
kb.init_if_needed()
pipeline = kb.pipeline(vectors=False)
started = time.perf_counter()
report = pipeline.ingest([Path(sys.argv[1])])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "pages": report.pages, "documents": report.ok, "triples": report.triples,
                  "timings": report.timings}))
"""


def _worktree(revision: str, root: Path) -> tuple[str, Path]:
    commit = subprocess.run(["git", "rev-parse", "--short", revision], check=True, capture_output=True,
                            text=True).stdout.strip()
    folder = root / commit
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(folder), commit], check=True)
    return commit, folder


def _ingest(folder: Path, pdfs: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KGASSIST_")}
    done = subprocess.run([sys.executable, "-c", _RUN, str(pdfs)], cwd=folder, env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="+", help="git revisions to compare (e.g. 8e1f54d HEAD)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data", help="Folder with financebench/ (default ../shared/data or $KGASSIST_DATA).")
    args = parser.parse_args()
    pdfs = data_dir(args.data) / "financebench" / "pdfs"
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = [_worktree(r, Path(tmp)) for r in args.revisions]
        try:
            for round_ in range(args.rounds):
                for commit, folder in trees:
                    runs.setdefault(commit, []).append(_ingest(folder, pdfs))
                    print(f"round {round_ + 1} {commit}: {runs[commit][-1]['seconds']:.1f} s", flush=True)
        finally:
            for _, folder in trees:
                subprocess.run(["git", "worktree", "remove", "--force", str(folder)], check=False)
    rows = {}
    for commit, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        rows[commit] = {"seconds": round(seconds, 1), "runs": [round(r["seconds"], 1) for r in results],
                        "pages": results[0]["pages"], "documents": results[0]["documents"],
                        "pages_per_s": round(results[0]["pages"] / seconds, 1), "triples": results[0]["triples"],
                        "stages": {k: round(statistics.median(r["timings"].get(k, 0) for r in results), 1)
                                   for k in results[0]["timings"]}}
    first = next(iter(rows.values()))["seconds"]
    lines = [f"Deterministic ingestion (`kgassist ingest --no-vectors`'s path) of the {rows[next(iter(rows))]['documents']} "
             f"FinanceBench PDFs at each revision, side by side in one run ({args.rounds} rounds, alternating), one "
             f"process, {os.cpu_count()} CPU cores. Reproduce with `.venv/bin/python -m bench.revisions {' '.join(args.revisions)} "
             f"--rounds {args.rounds}`.", "",
             "| revision | median s | runs | pages/s | vs first | triples | stages (median s) |",
             "|---|---:|---|---:|---:|---:|---|"]
    for commit, row in rows.items():
        stages = ", ".join(f"{k} {v}" for k, v in row["stages"].items())
        lines.append(f"| {commit} | {row['seconds']} | {', '.join(map(str, row['runs']))} | {row['pages_per_s']} | "
                     f"{first / row['seconds']:.2f}× | {row['triples']:,} | {stages} |")
    write_results("revisions", {"revisions": rows, "rounds": args.rounds}, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
