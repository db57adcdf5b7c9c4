"""Extractors behind one interface; `combine` runs several and merges their output."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kgstore.errors import ConfigError
from kgstore.settings import ExtractorName, choices

from ..chunking import Chunk, chunk
from ..loaders import LoadedDocument
from .base import BatchExtractor, Extraction, Extractor, Mention, Node


def combine(extractors: Sequence[Extractor], document: LoadedDocument, chunks: Sequence[Chunk]) -> list[Extraction]:
    """Every extractor's triples. Duplicates are kept apart here so each keeps its provenance; the
    store holds each triple once with one assertion node per finding."""
    return combine_many(extractors, [(document, chunks)])[0]


class Combined:
    """Extractors combined as ingestion combines them, behind one extractor's `extract` (what a
    benchmark scores is what the store would hold)."""

    def __init__(self, extractors: Sequence[Extractor]):
        self.extractors = list(extractors)
        self.name = " + ".join(e.name for e in self.extractors)

    def extract(self, document: LoadedDocument, chunks: Sequence[Chunk] = ()) -> list[Extraction]:
        return combine(self.extractors, document, chunks or chunk(document.text))


def combine_many(extractors: Sequence[Extractor],
                 items: Sequence[tuple[LoadedDocument, Sequence[Chunk]]]) -> list[list[Extraction]]:
    """`combine` for several documents: a `BatchExtractor` sees them all in one call. An extractor
    that `decides` relations (a trained model) keeps another extractor's triple of one of them
    only where it found the same triple too: that triple then has both provenances."""
    out: list[list[Extraction]] = [[] for _ in items]
    for extractor in extractors:
        found = extractor.extract_many(items) if isinstance(extractor, BatchExtractor) \
            else [extractor.extract(document, chunks) for document, chunks in items]
        for bucket, extractions in zip(out, found):
            bucket += extractions
    for decider in (e for e in extractors if getattr(e, "decides", None)):
        for bucket in out:
            agreed = {_key(e) for e in bucket if e.extractor == decider.name}
            bucket[:] = [e for e in bucket if e.predicate not in decider.decides or e.extractor == decider.name
                         or _key(e) in agreed]
    return out


def _key(extraction: Extraction) -> tuple:
    """What makes two extractors' findings the same triple: the words of both ends, and the relation."""
    obj = extraction.object
    return (extraction.subject.text.lower(), extraction.predicate,
            obj.text.lower() if isinstance(obj, Mention) else str(obj))


def build_extractors(names: Sequence[str], *, entities: Sequence[tuple] = (), table_mapping: str = "",
                     llm=None, learned_model: str | Path = "", learned_threshold: float = 0.8) -> list[Extractor]:  # noqa: ANN001
    """Extractors by name: `patterns` (gazetteer + patterns; `entities` are (label, class) pairs
    already known), `table` (YAML mapping), `llm` (needs an `llm` generator), `learned` (the
    fine-tuned tagger in `learned_model`; it decides its relations, and drops its triples below
    `learned_threshold`)."""
    out: list[Extractor] = []
    for name in names:
        if name == "patterns":
            from .gazetteer import default_gazetteer
            from .patterns import PatternExtractor

            out.append(PatternExtractor(default_gazetteer(entities)))
        elif name == "table":
            from .table import TableMapper, load_mappings

            path = Path(table_mapping) if table_mapping else Path(__file__).parents[1] / "mappings" / "default.yaml"
            out.append(TableMapper(load_mappings(path)))
        elif name == "llm":
            from .llm import LLMExtractor

            if llm is None:
                raise ConfigError("The llm extractor needs a language model (KGASSIST_LLM_BACKEND, KGASSIST_LLM_MODEL).")
            out.append(LLMExtractor(llm))
        elif name == "learned":
            from .learned import LearnedExtractor

            out.append(LearnedExtractor(Path(learned_model), threshold=learned_threshold))
        else:
            raise ConfigError(f"Unknown extractor {name!r}; choose from {', '.join(choices(ExtractorName))} "
                              "(KGASSIST_EXTRACTORS or --extractor).")
    return out


__all__ = ["BatchExtractor", "Combined", "Extraction", "Extractor", "Mention", "Node", "build_extractors", "combine",
           "combine_many"]
