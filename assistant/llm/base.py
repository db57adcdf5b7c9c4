"""The LLM interface every backend implements: chat messages in, text out (whole, streamed or
batched), optionally with prefix embeddings (soft tokens) placed before the prompt."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class LLM(Protocol):
    name: str      # model name as configured
    backend: str   # transformers | vllm | openai

    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               prefix: Any | None = None) -> Iterator[str]:
        """Yield the reply piece by piece."""

    def generate(self, messages: list[Message], *, max_tokens: int | None = None,
                 prefix: Any | None = None) -> str: ...

    def generate_batch(self, conversations: list[list[Message]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]:
        """Replies to several conversations; backends that can constrain decoding honour `json_schema`."""
