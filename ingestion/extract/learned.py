"""The `learned` extractor: a fine-tuned encoder (what `kgassist finetune extractor` writes) tags
entity spans sentence by sentence; each relation the model was trained on is formed between a
subject span and an object span of its types in one sentence. Confidence is the model's: the mean
top-label probability over a span's word pieces, the lower of the two spans for a triple; triples
below `threshold` are dropped. The model `decides` its relations: combined with other extractors,
their triples of those relations stand only where the model found the same triple (measured on
ADE: the pattern rules' extra triples of a trained relation cost more precision than they add
recall). Sentences of many documents are tagged in one batch."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kgstore import vocab
from kgstore.artifacts import RELATION_TAGGER, SPEC_FILE
from kgstore.errors import ConfigError

from ..chunking import Chunk, sentences
from ..loaders import LoadedDocument
from .base import Extraction, Mention

NAME = "learned"
_TRAIN = "kgassist finetune extractor --data FILE"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str
    confidence: float


class LearnedExtractor:
    name = NAME

    def __init__(self, folder: Path, *, threshold: float = 0.8, batch_size: int = 32):
        self.folder, self.threshold, self.batch_size = Path(folder), threshold, batch_size
        spec_path = self.folder / SPEC_FILE
        if not spec_path.is_file():
            raise ConfigError(f"No trained extractor at {self.folder} (no {SPEC_FILE}): run `{_TRAIN}`, or point "
                              "KGASSIST_EXTRACTOR_MODEL at the folder it wrote.")
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            self.spec: dict = spec  # as trained: base model, labels, data digest, epochs
            self.labels: list[str] = list(spec["labels"])
            self.relations = {vocab.KGA[p]: (s, o) for p, (s, o) in spec["relations"].items()}
            self.max_length = int(spec.get("max_length", 128))
        except (ValueError, KeyError, TypeError) as e:
            raise ConfigError(f"{spec_path} is corrupt ({e}); train again with `{_TRAIN}`.") from None
        if spec.get("kind") != RELATION_TAGGER:
            raise ConfigError(f"{self.folder} holds a {spec.get('kind')!r} model, not a relation tagger; point "
                              f"KGASSIST_EXTRACTOR_MODEL at the folder `{_TRAIN}` wrote.")
        self.types = {t: vocab.KGA[t] for label in self.labels[1:] for t in [label.split("-", 1)[1]]}
        unknown = [p for p in self.relations if p not in vocab.DOMAIN_PREDICATES] + \
            [t for t, c in self.types.items() if c not in vocab.DOMAIN_CLASSES]
        if unknown:
            raise ConfigError(f"{self.folder} was trained for {', '.join(map(str, unknown))}, which this ontology "
                              f"does not have; train again with `{_TRAIN}`.")
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(self.folder))
            self.model = AutoModelForTokenClassification.from_pretrained(str(self.folder)).eval()
        except Exception as e:  # noqa: BLE001 - safetensors, tokenizers and torch each raise their own
            raise ConfigError(f"The model files in {self.folder} are missing or corrupt ({str(e).splitlines()[0]}); "
                              f"train again with `{_TRAIN}`.") from None
        if self.model.config.num_labels != len(self.labels):
            raise ConfigError(f"{self.folder}: the model has {self.model.config.num_labels} labels but {SPEC_FILE} "
                              f"names {len(self.labels)}; the folder mixes two trainings. Train again with `{_TRAIN}`.")
        self._torch = torch
        self.decides = frozenset(self.relations)

    def tag(self, texts: Sequence[str]) -> list[list[Span]]:
        """Entity spans of each text (character offsets into it), batched."""
        out: list[list[Span]] = []
        torch = self._torch
        for at in range(0, len(texts), self.batch_size):
            batch = list(texts[at:at + self.batch_size])
            enc = self.tokenizer(batch, truncation=True, max_length=self.max_length, padding=True,
                                 return_offsets_mapping=True, return_tensors="pt")
            offsets = enc.pop("offset_mapping").tolist()
            with torch.inference_mode():
                probs = self.model(**enc).logits.softmax(-1)
            best, labels = probs.max(-1)
            for text, offs, conf, ids in zip(batch, offsets, best.tolist(), labels.tolist()):
                out.append(self._spans(text, offs, conf, ids))
        return out

    def _spans(self, text: str, offsets: list[list[int]], confidence: list[float], ids: list[int]) -> list[Span]:
        """BIO decoding (an I- after another type starts a span), widened to whole words."""
        spans: list[list] = []  # [start, end, type, confidences]
        previous = "O"
        for (a, b), p, i in zip(offsets, confidence, ids):
            if a == b:
                continue
            label = self.labels[i]
            if label == "O":
                previous = "O"
                continue
            prefix, kind = label.split("-", 1)
            joins = spans and previous == kind and (prefix == "I" or a == spans[-1][1])
            if joins:
                spans[-1][1] = b
                spans[-1][3].append(p)
            else:
                spans.append([a, b, kind, [p]])
            previous = kind
        out = []
        for a, b, kind, ps in spans:
            while a > 0 and text[a - 1].isalnum():
                a -= 1
            while b < len(text) and text[b].isalnum():
                b += 1
            a, b = _trimmed(text, a, b)
            if b > a:
                out.append(Span(a, b, kind, sum(ps) / len(ps)))
        return out

    def extract(self, document: LoadedDocument, chunks: Sequence[Chunk]) -> list[Extraction]:
        return self.extract_many([(document, chunks)])[0]

    def extract_many(self, items: Sequence[tuple[LoadedDocument, Sequence[Chunk]]]) -> list[list[Extraction]]:
        """`extract` of each (document, chunks) pair; all their sentences tagged in batches."""
        where = [(i, c.start + s.start, c.start + s.end) for i, (_, chunks) in enumerate(items) for c in chunks
                 for s in sentences(c.text)]
        texts = [items[i][0].text[a:b] for i, a, b in where]
        out: list[list[Extraction]] = [[] for _ in items]
        for (i, offset, _), spans in zip(where, self.tag(texts)):
            text = items[i][0].text
            for predicate, (s_type, o_type) in self.relations.items():
                for s in (x for x in spans if x.type == s_type):
                    for o in (x for x in spans if x.type == o_type and (x.start, x.end) != (s.start, s.end)):
                        subject = Mention(text[offset + s.start:offset + s.end], offset + s.start, offset + s.end,
                                          self.types[s_type])
                        obj = Mention(text[offset + o.start:offset + o.end], offset + o.start, offset + o.end,
                                      self.types[o_type])
                        confidence = round(min(s.confidence, o.confidence), 4)
                        if confidence >= self.threshold:
                            out[i].append(Extraction(subject, predicate, obj, min(subject.start, obj.start),
                                                     max(subject.end, obj.end), confidence, NAME))
        return out


_FUNCTION_WORDS = frozenset("and or of in the with a an to for on at by as after during was were is".split())
_EDGE = re.compile(r"^[\s,.;:]+|[\s,.;:]+$")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without the punctuation, unbalanced brackets and function words at its edges
    ("fever," -> "fever", "hepatitis and" -> "hepatitis"); empty when nothing else is left."""
    while True:
        piece = text[start:end]
        words = piece.split()
        if not words:
            return start, start
        if _EDGE.search(piece):
            lead = len(piece) - len(piece.lstrip(" \t\n,.;:"))
            start, end = start + lead, start + len(piece.rstrip(" \t\n,.;:"))
        elif words[0].lower() in _FUNCTION_WORDS:
            start += piece.index(words[0]) + len(words[0])
        elif words[-1].lower() in _FUNCTION_WORDS:
            end = start + piece.rindex(words[-1])
        elif piece.endswith(")") and piece.count("(") < piece.count(")"):
            end -= 1
        elif piece.startswith("(") and piece.count("(") > piece.count(")"):
            start += 1
        else:
            return start, end
