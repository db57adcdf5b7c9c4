"""What several test modules share: paths, a scripted stand-in for the model (prompt plumbing
only), and homes built through the composition root exactly as the CLI builds them."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from sqlalchemy import func, select

from assistant.home import Home
from kgstore import Settings
from kgstore.db import Document

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "ingestion" / "sample"
KGASSIST = str(Path(sys.executable).parent / "kgassist")


class ScriptedLLM:
    """Stands in for the model in prompt-plumbing tests: a fixed reply, every prompt recorded."""

    name, backend = "scripted", "test"
    supports_prefix = supports_json_schema = supports_tools = False
    batch_size = 8

    def __init__(self, reply: str = "", verdict: str = "yes"):
        self.reply, self.verdict, self.prompts = reply, verdict, []

    def stream(self, messages, *, max_tokens=None, prefix=None):  # noqa: ANN001, ANN201
        self.prompts.append(messages)
        yield self.reply

    def generate(self, messages, *, max_tokens=None, prefix=None):  # noqa: ANN001, ANN201
        return "".join(self.stream(messages))

    def generate_batch(self, conversations, *, max_tokens, json_schema=None):  # noqa: ANN001, ANN201
        return [self.generate(c) for c in conversations]

    def choose(self, messages, options):  # noqa: ANN001, ANN201
        return self.verdict

    def count_tokens(self, text):  # noqa: ANN001, ANN201
        return len(text) // 4 + 1


class KB(Home):
    """A home in a test folder with the ontology loaded, sharing the session's embedding model."""

    def __init__(self, path: Path, embedder, *corpus: Path, **settings):  # noqa: ANN001
        super().__init__(Settings(home=path, **settings), embedder=embedder)
        self.init_if_needed()
        if corpus:
            self.ingest(*corpus)

    def ingest(self, *paths, **kw):  # noqa: ANN001, ANN201
        return self.pipeline().ingest([Path(p) for p in paths], **kw)

    def count(self, model) -> int:  # noqa: ANN001
        with self.db.session() as s:
            return s.scalar(select(func.count()).select_from(model))


def sample_copy(target: Path) -> Path:
    """The sample corpus copied to `target` (without its README)."""
    shutil.copytree(SAMPLE, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    return target


def store_snapshot(home: Path) -> tuple[set, list, int]:
    """Every document quad, every chunk (document, order, span) and the index size of a home."""
    with Home(Settings(home=home)) as kb:
        quads = set()
        for graph in kb.store.documents():
            quads |= {(graph, *t) for t in kb.store.graph_triples(graph)}
        with kb.db.session() as s:
            chunks = sorted((d.uri, c.ord, c.start, c.end) for d in s.scalars(select(Document)) for c in d.chunks)
            statuses = {d.status for d in s.scalars(select(Document))}
        assert statuses == {"ok"}
        return quads, chunks, len(kb.index)


class Ran:
    """What a command did: exit code and the two streams (as `subprocess.CompletedProcess` has them)."""

    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def kgassist(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Ran:
    """Run `kgassist ARGS` in this process (click's runner): what a user sees, without starting an
    interpreter per command. End-to-end tests that need a real process use `KGASSIST`."""
    from click.testing import CliRunner

    from assistant.cli import cli

    result = CliRunner().invoke(cli, list(args), env=env, input=input, prog_name="kgassist")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout, result.stderr)
