"""The composition root: a kgassist home's parts (store, database, vector index, embedder, LLM),
each opened on first use and closed once. The CLI, the app, the tests and the benchmarks open
them only through `Home`; nothing here decides anything beyond which part to build.

    with Home(load_settings()) as home:
        answer = home.assistant().ask("What are the side effects of metformin?")
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from functools import cached_property
from typing import Any

from kgstore import KGStore, ReadOnlyError, Settings, open_store, share
from kgstore.db import Database, open_database
from kgstore.errors import ConfigError


class Home:
    """Opens what a home is made of. Parts handed in (a cached model, a shared store) are used as
    they are and left open on `close`; parts it opened itself it closes."""

    def __init__(self, settings: Settings, *, store: KGStore | None = None, db: Database | None = None,
                 embedder: Any | None = None, llm: Any | None = None, migrate: bool = True):
        self.settings, self._migrate = settings, migrate
        self._closers: list[Any] = []
        self._given = {name for name, part in (("store", store), ("db", db)) if part is not None}
        for name, part in (("store", store), ("db", db), ("embedder", embedder), ("llm", llm)):
            if part is not None:
                self.__dict__[name] = part  # fills the cached_property below

    # -- parts ----------------------------------------------------------------------------------
    @cached_property
    def store(self) -> KGStore:
        store = open_store(self.settings)
        self._closers.append(store.close)
        return store

    @cached_property
    def db(self) -> Database:
        db = open_database(self.settings.db_url, migrate=self._migrate)
        self._closers.append(db.close)
        return db

    @cached_property
    def embedder(self) -> Any:  # -> ingestion.embed.Embedder
        from ingestion.embed import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(self.settings.embedding_model)

    @cached_property
    def index(self) -> Any:  # -> ingestion.index.VectorIndex
        """The chunk vector index; opening it loads no embedding model."""
        from ingestion.index import VectorIndex

        dim = self.__dict__["embedder"].dim if "embedder" in self.__dict__ else None
        return VectorIndex(self.settings.index_dir, dim, self.settings.index_kind, model=self.settings.embedding_model)

    @cached_property
    def llm(self) -> Any:  # -> assistant.llm.LLM
        return self.llm_for()

    def llm_for(self, backend: str | None = None, model: str | None = None) -> Any:
        """The configured LLM, or another backend or model for one answer."""
        from .llm import load_llm

        if (backend or model) is None and "llm" in self.__dict__:
            return self.__dict__["llm"]
        return load_llm(self.settings, backend=backend, model=model)

    # -- what is built from the parts -----------------------------------------------------------
    def assistant(self, llm: Any | None = None, *, backend: str | None = None,
                  model: str | None = None) -> Any:  # -> assistant.answer.Assistant
        """The assistant over this home, answering with `llm`, another backend or model, or the
        configured one (the quick parts are opened first, so that their errors come before a
        model loads)."""
        from .answer import open_assistant

        store, db, embedder, index = self.store, self.db, self.embedder, self._matched_index()
        return open_assistant(self.settings, store, db, llm or self.llm_for(backend, model), embedder, index)

    def agent(self, assistant: Any | None = None, *, backend: str | None = None,
              model: str | None = None) -> Any:  # -> assistant.agent.Agent
        """The agent over `assistant` (default: this home's): it plans its own lookups when the model
        calls tools (the openai backend), and leaves the question to the pipeline, saying so, when it cannot."""
        from .agent import Agent, Limits

        s = self.settings
        return Agent(assistant or self.assistant(backend=backend, model=model), Limits.from_settings(s),
                     sparql_limit=min(s.sparql_limit, 200), sparql_timeout_s=s.sparql_timeout_s)

    def pipeline(self, extractors: list[str] | None = None, *, vectors: bool = True,
                 llm: Any | None = None) -> Any:  # -> ingestion.pipeline.Pipeline
        """The ingestion pipeline; the `llm` extractor uses `llm` or the configured model."""
        from ingestion.pipeline import from_settings

        names = list(extractors or self.settings.extractor_names)
        model = (llm or self.llm) if "llm" in names else None
        return from_settings(self.settings, self.store, self.db, self.embedder, self._matched_index(), names,
                             llm=model, vectors=vectors)

    def remove(self, reference: str) -> bool:
        """Remove one document from store, database and index (no embedding model is loaded)."""
        from ingestion.lock import WriterLock
        from ingestion.pipeline import remove_document

        self.require_writable()
        return remove_document(self.store, self.db, self.index, reference, WriterLock(self.settings.home / "writer.lock"))

    def _matched_index(self) -> Any:
        index, embedder = self.index, self.embedder
        if index.dim != embedder.dim:
            raise ConfigError(f"The index at {self.settings.index_dir} holds {index.dim}-dimensional vectors; the "
                              f"embedding model {self.settings.embedding_model!r} makes {embedder.dim}-dimensional "
                              "ones. Set KGASSIST_EMBEDDING_MODEL back, or use a new KGASSIST_HOME.")
        return index

    # -- life cycle -----------------------------------------------------------------------------
    def require_writable(self) -> None:
        if self.settings.read_only:
            raise ReadOnlyError("kgassist runs read-only (--read-only or KGASSIST_READ_ONLY): ingestion, removal, "
                                "repair and fine-tuning are disabled; questions, SPARQL and audits still work.")

    def init_if_needed(self) -> None:
        """First use of an empty store: load the ontology (the database migrates when opened)."""
        if self.store.stats().graphs == 0 and not self.settings.read_only:
            self.store.load_ontology()

    def hosting(self) -> AbstractContextManager:
        """For a long-running process: serve the embedded store on loopback while it runs, so that
        other kgassist processes on this home share it (`kgstore.share`). Nothing to do for an
        endpoint store or when another process already hosts it."""
        if self.settings.is_endpoint or share.serving(self.settings.store_path) is not None:
            return nullcontext()
        self.close()  # release the folder if this process opened it, so the server can
        return share.StoreHost(self.settings.store_path, timeout_s=max(60.0, self.settings.sparql_timeout_s))

    def close(self) -> None:
        """Close what this home opened; the next use opens it again."""
        while self._closers:
            self._closers.pop()()
        for name in {"store", "db", "index"} - self._given:
            self.__dict__.pop(name, None)

    def __enter__(self) -> Home:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
