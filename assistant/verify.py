"""Verification of an answer, sentence by sentence, against the sources it cites.

A sentence is supported when every number (dates included) and every entity name it states also
appears in a fact or passage it cites. Sentences without citations get them attributed when one
source states all of their numbers and names; otherwise they are flagged unsupported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kgstore import vocab

from .graph import Fact
from .retrieval import Passage
from ingestion.numbers import numbers_in, same_number

CITATION = re.compile(r"\[((?:[FP]\d+)(?:\s*[,;]\s*[FP]\d+)*)\]")
NOT_FOUND = re.compile(r"\b(does not contain|do not contain|not (?:contain|mention|state|say)|no information|"
                       r"could not find|cannot find|not found|unknown)\b", re.I)


@dataclass
class Claim:
    sentence: str
    citations: list[str] = field(default_factory=list)
    supported: bool = True
    reason: str | None = None
    attributed: bool = False

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "citations": self.citations, "supported": self.supported,
                "reason": self.reason, "attributed": self.attributed}


def cited(sentence: str) -> list[str]:
    """Source ids a sentence cites, in order: ['F1', 'P2']."""
    ids: list[str] = []
    for group in CITATION.findall(sentence):
        for item in re.split(r"\s*[,;]\s*", group):
            if item not in ids:
                ids.append(item)
    return ids


def strip_citations(sentence: str) -> str:
    return CITATION.sub("", sentence).strip()


class Verifier:
    """Checks sentences against the prompt's sources; `names` are entity labels worth checking."""

    def __init__(self, facts: list[Fact], passages: list[Passage], names: list[str]):
        self.sources: dict[str, str] = {f.ref: f"{f.subject_label} {f.predicate_label} {f.object_label}"
                                        for f in facts}
        self.sources.update({p.ref: f"{p.title} {p.text}" for p in passages})
        self._keys = {k: vocab.label_key(v) for k, v in self.sources.items()}
        self._numbers = {k: numbers_in(v) for k, v in self.sources.items()}
        self.names = sorted({n for n in names if len(vocab.label_key(n)) >= 3}, key=len, reverse=True)

    def claims(self, sentence: str) -> tuple[list, list[str]]:
        """The numbers and entity names a sentence states (citations removed)."""
        body = strip_citations(sentence)
        key = f" {vocab.label_key(body)} "
        named = [n for n in self.names if f" {vocab.label_key(n)} " in key]
        return numbers_in(body), named

    def supports(self, source: str, stated_numbers: list, named: list[str]) -> tuple[bool, str | None]:
        key = f" {self._keys.get(source, '')} "
        for number in stated_numbers:
            if not any(same_number(number, n) for n in self._numbers.get(source, [])):
                return False, f"the number {number:f} is not in {source}"
        for name in named:
            if f" {vocab.label_key(name)} " not in key:
                return False, f"'{name}' is not in {source}"
        return True, None

    def check(self, sentence: str) -> Claim:
        ids = cited(sentence)
        stated, named = self.claims(sentence)
        unknown = [i for i in ids if i not in self.sources]
        if unknown:
            return Claim(sentence, ids, False, f"cites {', '.join(unknown)}, which is not among the sources")
        if not ids:
            if NOT_FOUND.search(sentence) and not stated:
                return Claim(sentence)
            if not stated and not named:
                return Claim(sentence)
            best = [s for s in self.sources if self.supports(s, stated, named)[0]]
            if best:
                return Claim(sentence, [best[0]], True, None, attributed=True)
            return Claim(sentence, [], False, "no cited source states its numbers or names")
        problems = []
        for number in stated:
            if not any(self.supports(i, [number], [])[0] for i in ids):
                problems.append(f"the number {_show(number)} is in none of {', '.join(ids)}")
        for name in named:
            if not any(self.supports(i, [], [name])[0] for i in ids):
                problems.append(f"'{name}' is in none of {', '.join(ids)}")
        return Claim(sentence, ids, not problems, "; ".join(problems) or None)


def _show(number) -> str:  # noqa: ANN001
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
