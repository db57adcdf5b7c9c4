"""Language model backends behind one interface, chosen by name from settings."""

from __future__ import annotations

from kgstore import Settings
from kgstore.errors import ConfigError

from .base import LLM, Message

BACKENDS = ("transformers", "vllm", "openai")


def load_llm(settings: Settings, *, backend: str | None = None, model: str | None = None) -> LLM:
    """The backend named by settings (or the arguments), loaded offline."""
    name = backend or settings.llm_backend
    model = model or settings.llm_model
    common = dict(temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens)
    if name == "transformers":
        from .transformers import TransformersLLM

        return TransformersLLM(model, settings.models_dir, **common)
    if name == "vllm":
        from .vllm import VLLM

        return VLLM(model, settings.models_dir, **common)
    if name == "openai":
        from .openai import OpenAILLM

        return OpenAILLM(model, settings.llm_base_url, settings.llm_api_key.get_secret_value(), **common)
    raise ConfigError(f"Unknown LLM backend {name!r}; choose one of {', '.join(BACKENDS)} (KGASSIST_LLM_BACKEND).")


__all__ = ["LLM", "Message", "BACKENDS", "load_llm"]
