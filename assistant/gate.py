"""The relevance gate: can the sources found answer the question at all? When not, the answer is
"not found" and the model is never asked (so it cannot invent an answer about something absent)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .graph import Fact
from .linking import Link
from .question import Question
from .retrieval import Passage
from .subject import Subject
from .text import STOPWORDS, terms

#: Words too general to show that a question is about something the corpus covers.
GENERIC = frozenset("effect effects side use used drug drugs company companies revenue year fiscal patients "
                    "patient risk treatment dose total value annual".split())


def relevant(question: Question, links: Sequence[Link], facts: Sequence[Fact], passages: Sequence[Passage],
             document_frequency: Callable[[str], int], subject: Subject | None = None, *,
             min_similarity: float = 0.3) -> bool:
    """Linked facts answer; else passages do when they are on a subject the corpus covers. Not
    covered: a name no document writes and no entity stands for (`subject.unknown`), a name the
    corpus never mentions, a question in which nothing links or is named and a word the corpus
    never uses (drugs are written in lower case: "Which drug interacts with apixaban?"), a yes/no
    question whose linked entities are no fact's subject and that uses a word the corpus never uses
    ("Does dabigatran cause bleeding?" is not decided by warfarin's bleeding), or a question most
    of whose content words the corpus never uses (`document_frequency(term) == 0`)."""
    if subject is not None and subject.unknown:
        return False
    if facts and links:
        subjects = {f.subject for f in facts}
        return not (question.yes_no and not any(link.entity in subjects for link in links)
                    and _words(question, links, subject, document_frequency)[1])
    if not passages:
        return False
    content, unknown = _words(question, links, subject, document_frequency)
    if not links and subject is not None and not subject.names and unknown:
        return False  # nothing linked or named, and a word no document writes: most likely what it asks about
    if any(name in unknown for name in question.names):
        return False
    if content and len(unknown) > len(content) / 2:
        return False
    best = max((p.dense or 0.0) for p in passages)
    return best >= min_similarity or any(p.lexical for p in passages)


def _words(question: Question, links: Sequence[Link], subject: Subject | None,
           document_frequency: Callable[[str], int]) -> tuple[list[str], list[str]]:
    """The question's content words that no link or written name covers, then those of them that
    no document writes."""
    linked = {w for link in links for w in terms(link.mention)}
    if subject is not None:  # names some document writes are covered, linked or not
        linked |= {w for name in subject.names if name.documents for w in terms(name.written)}
    content = [t for t in question.terms if t not in linked and t not in GENERIC and t not in STOPWORDS
               and not any(c.isdigit() for c in t)]
    return content, [t for t in content if document_frequency(t) == 0]
