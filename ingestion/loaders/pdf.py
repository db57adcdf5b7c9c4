"""PDF through pypdf (BSD): page texts joined with form feeds, so a page's offsets are recoverable."""

from __future__ import annotations

import logging
from pathlib import Path

from .base import LoadedDocument, LoadError

PAGE_BREAK = "\n\f\n"


def load(path: Path) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise LoadError("the PDF is encrypted with a password; decrypt it first (e.g. `qpdf --decrypt`)")
            except LoadError:
                raise
            except Exception:
                raise LoadError("the PDF is encrypted and cannot be opened; decrypt it first") from None
        pages = [(page.extract_text() or "") for page in reader.pages]
        info = reader.metadata or {}
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as e:
        raise LoadError(f"corrupt or unreadable PDF ({e.__class__.__name__}: {str(e)[:120]})") from None
    title = str(info.get("/Title") or "").strip() or path.stem
    date = str(info.get("/CreationDate") or "")
    iso = f"{date[2:6]}-{date[6:8]}-{date[8:10]}" if date.startswith("D:") and len(date) >= 10 else None
    return LoadedDocument(uri=str(path), text=PAGE_BREAK.join(p.strip() for p in pages), media_type="application/pdf",
                          title=title, date=iso, pages=len(pages))
