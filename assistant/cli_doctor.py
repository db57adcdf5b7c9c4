"""`kgassist doctor`: are the store, the database, the vector index and the audit trail consistent?"""

from __future__ import annotations

import json
import sys

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .home import Home


@click.command()
@click.option("--repair", is_flag=True, help="Fix the drift found (re-ingest, drop orphans, rebuild the index).")
@click.option("--json", "as_json", is_flag=True, help="Print the checkup as JSON.")
@click.pass_obj
def doctor(kb: Home, repair: bool, as_json: bool) -> None:
    """Check that store, database and vector index agree (and that the audit chain is intact).

    Exits 0 when everything agrees (after --repair, when it could fix it), 1 otherwise.
    Audit tampering is reported, never "repaired".

    Example: kgassist doctor   |   kgassist doctor --repair --json
    """
    from assistant import audit
    from ingestion import doctor as checks

    if repair:
        kb.require_writable()
        up = checks.repair(kb.pipeline())
    else:
        up = checks.check(kb.store, kb.db, kb.index)
    trail = audit.verify(kb.db)
    if as_json:
        click.echo(json.dumps({**up.to_json(), "audit": trail.to_json()}, indent=2))
    else:
        click.echo(f"store: {up.graphs} document graphs; database: {up.documents} documents, {up.chunks} chunks, "
                   f"{up.vectors} vectors; index: {up.indexed} vectors")
        for line in up.repaired:
            click.secho(f"repaired: {line}", fg="green")
        for d in up.drift:
            click.secho(f"drift ({d.kind}): {d.subject}: {d.detail}", fg="yellow")
        if up.awaiting_vectors:
            click.echo(f"{up.awaiting_vectors} chunks await vectors (ingested with --no-vectors); `kgassist index`")
        if up.consistent:
            click.secho("store, database and index agree", fg="green")
        elif not repair:
            click.echo("run `kgassist doctor --repair` to fix this")
        click.secho(f"audit trail {'intact' if trail.intact else 'TAMPERED'}: {trail.records} records",
                    fg="green" if trail.intact else "red")
        for problem in trail.problems:
            click.echo(f"  - {problem}")
    if not (up.consistent and trail.intact):
        sys.exit(1)
