"""Entity linking: find the store's entities a question mentions, by exact label or alias, fuzzy
label match, and embedding similarity over entity labels (their own small FAISS index)."""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rdflib import URIRef

from kgstore import vocab

from .question import Question
from .text import STOPWORDS, words

MAX_WORDS = 6


@dataclass(frozen=True)
class Link:
    """An entity a question mentions: the mention, where it is, and how sure the match is."""

    mention: str
    start: int
    end: int
    entity: URIRef
    label: str
    kind: URIRef
    score: float
    method: str  # exact | partial | fuzzy | embedding


class EntityLinker:
    """Links question text to entities. Build it from `store.entity_labels()`; it is read-only after."""

    def __init__(self, labels: Iterable[tuple[URIRef, str, URIRef]], embedder=None, *,  # noqa: ANN001
                 fuzzy_cutoff: float = 0.88, embedding_cutoff: float = 0.86):
        self.embedder, self.fuzzy_cutoff, self.embedding_cutoff = embedder, fuzzy_cutoff, embedding_cutoff
        self._by_key: dict[str, dict[URIRef, tuple[str, URIRef]]] = defaultdict(dict)
        self._label: dict[URIRef, tuple[str, URIRef]] = {}
        for entity, label, kind in labels:
            if kind in (vocab.DOCUMENT, vocab.ASSERTION, vocab.METRIC_OBSERVATION):
                continue
            self._label.setdefault(entity, (label, kind))
            for key in {vocab.label_key(label), vocab.entity_key(label), folded(vocab.entity_key(label))}:
                if len(key) >= 2:
                    self._by_key[key].setdefault(entity, (label, kind))
        self._initialisms: dict[str, dict[URIRef, tuple[str, URIRef]]] = defaultdict(dict)
        for entity, (label, kind) in self._label.items():
            if kind in (vocab.COMPANY, vocab.ORGANIZATION) and (short := initialism(label)):
                self._initialisms[short][entity] = (label, kind)
        self._keys_by_initial: dict[str, list[str]] = defaultdict(list)
        self._keys_by_first_word: dict[str, list[str]] = defaultdict(list)
        for key in self._by_key:
            self._keys_by_initial[key[0]].append(key)
            self._keys_by_first_word[key.split()[0]].append(key)
        self._index = None
        self._index_keys: list[str] = []

    def __len__(self) -> int:
        return len(self._label)

    def label(self, entity: URIRef) -> str | None:
        found = self._label.get(entity)
        return found[0] if found else None

    def link(self, question: Question | str, limit: int = 8) -> list[Link]:
        """Entities a question mentions, longest mentions first, best score per entity, no overlaps."""
        text = question.text if isinstance(question, Question) else question
        tokens = list(question.tokens) if isinstance(question, Question) else words(text)
        spans = [(i, j) for n in range(min(MAX_WORDS, len(tokens)), 0, -1) for i in range(len(tokens) - n + 1)
                 for j in [i + n]]
        found: list[Link] = []
        taken: set[int] = set()
        pending: list[tuple[int, int, str]] = []
        for i, j in spans:
            if taken & set(range(i, j)):
                continue
            surface = text[tokens[i][1]:tokens[j - 1][2]]
            if not _worth_linking(surface, j - i):
                continue
            if surface.endswith(("'s", "’s")):
                surface = surface[:-2]
            key = vocab.label_key(surface)
            matches = self._by_key.get(key) or self._by_key.get(vocab.entity_key(surface)) \
                or self._by_key.get(folded(vocab.entity_key(surface)))
            method, score = "exact", 1.0
            if not matches and j - i <= 4 and len(key) >= 5:
                close = difflib.get_close_matches(key, self._keys_by_initial.get(key[0], []), n=1,
                                                  cutoff=self.fuzzy_cutoff)
                if close:
                    matches = self._by_key[close[0]]
                    method = "fuzzy"
                    score = round(0.9 * difflib.SequenceMatcher(None, key, close[0]).ratio(), 4)
            if not matches and any(c.isupper() for c in surface) and len(key) >= 4:
                longer = [k for k in self._keys_by_first_word.get(key.split()[0], []) if k.startswith(key + " ")]
                if longer:  # 'Mobileye' for 'Mobileye Global Inc.': a name's leading words
                    shortest = min(longer, key=len)
                    matches, method = self._by_key[shortest], "partial"
                    score = round(0.6 + 0.3 * len(key) / len(shortest), 4)
            if not matches and j - i == 1 and len(self._initialisms.get(surface, ())) == 1:
                matches, method, score = self._initialisms[surface], "initials", 0.8  # 'AMD' for Advanced Micro Devices
            if not matches:
                if j - i <= 3:
                    pending.append((i, j, surface))
                continue
            taken |= set(range(i, j))
            for entity, (label, kind) in matches.items():
                found.append(Link(surface, tokens[i][1], tokens[j - 1][2], entity, label, kind, score, method))
        if self.embedder is not None and pending:
            found += self._by_embedding([(i, j, s) for i, j, s in pending if not taken & set(range(i, j))],
                                        tokens)
        best: dict[URIRef, Link] = {}
        for link in found:
            if link.entity not in best or link.score > best[link.entity].score:
                best[link.entity] = link
        ranked = sorted(best.values(), key=lambda lk: (-lk.score, -(lk.end - lk.start), lk.start))
        return ranked[:limit]

    # -- embedding similarity -------------------------------------------------------------------
    def _build_index(self) -> None:
        import faiss

        self._index_keys = [k for k in self._by_key if len(k) >= 4]
        vectors = self.embedder.embed(self._index_keys) if self._index_keys else np.zeros((0, self.embedder.dim),
                                                                                          dtype=np.float32)
        self._index = faiss.IndexFlatIP(self.embedder.dim)
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def _by_embedding(self, pending: list[tuple[int, int, str]], tokens) -> list[Link]:  # noqa: ANN001
        if not pending:
            return []
        if self._index is None:
            self._build_index()
        if not self._index.ntotal:
            return []
        vectors = self.embedder.embed([s for _, _, s in pending])
        scores, ids = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), 1)
        links = []
        for (i, j, surface), score, idx in zip(pending, scores[:, 0], ids[:, 0]):
            if idx < 0 or score < self.embedding_cutoff:
                continue
            for entity, (label, kind) in self._by_key[self._index_keys[idx]].items():
                links.append(Link(surface, tokens[i][1], tokens[j - 1][2], entity, label, kind,
                                  round(0.9 * float(score), 4), "embedding"))
        return links


