"""The single-writer rule: one process at a time changes a kgassist home (ingest, index, remove, repair).

Readers never take the lock: the store replaces a document's graph in one atomic write and the
database commits its chunks in one transaction (SQLite in WAL mode), so a reader sees a document
whole or not at all. Writers take an exclusive `flock` on `home/writer.lock`; a second writer is
refused at once with the holder's pid rather than left waiting.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kgstore.errors import KGAssistError
from kgstore.share import this_command


class WriterBusyError(KGAssistError):
    """Another process is writing to the same kgassist home."""


class WriterLock:
    """A re-entrant (within one process) exclusive lock on a file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self._depth = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        if self._depth:
            self._depth += 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, _, command = os.read(fd, 512).decode(errors="replace").strip().partition(" ")
            os.close(fd)
            who = f"pid {pid} (`{command}`)" if command else f"pid {pid or 'unknown'}"
            raise WriterBusyError(f"Another kgassist process, {who}, is writing to {self.path.parent}; wait for it to "
                                  "finish (one writer at a time; queries may run meanwhile).") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {this_command()}".encode()[:500])
        self._fd, self._depth = fd, 1

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
