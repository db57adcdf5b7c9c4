"""What every page shares: settings, store, database, models and the assistant, each built once
per server process for the settings in force (`kgassist ui` passes its home through the environment)."""

from __future__ import annotations

import threading
from typing import Any

import streamlit as st

from kgstore import Settings, open_store
from kgstore.db import open_database

EMPTY_STORE = ("The knowledge base is empty. Add documents on the **Ingest** page, or run "
               "`kgassist quickstart` to load the bundled sample corpus.")


def settings() -> Settings:
    """The settings in force (environment over kgassist.toml over defaults); cheap to build."""
    return Settings()


def _key() -> str:
    return settings().model_dump_json()


@st.cache_resource
def _store(key: str) -> Any:
    s = open_store(Settings.model_validate_json(key))
    if s.stats().graphs == 0 and not s.read_only:
        s.load_ontology()
    return s


@st.cache_resource
def _database(url: str) -> Any:
    return open_database(url)


@st.cache_resource(show_spinner="Loading the embedding model…")
def _embedder(name: str) -> Any:
    from ingestion.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(name)


@st.cache_resource(show_spinner="Loading the language model…")
def _llm(key: str) -> Any:
    from assistant.llm import load_llm

    return load_llm(Settings.model_validate_json(key))


@st.cache_resource(show_spinner="Indexing entity labels…", max_entries=4)
def _assistant(key: str, generation: int) -> Any:
    from assistant.answer import open_assistant

    return open_assistant(Settings.model_validate_json(key), _store(key), _database(settings().db_url), _llm(key),
                          embedder=_embedder(settings().embedding_model))


@st.cache_resource
def model_lock() -> threading.Lock:
    """One answer or ingestion at a time: the model and the embedded store are shared by all sessions."""
    return threading.Lock()


def store() -> Any:
    """The configured store; an empty embedded store gets the ontology on first use."""
    return _store(_key())


def database() -> Any:
    return _database(settings().db_url)


def embedder() -> Any:
    return _embedder(settings().embedding_model)


def llm() -> Any:
    return _llm(_key())


def assistant() -> Any:
    """The assistant over the store as it is now (rebuilt after documents are added or removed)."""
    stats = store().stats()
    return _assistant(_key(), hash((stats.documents, stats.quads)))


def document_count() -> int:
    return store().stats().documents
