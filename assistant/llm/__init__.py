"""Language model backends behind one interface, chosen by name from settings."""

from __future__ import annotations

from kgstore import Settings
from kgstore.errors import ConfigError

from .base import LLM, Message

BACKENDS = ("transformers",)


def load_llm(settings: Settings, *, backend: str | None = None, model: str | None = None) -> LLM:
    """The backend named by settings (or the arguments), loaded offline."""
    name = backend or settings.llm_backend
    model = model or settings.llm_model
    common = dict(temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens)
    if name == "transformers":
        from .transformers import TransformersLLM

        return TransformersLLM(model, settings.models_dir, **common)
    if name in ("vllm", "openai"):
        raise ConfigError(f"The {name} backend is not available in this version yet; use KGASSIST_LLM_BACKEND="
                          "transformers.")
    raise ConfigError(f"Unknown LLM backend {name!r}; choose one of {', '.join(BACKENDS)} (KGASSIST_LLM_BACKEND).")


__all__ = ["LLM", "Message", "BACKENDS", "load_llm"]
