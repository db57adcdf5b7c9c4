"""One embedded store, several processes.

RocksDB lets one process open an Oxigraph folder; pyoxigraph's read-only opening is undefined
while another process writes, and it would not see later writes anyway. So a long-running process
(`kgassist ui`, `kgassist chat`) *hosts* the store: it starts `oxigraph serve` on the folder, on a
loopback port, and every kgassist process on that home (the app, `ask`, `stats`, `ingest`, …)
reaches it through the SPARQL protocol while it runs. A short command with no host opens the
folder in-process (the fastest path) and records itself as the holder, so that another process
is told at once which pid and command holds it. See docs/reliability.md for the measurements.

The holder file (`<store>.holder.json`, beside the store folder) says who holds the store:
`{"pid", "command", "url"}`, `url` set when the holder serves it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from .errors import StoreBusyError, StoreError


@dataclass(frozen=True)
class Holder:
    """The process that holds an embedded store, and its server's base URL when it serves it."""

    pid: int
    command: str
    url: str | None = None

    def describe(self) -> str:
        return f"pid {self.pid} (`{self.command}`)"


def holder_file(store_path: Path) -> Path:
    return store_path.parent / f"{store_path.name}.holder.json"


def this_command() -> str:
    """This process's command line, shortened, as another process will be told it."""
    argv = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]]
    text = " ".join(argv)
    return text if len(text) <= 120 else text[:117] + "..."


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(store_path: Path) -> Holder | None:
    """Who holds the store now; None when nobody (a holder file left by a dead process is ignored)."""
    try:
        data = json.loads(holder_file(store_path).read_text())
        holder = Holder(int(data["pid"]), str(data.get("command", "?")), data.get("url") or None)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return holder if alive(holder.pid) else None


def claim(store_path: Path, url: str | None = None) -> None:
    """Record this process as the store's holder (written whole: temp file, then rename)."""
    path = holder_file(store_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temp.write_text(json.dumps({"pid": os.getpid(), "command": this_command(), "url": url}))
    os.replace(temp, path)


def release(store_path: Path) -> None:
    """Remove the holder file if this process wrote it."""
    path = holder_file(store_path)
    try:
        if int(json.loads(path.read_text())["pid"]) == os.getpid():
            path.unlink()
    except (OSError, ValueError, KeyError, TypeError):
        pass


def serving(store_path: Path) -> Holder | None:
    """The live host serving this store, if one answers on its URL."""
    holder = read_holder(store_path)
    if holder is None or holder.url is None:
        return None
    try:
        ok = httpx.get(f"{holder.url}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200
    except httpx.HTTPError:
        ok = False
    return holder if ok else None


def busy_message(store_path: Path) -> str:
    holder = read_holder(store_path)
    who = f"another process, {holder.describe()}" if holder else "another process"
    return (f"The store at {store_path} is open in {who}. Wait for it to finish, or keep `kgassist ui` "
            "(or `kgassist chat`) running: while it runs, every kgassist command on this home shares its store.")


class StoreHost:
    """`oxigraph serve` on an embedded store folder, on a free loopback port, for this process's
    lifetime (the server gets SIGTERM if this process dies). Use as a context manager."""

    def __init__(self, store_path: Path, *, timeout_s: float = 60.0, start_timeout_s: float = 30.0):
        self.store_path = Path(store_path)
        self.timeout_s, self.start_timeout_s = timeout_s, start_timeout_s
        self.url: str | None = None
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> StoreHost:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> str:
        """Start the server and record it as the holder; returns its base URL."""
        binary = oxigraph_binary()
        if read_holder(self.store_path) is not None:  # open in another process: say who, at once
            raise StoreBusyError(busy_message(self.store_path))
        self.store_path.mkdir(parents=True, exist_ok=True)
        for _ in range(3):  # a port taken between choosing and binding: choose again
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            log = self.store_path.parent / f"{self.store_path.name}.server.log"
            with log.open("wb") as sink:  # a file, not a pipe: a pipe nobody reads would block the server
                process = subprocess.Popen(
                    [binary, "serve", "--location", str(self.store_path), "--bind", f"127.0.0.1:{port}",
                     "--union-default-graph", "--timeout-s", str(int(max(1, self.timeout_s)))],
                    stdout=sink, stderr=sink, preexec_fn=die_with_parent)
            error = _wait_ready(process, url, self.start_timeout_s, log)
            if error is None:
                self._process, self.url = process, url
                claim(self.store_path, url)
                return url
            if "lock" in error.lower():
                raise StoreBusyError(busy_message(self.store_path))
            if "address" not in error.lower():
                raise StoreError(f"Could not serve the store at {self.store_path}: {error.splitlines()[0]}")
        raise StoreError(f"Could not serve the store at {self.store_path}: no free loopback port")

    def stop(self) -> None:
        if self._process is None:
            return
        release(self.store_path)
        self._process.terminate()
        try:
            self._process.wait(15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
        self._process, self.url = None, None


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    from shutil import which

    found = which("oxigraph")
    if found is None:
        raise StoreError("The oxigraph server binary is missing; reinstall kgassist (`bash .ci/install`), "
                         "which installs the `oxigraph` package.")
    return found


def die_with_parent() -> None:
    """In a child before exec: get SIGTERM when the parent dies (Linux), so no server outlives it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_port() -> int:
    """A free TCP port on loopback."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(process: subprocess.Popen, url: str, seconds: float, log: Path) -> str | None:
    """None once the server answers; else what it printed before exiting (or a timeout note)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return log.read_text(errors="replace").strip() or "exited"
        try:
            if httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return None
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    process.wait(5)
    return f"not ready after {seconds:g} s"
