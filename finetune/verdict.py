"""Tuned verdicts: a model trained to answer a yes/no question over its passages with yes, no or
maybe. Two kinds, compared in bench/qa.py:

- `findings` (the default): a logistic regression over the findings the passages report
  (`finetune.findings`); trains in seconds, stored as JSON.
- `encoder`: an encoder fine-tuned as a cross-encoder (question and passages in one input, a
  classification head on top); a transformers folder.

Training data is PubMedQA's JSON (id -> QUESTION, CONTEXTS, final_decision; its LONG_ANSWER, the
abstract's conclusion, is never read) or a generic JSONL of {"id", "question", "passages",
"label"}. Either artifact carries `kgassist.json` (`VerdictSpec`) and is written all-or-nothing;
`VerdictModel` loads it and refuses a folder that is missing, corrupt or not a verdict model with
one line saying what to do.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kgstore.artifacts import SPEC_FILE, VERDICT
from kgstore.errors import ConfigError

from . import findings
from .atomic import recover, replace_folder

Log = Callable[[str], None]
LABELS = ("yes", "no", "maybe")
MODELS = ("findings", "encoder")
FINDINGS_FILE = "findings.json"
_TRAIN = "kgassist finetune verdict --data FILE"


@dataclass(frozen=True)
class Item:
    """One labelled question: its id (folds never split one), text, passages and gold verdict."""

    id: str
    question: str
    passages: tuple[str, ...]
    label: str


@dataclass
class VerdictSpec:
    base_model: str
    data_digest: str
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    max_length: int = 384
    kind: str = VERDICT
    model: str = "encoder"  # one of MODELS; specs written before `findings` existed name no model: encoders
    epochs: int = 0
    items: int = 0
    seconds: float = 0.0
    metrics: dict[str, Any] = field(default_factory=dict)


def read(path: Path) -> list[Item]:
    """Labelled questions from PubMedQA's JSON (a `.json` object) or the generic JSONL."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"No training data at {path}: pass --data with an existing file.")
    text = path.read_text(encoding="utf-8")
    try:
        if text.lstrip().startswith("{") and path.suffix == ".json":
            rows = json.loads(text)
            items = [Item(str(k), v["QUESTION"], tuple(v["CONTEXTS"]), str(v["final_decision"]).lower())
                     for k, v in rows.items()]
        else:
            items = []
            for number, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    row = json.loads(line)
                    items.append(Item(str(row.get("id", number)), row["question"], tuple(row["passages"]),
                                      str(row["label"]).lower()))
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path} is not valid JSON ({e.msg}, line {e.lineno}); give PubMedQA's JSON or one "
                          "JSON object a line.") from None
    except (KeyError, TypeError, AttributeError) as e:
        raise ConfigError(f"{path} lacks a field ({e}): PubMedQA items need QUESTION, CONTEXTS and "
                          "final_decision; JSONL lines need question, passages and label.") from None
    wrong = sorted({i.label for i in items} - set(LABELS))
    if wrong:
        raise ConfigError(f"{path}: labels must be yes, no or maybe, not {', '.join(wrong)}.")
    if len({i.label for i in items}) < 2:
        raise ConfigError(f"{path} holds fewer than two different labels; there is nothing to learn.")
    return items


def digest(items: Sequence[Item]) -> str:
    h = hashlib.sha256()
    for i in items:
        h.update(json.dumps([i.id, i.question, list(i.passages), i.label]).encode())
    return h.hexdigest()[:16]


def folds(items: Sequence[Item], k: int, seed: int = 0) -> list[tuple[list[Item], list[Item]]]:
    """k (train, test) splits by question id, each label spread evenly over the folds."""
    by_label: dict[str, list[str]] = {}
    for i in sorted({(i.label, i.id) for i in items}):
        by_label.setdefault(i[0], []).append(i[1])
    fold_of: dict[str, int] = {}
    rng = random.Random(seed)
    at = 0
    for label in sorted(by_label):
        ids = by_label[label]
        rng.shuffle(ids)
        for n, id_ in enumerate(ids):
            fold_of.setdefault(id_, (at + n) % k)
        at += len(ids)
    return [([i for i in items if fold_of[i.id] != f], [i for i in items if fold_of[i.id] == f]) for f in range(k)]


