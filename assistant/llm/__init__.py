"""Language model backends behind one interface, chosen by name from settings."""

from __future__ import annotations

from collections.abc import Callable

from kgstore import Settings
from kgstore.errors import ConfigError
from kgstore.settings import LLMBackend, choices

from .base import LLM, Message

BACKENDS = choices(LLMBackend)


def _transformers(settings: Settings, model: str, common: dict) -> LLM:
    from .transformers import TransformersLLM

    return TransformersLLM(model, settings.models_dir, **common)


def _vllm(settings: Settings, model: str, common: dict) -> LLM:
    from .vllm import VLLM

    return VLLM(model, settings.models_dir, kv_cache_gib=settings.vllm_kv_cache_gib, **common)


def _openai(settings: Settings, model: str, common: dict) -> LLM:
    from kgstore.errors import ModelNotAvailableError

    from .openai import OpenAILLM
    from .transformers import model_folder

    local = None  # with a knowledge prefix: the served model as a local folder too, for prompt embeddings
    if settings.adapter:
        try:
            local = model_folder(model, settings.models_dir)
        except ModelNotAvailableError:
            pass  # a name only the server knows: the adapter's attach says prefixes cannot be sent
    return OpenAILLM(model, settings.llm_base_url, settings.llm_api_key.get_secret_value(), local=local, **common)


#: One loader per backend name of `kgstore.settings.LLMBackend` (a test checks they match).
LOADERS: dict[str, Callable[[Settings, str, dict], LLM]] = {
    "transformers": _transformers, "vllm": _vllm, "openai": _openai}


def load_llm(settings: Settings, *, backend: str | None = None, model: str | None = None) -> LLM:
    """The backend named by settings (or the arguments), loaded offline."""
    name = backend or settings.llm_backend
    if name not in LOADERS:
        raise ConfigError(f"Unknown LLM backend {name!r}; choose one of {', '.join(BACKENDS)} (KGASSIST_LLM_BACKEND).")
    common = dict(temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens)
    return LOADERS[name](settings, model or settings.llm_model, common)


__all__ = ["LLM", "Message", "BACKENDS", "load_llm"]
