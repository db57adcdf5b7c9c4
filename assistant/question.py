"""What counts as a question: the input rule every entry point (CLI, chat, app, library) applies
before anything is looked up or audited."""

from __future__ import annotations

from kgstore.errors import KGAssistError


class QuestionError(KGAssistError):
    """A question was refused before answering: empty, or longer than the configured limit."""


def check_question(text: str, max_chars: int) -> str:
    """The question with surrounding whitespace removed; refuses an empty or over-long one."""
    question = (text or "").strip()
    if not question:
        raise QuestionError("The question is empty: type a question, e.g. "
                            "\"What are the side effects of metformin?\"")
    if len(question) > max_chars:
        raise QuestionError(f"The question has {len(question):,} characters; the limit is {max_chars:,} "
                            "(KGASSIST_MAX_QUESTION_CHARS). Shorten it, or raise the limit.")
    return question
