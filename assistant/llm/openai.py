"""Any OpenAI-compatible chat server (`vllm serve`, llama.cpp server, a hosted API) over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import httpx

from kgstore.errors import ConfigError, KGAssistError

from .base import Message, pick_option


class LLMServerError(KGAssistError):
    """The OpenAI-compatible server could not be reached or refused the request."""


class OpenAILLM:
    backend = "openai"
    supports_prefix, supports_json_schema, supports_tools, supports_lora = False, True, True, False

    def __init__(self, name: str, base_url: str, api_key: str = "", *, temperature: float = 0.0,
                 max_tokens: int = 256, timeout: float = 120.0):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"KGASSIST_LLM_BASE_URL must be an http(s) URL, not {base_url!r}.")
        self.name, self.temperature, self.max_tokens = name, temperature, max_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def _body(self, messages: list[Message], max_tokens: int | None, **extra: Any) -> dict[str, Any]:
        return {"model": self.name, "messages": messages, "temperature": self.temperature,
                "max_tokens": max_tokens or self.max_tokens, **extra}

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._http.post("/chat/completions", json=body)
        except httpx.HTTPError as error:
            raise LLMServerError(f"Cannot reach the LLM server at {self._http.base_url} ({error}); start it "
                                 "(e.g. `vllm serve MODEL`) or fix KGASSIST_LLM_BASE_URL.") from None
        if response.status_code >= 400:
            raise LLMServerError(f"The LLM server answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def generate(self, messages: list[Message], *, max_tokens: int | None = None, prefix: Any | None = None) -> str:
        if prefix is not None:
            raise ConfigError("Prefix embeddings need the vllm or transformers backend; the OpenAI chat API "
                              "takes text only.")
        return self._post(self._body(messages, max_tokens))["choices"][0]["message"]["content"] or ""

    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               prefix: Any | None = None) -> Iterator[str]:
        if prefix is not None:
            yield self.generate(messages, max_tokens=max_tokens, prefix=prefix)
            return
        try:
            with self._http.stream("POST", "/chat/completions",
                                   json=self._body(messages, max_tokens, stream=True)) as response:
                if response.status_code >= 400:
                    raise LLMServerError(f"The LLM server answered {response.status_code}: {response.read()[:300]!r}")
                for line in response.iter_lines():
                    if not line.startswith("data:") or line.strip() == "data: [DONE]":
                        continue
                    delta = json.loads(line[5:])["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
        except httpx.HTTPError as error:
            raise LLMServerError(f"Lost the LLM server at {self._http.base_url}: {error}") from None

    def generate_batch(self, conversations: list[list[Message]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]:
        extra = {"response_format": {"type": "json_schema", "json_schema": {"name": "reply", "schema": json_schema}}
                 } if json_schema else {}
        return [self._post(self._body(c, max_tokens, **extra))["choices"][0]["message"]["content"] or ""
                for c in conversations]

    def choose(self, messages: list[Message], options: Sequence[str]) -> str:
        return pick_option(self.generate(messages, max_tokens=8), options)

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1  # the server's tokenizer is not at hand; about four characters a token
