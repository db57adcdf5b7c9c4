"""Checkpoint folders written all-or-nothing, so a kill -9 mid-save never leaves a mixed folder.

`replace_folder(folder)` yields a fresh sibling folder to write into; on success it is fsynced and
swapped in with two renames (old aside, new in), then the old one is deleted. `recover(folder)`,
called before every load, finishes a swap a crash interrupted: the previous complete checkpoint
comes back if the new one never made it in. Half-written sibling folders are simply removed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _aside(folder: Path) -> Path:
    return folder.with_name(folder.name + ".previous")


@contextmanager
def replace_folder(folder: Path, keep: tuple[str, ...] = ()) -> Iterator[Path]:
    """Write a new version of `folder` into the yielded one; entries named in `keep` that the writer did
    not write are carried over from the old version (as hard links, so the old one stays whole)."""
    folder = Path(folder)
    recover(folder)
    staging = folder.with_name(f"{folder.name}.writing-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
        for name in keep:
            if (folder / name).exists() and not (staging / name).exists():
                if (folder / name).is_dir():
                    shutil.copytree(folder / name, staging / name, copy_function=os.link)
                else:
                    os.link(folder / name, staging / name)
        _fsync_tree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    aside = _aside(folder)
    if folder.exists():
        os.rename(folder, aside)
    os.rename(staging, folder)
    _fsync_dir(folder.parent)
    shutil.rmtree(aside, ignore_errors=True)


def recover(folder: Path) -> None:
    """Undo what a crash mid-swap left: bring back the previous checkpoint, drop unfinished ones."""
    folder = Path(folder)
    aside = _aside(folder)
    if aside.exists():
        if folder.exists():
            shutil.rmtree(aside, ignore_errors=True)  # the new one made it in; the old is garbage
        else:
            os.rename(aside, folder)
    if folder.parent.is_dir():
        for stale in folder.parent.glob(f"{folder.name}.writing-*"):
            if not _alive(stale.name.rsplit("-", 1)[-1]):
                shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: str) -> bool:
    """Whether another process with this pid is running (and may still be writing)."""
    try:
        if int(pid) == os.getpid():
            return False
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(root)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
