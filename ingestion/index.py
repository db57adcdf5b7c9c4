"""The chunk vector index: FAISS, persisted under home/index, ids = chunk ids in the database.

The database keeps every chunk's vector, so the index is a derived cache: `sync` compares its ids
with the database and repairs any drift (after a crash, say) without re-embedding anything.
Exact inner-product search by default; HNSW or IVF for large corpora (`kind`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kgstore.errors import ConfigError
from kgstore.settings import IndexKind, choices

KINDS = choices(IndexKind)


class VectorIndex:
    def __init__(self, folder: Path, dim: int | None = None, kind: str = "flat", model: str | None = None):
        """Open the index under `folder`; `dim` may be omitted when the index file exists. `model`
        names the embedding model its vectors come from: an index built with another is refused."""
        import faiss

        if kind not in KINDS:
            raise ConfigError(f"Unknown index kind {kind!r}; choose one of {', '.join(KINDS)} (KGASSIST_INDEX_KIND).")
        self._faiss = faiss
        self.folder, self.kind, self.model = Path(folder), kind, model
        self._check_model()
        self.path = self.folder / f"chunks.{kind}.faiss"
        stored = faiss.read_index(str(self.path)) if self.path.exists() else None
        self.dim = dim or (stored.d if stored is not None else 384)
        self._index = stored if stored is not None else self._empty()
        if self._index.d != self.dim:
            raise ConfigError(f"The index at {self.path} holds {self._index.d}-dimensional vectors, the embedding "
                              f"model {self.dim}-dimensional ones: set KGASSIST_EMBEDDING_MODEL back to the model "
                              "it was built with, or use a new KGASSIST_HOME.")
        self._dirty = False

    def _check_model(self) -> None:
        """The index and the database's vectors came from one embedding model (`model.json`)."""
        recorded = self.folder / "model.json"
        if self.model is None or not recorded.is_file():
            return
        built = json.loads(recorded.read_text()).get("embedding_model")
        same = lambda a, b: a.rstrip("/").rsplit("/", 1)[-1].lower() == b.rstrip("/").rsplit("/", 1)[-1].lower()  # noqa: E731
        if built and not same(built, self.model):
            raise ConfigError(f"The vectors of {self.folder} were made with the embedding model {built!r}, not "
                              f"{self.model!r}: set KGASSIST_EMBEDDING_MODEL={built}, or use a new KGASSIST_HOME.")

    def _empty(self, n: int = 0):  # noqa: ANN202
        f = self._faiss
        if self.kind == "hnsw":
            return f.IndexIDMap2(f.IndexHNSWFlat(self.dim, 32, f.METRIC_INNER_PRODUCT))
        if self.kind == "ivf" and n >= 1000:
            lists = max(1, int(np.sqrt(n)))
            return f.IndexIDMap2(f.IndexIVFFlat(f.IndexFlatIP(self.dim), self.dim, lists, f.METRIC_INNER_PRODUCT))
        return f.IndexIDMap2(f.IndexFlatIP(self.dim))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> set[int]:
        if len(self) == 0:
            return set()
        return set(self._faiss.vector_to_array(self._index.id_map).astype(np.int64).tolist())

    def add(self, ids: Iterable[int], vectors: np.ndarray) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
            self._dirty = True

    def remove(self, ids: Iterable[int]) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if not len(ids):
            return
        if self.kind == "hnsw":
            raise ValueError("HNSW indexes cannot delete in place; rebuild them with `sync`")
        self._index.remove_ids(ids)
        self._dirty = True

    def search(self, vector: np.ndarray, k: int = 10) -> list[tuple[int, float]]:
        if len(self) == 0:
            return []
        if self.kind == "hnsw":
            self._index.index.hnsw.efSearch = max(64, 2 * k)
        scores, ids = self._index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i != -1]

    def rebuild(self, ids: list[int], vectors: np.ndarray) -> None:
        self._index = self._empty(len(ids))
        inner = self._index.index
        if hasattr(inner, "is_trained") and not inner.is_trained:
            inner.train(np.ascontiguousarray(vectors, dtype=np.float32))
        self.add(ids, vectors)
        self._dirty = True

    def sync(self, stored: dict[int, np.ndarray]) -> tuple[int, int]:
        """Make the index hold exactly `stored` (chunk id -> vector). Returns (added, removed)."""
        have, want = self.ids(), set(stored)
        missing, extra = want - have, have - want
        if not missing and not extra:
            return 0, 0
        if self.kind == "flat" and len(missing) + len(extra) < max(1000, len(want) // 2):
            self.remove(extra)
            order = sorted(missing)
            if order:
                self.add(order, np.stack([stored[i] for i in order]))
        else:
            order = sorted(want)
            self.rebuild(order, np.stack([stored[i] for i in order]) if order else np.zeros((0, self.dim), np.float32))
        return len(missing), len(extra)

    def save(self) -> None:
        """Write atomically: a crash leaves the previous file intact."""
        if not self._dirty and self.path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        self._faiss.write_index(self._index, str(tmp))
        os.replace(tmp, self.path)
        if self.model is not None:
            (self.folder / "model.json").write_text(json.dumps({"embedding_model": self.model, "dim": self.dim}))
        self._dirty = False
