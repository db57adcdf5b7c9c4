"""Ingest: upload files or point at a folder on the server; progress, then per-file results and errors."""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from kgstore.settings import ExtractorName, choices
from ui import services

st.title("Ingest")
settings = services.settings()
if settings.read_only:
    st.info("kgassist runs read-only (KGASSIST_READ_ONLY): ingestion is disabled here.")
    st.stop()

st.caption("txt, md, html, pdf, csv, tsv and jsonl. Unchanged files are skipped, changed ones replaced, "
           "unreadable ones reported; nothing else is lost.")
uploads = st.file_uploader("Upload files", accept_multiple_files=True)
folder = st.text_input("…or a file or folder on the server", placeholder="/data/filings")
extractors = st.multiselect("Extractors", choices(ExtractorName), default=settings.extractor_names,
                            help="llm runs the configured language model on every chunk (slow on CPU).")


def _saved_uploads() -> list[Path]:
    target = settings.home / "uploads"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for upload in uploads or []:
        name = re.sub(r"[^\w.\-]", "_", Path(upload.name).name) or "upload"
        path = target / name
        path.write_bytes(upload.getvalue())
        paths.append(path)
    return paths


if st.button("Ingest", type="primary", disabled=not (uploads or folder.strip())):
    from ingestion.pipeline import discover

    paths = _saved_uploads()
    if folder.strip():
        given = Path(folder.strip()).expanduser()
        if not given.exists():
            st.error(f"{given} does not exist on the server.")
            st.stop()
        paths.append(given)
    files = discover(paths)
    bar = st.progress(0.0, text=f"0 of {len(files)} files")
    rows: list[dict[str, str]] = []

    def progress(path: str, status: str) -> None:
        rows.append({"file": path, "status": status})
        bar.progress(min(1.0, len(rows) / max(1, len(files))), text=f"{len(rows)} of {len(files)} files")

    with services.model_lock(), st.spinner("Ingesting…"):
        report = services.pipeline(extractors).ingest(files, progress=progress)
    bar.progress(1.0, text="done")
    summary = (f"ok {report.ok}, skipped {report.skipped}, failed {len(report.failed)}; "
               f"{report.triples:,} triples, {report.chunks:,} chunks in {report.seconds:.1f} s")
    (st.warning if report.failed else st.success)(summary)
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch")
    for failure in report.failed:
        st.error(f"{failure['path']}: {failure['error']}")
