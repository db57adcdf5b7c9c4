"""The knowledge prefix adapter (after KoPA, Zhang et al. 2023): frozen KG embeddings of a triple's
entities and relation, or of a question's linked entities, projected to virtual tokens in the LLM's
input-embedding space and placed before the prompt. The LLM stays frozen, optionally with LoRA.

Training examples are (prefix items, chat messages, target text) with the loss on the target's
tokens: triple classification ("yes" / "no") and question-answer prompts built from the graph."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from kgstore.errors import ConfigError, KGAssistError

from .atomic import recover
from .export import Triple

CLASSIFY_SYSTEM = "You judge whether a fact from a knowledge graph is true."
CLASSIFY_USER = "Fact: {head} | {relation} | {tail}\nIs this fact true? Answer yes or no."
QA_USER = "Question: {head} | {relation} | ?\nAnswer with the entity."


class AdapterMismatchError(KGAssistError):
    """An adapter was trained for another base model than the one loaded."""


@dataclass(frozen=True)
class Example:
    entities: tuple[int, ...]     # entity ids whose vectors become prefix tokens, in order
    relations: tuple[int, ...]    # relation ids, placed after the entities' tokens
    messages: list[dict[str, str]]
    target: str


@dataclass
class AdapterConfig:
    base_model: dict[str, Any]
    entity_dim: int
    relation_dim: int
    hidden: int
    kge_model: str = ""
    lora: bool = False
    lora_rank: int = 8
    steps: int = 0
    metrics: dict[str, float] = field(default_factory=dict)


class PrefixProjector(nn.Module):
    """One linear map for entity vectors and one for relation vectors, each to a token embedding."""

    def __init__(self, entity_dim: int, relation_dim: int, hidden: int):
        super().__init__()
        self.entity = nn.Linear(entity_dim, hidden)
        self.relation = nn.Linear(relation_dim, hidden)

    def forward(self, entities: torch.Tensor, relations: torch.Tensor) -> torch.Tensor:
        """[n_e, d_e] and [n_r, d_r] -> [n_e + n_r, hidden]."""
        return torch.cat([self.entity(entities), self.relation(relations)], dim=0)


def base_fingerprint(embeddings: torch.Tensor, name: str) -> dict[str, Any]:
    """What must match between the model an adapter was trained on and the one it is loaded into:
    the token embedding matrix's shape and a digest of its first rows."""
    import hashlib

    digest = hashlib.sha256(embeddings[:64].detach().float().cpu().numpy().tobytes()).hexdigest()[:16]
    return {"name": Path(name).name, "hidden_size": int(embeddings.shape[1]), "vocab_size": int(embeddings.shape[0]),
            "embedding_digest": digest}


