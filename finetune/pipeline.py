"""One-call entry point for the knowledge prefix adapter on top of a KGE checkpoint (what
`kgassist finetune adapter` runs)."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import export
from .atomic import replace_folder
from .adapter import (
    KnowledgePrefix,
    PrefixTrainer,
    classification_examples,
    classification_scores,
    corrupt,
    new_prefix,
    qa_examples,
)
from .kge import TrainedKGE

Log = Callable[[str], None]


def labels_of(folder: Path) -> dict[str, str]:
    """IRI -> label from an export's entities.tsv / relations.tsv (empty for a plain triple folder)."""
    out: dict[str, str] = {}
    for name in ("entities.tsv", "relations.tsv"):
        path = folder / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                _, iri, label = (line.split("\t") + ["", ""])[:3]
                if label:
                    out[iri] = label
    return out


def adapter(llm: Any, kge_folder: Path, out: Path, *, steps: int = 200, lora: bool = False, prefix: bool = True,
            batch_size: int = 16, lr: float = 2e-3, train_examples: int = 2000, test_examples: int = 200,
            qa: bool = True, seed: int = 0, log: Log | None = None) -> dict[str, Any]:
    """Train a knowledge prefix (and LoRA, if asked) on triple classification and graph QA prompts
    from the checkpoint's training split; evaluate classification on its test split, one corrupted
    triple per test triple (KoPA's protocol, fixed seed). Saves the adapter in `out` when a prefix
    is trained; returns the metrics."""
    trained = TrainedKGE.load(kge_folder)
    splits = export.read(kge_folder / "triples")
    labels = labels_of(kge_folder / "triples")
    knowledge = new_prefix(llm, trained.model.entity_vectors(), trained.model.relation_vectors(), trained.entities,
                           trained.relations, kge_model=trained.config.model)
    known = set(splits.all)
    rng = random.Random(seed)
    positives = rng.sample(splits.train, min(len(splits.train), train_examples // 2))
    examples = classification_examples(positives, corrupt(positives, known, trained.entities, seed), knowledge.entity_index,
                                       knowledge.relation_index, labels)
    if qa:
        examples += qa_examples(rng.sample(splits.train, min(len(splits.train), train_examples // 4)),
                                knowledge.entity_index, knowledge.relation_index, labels)
    test = rng.sample(splits.test, min(len(splits.test), test_examples // 2)) if splits.test else []
    evaluation = classification_examples(test, corrupt(test, known, trained.entities, seed + 1),
                                         knowledge.entity_index, knowledge.relation_index, labels)
    gold = [e.target for e in evaluation]
    trainer = PrefixTrainer(llm, knowledge if prefix else None, lora=lora)
    result: dict[str, Any] = {"prefix": prefix, "lora": lora, "train_examples": len(examples),
                              "test_examples": len(evaluation)}
    if steps > 0 and (prefix or lora):
        result.update(trainer.train(examples, steps=steps, batch_size=batch_size, lr=lr, seed=seed, log=log))
    result.update(classification_scores(trainer.classify(evaluation), gold))
    if prefix:
        knowledge.config.lora, knowledge.config.steps = lora, steps
        knowledge.config.metrics = {k: v for k, v in result.items() if isinstance(v, float)}
        with replace_folder(out) as staging:  # all or nothing, even under kill -9
            knowledge.save(staging)
            if lora:
                trainer.model.save_pretrained(str(staging / "lora"))
        result["adapter"] = str(out)
    return result


def load_for(llm: Any, folder: Path) -> KnowledgePrefix:
    """An adapter loaded and attached to `llm` (base model checked, LoRA applied if it has one)."""
    knowledge = KnowledgePrefix.load(folder)
    knowledge.attach(llm)
    return knowledge
