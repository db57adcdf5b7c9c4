"""Answers on documents nobody here wrote the extractors for: a held-out corpus of fourteen short
documents in the styles analysts read (news brief, press release, drug label, abstract, clinical
note, filing paragraph, HTML profile, CSV tables; tests/fixtures/unseen, written blind to the
extractors) and forty questions. On the CPU default model the answer's first sentence states
the expected fact with its citation for at least 90% of them, and absent topics answer not found."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.answer import NOT_FOUND_TEXT

from .helpers import KB

UNSEEN = Path(__file__).parent / "fixtures" / "unseen"
QUESTIONS = [json.loads(line) for line in (UNSEEN / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]


def states_expected(answer, item: dict) -> bool:  # noqa: ANN001 - an Answer
    """The first sentence names one of the expected strings and cites a source; an absent topic
    is answered "not found"."""
    if item["kind"] == "absent":
        return not answer.found and answer.answer == NOT_FOUND_TEXT
    first = answer.claims[0].sentence if answer.found else ""
    return any(e.lower() in first.lower() for e in item["expect_any"]) and bool(re.search(r"\[[FP]\d+\]", first))


@pytest.fixture(scope="module")
def unseen(tmp_path_factory, embedder) -> KB:
    return KB(tmp_path_factory.mktemp("unseen"), embedder, UNSEEN / "corpus")


def test_the_held_out_set_is_as_described():
    assert len(QUESTIONS) == 40 and sum(q["kind"] == "absent" for q in QUESTIONS) == 5
    assert len(list((UNSEEN / "corpus").iterdir())) >= 12


def wrong_answers(assistant, items: list[dict], **kw) -> list[tuple]:  # noqa: ANN001 - an Assistant
    answers = [(item, assistant.ask(item["question"], **kw)) for item in items]
    return [(item["id"], item["question"], answer.answer[:160]) for item, answer in answers
            if not states_expected(answer, item)]


@pytest.mark.slow
def test_the_first_sentence_states_the_expected_fact_for_nine_in_ten_questions_on_the_small_model(unseen, llm):
    """All forty with the real model's verdicts; its free text is left out here (the answer is led by
    its sources either way) and written for one question of each kind below."""
    wrong = wrong_answers(unseen.assistant(llm), QUESTIONS, generate=False)
    assert len(wrong) <= len(QUESTIONS) // 10, wrong


@pytest.mark.slow
def test_what_the_small_model_writes_does_not_change_the_first_sentence(unseen, llm):
    one_per_kind = list({item["kind"]: item for item in QUESTIONS}.values())[:8]
    wrong = wrong_answers(unseen.assistant(llm), one_per_kind)
    assert len(wrong) <= 1, wrong
