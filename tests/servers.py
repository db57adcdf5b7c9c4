"""Real servers for tests, started on free loopback ports and stopped afterwards."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from kgstore.share import free_port  # noqa: F401 - the one free-port helper, re-exported for the tests


def oxigraph_binary() -> str | None:
    """The `oxigraph` server binary kgstore.share runs, or None when it is not installed."""
    from kgstore import share
    from kgstore.errors import StoreError

    try:
        return share.oxigraph_binary()
    except StoreError:
        return None


@contextmanager
def oxigraph_server(location: Path | None = None) -> Iterator[str]:
    """`oxigraph serve` (union default graph, 30 s query timeout); yields its base URL."""
    binary = oxigraph_binary()
    if binary is None:
        raise RuntimeError("The oxigraph server binary is missing: install the dev extra (pip install -e '.[dev]').")
    port = free_port()
    args = [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "30"]
    if location is not None:
        args += ["--location", str(location)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200,
                    process, "oxigraph serve")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a loopback port; yields a SQLAlchemy URL to its `postgres` db."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`; .ci/install --dev installs it).")
    run_as: list[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="kgassist-pg-"))  # under /tmp, reachable by the postgres user
    if os.geteuid() == 0:  # initdb refuses to run as root: use the package's postgres user
        user = pwd.getpwnam("postgres")
        os.chown(workdir, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = workdir / "data", free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "--no-sync"], check=True, capture_output=True)
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(workdir / "log"),
                    "-o", f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until(check, process: subprocess.Popen, name: str, seconds: float = 20) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {process.stderr.read().decode()[-500:]}")
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{name} did not start within {seconds} s")


@contextmanager
def openai_server(model_folder: Path) -> Iterator[str]:
    """`transformers serve` (an OpenAI-compatible chat server) on a local model folder; yields
    its /v1 base URL."""
    binary = Path(sys.executable).parent / "transformers"
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen([str(binary), "serve", str(model_folder), "--host", "127.0.0.1", "--port", str(port),
                                "--device", "cpu"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: httpx.get(f"{base}/health", timeout=1).status_code == 200, process, "transformers serve",
                    seconds=120)
        yield f"{base}/v1"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
