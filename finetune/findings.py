"""Verdicts from reported findings: a logistic regression over what the passages report — an
effect, its absence, sameness, hedging, p-values under and over 0.05 — counted over all sentences,
over the sentences most relevant to the question (the encoder's cosine similarity), and over the
last sentences, plus the question's form (its verb, a negation, a comparison, an "or").

The cues are the general vocabulary of reporting a study's result, not words of any dataset's
items; the weights are learned. Inference is numpy over the embedder the assistant already has;
the artifact is plain JSON (`findings.json`). Measured against the fine-tuned cross-encoder and the
LLM's zero-shot choice in bench/qa.py.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Embed = Callable[[list[str]], np.ndarray]  # unit-length rows, one per text

CUES: dict[str, tuple[str, ...]] = {
    "absence": (r"\bno (?:statistically |clinically )?significant", r"\bnot (?:statistically |clinically )?significant",
                r"\b(?:did|does|do|was|were|is|are|could|can|had|has|have) not\b",
                r"\bno (?:\w+ )?(?:difference|association|correlation|relationship|effect|evidence|benefit|change|"
                r"improvement|increase|decrease|impact|influence|advantage)",
                r"\bnot (?:associated|correlated|related|different|predictive)", r"\bfailed to\b", r"\bneither\b",
                r"\bunchanged\b", r"\bnon-?significant|\binsignificant"),
    "sameness": (r"\bsimilar", r"\bcomparable\b", r"\bequivalent\b"),
    "effect": (r"\bsignificant(?:ly)?\b", r"\bassociated with\b", r"\b(?:increase|improve|reduc|decreas|correlat|predict)\w*",
               r"\bhigher\b", r"\blower\b", r"\bbetter\b", r"\bindependent(?:ly)? (?:predictor|risk|associated)"),
    "hedge": (r"\bhowever\b", r"\balthough\b", r"\btrend\b", r"\bmarginal", r"\bmay\b", r"\bmight\b", r"\bunclear\b",
              r"\bborderline\b", r"\bnot reach"),
}
_CUES = {name: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) for name, patterns in CUES.items()}
_P_VALUE = re.compile(r"\bp\s*(<|>|=|≤|≥|<\s*or\s*=|>\s*or\s*=)\s*(0?\.\d+)", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
SENTENCE_CUES = (*CUES, "p_under_0.05", "p_over_0.05")
QUESTION_FORM = {
    "opens_with_be": r"^(?:is|are|was|were)\b", "opens_with_do": r"^(?:does|do|did)\b",
    "opens_with_modal": r"^(?:can|could|should|will|would|may)\b", "negated": r"\bnot\b|\bno\b|n't\b|\bwithout\b",
    "comparison": r"similar|\bsame\b|equal|equivalent|comparable|differ", "alternatives": r"\bor\b",
}
_QUESTION_FORM = {name: re.compile(p, re.IGNORECASE) for name, p in QUESTION_FORM.items()}
FEATURES = (*(f"{where}:{cue}" for where in ("all", "relevant", "top2", "last3") for cue in SENTENCE_CUES),
            *(f"question:{name}" for name in QUESTION_FORM), "best_relevance", "log_sentences")


def sentence_cues(sentence: str) -> list[float]:
    """Counts of each cue group in one sentence, then its p-values under and over 0.05."""
    counts = [float(len(pattern.findall(sentence))) for pattern in _CUES.values()]
    under = over = 0
    for operator, value in _P_VALUE.findall(sentence):
        p = float(value)
        if "<" in operator or "≤" in operator or p < 0.05:
            under += 1
        else:
            over += 1
    return counts + [float(under), float(over)]


def features(question: str, passages: Sequence[str], embed: Embed) -> np.ndarray:
    """The feature vector (named by `FEATURES`) of a question over its passages."""
    sentences = [s for p in passages for s in _SENTENCE.split(p.strip()) if s.strip()] or [""]
    vectors = embed([question, *sentences])
    relevance = vectors[1:] @ vectors[0]
    weights = np.exp(5 * (relevance - relevance.max()))
    weights /= weights.sum()
    cues = np.array([sentence_cues(s) for s in sentences])
    top2 = np.argsort(-relevance)[:2]
    form = [float(bool(pattern.search(question.strip()))) for pattern in _QUESTION_FORM.values()]
    return np.concatenate([cues.sum(0), weights @ cues, cues[top2].sum(0), cues[-3:].sum(0), form,
                           [float(relevance.max()), math.log(len(sentences))]])


@dataclass
class Classifier:
    """Multinomial logistic regression over standardised features; plain lists, so JSON holds it."""

    labels: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[list[float]]  # [feature][label]
    bias: list[float]

    @classmethod
    def fit(cls, x: np.ndarray, y: Sequence[int], labels: Sequence[str], *, class_weights: Sequence[float],
            l2: float = 0.2) -> Classifier:
        """Minimise the class-weighted mean cross-entropy plus l2/2 * |W|^2 (L-BFGS)."""
        import torch

        mean, scale = x.mean(0), x.std(0) + 1e-6
        z = torch.tensor((x - mean) / scale, dtype=torch.float64)
        target = torch.tensor(list(y))
        sample = torch.tensor(class_weights, dtype=torch.float64)[target]
        sample = sample / sample.mean()
        w = torch.zeros(z.shape[1], len(labels), dtype=torch.float64, requires_grad=True)
        b = torch.zeros(len(labels), dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.LBFGS([w, b], max_iter=500, line_search_fn="strong_wolfe")

        def loss() -> torch.Tensor:
            optimizer.zero_grad()
            value = (torch.nn.functional.cross_entropy(z @ w + b, target, reduction="none") * sample).mean() + \
                l2 / 2 * (w * w).sum()
            value.backward()
            return value

        optimizer.step(loss)
        return cls(list(labels), mean.tolist(), scale.tolist(), w.detach().tolist(), b.detach().tolist())

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        logits = ((np.atleast_2d(x) - self.mean) / self.scale) @ np.array(self.weights) + self.bias
        logits = np.exp(logits - logits.max(1, keepdims=True))
        return logits / logits.sum(1, keepdims=True)
