"""The LLM interface every backend implements: chat messages in, text out (whole, streamed or
batched), optionally with prefix embeddings (soft tokens) placed before the prompt."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


class LLM(Protocol):
    name: str      # model name as configured
    backend: str   # transformers | vllm | openai
    # What the backend can do, declared (checked with a clear error, never probed):
    supports_prefix: bool       # prefix embeddings before the prompt: `prefix=`, `input_embeddings()`
    supports_json_schema: bool  # decoding constrained to a JSON schema in `generate_batch`
    supports_tools: bool        # tool calls: `chat_model(max_tokens)` is a LangChain chat model an agent drives
    supports_lora: bool         # LoRA weights loaded into the model (`model` is a torch module)
    batch_size: int             # prompts one `generate_batch` call should carry to keep the engine busy

    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               prefix: Any | None = None) -> Iterator[str]:
        """Yield the reply piece by piece."""

    def generate(self, messages: list[Message], *, max_tokens: int | None = None,
                 prefix: Any | None = None) -> str: ...

    def generate_batch(self, conversations: list[list[Message]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]:
        """Replies to several conversations; backends that can constrain decoding honour `json_schema`."""

    def choose(self, messages: list[Message], options: Sequence[str]) -> str:
        """The option the model finds most likely as its reply (e.g. yes / no / maybe)."""

    def count_tokens(self, text: str) -> int:
        """Tokens `text` takes in this model's prompt (for prompt budgets)."""


def pick_option(reply: str, options: Sequence[str]) -> str:
    """The first option a free-text reply names (whole word), else the last option (the hedge)."""
    import re

    found = [(m.start(), o) for o in options if (m := re.search(rf"\b{re.escape(o)}\b", reply, re.I))]
    return min(found)[1] if found else options[-1]
