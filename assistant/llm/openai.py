"""Any OpenAI-compatible chat server (`kgassist serve`, `vllm serve`, llama.cpp server, a hosted
API) over HTTP. When the served model is also a local folder (the bundled default, or a folder
given as KGASSIST_LLM_MODEL), a knowledge prefix is sent to a vLLM server as `prompt_embeds`: the
prompt's token embeddings after the prefix, built here from the local copy of the same model."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from kgstore.errors import ConfigError, KGAssistError

from .base import Message, pick_option


class LLMServerError(KGAssistError):
    """The OpenAI-compatible server could not be reached or refused the request."""


class OpenAILLM:
    backend = "openai"
    supports_json_schema, supports_tools, supports_lora = True, True, False
    batch_size = 32  # concurrent requests, which the server batches

    def __init__(self, name: str, base_url: str, api_key: str = "", *, temperature: float = 0.0,
                 max_tokens: int = 256, timeout: float = 120.0, local: Path | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"KGASSIST_LLM_BASE_URL must be an http(s) URL, not {base_url!r}.")
        self.name, self.temperature, self.max_tokens = name, temperature, max_tokens
        self.base_url, self._api_key, self._timeout = base_url.rstrip("/"), api_key, timeout
        self.local = local  # the served model's folder here, for prompt embeddings; None: text only
        self.supports_prefix = local is not None
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        self._tokenizer: Any = None
        self._embedding: Any = None
        self._base_checked = False

    def chat_model(self, max_tokens: int | None = None) -> Any:  # -> langchain_openai.ChatOpenAI
        """The same server and model as a LangChain chat model, for the agent (`assistant.agent`)."""
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(model=self.name, base_url=self.base_url, api_key=self._api_key or "unused",
                          temperature=self.temperature, max_tokens=max_tokens or self.max_tokens, timeout=self._timeout,
                          max_retries=0, stream_usage=True)

    def _body(self, messages: list[Message], max_tokens: int | None, **extra: Any) -> dict[str, Any]:
        return {"model": self.name, "messages": messages, "temperature": self.temperature,
                "max_tokens": max_tokens or self.max_tokens, **extra}

    def _post(self, body: dict[str, Any], path: str = "/chat/completions") -> dict[str, Any]:
        try:
            response = self._http.post(path, json=body)
        except httpx.HTTPError as error:
            raise LLMServerError(f"Cannot reach the LLM server at {self._http.base_url} ({error}); start it "
                                 "(e.g. `vllm serve MODEL`) or fix KGASSIST_LLM_BASE_URL.") from None
        if response.status_code >= 400:
            raise LLMServerError(f"The LLM server answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def generate(self, messages: list[Message], *, max_tokens: int | None = None, prefix: Any | None = None) -> str:
        if prefix is not None:
            return self._post(self._embeds_body(messages, prefix, max_tokens), "/completions")["choices"][0]["text"]
        return self._post(self._body(messages, max_tokens))["choices"][0]["message"]["content"] or ""

    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               prefix: Any | None = None) -> Iterator[str]:
        if prefix is not None:
            path, body = "/completions", {**self._embeds_body(messages, prefix, max_tokens), "stream": True}
        else:
            path, body = "/chat/completions", self._body(messages, max_tokens, stream=True)
        try:
            with self._http.stream("POST", path, json=body) as response:
                if response.status_code >= 400:
                    raise LLMServerError(f"The LLM server answered {response.status_code}: {response.read()[:300]!r}")
                for line in response.iter_lines():
                    if not line.startswith("data:") or line.strip() == "data: [DONE]":
                        continue
                    choice = json.loads(line[5:])["choices"][0]
                    delta = choice.get("text") if prefix is not None else choice.get("delta", {}).get("content")
                    if delta:
                        yield delta
        except httpx.HTTPError as error:
            raise LLMServerError(f"Lost the LLM server at {self._http.base_url}: {error}") from None

    # -- prompt embeddings (a knowledge prefix) ----------------------------------------------------
    def input_embeddings(self) -> Any:
        """The served model's token embedding matrix, read from its local copy."""
        if self.local is None:
            raise ConfigError(f"Prefix embeddings over HTTP need the served model as a local folder too; "
                              f"{self.name!r} is not one. Set KGASSIST_LLM_MODEL to the model's folder.")
        if self._embedding is None:
            from .transformers import embedding_matrix

            self._embedding = embedding_matrix(self.local)
        return self._embedding

    def check_base(self) -> None:
        """The server must serve the same model as the local folder the embeddings come from."""
        if self._base_checked:
            return
        try:
            listed = self._http.get("/models").json().get("data", [])
        except (httpx.HTTPError, ValueError) as error:
            raise LLMServerError(f"Cannot list the models of {self._http.base_url} ({error}).") from None
        served = next((m for m in listed if m.get("id") == self.name), None)
        root = Path(str((served or {}).get("root") or ""))
        if served is None or root.name != self.local.name:
            raise ConfigError(f"The server at {self._http.base_url} does not serve {self.local} as {self.name!r} "
                              f"(it lists {[(m.get('id'), m.get('root')) for m in listed]}); a knowledge prefix "
                              "must go to its own base model. Start it with `kgassist serve`.")
        self._base_checked = True

    def _embeds_body(self, messages: list[Message], prefix: Any, max_tokens: int | None) -> dict[str, Any]:
        """A completions request whose prompt is the prefix then the chat prompt's token embeddings,
        as vLLM takes them: base64 of `torch.save` of one [tokens, hidden] tensor, no `prompt`."""
        import torch

        self.check_base()
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(str(self.local))
        text = self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        embeds = self.input_embeddings()[torch.tensor(self._tokenizer(text, add_special_tokens=False)["input_ids"])]
        full = torch.cat([prefix.detach().to(embeds.dtype).reshape(-1, embeds.shape[-1]).cpu(), embeds])
        buffer = io.BytesIO()
        torch.save(full.contiguous(), buffer)
        return {"model": self.name, "prompt_embeds": base64.b64encode(buffer.getvalue()).decode(),
                "temperature": self.temperature, "max_tokens": max_tokens or self.max_tokens}

    def generate_batch(self, conversations: list[list[Message]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]:
        extra = {"response_format": {"type": "json_schema", "json_schema": {"name": "reply", "schema": json_schema}}
                 } if json_schema else {}
        from concurrent.futures import ThreadPoolExecutor

        def reply(conversation: list[Message]) -> str:
            return self._post(self._body(conversation, max_tokens, **extra))["choices"][0]["message"]["content"] or ""

        with ThreadPoolExecutor(max_workers=max(1, min(self.batch_size, len(conversations)))) as pool:
            return list(pool.map(reply, conversations))

    def choose(self, messages: list[Message], options: Sequence[str]) -> str:
        return pick_option(self.generate(messages, max_tokens=8), options)

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1  # the server's tokenizer is not at hand; about four characters a token
