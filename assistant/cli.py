"""The `kgassist` command line: one verb per command; later layers add theirs to `cli`.

Exit codes: 0 done, 1 failed, 2 bad usage. Errors print without a traceback unless --debug.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from kgstore import KGAssistError, Settings
from kgstore.sparql import with_prefixes
from kgstore.terms import Term


class App:
    """What commands share: settings built once, the store and database opened on first use."""

    def __init__(self, overrides: dict[str, Any]):
        self._overrides = overrides
        self._closers: list[Any] = []

    @cached_property
    def settings(self) -> Settings:
        try:
            return Settings(**self._overrides)
        except Exception as error:  # pydantic ValidationError: show the field and the reason
            raise click.UsageError(f"Invalid settings: {error}") from None

    @cached_property
    def store(self):  # -> KGStore
        from kgstore import open_store

        store = open_store(self.settings)
        self._closers.append(store.close)
        return store

    @cached_property
    def db(self):  # -> Database
        from kgstore.db import open_database

        db = open_database(self.settings.db_url)
        self._closers.append(db.close)
        return db

    @cached_property
    def llm(self):  # -> LLM
        from assistant.llm import load_llm

        return load_llm(self.settings)

    def require_writable(self) -> None:
        if self.settings.read_only:
            from kgstore import ReadOnlyError

            raise ReadOnlyError("kgassist runs read-only (--read-only or KGASSIST_READ_ONLY): ingestion, removal, "
                                "repair and fine-tuning are disabled; questions, SPARQL and audits still work.")

    def init_if_needed(self) -> None:
        """First use on an empty home: load the ontology (the database migrates when opened)."""
        if self.store.stats().graphs == 0:
            self.store.load_ontology()

    def document_iri(self, reference: str):  # -> URIRef
        from rdflib import URIRef

        from kgstore.db import find_document

        with self.db.session() as session:
            doc = find_document(session, reference)
        if doc is None:
            raise click.ClickException(f"No ingested document matches {reference!r}.")
        return URIRef(doc.iri)

    def hosting(self):  # -> contextlib.AbstractContextManager
        """For a long-running command: serve the embedded store on loopback while it runs, so that
        other kgassist processes on this home share it (`kgstore.share`). Nothing to do for an
        endpoint store or when another process already hosts it."""
        from contextlib import nullcontext

        from kgstore import share

        if self.settings.is_endpoint or share.serving(self.settings.store_path) is not None:
            return nullcontext()
        self.close()  # release the folder if this process opened it, so the server can
        return share.StoreHost(self.settings.store_path, timeout_s=max(60.0, self.settings.sparql_timeout_s))

    def close(self) -> None:
        """Close what was opened; the next use opens it again."""
        while self._closers:
            self._closers.pop()()
        for name in ("store", "db"):
            self.__dict__.pop(name, None)


class KGAssistGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGAssistError as error:
            if ctx.params.get("debug"):
                raise
            click.secho(f"Error: {error}", fg="red", err=True)
            ctx.exit(1)


@click.group(cls=KGAssistGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), help="kgassist home folder (KGASSIST_HOME).")
@click.option("--read-only", is_flag=True, help="Refuse every change: no ingestion, removal, repair or "
              "fine-tuning (KGASSIST_READ_ONLY). Questions are still answered and audited.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="kgassist")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, read_only: bool, debug: bool) -> None:
    """kgassist: a knowledge assistant for finance and medical analysts.

    \b
    Quick start:
      kgassist init
      kgassist stats
      kgassist sparql "SELECT ?c WHERE { ?c a kga:Company } LIMIT 10"
    """
    overrides: dict[str, Any] = {"home": home} if home else {}
    if read_only:
        overrides["read_only"] = True
    app = App(overrides)
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@click.pass_obj
def init(app: App) -> None:
    """Create the home folder, the store (with the ontology) and the migrated database.

    Safe to run again: it migrates the database and refreshes the ontology graph.

    Example: kgassist --home ./my-kb init
    """
    settings = app.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    app.store.load_ontology()
    revision = app.db.revision()
    where = settings.public_dict()["store_url"] if settings.is_endpoint else str(settings.store_path)
    click.echo(f"kgassist home: {settings.home}")
    click.echo(f"store:         {'SPARQL endpoint' if settings.is_endpoint else 'embedded Oxigraph'} at {where}")
    click.echo(f"database:      {settings.public_dict()['database_url']} (schema {revision})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def stats(app: App, as_json: bool) -> None:
    """Counts of the store and the database.

    Example: kgassist stats --json
    """
    from sqlalchemy import func, select

    from kgstore.db import Answer, Chunk, Document

    store_stats = asdict(app.store.stats())
    with app.db.session() as session:
        by_status = dict(session.execute(select(Document.status, func.count()).group_by(Document.status)).all())
        database = {"documents": by_status, "chunks": session.scalar(select(func.count()).select_from(Chunk)),
                    "answers": session.scalar(select(func.count()).select_from(Answer))}
    result = {"store": store_stats, "database": database}
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo("store:    " + ", ".join(f"{v:,} {k}" for k, v in store_stats.items()))
    docs = ", ".join(f"{v} {k}" for k, v in by_status.items()) or "none"
    click.echo(f"database: documents {docs}; {database['chunks']:,} chunks; {database['answers']:,} answers")


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print SPARQL 1.1 Query Results JSON.")
@click.option("--limit", type=click.IntRange(1), help="Row cap for this query (at most KGASSIST_SPARQL_LIMIT).")
@click.pass_obj
def sparql(app: App, query: str, as_json: bool, limit: int | None) -> None:
    """Run a read-only SPARQL query. QUERY is the text, @FILE, or - for standard input.

    Common prefixes (rdf, rdfs, skos, xsd, prov, kga) may be used without declaring them.
    Updates, LOAD, CLEAR and SERVICE are refused; rows are capped.

    Example: kgassist sparql "SELECT ?d WHERE { ?d a kga:Drug } LIMIT 5" --json
    """
    text = _read_query(query)
    result = app.store.query(with_prefixes(text), limit=limit)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
    elif result.kind == "ask":
        click.echo("yes" if result.boolean else "no")
    elif result.kind == "select":
        _print_table(result.variables, [[row.get(v) for v in result.variables] for row in result.rows])
    else:
        for s, p, o in result.triples:
            click.echo(f"{s.n3()} {p.n3()} {o.n3()} .")
    if result.truncated:
        click.secho(f"(truncated at {len(result)} rows; add a LIMIT or raise --limit)", err=True, fg="yellow")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that load and extract in parallel.")
@click.option("--extractor", "extractors", multiple=True, type=click.Choice(["patterns", "table", "llm"]),
              help="Extractors to run (repeatable; default from KGASSIST_EXTRACTORS).")
@click.option("--no-vectors", is_flag=True,
              help="Skip chunk embeddings (the slowest stage on CPU); compute them later with `kgassist index`.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as a JSON object.")
@click.pass_obj
def ingest(app: App, paths: tuple[Path, ...], workers: int, extractors: tuple[str, ...], no_vectors: bool,
           as_json: bool) -> None:
    """Ingest files and folders (txt, md, html, pdf, csv, tsv, jsonl) into the store, database and index.

    Unchanged files are skipped, changed ones replaced; unreadable files are reported and skipped.
    Exits 1 only when nothing could be ingested.

    Example: kgassist ingest ./filings ./labels --workers 2
    """
    from ingestion.pipeline import discover, from_settings

    app.require_writable()
    app.init_if_needed()
    llm = app.llm if "llm" in extractors else None
    pipeline = from_settings(app.settings, app.store, app.db, list(extractors) or None, llm=llm,
                             vectors=not no_vectors)
    files = discover(paths)
    if sys.stderr.isatty() and not as_json:
        with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
            def progress(path: str, status: str) -> None:
                bar.update(1)
                if status.startswith("failed"):
                    click.secho(f"\n  {path}: {status}", fg="yellow", err=True)

            report = pipeline.ingest(files, workers=workers, progress=progress)
    else:  # logs and CI: progress as lines
        with ProgressLines(len(files)) as lines:
            report = pipeline.ingest(files, workers=workers, progress=lines.update)
    if as_json:
        summary = report.to_json()
        click.echo(json.dumps({k: summary[k] for k in ("ok", "skipped", "failed", "triples", "chunks", "seconds")},
                              indent=2))
    else:
        click.echo(f"ok {report.ok}, skipped {report.skipped}, failed {len(report.failed)}; "
                   f"{report.triples:,} triples, {report.chunks:,} chunks in {report.seconds:.1f} s")
        for failure in report.failed:
            click.echo(f"  failed: {failure['path']}: {failure['error']}")
    if report.nothing_ingested:
        sys.exit(1)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON (no streaming).")
@click.option("--backend", type=click.Choice(["transformers", "vllm", "openai"]), help="LLM backend for this answer.")
@click.option("--model", help="LLM model name or folder for this answer.")
@click.option("--mode", type=click.Choice(["hybrid", "graph", "retrieval"]), default="hybrid", show_default=True,
              help="Sources: graph facts and passages, graph only, or passages only.")
@click.pass_obj
def ask(app: App, question: str, as_json: bool, backend: str | None, model: str | None, mode: str) -> None:
    """Answer a question from the graph and the documents, citing every fact; the answer is audited.

    Example: kgassist ask "What are the side effects of metformin?"
    """
    from assistant.answer import open_assistant
    from assistant.audit import save
    from assistant.llm import load_llm
    from assistant.question import QuestionError, check_question

    try:
        question = check_question(question, app.settings.max_question_chars)
    except QuestionError as error:
        raise click.UsageError(str(error)) from None
    llm = load_llm(app.settings, backend=backend, model=model) if backend or model else app.llm
    assistant = open_assistant(app.settings, app.store, app.db, llm)
    streamed: list[str] = []

    def show(piece: str) -> None:
        streamed.append(piece)
        click.echo(piece, nl=False)

    answer = assistant.ask(question, mode=mode, on_text=None if as_json else show)
    save(app.db, answer, {**app.settings.public_dict(), "backend": llm.backend, "model": llm.name, "mode": mode})
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, default=str))
    else:
        _show_answer(answer, "".join(streamed))


@cli.command()
@click.option("--mode", type=click.Choice(["hybrid", "graph", "retrieval"]), default="hybrid", show_default=True)
@click.pass_obj
def chat(app: App, mode: str) -> None:
    """Ask questions one after another in the terminal (an empty line or Ctrl-D ends).

    Every answer is cited, verified and audited as with `kgassist ask`.
    """
    from assistant.answer import open_assistant
    from assistant.audit import save
    from assistant.question import QuestionError, check_question

    with app.hosting():  # other kgassist processes on this home share the store while the chat runs
        assistant = open_assistant(app.settings, app.store, app.db, app.llm)
        click.echo("Ask about the ingested documents (an empty line ends).")
        while True:
            try:
                question = input("\nquestion> ").strip()
            except EOFError:
                break
            if not question or question.lower() in ("exit", "quit"):
                break
            try:
                question = check_question(question, app.settings.max_question_chars)
            except QuestionError as error:
                click.secho(str(error), fg="yellow", err=True)
                continue
            streamed: list[str] = []

            def show(piece: str) -> None:
                streamed.append(piece)
                click.echo(piece, nl=False)

            answer = assistant.ask(question, mode=mode, on_text=show)
            save(app.db, answer, {**app.settings.public_dict(), "backend": app.llm.backend,
                                  "model": app.llm.name, "mode": mode})
            _show_answer(answer, "".join(streamed))


def _show_answer(answer, streamed: str) -> None:  # noqa: ANN001 - an assistant.answer.Answer
    """After the streamed reply: the cited answer (when it differs), verdict, sources, warnings, id."""
    if streamed.strip() != answer.answer.strip():
        click.echo(("\n\n" if streamed.strip() else "") + answer.answer, nl=False)
    click.echo()
    if answer.verdict:
        click.secho(f"verdict: {answer.verdict}", bold=True)
    for fact in answer.facts:
        where = fact.provenance[0] if fact.provenance else {}
        click.echo(f"  fact: {fact.text}  ({where.get('document', '?')} chars {where.get('start')}-{where.get('end')})")
    for passage in answer.passages:
        click.echo(f"  passage: {passage.title} [{passage.start}:{passage.end}] {passage.document_uri}")
    for claim in answer.unsupported:
        click.secho(f"  unsupported: {claim.sentence} ({claim.reason})", fg="yellow")
    click.secho(f"answer id {answer.id} (kgassist audit {answer.id[:8]})", dim=True)


@cli.command()
@click.argument("answer_id", required=False)
@click.option("--list", "list_all", is_flag=True, help="List recent answers.")
@click.option("--verify", "verify", is_flag=True, help="Check the hash chain: no record edited, deleted or reordered.")
@click.option("--anchor", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="With --verify: a head saved from an earlier `--verify --json`, kept outside the database.")
@click.option("--json", "as_json", is_flag=True, help="Print the audit as JSON.")
@click.pass_obj
def audit(app: App, answer_id: str | None, list_all: bool, verify: bool, anchor: Path | None, as_json: bool) -> None:
    """Re-run an answer's recorded SPARQL on the current store: identical or changed, per query.

    `--verify` checks the whole trail instead (exit 1 when anything was tampered with).

    Example: kgassist audit 3f2a9c1e   |   kgassist audit --list   |   kgassist audit --verify --json > head.json
    """
    from assistant import audit as trail

    if verify:
        _verify_audit(app, anchor, as_json)
        return
    if list_all or not answer_id:
        rows = trail.recent(app.db)
        if as_json:
            click.echo(json.dumps(rows, indent=2))
        else:
            _print_table(["id", "created_at", "found", "verdict", "question"],
                         [[r["id"], r["created_at"][:19], r["found"], r["verdict"], r["question"][:70]] for r in rows])
        return
    stored, checks = trail.rerun(app.store, app.db, answer_id)
    if as_json:
        click.echo(json.dumps({"id": stored["id"], "question": stored["question"], "answer": stored["answer"],
                               "queries": [c.to_json() for c in checks], "facts": stored["facts"]}, indent=2))
        return
    click.echo(f"{stored['id']}  {stored['created_at'][:19]}  {stored['model']}")
    click.echo(f"Q: {stored['question']}\nA: {stored['answer']}\n")
    for check in checks:
        colour = {"identical": "green", "changed": "yellow"}.get(check.status, "red")
        click.secho(f"{check.status:9} {check.purpose}: {check.rows_then} rows then, {check.rows_now} now", fg=colour)
        for row in check.added:
            click.echo(f"    + {_row_text(row)}")
        for row in check.removed:
            click.echo(f"    - {_row_text(row)}")
        if check.error:
            click.echo(f"    {check.error}")
    for fact in stored["facts"]:
        click.echo(f"fact: {fact['subject_label']} — {fact['predicate_label']} — {fact['object_label']}")
        for p in fact["provenance"]:
            click.echo(f"    from {p['document']} chars {p['start']}-{p['end']} ({p['extractor']}, {p['confidence']})")


def _verify_audit(app: App, anchor_file: Path | None, as_json: bool) -> None:
    from assistant import audit as trail
    from kgstore.db.chain import Head

    anchor = None
    if anchor_file is not None:
        try:
            saved = json.loads(anchor_file.read_text())["head"]
            anchor = Head(int(saved["seq"]), str(saved["hash"]))
        except (ValueError, KeyError, TypeError) as error:
            raise click.UsageError(f"{anchor_file} is not a head saved by `kgassist audit --verify --json` "
                                   f"({error.__class__.__name__})") from None
    report = trail.verify(app.db, anchor)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    elif report.intact:
        click.secho(f"audit trail intact: {report.records} records, head {report.head.seq} "
                    f"{report.head.hash}", fg="green")
    else:
        click.secho(f"audit trail TAMPERED: {len(report.problems)} problem(s) in {report.records} records", fg="red")
        for problem in report.problems:
            click.echo(f"  - {problem}")
    if not report.intact:
        sys.exit(1)


def _row_text(row: dict) -> str:
    return ", ".join(f"{k}={v.get('value')}" for k, v in sorted(row.items()))


@cli.command()
@click.pass_obj
def index(app: App) -> None:
    """Embed the chunks stored without vectors (after `ingest --no-vectors`) and add them to the index.

    Resumable: each batch of vectors is committed. Example: kgassist index
    """
    from ingestion.pipeline import from_settings

    app.require_writable()
    app.init_if_needed()
    pipeline = from_settings(app.settings, app.store, app.db, extractor_names=["patterns"])
    pipeline.sync_index()
    done = pipeline.embed_pending()
    click.echo(f"embedded {done:,} chunks; the index holds {len(pipeline.index):,} vectors")


@cli.command()
@click.argument("document")
@click.pass_obj
def remove(app: App, document: str) -> None:
    """Remove one document (path, source URI or document IRI) with its triples, chunks and vectors.

    Example: kgassist remove ./labels/metformin.txt
    """
    from ingestion.pipeline import Pipeline
    from ingestion.index import VectorIndex

    app.require_writable()
    index = VectorIndex(app.settings.index_dir, kind=app.settings.index_kind)
    pipeline = Pipeline(app.store, app.db, embedder=None, index=index, extractors=[])  # type: ignore[arg-type]
    if not pipeline.remove(document):
        raise click.ClickException(f"No ingested document matches {document!r}; `kgassist stats` lists counts.")
    click.echo(f"removed {document}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonl"]), default="ttl", show_default=True)
@click.option("--doc", "document", help="Only this document (path, source URI or document IRI).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@click.pass_obj
def export(app: App, fmt: str, document: str | None, output: Path | None) -> None:
    """Export the graph: Turtle or N-Triples (provenance included), or JSON Lines of asserted triples
    with labels, document and span.

    Example: kgassist export --format jsonl --doc ./labels/metformin.txt -o metformin.jsonl
    """
    from kgstore.export import write_export

    graph = app.document_iri(document) if document else None
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = write_export(app.store, fmt, stream, graph)
    finally:
        if output:
            stream.close()
    if output:
        click.echo(f"wrote {count:,} {'records' if fmt == 'jsonl' else 'triples'} to {output}", err=True)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.pass_obj
def ui(app: App, port: int, address: str) -> None:
    """Open the Streamlit app (chat, explore, ingest, audit, SPARQL) on the configured store.

    Example: kgassist ui --port 8501
    """
    import os
    import subprocess
    from importlib.util import find_spec

    spec = find_spec("ui.app")  # located, not imported: the app runs in Streamlit's own process
    if spec is None or spec.origin is None:
        raise KGAssistError("The ui package is missing from this installation; reinstall kgassist.")
    from kgstore.share import die_with_parent

    app.settings.home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KGASSIST_HOME": str(app.settings.home)}
    if app.settings.read_only:
        env["KGASSIST_READ_ONLY"] = "1"
    command = [sys.executable, "-m", "streamlit", "run", spec.origin, "--server.port", str(port),
               "--server.address", address, *STREAMLIT_FLAGS]
    with app.hosting():  # the app and any other kgassist process on this home share the store
        click.echo(f"kgassist UI on http://{address}:{port}  (Ctrl-C stops it)")
        app_process = subprocess.Popen(command, env=env, preexec_fn=die_with_parent)
        try:
            code = app_process.wait()
        except KeyboardInterrupt:
            app_process.terminate()
            app_process.wait(15)
            code = 0
    sys.exit(code)


@cli.command()
@click.option("--no-ui", is_flag=True, help="Stop after ingesting (print how to ask instead of opening the app).")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.pass_context
def quickstart(ctx: click.Context, no_ui: bool, port: int) -> None:
    """Initialise the home, ingest the bundled sample corpus (finance and medicine), show counts,
    then open the chat in the Streamlit app.

    Example: kgassist quickstart
    """
    from importlib.resources import files

    sample = Path(str(files("ingestion").joinpath("sample")))
    ctx.invoke(init)
    ctx.invoke(ingest, paths=(sample / "finance", sample / "medical"), workers=1, extractors=(), as_json=False)
    ctx.invoke(stats, as_json=False)
    if no_ui:
        click.echo('Ask a question: kgassist ask "What are the side effects of metformin?"  (or: kgassist chat, '
                   "kgassist ui)")
        return
    ctx.invoke(ui, port=port, address="127.0.0.1")


#: How `kgassist ui` runs Streamlit: headless on loopback, no usage statistics, no developer
#: toolbar (Deploy, rerun, clear cache), no error details beyond the message.
STREAMLIT_FLAGS = ["--server.headless", "true", "--browser.gatherUsageStats", "false",
                   "--client.toolbarMode", "viewer", "--client.showErrorDetails", "none",
                   "--server.fileWatcherType", "none"]


class ProgressLines:
    """Progress of an ingestion as lines on stderr, for output that is not a terminal: one at the
    start, then one every `every_files` files or `every_s` seconds (whichever comes first)."""

    def __init__(self, total: int, every_files: int = 10, every_s: float = 10.0):
        import threading
        import time

        self.total, self.every_files, self.every_s = total, every_files, every_s
        self.counts = {"ok": 0, "skipped": 0, "failed": 0}
        self._clock = time.monotonic
        self._started = self._last = self._clock()
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="kgassist-progress", daemon=True)

    def __enter__(self) -> ProgressLines:
        click.echo(f"ingesting {self.total:,} file{'s' if self.total != 1 else ''}", err=True)
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._ticker.join()

    def update(self, path: str, status: str) -> None:
        with self._lock:
            self.counts[status.split(":", 1)[0] if status.startswith("failed") else status] += 1
            if status.startswith("failed"):
                click.echo(f"  failed: {path}: {status.split(':', 1)[-1].strip()}", err=True)
            if sum(self.counts.values()) % self.every_files == 0:
                self._line()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if self._clock() - self._last >= self.every_s:
                    self._line()

    def _line(self) -> None:
        done = sum(self.counts.values())
        click.echo(f"ingesting: {done:,}/{self.total:,} files done (ok {self.counts['ok']:,}, skipped "
                   f"{self.counts['skipped']:,}, failed {self.counts['failed']:,}), "
                   f"{self._clock() - self._started:.0f} s", err=True)
        self._last = self._clock()


def _read_query(arg: str) -> str:
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith("@"):
        return Path(arg[1:]).read_text(encoding="utf-8")
    return arg


def _cell(term: Term | None) -> str:
    return "" if term is None else str(term)


def _print_table(header: list[str], rows: list[list[Term | None]]) -> None:
    cells = [[_cell(t) for t in row] for row in rows]
    widths = [min(60, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(header)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(c[:w].ljust(w) for c, w in zip(row, widths)))
    click.echo(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def main() -> None:
    cli(prog_name="kgassist")


from .cli_doctor import doctor  # noqa: E402 - commands in their own modules register after `cli` exists
from .cli_finetune import finetune  # noqa: E402

cli.add_command(doctor)
cli.add_command(finetune)


if __name__ == "__main__":
    main()
