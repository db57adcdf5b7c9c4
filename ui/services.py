"""What every page shares: settings, store, database, models and the assistant, each built once
per server process for the settings in force (`kgassist ui` passes its home through the environment)."""

from __future__ import annotations

import difflib
import re
import threading
import uuid
from typing import Any

import streamlit as st

from assistant.home import Home
from kgstore import Settings, load_settings, vocab
from kgstore.sparql import with_prefixes

EMPTY_STORE = ("The knowledge base is empty. Add documents on the **Ingest** page, or run "
               "`kgassist quickstart` to load the bundled sample corpus.")


def settings() -> Settings:
    """The settings in force (environment over kgassist.toml over defaults); cheap to build."""
    return load_settings()


def _key(fields: set[str] | None = None) -> str:
    """The settings a resource depends on, as its cache key (secrets masked)."""
    return settings().model_dump_json(include=fields)


#: What each shared part depends on: changing any other setting does not reopen it (an embedded
#: store admits one opening per process; a model takes seconds to load).
_STORE_FIELDS = {"home", "store_url", "store_update_url", "store_user", "read_only", "sparql_limit",
                 "sparql_timeout_s"}
_LLM_FIELDS = {"home", "model_cache", "llm_backend", "llm_model", "llm_base_url", "llm_temperature",
               "llm_max_tokens"}


# Each part is opened by the composition root (`Home`) and cached under its key; the `_settings`
# argument (not hashed) carries the values, secrets included, which the key shows masked.
@st.cache_resource
def _store(key: str, _settings: Settings) -> Any:
    home = Home(_settings)
    home.init_if_needed()
    return home.store


@st.cache_resource
def _database(url: str, _settings: Settings) -> Any:
    return Home(_settings).db


@st.cache_resource(show_spinner="Loading the embedding model…")
def _embedder(name: str, _settings: Settings) -> Any:
    return Home(_settings).embedder


@st.cache_resource(show_spinner="Loading the language model…")
def _llm(key: str, _settings: Settings) -> Any:
    return Home(_settings).llm


def _home(*, with_llm: bool) -> Home:
    """A home over the shared parts (the LLM only when asked for: loading it takes a while)."""
    s = settings()
    return Home(s, store=store(), db=database(), embedder=embedder(), llm=llm() if with_llm else None)


@st.cache_resource(show_spinner="Indexing entity labels…", max_entries=4)
def _assistant(key: str, generation: int) -> Any:
    return _home(with_llm=True).assistant()


def pipeline(extractors: list[str]) -> Any:
    """The ingestion pipeline over the shared parts; the llm extractor uses the shared model."""
    return _home(with_llm="llm" in extractors).pipeline(extractors or None)


@st.cache_resource
def model_lock() -> threading.Lock:
    """One answer or ingestion at a time: the model and the embedded store are shared by all sessions."""
    return threading.Lock()


def store() -> Any:
    """The configured store; an empty embedded store gets the ontology on first use."""
    return _store(_key(_STORE_FIELDS), settings())


def database() -> Any:
    s = settings()
    return _database(s.public_dict()["database_url"], s)


def embedder() -> Any:
    s = settings()
    return _embedder(s.embedding_model, s)


def llm() -> Any:
    return _llm(_key(_LLM_FIELDS), settings())


def assistant() -> Any:
    """The assistant over the store as it is now (rebuilt after documents are added or removed)."""
    return _assistant(_key(), _generation())


def agent() -> Any:
    """The agent over the shared assistant (it hands the question to the pipeline when the model cannot call tools)."""
    return _home(with_llm=True).agent(assistant())


def stats() -> Any:
    return store().stats()


def document_count() -> int:
    return stats().documents


def _generation() -> int:
    """Changes whenever documents are added or removed: what the caches below are keyed on."""
    counts = stats()
    return hash((counts.documents, counts.quads))


@st.cache_data(show_spinner=False, max_entries=4)
def _surface_forms(key: str, generation: int) -> list[str]:
    return sorted({label for _, label, _ in store().entity_labels()})


def closest(text: str, candidates: list[str], limit: int = 8, cutoff: float = 0.75) -> list[str]:
    """The candidates most like `text`, typos allowed ("diabtes" finds "type 2 diabetes"): each is
    scored by its best match as a whole or by any run of as many words as `text` has."""
    key = vocab.label_key(text)
    width = len(key.split())
    scored = []
    for candidate in candidates:
        words = vocab.label_key(candidate).split()
        runs = [" ".join(words[i:i + width]) for i in range(max(1, len(words) - width + 1))]
        score = max(difflib.SequenceMatcher(None, key, run).ratio() for run in [" ".join(words), *runs])
        if score >= cutoff:
            scored.append((-score, len(candidate), candidate))
    return [c for _, _, c in sorted(scored)[:limit]]


def find_entities(text: str, limit: int = 20) -> tuple[list[Any], bool]:
    """Entities named like `text`, and whether they were found only as close spellings."""
    matches = store().find_entities(text, limit=limit)
    if matches:
        return matches, False
    found: dict[str, Any] = {}
    for label in closest(text, _surface_forms(_key(), _generation())):
        for match in store().find_entities(label, limit=1):
            found.setdefault(str(match.iri), match)
    return list(found.values())[:limit], True


#: Example questions for an empty chat, each filled in from the first entity a query finds.
EXAMPLE_QUERIES = (
    ("SELECT ?a WHERE { ?e kga:causesAdverseEvent ?x ; rdfs:label ?a } ORDER BY ?a LIMIT 1",
     "What are the side effects of {a}?"),
    ("SELECT ?a WHERE { ?e kga:chiefExecutiveOfficer ?x ; rdfs:label ?a } ORDER BY DESC(?a) LIMIT 1",
     "Who is the CEO of {a}?"),
    ("SELECT ?a ?b WHERE { ?e kga:reportedMetric ?o ; rdfs:label ?a . ?o kga:metric/rdfs:label \"revenue\" ; "
     "kga:period ?b } ORDER BY ?a ?b LIMIT 1", "What was the revenue of {a} in {b}?"),
    ("SELECT ?a WHERE { ?e kga:treats ?x ; rdfs:label ?a } ORDER BY DESC(?a) LIMIT 1", "What is {a} used to treat?"),
)


@st.cache_data(show_spinner=False, max_entries=4)
def _examples(key: str, generation: int) -> list[str]:
    questions = []
    for query, question in EXAMPLE_QUERIES:
        rows = store().query(with_prefixes(query)).rows
        if rows:
            questions.append(question.format(**{k: str(v) for k, v in rows[0].items()}))
    return questions


def example_questions() -> list[str]:
    """A few questions the knowledge base can answer, about entities it holds."""
    return _examples(_key(), _generation())


_SESSION = re.compile(r"[0-9a-f]{32}")


def session_id() -> str:
    """This browser session's id, kept in the URL (?session=…) so that a reload finds its history."""
    given = st.query_params.get("session", "")
    sid = given if _SESSION.fullmatch(given) else st.session_state.get("session") or uuid.uuid4().hex
    st.session_state["session"] = sid
    if given != sid:
        st.query_params["session"] = sid
    return sid
