"""The one typed settings object: `KGASSIST_*` environment variables over `kgassist.toml` over defaults.

Built once at the edge (CLI, UI) and passed down; no other module reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .artifacts import SPEC_FILE
from .errors import ConfigError

CONFIG_ENV = "KGASSIST_CONFIG"
DEFAULT_CONFIG = "kgassist.toml"

# The names of each choice, defined once: settings validate against them, and the CLI, the app and
# each implementation's registry read them (`choices(LLMBackend)`).
LLMBackend = Literal["transformers", "vllm", "openai"]
ExtractorName = Literal["patterns", "table", "llm", "learned"]
KGEModelName = Literal["transe", "distmult", "complex", "rotate"]
AnswerMode = Literal["hybrid", "graph", "retrieval", "agent"]
AnswerLead = Literal["sources", "model"]
IndexKind = Literal["flat", "hnsw", "ivf"]


def choices(kind: Any) -> tuple[str, ...]:
    """The names a choice type admits, in order."""
    return get_args(kind)


class Settings(BaseSettings):
    """Everything configurable. Defaults are the embedded, offline ones."""

    model_config = SettingsConfigDict(env_prefix="KGASSIST_", extra="forbid", validate_default=True)

    home: Path = Field(Path(".kgassist"), description="Folder holding the store, database, indexes and caches.")

    # RDF store: empty = embedded Oxigraph under home/store; a path = embedded there;
    # an http(s) URL = a SPARQL 1.1 endpoint's query URL.
    store_url: str = ""
    store_update_url: str = Field("", description="Endpoint update URL; default: query URL with /query -> /update.")
    store_user: str = ""
    store_password: SecretStr = SecretStr("")

    database_url: str = Field("", description="SQLAlchemy URL; default: SQLite file under home.")

    # Safe SPARQL bounds for everything user- or model-facing.
    sparql_limit: int = Field(1000, ge=1)
    sparql_timeout_s: float = Field(10.0, gt=0)

    # Models (used by later layers; every name is configurable).
    llm_backend: LLMBackend = "transformers"
    llm_model: str = "SmolLM2-135M-Instruct"
    llm_base_url: str = Field("http://127.0.0.1:8000/v1", description="OpenAI-compatible server (openai backend).")
    llm_api_key: SecretStr = SecretStr("")
    llm_temperature: float = 0.0
    llm_max_tokens: int = 256
    vllm_kv_cache_gib: int = Field(2, ge=1, description="KV cache of a vLLM engine on CPU, GiB "
                                   "(VLLM_CPU_KVCACHE_SPACE); vLLM reserves it at start-up.")
    vllm_port: int = Field(8000, ge=1, le=65535, description="Port of `kgassist serve` (vLLM's OpenAI server).")
    embedding_model: str = "all-MiniLM-L6-v2"
    model_cache: Path | None = Field(None, description="Converted-model cache; default home/models.")
    merge_threshold: float = Field(0.92, gt=0, le=1, description="Cosine similarity above which entities merge.")

    adapter: str = Field("", description="Knowledge prefix adapter folder (`kgassist finetune adapter`); "
                         "empty: none.")

    # Answering.
    prompt_tokens: int = Field(1536, ge=256, description="Token budget for the facts and passages in a prompt.")
    passages: int = Field(5, ge=0, le=50, description="Passages retrieved per question.")
    answer_max_tokens: int = Field(160, ge=8, description="Token limit of a written answer.")
    max_question_chars: int = Field(2000, ge=10, description="Longest question accepted (longer ones are refused).")
    answer_mode: AnswerMode = Field("hybrid", description="Sources of an answer: graph and passages, graph only, "
                                    "passages only, or an agent that plans its own lookups (needs a model that "
                                    "calls tools, served over the openai backend).")
    answer_lead: AnswerLead = Field("sources", description="What an answer opens with: 'sources' (graph facts "
                                    "as sentences, else the passage sentence that answers; for small models) or "
                                    "'model' (the model's verified sentences; for capable models).")
    agent_max_steps: int = Field(6, ge=1, le=50, description="Most model turns of one agent answer.")
    agent_max_tokens: int = Field(12_000, ge=256, description="Most tokens (prompt and reply, all turns) of one "
                                  "agent answer.")
    agent_timeout_s: float = Field(120.0, gt=0, description="Wall-clock limit of one agent answer, seconds.")
    verdict_model: str = Field("", description="The tuned verdict model's folder (`kgassist finetune verdict`); "
                               "empty: home/finetune/verdict when one is trained there, else the LLM chooses.")
    kge_model: KGEModelName = Field("complex", description="Default model of `kgassist finetune kge`.")

    # Ingestion.
    chunk_size: int = Field(800, ge=100)
    chunk_overlap: int = Field(120, ge=0)
    max_file_mb: float = Field(100.0, gt=0, description="Largest file ingested.")
    max_text_chars: int = Field(20_000_000, ge=1000, description="Most characters of text extracted from one file.")
    max_inflated_mb: float = Field(512.0, gt=0, description="Most a PDF's compressed streams may expand to.")
    ingest_batch_docs: int = Field(64, ge=1, description="Documents written per store update and transaction.")
    extractors: str = Field("patterns,table", description="Comma-separated: " + ", ".join(choices(ExtractorName)))
    table_mapping: str = Field("", description="YAML table mapping; default: the bundled mapping.")
    extractor_model: str = Field("", description="The learned extractor's folder (`kgassist finetune extractor`); "
                                 "empty: home/finetune/extractor. When one is trained, ingestion adds `learned` "
                                 "to the extractors unless KGASSIST_EXTRACTORS is set.")
    extractor_threshold: float = Field(0.8, ge=0, le=1, description="Least confidence of the learned extractor's "
                                       "triples; another extractor's triple of a relation it was trained on "
                                       "stands only where it found the same triple.")
    index_kind: IndexKind = "flat"

    read_only: bool = False

    @field_validator("extractors", mode="after")
    @classmethod
    def _known_extractors(cls, value: str) -> str:
        for name in (n.strip() for n in value.split(",")):
            if name and name not in choices(ExtractorName):
                raise ValueError(f"unknown extractor {name!r}; choose from {', '.join(choices(ExtractorName))}")
        return value

    @property
    def extractor_names(self) -> list[str]:
        """The extractors named, plus `learned` when a trained one is in place and none were named."""
        names = [n.strip() for n in self.extractors.split(",") if n.strip()]
        if "extractors" not in self.model_fields_set and "learned" not in names and \
                (self.extractor_model_dir / SPEC_FILE).is_file():
            names.append("learned")
        return names

    @property
    def verdict_model_dir(self) -> Path | None:
        """The verdict model to use: the one named, or the home's when it holds one."""
        if self.verdict_model:
            return Path(self.verdict_model).expanduser()
        default = self.home / "finetune" / "verdict"
        return default if (default / SPEC_FILE).is_file() else None

    @property
    def extractor_model_dir(self) -> Path:
        return Path(self.extractor_model).expanduser() if self.extractor_model else \
            self.home / "finetune" / "extractor"

    @field_validator("home", mode="after")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    # Derived locations: every path lives under home.
    @property
    def store_path(self) -> Path:
        if self.store_url and not self.is_endpoint:
            return Path(self.store_url.removeprefix("file://")).expanduser().resolve()
        return self.home / "store"

    @property
    def is_endpoint(self) -> bool:
        return self.store_url.startswith(("http://", "https://"))

    @property
    def update_url(self) -> str:
        if self.store_update_url:
            return self.store_update_url
        base, _, last = self.store_url.rstrip("/").rpartition("/")
        return f"{base}/update" if last in {"query", "sparql"} else self.store_url

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'kgassist.db'}"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        return self.model_cache.expanduser().resolve() if self.model_cache else self.home / "models"

    def public_dict(self) -> dict[str, Any]:
        """Settings safe to log or store in an audit record (no credentials)."""
        data = self.model_dump(mode="json", exclude={"store_password", "store_user", "llm_api_key"})
        data["database_url"] = redact_url(self.db_url)
        data["store_url"] = redact_url(self.store_url)
        return data


def load_settings(**overrides: Any) -> Settings:
    """The settings in force; a bad value is a `ConfigError` naming the variable and what is allowed."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "settings"
            name = f"KGASSIST_{field.upper()}" if field in Settings.model_fields else field
            problems.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
        raise ConfigError("Invalid settings: " + "; ".join(problems) + " (environment, or kgassist.toml).") from None


def redact_url(url: str) -> str:
    """Drop a password from `scheme://user:pass@host/...`."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    creds, _, host = rest.partition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