def _pair(item_question: str, passages: Sequence[str]) -> tuple[str, str]:
    """The cross-encoder's two segments: the question, and the passages last first (an abstract's
    results come last and must survive truncation)."""
    return item_question, " ".join(reversed(passages))


def class_weights(items: Sequence[Item]) -> list[float]:
    """Loss weight of each label: the square root of its inverse frequency (both kinds use it)."""
    counts = [max(1, sum(i.label == x for i in items)) for x in LABELS]
    return [(len(items) / (len(LABELS) * c)) ** 0.5 for c in counts]


def train_findings(items: Sequence[Item], embedder: Any, *, l2: float = 0.2, log: Log | None = None) -> \
        tuple[findings.Classifier, VerdictSpec]:
    """Fit the findings classifier on the labelled questions; `embedder` (name, embed) ranks each
    question's sentences by relevance and is named in the spec. Returns (classifier, spec)."""
    started = time.perf_counter()
    x = np.stack([findings.features(i.question, i.passages, embedder.embed) for i in items])
    classifier = fit_findings(items, x, l2=l2)
    spec = VerdictSpec(base_model=embedder.name, data_digest=digest(items), model="findings", items=len(items),
                       seconds=round(time.perf_counter() - started, 1))
    if log:
        log(f"fitted on {len(items)} questions, {len(findings.FEATURES)} features ({spec.seconds:.0f} s)")
    return classifier, spec


def fit_findings(items: Sequence[Item], x: np.ndarray, *, l2: float = 0.2) -> findings.Classifier:
    """The findings classifier fitted on labelled questions whose feature rows are `x`."""
    return findings.Classifier.fit(x, [LABELS.index(i.label) for i in items], LABELS,
                                   class_weights=class_weights(items), l2=l2)


def save_findings(folder: Path, classifier: findings.Classifier, spec: VerdictSpec) -> Path:
    with replace_folder(Path(folder)) as staging:
        (staging / FINDINGS_FILE).write_text(json.dumps({"features": list(findings.FEATURES), **asdict(classifier)}),
                                             encoding="utf-8")
        (staging / SPEC_FILE).write_text(json.dumps(asdict(spec), indent=2), encoding="utf-8")
    return Path(folder)


