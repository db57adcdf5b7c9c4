"""A learned relation extractor: a small encoder fine-tuned to tag entity spans (BIO over word
pieces), the relations its training data holds formed between tagged spans of one sentence.

Training data is sentences with character-offset entities and relations (`read`: the ADE corpus's
JSONL, or the generic `spans` JSONL). Entity types are ontology class names (`Drug`,
`AdverseEvent`, …) and relation types ontology predicate names (`causesAdverseEvent`, …), checked
here. The artifact is a transformers token-classification folder plus `kgassist.json` (`TaggerSpec`);
`ingestion.extract.learned` loads it. Writes are all-or-nothing.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kgstore import vocab
from kgstore.artifacts import RELATION_TAGGER, SPEC_FILE
from kgstore.errors import ConfigError

from .atomic import replace_folder

Log = Callable[[str], None]
FORMATS = ("ade", "spans")
EPOCHS = 4      # measured on one ADE development fold: 3 -> 4 epochs lifted strict F1 by about 0.015
LR = 1.5e-4


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    type: str  # an ontology class name


@dataclass(frozen=True)
class Sentence:
    """One training sentence: its document (cross-validation folds never split one), text, entity
    spans and relations (subject entity index, object entity index, ontology predicate name)."""

    document: str
    text: str
    entities: tuple[Entity, ...] = ()
    relations: tuple[tuple[int, int, str], ...] = ()


@dataclass
class TaggerSpec:
    """What `kgassist.json` says about a trained tagger."""

    base_model: str
    labels: list[str]                           # BIO labels, index = class id
    relations: dict[str, list[str]]             # predicate name -> [subject type, object type]
    data_digest: str
    max_length: int = 128
    kind: str = RELATION_TAGGER
    epochs: int = 0
    sentences: int = 0
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- reading training data

def read(path: Path, fmt: str = "spans") -> list[Sentence]:
    """Training sentences from `path` in format `ade` or `spans`; a clear error for anything else."""
    if fmt not in FORMATS:
        raise ConfigError(f"Unknown training data format {fmt!r}; choose from {', '.join(FORMATS)} (--format).")
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"No training data at {path}: pass --data with an existing JSONL file.")
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ConfigError(f"{path}:{number} is not JSON ({e.msg}); each line must be one JSON object.") from None
    reader = _ade_rows if fmt == "ade" else _span_rows
    try:
        sentences = [s for number, row in enumerate(rows, 1) for s in reader(row, f"{path.name}:{number}")]
    except (KeyError, TypeError, IndexError, ValueError) as e:
        raise ConfigError(f"{path} does not read as --format {fmt} ({e}); see docs/finetune.md for the format.") from None
    if not any(s.relations for s in sentences):
        raise ConfigError(f"{path} holds no relation to learn from; check --format ({fmt}).")
    _check_types(sentences)
    return sentences


def _ade_rows(row: dict, where: str) -> list[Sentence]:
    """One ADE abstract: sentences with (drug, effect, sentence index) pairs; spans located here
    (every occurrence of the annotated string, on word boundaries, case-insensitive)."""
    document = str(row["pmid"])
    by_sentence: dict[int, list[dict]] = {}
    for relation in row["relations"]:
        by_sentence.setdefault(int(relation["sentence"]), []).append(relation)
    out = []
    for index, text in enumerate(row["sentences"]):
        entities: list[Entity] = []
        relations = []
        for relation in by_sentence.get(index, []):
            drugs = [_add(entities, e) for e in _occurrences(text, relation["drug"], "Drug")]
            effects = [_add(entities, e) for e in _occurrences(text, relation["effect"], "AdverseEvent")]
            relations += [(d, e, "causesAdverseEvent") for d in drugs for e in effects]
        out.append(Sentence(document, text, tuple(entities), tuple(dict.fromkeys(relations))))
    return out


def _span_rows(row: dict, where: str) -> list[Sentence]:
    """One `spans` line: {"document"?, "text", "entities": [{start, end, type}], "relations":
    [{"subject": i, "object": j, "type": predicate}]}."""
    text = row["text"]
    entities = tuple(Entity(int(e["start"]), int(e["end"]), str(e["type"])) for e in row.get("entities", []))
    for e in entities:
        if not 0 <= e.start < e.end <= len(text):
            raise ValueError(f"{where}: entity span {e.start}-{e.end} is outside its text")
    relations = tuple((int(r["subject"]), int(r["object"]), str(r["type"])) for r in row.get("relations", []))
    for s, o, _ in relations:
        entities[s], entities[o]  # noqa: B018 - an IndexError names a relation to a missing entity
    return [Sentence(str(row.get("document", where)), text, entities, relations)]


def _occurrences(text: str, phrase: str, kind: str) -> list[Entity]:
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase.strip()) + r"(?!\w)", re.IGNORECASE)
    return [Entity(m.start(), m.end(), kind) for m in pattern.finditer(text)]


def _add(entities: list[Entity], entity: Entity) -> int:
    if entity not in entities:
        entities.append(entity)
    return entities.index(entity)


def _check_types(sentences: Sequence[Sentence]) -> None:
    classes = {str(t).rsplit("#", 1)[-1] for t in vocab.DOMAIN_CLASSES}
    predicates = {str(p).rsplit("#", 1)[-1] for p in vocab.DOMAIN_PREDICATES}
    for s in sentences:
        for _, _, predicate in s.relations:
            if predicate not in predicates:
                raise ConfigError(f"Relation type {predicate!r} ({s.document}) is not an ontology predicate; use one of "
                                  f"{', '.join(sorted(predicates))}.")
        for e in s.entities:
            if e.type not in classes:
                raise ConfigError(f"Entity type {e.type!r} ({s.document}) is not an ontology class; use one of "
                                  f"{', '.join(sorted(classes))}.")


def digest(sentences: Iterable[Sentence]) -> str:
    """A digest of the training sentences (text, spans, relations), stored with the model."""
    h = hashlib.sha256()
    for s in sentences:
        h.update(json.dumps([s.document, s.text, [asdict(e) for e in s.entities], list(s.relations)]).encode())
    return h.hexdigest()[:16]


def relation_types(sentences: Iterable[Sentence]) -> dict[str, list[str]]:
    """predicate -> [subject type, object type], as the training data relates them."""
    out: dict[str, list[str]] = {}
    for s in sentences:
        for subject, obj, predicate in s.relations:
            out.setdefault(predicate, [s.entities[subject].type, s.entities[obj].type])
    return out


def folds(sentences: Sequence[Sentence], k: int, seed: int = 0) -> list[tuple[list[Sentence], list[Sentence]]]:
    """k (train, test) splits by document: every sentence of a document is on one side."""
    documents = sorted({s.document for s in sentences})
    random.Random(seed).shuffle(documents)
    fold_of = {d: i % k for i, d in enumerate(documents)}
    return [([s for s in sentences if fold_of[s.document] != i], [s for s in sentences if fold_of[s.document] == i])
            for i in range(k)]


# ---------------------------------------------------------------- training

def _token_labels(offsets: Sequence[tuple[int, int]], entities: Sequence[Entity], index: dict[str, int]) -> list[int]:
    """A BIO class id per word piece (-100 for special tokens); on overlapping spans the longer wins."""
    labels = [-100 if a == b else index["O"] for a, b in offsets]
    for e in sorted(entities, key=lambda e: e.end - e.start):
        first = True
        for i, (a, b) in enumerate(offsets):
            if a < b and a >= e.start and b <= e.end:
                labels[i] = index[("B-" if first else "I-") + e.type]
                first = False
    return labels


def train(sentences: Sequence[Sentence], base: Path, *, epochs: int = EPOCHS, lr: float = LR, batch_size: int = 16,
          max_length: int = 128, seed: int = 0, base_name: str = "", log: Log | None = None) -> tuple[Any, Any, TaggerSpec]:
    """Fine-tune the encoder at `base` (a BERT-style folder; `base_name` is what the spec calls it)
    to tag the sentences' entity spans. Returns (model, tokenizer, spec)."""
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    types = sorted({e.type for s in sentences for e in s.entities})
    labels = ["O"] + [f"{p}-{t}" for t in types for p in ("B", "I")]
    index = {label: i for i, label in enumerate(labels)}
    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForTokenClassification.from_pretrained(
        str(base), num_labels=len(labels), id2label=dict(enumerate(labels)), label2id=index)
    encoded = []
    for s in sentences:
        enc = tokenizer(s.text, truncation=True, max_length=max_length, return_offsets_mapping=True)
        encoded.append((enc["input_ids"], _token_labels(enc["offset_mapping"], s.entities, index)))
    order = list(range(len(encoded)))
    rng = random.Random(seed)
    steps = epochs * ((len(order) + batch_size - 1) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / max(1, steps // 10)) * max(0.0, 1 - step / steps))
    started = time.perf_counter()
    model.train()
    step = 0
    for epoch in range(epochs):
        rng.shuffle(order)
        # batches of similar length, shuffled, so padding stays small
        chunks = [order[i:i + batch_size * 20] for i in range(0, len(order), batch_size * 20)]
        batches = [sorted_chunk[i:i + batch_size] for chunk in chunks
                   for sorted_chunk in [sorted(chunk, key=lambda j: len(encoded[j][0]))]
                   for i in range(0, len(sorted_chunk), batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for batch in batches:
            width = max(len(encoded[j][0]) for j in batch)
            ids = torch.tensor([encoded[j][0] + [tokenizer.pad_token_id] * (width - len(encoded[j][0])) for j in batch])
            mask = torch.tensor([[1] * len(encoded[j][0]) + [0] * (width - len(encoded[j][0])) for j in batch])
            target = torch.tensor([encoded[j][1] + [-100] * (width - len(encoded[j][1])) for j in batch])
            loss = model(input_ids=ids, attention_mask=mask, labels=target).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item()
            step += 1
        if log:
            log(f"epoch {epoch + 1}/{epochs}: loss {total / max(1, len(batches)):.4f} "
                f"({time.perf_counter() - started:.0f} s)")
    model.eval()
    spec = TaggerSpec(base_model=base_name or Path(base).name, labels=labels, relations=relation_types(sentences),
                      data_digest=digest(sentences), max_length=max_length, epochs=epochs, sentences=len(sentences),
                      seconds=round(time.perf_counter() - started, 1))
    return model, tokenizer, spec


def save(folder: Path, model: Any, tokenizer: Any, spec: TaggerSpec) -> Path:
    """The tagger in `folder`, all or nothing."""
    with replace_folder(Path(folder)) as staging:
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
        (staging / SPEC_FILE).write_text(json.dumps(asdict(spec), indent=2), encoding="utf-8")
    return Path(folder)
