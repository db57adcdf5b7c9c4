"""Dictionary entity recognition: longest, case-insensitive, token-aligned matches of known labels."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import URIRef

from kgstore import vocab

from . import lexicon
from .base import Mention

TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&]*(?:[-.][A-Za-z0-9&]+)*")


def tokens(text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    return list(TOKEN.finditer(text, start, len(text) if end is None else end))


class Gazetteer:
    """Labels with their ontology class; `find` returns non-overlapping longest matches."""

    def __init__(self, entries: Iterable[tuple[str, URIRef]] = ()):
        self._index: dict[str, list[tuple[tuple[str, ...], URIRef]]] = {}
        self.size = 0
        for label, kind in entries:
            self.add(label, kind)

    def add(self, label: str, kind: URIRef) -> None:
        key = tuple(t.group().lower() for t in TOKEN.finditer(label))
        if not key:
            return
        bucket = self._index.setdefault(key[0], [])
        if (key, kind) not in bucket:
            bucket.append((key, kind))
            bucket.sort(key=lambda e: -len(e[0]))
            self.size += 1

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        toks = tokens(text, start, end)
        words = [t.group().lower() for t in toks]
        found, i = [], 0
        while i < len(toks):
            for key, kind in self._index.get(words[i], ()):
                n = len(key)
                if tuple(words[i:i + n]) == key:
                    found.append(Mention(text[toks[i].start():toks[i + n - 1].end()], toks[i].start(),
                                         toks[i + n - 1].end(), kind))
                    i += n
                    break
            else:
                i += 1
        return found


def default_gazetteer(extra: Iterable[tuple[str, URIRef]] = ()) -> Gazetteer:
    """Built-in drugs, conditions and metric names, plus `extra` (e.g. entities already in the store)."""
    entries: list[tuple[str, URIRef]] = []
    entries += [(d, vocab.DRUG) for d in lexicon.DRUGS | set(lexicon.DRUG_SYNONYMS) | set(lexicon.DRUG_PHRASES)]
    entries += [(c, vocab.MEDICAL_CONDITION) for c in lexicon.CONDITIONS]
    entries += [(form, vocab.METRIC) for forms in lexicon.METRICS.values() for form in forms]
    return Gazetteer([*entries, *extra])