def train_encoder(items: Sequence[Item], base: Path, *, epochs: int = 4, lr: float = 5e-5, batch_size: int = 8,
                  max_length: int = 384, seed: int = 0, base_name: str = "", log: Log | None = None) -> \
        tuple[Any, Any, VerdictSpec]:
    """Fine-tune the encoder at `base` on the labelled questions (loss weighted against the label
    imbalance). Returns (model, tokenizer, spec)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(base), num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id={x: i for i, x in enumerate(LABELS)})
    weights = torch.tensor(class_weights(items))
    encoded = [tokenizer(*_pair(i.question, i.passages), truncation="only_second", max_length=max_length)["input_ids"]
               for i in items]
    targets = [LABELS.index(i.label) for i in items]
    order = list(range(len(items)))
    rng = random.Random(seed)
    steps = epochs * ((len(order) + batch_size - 1) // batch_size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / max(1, steps // 10)) * max(0.0, 1 - step / steps))
    loss_of = torch.nn.CrossEntropyLoss(weight=weights)
    started = time.perf_counter()
    model.train()
    for epoch in range(epochs):
        rng.shuffle(order)
        total = 0.0
        for at in range(0, len(order), batch_size):
            batch = order[at:at + batch_size]
            width = max(len(encoded[j]) for j in batch)
            ids = torch.tensor([encoded[j] + [tokenizer.pad_token_id] * (width - len(encoded[j])) for j in batch])
            mask = (ids != tokenizer.pad_token_id).long()
            loss = loss_of(model(input_ids=ids, attention_mask=mask).logits, torch.tensor([targets[j] for j in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item() * len(batch)
        if log:
            log(f"epoch {epoch + 1}/{epochs}: loss {total / len(order):.4f} ({time.perf_counter() - started:.0f} s)")
    model.eval()
    spec = VerdictSpec(base_model=base_name or Path(base).name, data_digest=digest(items), max_length=max_length,
                       epochs=epochs, items=len(items), seconds=round(time.perf_counter() - started, 1))
    return model, tokenizer, spec


def save_encoder(folder: Path, model: Any, tokenizer: Any, spec: VerdictSpec) -> Path:
    with replace_folder(Path(folder)) as staging:
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
        (staging / SPEC_FILE).write_text(json.dumps(asdict(spec), indent=2), encoding="utf-8")
    return Path(folder)


class VerdictModel:
    """A trained verdict model: question and passages in, yes / no / maybe out. A findings model
    needs the embedder it was trained with (`embedder`: name and embed)."""

    def __init__(self, folder: Path, embedder: Any | None = None, batch_size: int = 8):
        self.folder, self.batch_size = Path(folder), batch_size
        recover(self.folder)
        spec_path = self.folder / SPEC_FILE
        if not spec_path.is_file():
            raise ConfigError(f"No trained verdict model at {self.folder} (no {SPEC_FILE}): run `{_TRAIN}`, or point "
                              "KGASSIST_VERDICT_MODEL at the folder it wrote.")
        try:
            raw = json.loads(spec_path.read_text(encoding="utf-8"))
            self.spec = VerdictSpec(**raw)
        except (ValueError, TypeError) as e:
            raise ConfigError(f"{spec_path} is corrupt ({e}); train again with `{_TRAIN}`.") from None
        if self.spec.kind != VERDICT or tuple(self.spec.labels) != LABELS or self.spec.model not in MODELS:
            raise ConfigError(f"{self.folder} holds a {self.spec.kind!r} model with labels {self.spec.labels}, not a "
                              f"yes/no/maybe verdict model; point KGASSIST_VERDICT_MODEL at the folder `{_TRAIN}` wrote.")
        if self.spec.model == "findings":
            self._load_findings(embedder)
        else:
            self._load_encoder()

    def _load_findings(self, embedder: Any | None) -> None:
        if embedder is None or embedder.name != self.spec.base_model:
            raise ConfigError(f"{self.folder} was trained with the {self.spec.base_model} embeddings, but "
                              f"{getattr(embedder, 'name', 'none')} is configured; set KGASSIST_EMBEDDING_MODEL="
                              f"{self.spec.base_model} or train again with `{_TRAIN}`.")
        try:
            raw = json.loads((self.folder / FINDINGS_FILE).read_text(encoding="utf-8"))
            features = raw.pop("features")
            self.classifier = findings.Classifier(**raw)
            shape = np.array(self.classifier.weights).shape
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise ConfigError(f"The model files in {self.folder} are missing or corrupt ({e}); train again with "
                              f"`{_TRAIN}`.") from None
        if tuple(features) != findings.FEATURES or shape != (len(findings.FEATURES), len(LABELS)):
            raise ConfigError(f"{self.folder} was trained on other features than this kgassist computes; train again "
                              f"with `{_TRAIN}`.")
        self.embedder = embedder

    def _load_encoder(self) -> None:
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.folder))
            self.model = AutoModelForSequenceClassification.from_pretrained(str(self.folder)).eval()
        except Exception as e:  # noqa: BLE001 - safetensors, tokenizers and torch each raise their own
            raise ConfigError(f"The model files in {self.folder} are missing or corrupt ({str(e).splitlines()[0]}); "
                              f"train again with `{_TRAIN}`.") from None
        if self.model.config.num_labels != len(LABELS):
            raise ConfigError(f"{self.folder}: the model has {self.model.config.num_labels} labels, not "
                              f"{len(LABELS)}; the folder mixes two trainings. Train again with `{_TRAIN}`.")
        self._torch = torch

    @property
    def name(self) -> str:
        return f"verdict:{self.folder.name}"

    def probabilities(self, questions: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, float]]:
        """label -> probability for each (question, passages)."""
        if self.spec.model == "findings":
            x = np.stack([findings.features(q, p, self.embedder.embed) for q, p in questions])
            return [dict(zip(LABELS, map(float, row))) for row in self.classifier.probabilities(x)]
        out = []
        for at in range(0, len(questions), self.batch_size):
            pairs = [_pair(q, p) for q, p in questions[at:at + self.batch_size]]
            enc = self.tokenizer([a for a, _ in pairs], [b for _, b in pairs], truncation="only_second",
                                 max_length=self.spec.max_length, padding=True, return_tensors="pt")
            with self._torch.inference_mode():
                probs = self.model(**enc).logits.softmax(-1).tolist()
            out += [dict(zip(LABELS, p)) for p in probs]
        return out

    def choose(self, question: str, passages: Sequence[str]) -> str:
        p = self.probabilities([(question, passages)])[0]
        return max(p, key=p.get)