class KnowledgePrefix:
    """Frozen KG embeddings plus a trained projector: ids or IRIs in, prefix embeddings out."""

    def __init__(self, entity_vectors: torch.Tensor, relation_vectors: torch.Tensor, entities: Sequence[str],
                 relations: Sequence[str], projector: PrefixProjector, config: AdapterConfig,
                 lora: Path | None = None):
        self.lora = lora  # a PEFT LoRA folder trained with the projector, if any
        self.entity_vectors, self.relation_vectors = entity_vectors.float(), relation_vectors.float()
        self.entities, self.relations = list(entities), list(relations)
        self.entity_index = {e: i for i, e in enumerate(self.entities)}
        self.relation_index = {r: i for i, r in enumerate(self.relations)}
        self.projector, self.config = projector, config

    def prefix(self, entities: Sequence[int], relations: Sequence[int] = ()) -> torch.Tensor:
        """[k, hidden] virtual tokens for the given entity and relation ids."""
        e = self.entity_vectors[list(entities)] if entities else self.entity_vectors[:0]
        r = self.relation_vectors[list(relations)] if relations else self.relation_vectors[:0]
        return self.projector(e, r)

    def for_triple(self, head: str, relation: str, tail: str) -> torch.Tensor:
        return self.prefix([self.entity_index[head], self.entity_index[tail]], [self.relation_index[relation]])

    def for_entities(self, iris: Sequence[str], most: int = 4) -> torch.Tensor | None:
        """Prefix tokens for the linked entities the embeddings know (None when it knows none)."""
        known = list(dict.fromkeys(self.entity_index[i] for i in map(str, iris) if i in self.entity_index))[:most]
        if not known:
            return None
        with torch.no_grad():
            return self.prefix(known)

    # -- artifacts --------------------------------------------------------------------------------
    def save(self, folder: Path) -> Path:
        from safetensors.torch import save_file

        folder.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.projector.state_dict().items()},
                  str(folder / "projector.safetensors"))
        save_file({"entity": self.entity_vectors.contiguous(), "relation": self.relation_vectors.contiguous()},
                  str(folder / "kge.safetensors"))
        (folder / "entities.txt").write_text("".join(e + "\n" for e in self.entities), encoding="utf-8")
        (folder / "relations.txt").write_text("".join(r + "\n" for r in self.relations), encoding="utf-8")
        (folder / "adapter.json").write_text(json.dumps(asdict(self.config), indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> KnowledgePrefix:
        """An adapter folder written by `save` (projector, KG vectors, vocabularies, optional LoRA)."""
        from safetensors.torch import load_file

        folder = Path(folder)
        recover(folder)
        config_path = Path(folder) / "adapter.json"
        if not config_path.is_file():
            raise KGAssistError(f"{folder} holds no adapter.json: train one with `kgassist finetune adapter`.")
        config = AdapterConfig(**json.loads(config_path.read_text(encoding="utf-8")))
        vectors = load_file(str(folder / "kge.safetensors"))
        projector = PrefixProjector(config.entity_dim, config.relation_dim, config.hidden)
        projector.load_state_dict(load_file(str(folder / "projector.safetensors")))
        projector.eval().requires_grad_(False)
        read = lambda name: (folder / name).read_text(encoding="utf-8").splitlines()  # noqa: E731
        lora = folder / "lora" if (folder / "lora").is_dir() else None
        return cls(vectors["entity"], vectors["relation"], read("entities.txt"), read("relations.txt"),
                   projector, config, lora)

    def attach(self, llm: Any) -> None:
        """Check that `llm` (any backend with `input_embeddings()`) runs the adapter's base model, and
        load the adapter's LoRA weights into it (transformers backend), if it has any."""
        if not llm.supports_prefix:
            raise ConfigError(f"The {llm.backend} backend cannot take prefix embeddings; use the transformers or "
                                "vllm backend with KGASSIST_ADAPTER, or unset KGASSIST_ADAPTER.")
        found = base_fingerprint(llm.input_embeddings(), llm.name)
        expected = {k: self.config.base_model[k] for k in ("hidden_size", "vocab_size", "embedding_digest")}
        if {k: found[k] for k in expected} != expected:
            raise AdapterMismatchError(f"The adapter was trained on {self.config.base_model['name']} "
                                       f"({expected}), but the loaded model is {found['name']} ({found}). Load "
                                       "the same base model, or train an adapter for this one.")
        if self.lora is not None:
            from peft import PeftModel

            if not llm.supports_lora:
                raise ConfigError("This adapter has LoRA weights, which kgassist applies on the transformers "
                                    "backend; use KGASSIST_LLM_BACKEND=transformers or an adapter without LoRA.")
            llm.model = PeftModel.from_pretrained(llm.model, str(self.lora)).eval()


# -- training data ---------------------------------------------------------------------------------
def readable(name: str, labels: dict[str, str]) -> str:
    """A label for prompts: the store's label, or the IRI's / id's last part with spaces."""
    if labels.get(name):
        return labels[name]
    return name.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1].replace("_", " ")


def corrupt(triples: Sequence[Triple], known: set[Triple], entities: Sequence[str], seed: int = 0) -> list[Triple]:
    """One corrupted triple per triple, as KoPA builds negatives: head or tail replaced by a random
    entity (coin flip), re-drawn until the result is no known triple; fixed seed."""
    rng = random.Random(seed)
    out = []
    for h, r, t in triples:
        while True:
            e = rng.choice(entities)
            candidate = (e, r, t) if rng.random() < 0.5 else (h, r, e)
            if candidate not in known:
                out.append(candidate)
                break
    return out


def classification_examples(positives: Sequence[Triple], negatives: Sequence[Triple], entity_index: dict[str, int],
                            relation_index: dict[str, int], labels: dict[str, str]) -> list[Example]:
    out = []
    for triples, answer in ((positives, "yes"), (negatives, "no")):
        for h, r, t in triples:
            text = CLASSIFY_USER.format(head=readable(h, labels), relation=readable(r, labels), tail=readable(t, labels))
            out.append(Example((entity_index[h], entity_index[t]), (relation_index[r],),
                               [{"role": "system", "content": CLASSIFY_SYSTEM}, {"role": "user", "content": text}],
                               answer))
    return out


def qa_examples(triples: Sequence[Triple], entity_index: dict[str, int], relation_index: dict[str, int],
                labels: dict[str, str]) -> list[Example]:
    """Question-answer prompts from the graph: the head and relation given, the tail to answer."""
    return [Example((entity_index[h],), (relation_index[r],),
                    [{"role": "user", "content": QA_USER.format(head=readable(h, labels), relation=readable(r, labels))}],
                    readable(t, labels)) for h, r, t in triples]


# -- training --------------------------------------------------------------------------------------
class PrefixTrainer:
    """Runs a frozen causal LM on [prefix tokens][chat prompt][target] and trains the projector
    (and LoRA weights, when asked) on the target tokens' cross-entropy."""

    def __init__(self, llm: Any, prefix: KnowledgePrefix | None, *, lora: bool = False, lora_rank: int = 8):
        self.llm, self.knowledge = llm, prefix
        self.tokenizer, self.device = llm.tokenizer, llm.device
        llm.model.requires_grad_(False)
        if lora:
            from peft import LoraConfig, get_peft_model

            llm.model = get_peft_model(llm.model, LoraConfig(r=lora_rank, lora_alpha=2 * lora_rank, lora_dropout=0.0,
                                                             target_modules=["q_proj", "v_proj"]))
        self.model = llm.model
        self.embed = self.model.get_input_embeddings()
        yes_no = [[self._ids(w)[0] for w in (o, o.capitalize())] for o in ("yes", "no")]
        self.yes, self.no = yes_no

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def parameters(self) -> list[nn.Parameter]:
        params = [p for p in self.model.parameters() if p.requires_grad]
        if self.knowledge is not None:
            params += list(self.knowledge.projector.parameters())
        return params

    def _batch(self, examples: Sequence[Example], with_target: bool) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        """Left-padded [prefix][prompt][target] rows as inputs_embeds (with attention mask and
        position ids), and the target token ids right-aligned in a [rows, longest target] tensor
        (-100 where a shorter target has none). Left padding puts every row's end at the same
        place, so the LM head runs on the last few positions only."""
        rows, targets = [], []
        for ex in examples:
            target = self._ids(ex.target) if with_target else []
            ids = torch.tensor(self.llm.prompt_ids(ex.messages) + target, device=self.device)
            parts = [self.embed(ids)]
            if self.knowledge is not None:
                parts.insert(0, self.knowledge.prefix(ex.entities, ex.relations).to(self.device, parts[0].dtype))
            rows.append(torch.cat(parts))
            targets.append(target)
        width, longest = max(r.shape[0] for r in rows), max(len(t) for t in targets)
        embeds = torch.zeros(len(rows), width, rows[0].shape[1], device=self.device, dtype=rows[0].dtype)
        mask = torch.zeros(len(rows), width, dtype=torch.long, device=self.device)
        labels = torch.full((len(rows), longest), -100, dtype=torch.long, device=self.device)
        for i, (row, target) in enumerate(zip(rows, targets)):
            embeds[i, width - row.shape[0]:] = row
            mask[i, width - row.shape[0]:] = 1
            if target:
                labels[i, longest - len(target):] = torch.tensor(target, device=self.device)
        inputs = {"inputs_embeds": embeds, "attention_mask": mask,
                  "position_ids": (mask.cumsum(-1) - 1).clamp(min=0)}
        return inputs, labels

    def loss(self, examples: Sequence[Example]) -> torch.Tensor:
        inputs, labels = self._batch(examples, with_target=True)
        # logits at the positions that predict the target tokens: the last len(target)+1, less the final one
        logits = self.model(**inputs, logits_to_keep=labels.shape[1] + 1).logits[:, :-1]
        return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]).float(), labels.reshape(-1),
                                           ignore_index=-100)

    def train(self, examples: Sequence[Example], *, steps: int, batch_size: int = 16, lr: float = 2e-3,
              seed: int = 0, log: Any = None) -> dict[str, float]:
        torch.manual_seed(seed)
        rng = random.Random(seed)
        params = self.parameters()
        if not params:
            raise KGAssistError("Nothing to train: give a prefix, LoRA, or both.")
        optimizer = torch.optim.AdamW(params, lr=lr)
        self.model.train()
        started, losses = time.perf_counter(), []
        for step in range(steps):
            batch = rng.sample(list(examples), min(batch_size, len(examples)))
            loss = self.loss(batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
            if log is not None and (step + 1) % 10 == 0:
                log(f"step {step + 1}/{steps} loss {sum(losses[-10:]) / len(losses[-10:]):.4f}")
        self.model.eval()
        return {"steps": steps, "seconds": round(time.perf_counter() - started, 1),
                "final_loss": round(sum(losses[-10:]) / max(1, len(losses[-10:])), 4)}

    @torch.no_grad()
    def classify(self, examples: Sequence[Example], batch_size: int = 32) -> list[str]:
        """'yes' or 'no' per example: which the model finds likelier as its first reply token."""
        out = []
        for i in range(0, len(examples), batch_size):
            part = examples[i:i + batch_size]
            inputs, _ = self._batch(part, with_target=False)
            final = torch.log_softmax(self.model(**inputs, logits_to_keep=1).logits[:, -1].float(), dim=-1)
            yes = torch.logsumexp(final[:, self.yes], dim=-1)
            no = torch.logsumexp(final[:, self.no], dim=-1)
            out += ["yes" if y > n else "no" for y, n in zip(yes.tolist(), no.tolist())]
        return out


def classification_scores(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    tp = sum(p == g == "yes" for p, g in zip(predicted, gold))
    fp = sum(p == "yes" != g for p, g in zip(predicted, gold))
    fn = sum(g == "yes" != p for p, g in zip(predicted, gold))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"accuracy": round(sum(p == g for p, g in zip(predicted, gold)) / max(1, len(gold)), 4),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0}


def new_prefix(llm: Any, entity_vectors: torch.Tensor, relation_vectors: torch.Tensor, entities: Sequence[str],
               relations: Sequence[str], *, kge_model: str = "") -> KnowledgePrefix:
    """An untrained projector for `llm`, initialised at the scale of its token embeddings."""
    weight = llm.model.get_input_embeddings().weight
    token_norm = float(weight.detach().float().norm(dim=1).mean())
    projector = PrefixProjector(entity_vectors.shape[1], relation_vectors.shape[1], int(weight.shape[1]))
    with torch.no_grad():  # start at the size of real token embeddings, so the frozen LLM is not swamped
        for layer, vectors in ((projector.entity, entity_vectors), (projector.relation, relation_vectors)):
            layer.bias.zero_()
            layer.weight.mul_(token_norm / (layer(vectors[:64].float()).norm(dim=1).mean().item() or 1.0))
    hidden = int(weight.shape[1])
    config = AdapterConfig(base_fingerprint(weight, llm.name), int(entity_vectors.shape[1]),
                           int(relation_vectors.shape[1]), hidden, kge_model=kge_model)
    return KnowledgePrefix(entity_vectors, relation_vectors, entities, relations, projector, config)