_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "þ": "th", "ı": "i"})


def folded(key: str) -> str:
    """A label key in plain letters, as people type a name without its accents: 'ørsted' -> 'orsted'."""
    return "".join(c for c in unicodedata.normalize("NFKD", key.translate(_LETTERS)) if not unicodedata.combining(c))


#: Words a company's initialism leaves out ('Advanced Micro Devices, Inc.' is AMD).
_NOT_INITIALLED = frozenset("inc incorporated corp corporation co company companies plc ltd limited llc lp sa ag nv se "
                            "the of and holdings group".split())


def initialism(label: str) -> str:
    """The capitals a company's name is written as ('Advanced Micro Devices, Inc.' -> 'AMD'), for names
    of three or more words (two-letter initialisms of two-word names are too often a word)."""
    parts = [w for w in words(label.replace("&", " and ")) if w[0].lower() not in _NOT_INITIALLED]
    initials = "".join(w[0][0] for w in parts if w[0][0].isalpha())
    return initials.upper() if len(parts) >= 3 and len(initials) == len(parts) else ""


def _worth_linking(surface: str, n_words: int) -> bool:
    lowered = surface.lower()
    if n_words == 1:
        return (len(surface) >= 3 and lowered not in STOPWORDS) or surface.isupper() and len(surface) >= 2
    parts = lowered.split()
    return not (parts[0] in STOPWORDS or parts[-1] in STOPWORDS)
