"""Stress and fault injection: sustained mixed load on loopback, then faults, each counted.

    .venv/bin/python -m bench.stress [--clients 3] [--phase-s 30] [--copies 3] [--seeds 5]

Load: `oxigraph serve` on loopback holds the store, SQLite (WAL) the database. Client processes
ask the sample questions in a loop (linking, SPARQL, hybrid retrieval, verification and a sealed
audit record per answer; no text generation, whose CPU cost bench.qa measures) through phases:
idle, while a batch ingests, across an endpoint outage (server stopped and restarted), and after
one client is killed -9 mid-run. Faults: kill -9 of ingestion and of fine-tuning at seeded random
points, lost index and graph, audit tampering, and the hostile-file corpus. Writes
bench/results/stress.json and stress.md.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from .common import RESULTS, percentiles, write_results

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "ingestion" / "sample"
BIN = Path(sys.executable).parent
KGASSIST = str(BIN / "kgassist")
QUESTIONS = ["What are the side effects of metformin?", "Who is the CEO of Amazon.com?",
             "What was Alphabet's revenue in fiscal year 2023?", "Does warfarin interact with aspirin?",
             "What does lisinopril treat?", "Where is Intel headquartered?", "What is the ticker symbol of Pfizer?",
             "Which company owns Mobileye?", "What is metformin contraindicated in?", "What drug class is atorvastatin?",
             "What was Microsoft's revenue in fiscal year 2023?", "What is the dosage of metformin?"]


# -- load ------------------------------------------------------------------------------------------------------
def client(number: int, env: dict[str, str], stop: str, out: str, most: int) -> None:
    """One client process: ask, record the answer in the audit trail, repeat; every outcome timestamped."""
    os.environ.update(env)
    import torch

    torch.set_num_threads(1)
    from assistant import audit
    from assistant.home import Home
    from kgstore import Settings

    settings = Settings(read_only=True)
    home = Home(settings, migrate=False)
    db, assistant = home.db, home.assistant()
    Path(out + ".ready").touch()
    samples, errors, i, parent = [], [], number, os.getppid()
    while not os.path.exists(stop) and len(samples) + len(errors) < most and os.getppid() == parent:
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        started = time.time()
        try:
            answer = assistant.ask(question, generate=False, verdict=False)
            audit.save(db, answer, settings.public_dict())
            samples.append((started, time.time() - started, answer.found))
        except Exception as error:  # noqa: BLE001 - counted, and the client carries on
            errors.append((started, f"{error.__class__.__name__}: {str(error)[:120]}"))
            time.sleep(0.2)
        Path(out).write_text(json.dumps({"samples": samples, "errors": errors}))


class Server:
    """`oxigraph serve` on a fixed loopback port and folder, so it can be stopped and started again."""

    def __init__(self, location: Path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.location, self.process = location, None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(self.location), "--bind",
                                         f"127.0.0.1:{self.port}", "--union-default-graph"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                if httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


def load(work: Path, clients: int, phase_s: float, copies: int) -> dict:
    server = Server(work / "oxigraph")
    server.start()
    env = {**os.environ, "KGASSIST_HOME": str(work / "home"), "KGASSIST_STORE_URL": f"{server.url}/query"}
    corpus = work / "corpus"
    for i in range(copies + 1):
        shutil.copytree(SAMPLE, corpus / f"copy{i}", ignore=shutil.ignore_patterns("README.md"))
    subprocess.run([KGASSIST, "ingest", str(corpus / "copy0")], env=env, check=True, capture_output=True)
    stop = work / "stop"
    context = multiprocessing.get_context("spawn")
    outs = [str(work / f"client{i}.json") for i in range(clients)]
    procs = [context.Process(target=client, args=(i, {k: v for k, v in env.items() if k.startswith("KGASSIST_")},
                                                  str(stop), outs[i], 100_000)) for i in range(clients)]
    for p in procs:
        p.start()
    while not all(os.path.exists(o + ".ready") for o in outs):
        time.sleep(0.2)
    marks = {"idle": time.time()}
    time.sleep(phase_s)
    marks["ingesting"] = time.time()
    writer = subprocess.Popen([KGASSIST, "ingest", *[str(corpus / f"copy{i}") for i in range(1, copies + 1)], "--json"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    written, _ = writer.communicate(timeout=1800)
    marks["after ingest"] = time.time()
    time.sleep(phase_s / 2)
    marks["endpoint outage"] = time.time()
    server.stop()
    time.sleep(3)
    server.start()
    marks["recovered"] = time.time()
    time.sleep(phase_s / 2)
    marks["one client killed"] = time.time()
    os.kill(procs[0].pid, signal.SIGKILL)
    time.sleep(phase_s / 2)
    marks["end"] = time.time()
    stop.touch()
    for p in procs:
        p.join(120)
    results = [json.loads(Path(o).read_text()) if Path(o).exists() else {"samples": [], "errors": []} for o in outs]
    phases = []
    names = list(marks)
    for name, start, end in zip(names, [marks[n] for n in names], [marks[n] for n in names[1:]]):
        lat = [s[1] for r in results for s in r["samples"] if start <= s[0] < end]
        errs = [e[1] for r in results for e in r["errors"] if start <= e[0] < end]
        phases.append({"phase": name, "seconds": round(end - start, 1), "answers": len(lat),
                       "qps": round(len(lat) / (end - start), 2), **(percentiles(lat) if lat else {}),
                       "errors": len(errs), "error_kinds": sorted({e.split(":")[0] for e in errs})})
    report = json.loads(written) if writer.returncode == 0 else {"error": writer.stderr[-500:]}
    doctor = subprocess.run([KGASSIST, "doctor", "--json"], env=env, capture_output=True, text=True)
    checkup = json.loads(doctor.stdout)
    server.stop()
    return {"clients": clients, "phases": phases, "ingest": {k: report.get(k) for k in ("ok", "failed", "seconds")},
            "ingest_docs_per_s": round(report.get("ok", 0) / max(report.get("seconds") or 1, 1e-9), 2),
            "doctor_consistent": checkup["consistent"], "audit": checkup["audit"]}


# -- faults ----------------------------------------------------------------------------------------------------
def _run(*args: str, env: dict, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([KGASSIST, *args], env=env, capture_output=True, text=True, timeout=timeout)


def _kill_after(command: list[str], env: dict, seconds: float) -> bool:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(seconds)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def _graph_sizes(home: Path) -> dict[str, int]:
    from assistant.home import Home
    from kgstore import Settings

    with Home(Settings(home=home)) as kb:  # closed, so that the next process can open the store
        return {str(g): n for g, n in kb.store.graph_sizes().items()}


def ingest_kills(work: Path, seeds: int) -> dict:
    corpus = work / "kcorpus"
    for i in range(2):
        shutil.copytree(SAMPLE, corpus / f"copy{i}", ignore=shutil.ignore_patterns("README.md"))
    small = {**os.environ, "KGASSIST_INGEST_BATCH_DOCS": "4"}  # many commits: kills land between and inside them
    clean = {**small, "KGASSIST_HOME": str(work / "kclean")}
    started = time.monotonic()
    _run("ingest", str(corpus), env=clean)
    duration, expected = time.monotonic() - started, _graph_sizes(work / "kclean")
    killed, survived, lost, drift = 0, 0, 0, []
    for seed in range(1, seeds + 1):
        env = {**small, "KGASSIST_HOME": str(work / f"k{seed}")}
        killed += _kill_after([KGASSIST, "ingest", str(corpus)], env, random.Random(seed).uniform(0.1, 0.95) * duration)
        if (work / f"k{seed}" / "kgassist.db").exists():
            found = _run("doctor", "--json", env=env)
            drift += [d["kind"] for d in json.loads(found.stdout)["drift"]] if found.stdout else []
            _run("doctor", "--repair", env=env)
        _run("ingest", str(corpus), env=env)
        sizes = _graph_sizes(work / f"k{seed}")
        lost += len(set(expected) - set(sizes)) + sum(sizes.get(g) != n for g, n in expected.items() if g in sizes)
        survived += sizes == expected and _run("doctor", env=env).returncode == 0
    return {"fault": "kill -9 during ingestion (random point, seeded)", "trials": seeds, "killed mid-run": killed,
            "survived": survived, "lost": lost, "notes": f"drift seen before repair: {sorted(set(drift)) or 'none'}"}


def finetune_kills(work: Path, seeds: int) -> dict:
    from finetune import export
    from finetune.kge import TrainedKGE
    from kgstore import KGAssistError

    folder = export.write(export.split(export.sibling_groups(groups=12, size=10), seed=0), work / "ftriples", source="stress",
                          seed=0)
    env = {**os.environ, "KGASSIST_HOME": str(work / "fhome")}
    command = [KGASSIST, "finetune", "kge", "--triples", str(folder), "--model", "distmult", "--dim", "256",
               "--epochs", "120", "--negatives", "0"]
    started = time.monotonic()
    subprocess.run([*command, "--out", str(work / "ffull")], env=env, capture_output=True, check=True)
    duration = time.monotonic() - started
    outcomes, survived = [], 0
    for seed in range(1, seeds + 1):
        out = work / f"f{seed}"
        _kill_after([*command, "--out", str(out)], env, random.Random(seed).uniform(0.3, 1.0) * duration)
        try:
            trained = TrainedKGE.load(out)
            outcomes.append("partial" if trained.metrics.get("partial") else "complete")
            ok = trained.model.entity_vectors().shape[0] == len(trained.entities)
        except KGAssistError:
            outcomes.append("none yet")
            ok = True
        again = subprocess.run([*command, "--out", str(out)], env=env, capture_output=True)
        survived += ok and again.returncode == 0 and not TrainedKGE.load(out).metrics.get("partial")
    return {"fault": "kill -9 during KGE fine-tuning (random point, seeded)", "trials": seeds, "survived": survived,
            "lost": 0, "notes": "checkpoint found after the kill: " + ", ".join(outcomes)}


def repairs(work: Path) -> list[dict]:
    env = {**os.environ, "KGASSIST_HOME": str(work / "rhome")}
    _run("ingest", str(SAMPLE), env=env)
    rows = []
    for name, damage in [("FAISS index file deleted", lambda: [f.unlink() for f in (work / "rhome" / "index").glob("*")]),
                         ("document graph dropped from the store", lambda: _drop_graph(work / "rhome")),
                         ("document left pending (crash between writes)", lambda: _sql(
                             work / "rhome", "UPDATE documents SET status = 'pending' WHERE id = 2"))]:
        damage()
        found = _run("doctor", env=env).returncode == 1
        fixed = _run("doctor", "--repair", env=env).returncode == 0
        rows.append({"fault": name, "trials": 1, "survived": int(found and fixed), "lost": 0,
                     "notes": f"doctor detected: {found}; repaired: {fixed}"})
    return rows


def _drop_graph(home: Path) -> None:
    from rdflib import URIRef

    from assistant.home import Home
    from kgstore import Settings

    with Home(Settings(home=home)) as kb:
        kb.store.remove_document(URIRef(next(iter(kb.store.documents()))))


def _sql(home: Path, *statements: str) -> None:
    with sqlite3.connect(home / "kgassist.db") as c:
        for s in statements:
            c.execute(s)


def tampering(work: Path, stressed_db: Path) -> dict:
    attacks = {"edit": ["UPDATE answers SET answer = 'rewritten' WHERE seq = 2"],
               "delete": ["DELETE FROM answers WHERE seq = 3"],
               "reorder": ["UPDATE answers SET seq = -1 WHERE seq = 2", "UPDATE answers SET seq = 2 WHERE seq = 4",
                           "UPDATE answers SET seq = 4 WHERE seq = -1"]}
    detected = []
    for name, statements in attacks.items():
        home = work / f"t{name}"
        home.mkdir()
        shutil.copy(stressed_db, home / "kgassist.db")
        triggers = [f"DROP TRIGGER IF EXISTS {t}_no_{e}" for t in ("answers",) for e in ("update", "delete")]
        _sql(home, *triggers, *statements)
        if _run("audit", "--verify", env={**os.environ, "KGASSIST_HOME": str(home)}).returncode == 1:
            detected.append(name)
    return {"fault": "audit records tampered in the SQLite file (edit, delete, reorder)", "trials": len(attacks),
            "survived": len(detected), "lost": 0, "notes": f"detected by `audit --verify`: {', '.join(detected)}"}


def bad_inputs(work: Path) -> dict:
    from bench.hostile import write_bad_corpus

    expected = write_bad_corpus(work / "bad", huge_mb=64, bomb_mb=1024)
    env = {**os.environ, "KGASSIST_HOME": str(work / "bhome"), "KGASSIST_MAX_FILE_MB": "64",
           "KGASSIST_MAX_INFLATED_MB": "128"}
    report = json.loads(_run("ingest", str(work / "bad"), "--json", "--no-vectors", env=env).stdout)
    failed = {Path(f["path"]).name for f in report["failed"]}
    right = sum((name in failed) == (reason is not None) for name, reason in expected.items())
    good = sum(reason is None for reason in expected.values())
    return {"fault": "hostile and broken files (bombs, huge, binary, encodings, long lines, scripts, ragged CSV)",
            "trials": len(expected), "survived": right, "lost": good - report["ok"],
            "notes": f"{len(failed)} refused with a reason each, {report['ok']} of {good} readable ones ingested"}


# -- report ----------------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--phase-s", type=float, default=30.0)
    parser.add_argument("--copies", type=int, default=3, help="sample-corpus copies ingested under load")
    parser.add_argument("--seeds", type=int, default=5, help="kill -9 trials per kind")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for stress.json and stress.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kgassist-stress-"))
    try:
        loaded = load(work, args.clients, args.phase_s, args.copies)
        faults = [ingest_kills(work, args.seeds), finetune_kills(work, args.seeds), *repairs(work),
                  tampering(work, work / "home" / "kgassist.db"), bad_inputs(work)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = [f"## Load ({args.clients} client processes on loopback, `oxigraph serve` + SQLite WAL; "
             "no text generation)", "",
             "| phase | seconds | answers | questions/s | p50 ms | p95 ms | errors |", "|---|---:|---:|---:|---:|---:|---:|"]
    for p in loaded["phases"]:
        lines.append(f"| {p['phase']} | {p['seconds']} | {p['answers']} | {p['qps']} | {p.get('p50_ms', 0):.0f} | "
                     f"{p.get('p95_ms', 0):.0f} | {p['errors']} {', '.join(p['error_kinds'])} |")
    lines += ["", f"Ingest under load: {loaded['ingest']['ok']} documents in {loaded['ingest']['seconds']} s; "
              f"doctor consistent afterwards: {loaded['doctor_consistent']}; audit chain intact: "
              f"{loaded['audit']['intact']} ({loaded['audit']['records']} records written concurrently).", "",
              "## Faults", "", "| fault | trials | survived | lost | notes |", "|---|---:|---:|---:|---|"]
    lines += [f"| {f['fault']} | {f['trials']} | {f['survived']} | {f['lost']} | {f['notes']} |" for f in faults]
    md = write_results("stress", {"args": {**vars(args), "out": str(args.out)}, "load": loaded, "faults": faults},
                       "\n".join(lines), args.out)
    print(md.read_text())


if __name__ == "__main__":
    main()
