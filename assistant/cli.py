"""The `kgassist` command line: one verb per command; later layers add theirs to `cli`.

Exit codes: 0 done, 1 failed, 2 bad usage. Errors print without a traceback unless --debug.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kgstore import KGAssistError, choices, load_settings
from kgstore.errors import ConfigError
from kgstore.settings import AnswerMode, ExtractorName, LLMBackend
from kgstore.sparql import with_prefixes
from kgstore.terms import Term

from .display import verdict_line

if TYPE_CHECKING:
    from .home import Home


def _document_iri(kb: Home, reference: str):  # -> URIRef
    from rdflib import URIRef

    from kgstore.db import find_document

    with kb.db.session() as session:
        doc = find_document(session, reference)
    if doc is None:
        raise click.ClickException(f"No ingested document matches {reference!r}.")
    return URIRef(doc.iri)


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
    from .home import Home

    overrides: dict[str, Any] = {"home": home} if home else {}
    if read_only:
        overrides["read_only"] = True
    kb = Home(load_settings(**overrides))
    ctx.obj = kb
    ctx.call_on_close(kb.close)


@cli.command()
@click.pass_obj
def init(kb: Home) -> None:
    """Create the home folder, the store (with the ontology) and the migrated database.

    Safe to run again: it migrates the database and refreshes the ontology graph.

    Example: kgassist --home ./my-kb init
    """
    settings = kb.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    kb.store.load_ontology()
    revision = kb.db.revision()
    where = settings.public_dict()["store_url"] if settings.is_endpoint else str(settings.store_path)
    click.echo(f"kgassist home: {settings.home}")
    click.echo(f"store:         {'SPARQL endpoint' if settings.is_endpoint else 'embedded Oxigraph'} at {where}")
    click.echo(f"database:      {settings.public_dict()['database_url']} (schema {revision})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_obj
def stats(kb: Home, as_json: bool) -> None:
    """Counts of the store and the database.

    Example: kgassist stats --json
    """
    from sqlalchemy import func, select

    from kgstore.db import Answer, Chunk, Document

    store_stats = asdict(kb.store.stats())
    with kb.db.session() as session:
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
def sparql(kb: Home, query: str, as_json: bool, limit: int | None) -> None:
    """Run a read-only SPARQL query. QUERY is the text, @FILE, or - for standard input.

    Common prefixes (rdf, rdfs, skos, xsd, prov, kga) may be used without declaring them.
    Updates, LOAD, CLEAR and SERVICE are refused; rows are capped.

    Example: kgassist sparql "SELECT ?d WHERE { ?d a kga:Drug } LIMIT 5" --json
    """
    text = _read_query(query)
    result = kb.store.query(with_prefixes(text), limit=limit)
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
@click.option("--extractor", "extractors", multiple=True, type=click.Choice(choices(ExtractorName)),
              help="Extractors to run (repeatable; default from KGASSIST_EXTRACTORS).")
@click.option("--no-vectors", is_flag=True,
              help="Skip chunk embeddings (the slowest stage on CPU); compute them later with `kgassist index`.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as a JSON object.")
@click.pass_obj
def ingest(kb: Home, paths: tuple[Path, ...], workers: int, extractors: tuple[str, ...], no_vectors: bool,
           as_json: bool) -> None:
    """Ingest files and folders (txt, md, html, pdf, csv, tsv, jsonl) into the store, database and index.

    Unchanged files are skipped, changed ones replaced; unreadable files are reported and skipped.
    Exits 1 only when nothing could be ingested.

    Example: kgassist ingest ./filings ./labels --workers 2
    """
    from ingestion.pipeline import discover

    kb.require_writable()
    kb.init_if_needed()
    pipeline = kb.pipeline(list(extractors) or None, vectors=not no_vectors)
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
@click.option("--backend", type=click.Choice(choices(LLMBackend)), help="LLM backend for this answer.")
@click.option("--model", help="LLM model name or folder for this answer.")
@click.option("--mode", type=click.Choice(choices(AnswerMode)),
              help="Sources: graph facts and passages (hybrid), graph only, passages only, or an agent "
                   "that plans its own lookups (a model that calls tools). Default: KGASSIST_ANSWER_MODE (hybrid).")
@click.pass_obj
def ask(kb: Home, question: str, as_json: bool, backend: str | None, model: str | None, mode: str | None) -> None:
    """Answer a question from the graph and the documents, citing every fact; the answer is audited.

    Example: kgassist ask "What are the side effects of metformin?"
    """
    from assistant.question import QuestionError, check_question

    try:
        question = check_question(question, kb.settings.max_question_chars)
    except QuestionError as error:
        raise click.UsageError(str(error)) from None
    answer = _ask_and_record(kb, _answerer(kb, mode, backend=backend, model=model), question, mode,
                             stream=not as_json)
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, default=str))


@cli.command()
@click.option("--mode", type=click.Choice(choices(AnswerMode)), help="Default: KGASSIST_ANSWER_MODE (hybrid).")
@click.pass_obj
def chat(kb: Home, mode: str | None) -> None:
    """Ask questions one after another in the terminal (an empty line or Ctrl-D ends).

    Every answer is cited, verified and audited as with `kgassist ask`.
    """
    from assistant.question import QuestionError, check_question

    with kb.hosting():  # other kgassist processes on this home share the store while the chat runs
        assistant = _answerer(kb, mode)
        click.echo("Ask about the ingested documents (an empty line ends).")
        while True:
            try:
                question = input("\nquestion> ").strip()
            except EOFError:
                break
            if not question or question.lower() in ("exit", "quit"):
                break
            try:
                question = check_question(question, kb.settings.max_question_chars)
            except QuestionError as error:
                click.secho(str(error), fg="yellow", err=True)
                continue
            _ask_and_record(kb, assistant, question, mode, stream=True)


def _answerer(kb: Home, mode: str | None, **model: Any):  # noqa: ANN202 - an Assistant or an Agent
    """What answers in `mode`: the agent (which hands other modes to the pipeline) or the assistant."""
    return kb.agent(**model) if (mode or kb.settings.answer_mode) == "agent" else kb.assistant(**model)


def _ask_and_record(kb: Home, assistant, question: str, mode: str | None, *, stream: bool):  # noqa: ANN001, ANN202
    """The one ask-and-record path of `ask` and `chat`: stream the reply (when asked), seal the answer
    into the audit trail, then show its citations (when streaming)."""
    from assistant.audit import save

    mode = mode or kb.settings.answer_mode
    streamed: list[str] = []

    def show(piece: str) -> None:
        streamed.append(piece)
        click.echo(piece, nl=False)

    def show_step(step) -> None:  # noqa: ANN001 - an assistant.agent.Step
        refs = f" -> {', '.join(step.citations)}" if step.citations else ""
        click.secho(f"[{step.tool}] {json.dumps(step.arguments, ensure_ascii=False)[:160]}: "
                    f"{'error' if step.error else f'{step.rows} rows'}{refs}", dim=True, err=True)

    extra = {"on_step": show_step} if stream and mode == "agent" else {}
    answer = assistant.ask(question, mode=mode, on_text=show if stream else None, **extra)
    if answer.notice and stream:
        click.secho(answer.notice, fg="yellow", err=True)
    save(kb.db, answer, {**kb.settings.public_dict(), "backend": answer.backend, "model": answer.model, "mode": mode})
    if stream:
        _show_answer(answer, "".join(streamed))
    return answer


def _show_answer(answer, streamed: str) -> None:  # noqa: ANN001 - an assistant.answer.Answer
    """After the streamed reply: the cited answer (when it differs), verdict, sources, warnings, id."""
    if streamed.strip() != answer.answer.strip():
        click.echo(("\n\n" if streamed.strip() else "") + answer.answer, nl=False)
    click.echo()
    if answer.verdict:
        click.secho(f"verdict: {verdict_line(answer.verdict, answer.verdict_source)}", bold=True)
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
def audit(kb: Home, answer_id: str | None, list_all: bool, verify: bool, anchor: Path | None, as_json: bool) -> None:
    """Re-run an answer's recorded SPARQL on the current store: identical or changed, per query.

    `--verify` checks the whole trail instead (exit 1 when anything was tampered with).

    Example: kgassist audit 3f2a9c1e   |   kgassist audit --list   |   kgassist audit --verify --json > head.json
    """
    from assistant import audit as trail

    if verify:
        _verify_audit(kb, anchor, as_json)
        return
    if list_all or not answer_id:
        rows = trail.recent(kb.db)
        if as_json:
            click.echo(json.dumps(rows, indent=2))
        else:
            _print_table(["id", "created_at", "found", "verdict", "question"],
                         [[r["id"], r["created_at"][:19], r["found"], r["verdict"], r["question"][:70]] for r in rows])
        return
    stored, checks = trail.rerun(kb.store, kb.db, answer_id)
    if as_json:
        click.echo(json.dumps({"id": stored["id"], "question": stored["question"], "answer": stored["answer"],
                               "queries": [c.to_json() for c in checks], "facts": stored["facts"],
                               "steps": (stored["settings"] or {}).get("steps", [])}, indent=2))
        return
    click.echo(f"{stored['id']}  {stored['created_at'][:19]}  {stored['model']}")
    click.echo(f"Q: {stored['question']}\nA: {stored['answer']}\n")
    for step in (stored["settings"] or {}).get("steps", []):
        click.echo(f"step: {step['tool']} {json.dumps(step['arguments'], ensure_ascii=False)} -> {step['rows']} rows "
                   f"{' '.join(step['citations'])} (result {step['digest']})")
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


def _verify_audit(kb: Home, anchor_file: Path | None, as_json: bool) -> None:
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
    report = trail.verify(kb.db, anchor)
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
def index(kb: Home) -> None:
    """Embed the chunks stored without vectors (after `ingest --no-vectors`) and add them to the index.

    Resumable: each batch of vectors is committed. Example: kgassist index
    """
    kb.require_writable()
    kb.init_if_needed()
    pipeline = kb.pipeline(["patterns"])
    pipeline.sync_index()
    done = pipeline.embed_pending()
    click.echo(f"embedded {done:,} chunks; the index holds {len(pipeline.index):,} vectors")


@cli.command()
@click.argument("document")
@click.pass_obj
def remove(kb: Home, document: str) -> None:
    """Remove one document (path, source URI or document IRI) with its triples, chunks and vectors.

    Example: kgassist remove ./labels/metformin.txt
    """
    if not kb.remove(document):
        raise click.ClickException(f"No ingested document matches {document!r}; `kgassist stats` lists counts.")
    click.echo(f"removed {document}")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonl"]), default="ttl", show_default=True)
@click.option("--doc", "document", help="Only this document (path, source URI or document IRI).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default stdout).")
@click.pass_obj
def export(kb: Home, fmt: str, document: str | None, output: Path | None) -> None:
    """Export the graph: Turtle or N-Triples (provenance included), or JSON Lines of asserted triples
    with labels, document and span.

    Example: kgassist export --format jsonl --doc ./labels/metformin.txt -o metformin.jsonl
    """
    from kgstore.export import write_export

    graph = _document_iri(kb, document) if document else None
    stream = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = write_export(kb.store, fmt, stream, graph)
    finally:
        if output:
            stream.close()
    if output:
        click.echo(f"wrote {count:,} {'records' if fmt == 'jsonl' else 'triples'} to {output}", err=True)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), help="Default: KGASSIST_VLLM_PORT (8000).")
@click.pass_obj
def serve(kb: Home, port: int | None) -> None:
    """Run vLLM's OpenAI-compatible server for the configured model on 127.0.0.1, in the foreground
    until Ctrl-C or SIGTERM: prompt embeddings (knowledge prefixes) and tool calling enabled.

    Example: kgassist serve --port 8000
    """
    import signal
    import subprocess

    from assistant.llm import serve as serving

    reason = serving.unavailable()
    if reason:
        raise ConfigError(reason)
    server = serving.plan(kb.settings, port)
    click.echo(f"vLLM serving {server.model} at {server.url}  (use it with KGASSIST_LLM_BACKEND=openai "
               f"KGASSIST_LLM_BASE_URL={server.url}; Ctrl-C stops it)")
    process = subprocess.Popen(server.command, env=server.env, start_new_session=True)
    stop = lambda *_: os.killpg(process.pid, signal.SIGTERM)  # noqa: E731 - the server and its engine
    signal.signal(signal.SIGTERM, stop)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        stop()
        process.wait(30)
        code = 0
    sys.exit(code)


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--llm-server/--no-llm-server", default=None,
              help="Answer through vLLM's server, started in the background and stopped on exit (the default "
                   "where vLLM can run and no KGASSIST_LLM_BACKEND is set: docs/serving.md).")
@click.pass_obj
def ui(kb: Home, port: int, address: str, llm_server: bool | None) -> None:
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

    kb.settings.home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "KGASSIST_HOME": str(kb.settings.home)}
    if kb.settings.read_only:
        env["KGASSIST_READ_ONLY"] = "1"
    command = [sys.executable, "-m", "streamlit", "run", spec.origin, "--server.port", str(port),
               "--server.address", address]  # the other options: ui/.streamlit/config.toml
    import signal

    from assistant.llm import serve as serving

    say = lambda line: click.echo(line, err=True)  # noqa: E731
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped: leave the with-block, stopping the server
    # the app and any other kgassist process on this home share the store; vLLM's server, if any, beside it
    with kb.hosting(), serving.for_app(kb.settings, llm_server, say) as served:
        env.update(served)
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
@click.option("--llm-server/--no-llm-server", default=None, help="As for `kgassist ui`.")
@click.pass_context
def quickstart(ctx: click.Context, no_ui: bool, port: int, llm_server: bool | None) -> None:
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
    ctx.invoke(ui, port=port, address="127.0.0.1", llm_server=llm_server)


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
            self.counts["failed" if status.startswith("failed") else status] += 1
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
