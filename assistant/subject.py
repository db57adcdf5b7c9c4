"""What a question is about: the companies, drugs and other names it writes, each linked to the
store's entity when there is one and, either way, to the documents whose text names it (full-text
phrase search), so that a name the extractors missed still finds its passages and answers draw
only on sources about the subject asked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kgstore import vocab
from kgstore.db.fulltext import FullText

from .linking import Link
from .question import Question
from .text import stem, terms

#: Kinds of entity a question is about (not a condition or metric it merely mentions).
SUBJECT_KINDS = frozenset({vocab.COMPANY, vocab.ORGANIZATION, vocab.DRUG, vocab.PERSON})


@dataclass(frozen=True)
class Name:
    """One thing the question names: the ways it may be written, its entity (if linked), and the
    documents that write it."""

    written: str
    forms: tuple[str, ...]
    link: Link | None
    documents: frozenset[int]


@dataclass(frozen=True)
class Subject:
    names: tuple[Name, ...]
    links: tuple[Link, ...] = ()  # the question's links that agree with its names

    @property
    def documents(self) -> frozenset[int] | None:
        """Documents about the subject, or None when the question names nothing to restrict to."""
        found = [n.documents for n in self.names if n.documents]
        return frozenset().union(*found) if found else None

    @property
    def unknown(self) -> tuple[str, ...]:
        """Names that no document writes and no entity stands for."""
        return tuple(n.written for n in self.names if not n.documents and n.link is None)

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for n in self.names for f in n.forms))

    @property
    def stems(self) -> frozenset[str]:
        """The words of its names, stemmed (`text.stem`): what a sentence about it says."""
        return frozenset(stem(w) for form in self.forms for w in terms(form))


def find_subject(question: Question, links: Sequence[Link], fulltext: FullText) -> Subject:
    """The names in `question` (capitalised phrases, and linked companies, drugs and people),
    with the documents that write each of them."""
    names: list[Name] = []
    used: set[int] = set()
    rejected: set[int] = set()
    for phrase in question.phrases:
        at = question.text.find(phrase)
        link = next((lk for lk in links if lk.start < at + len(phrase) and at < lk.end), None)
        if link is not None:
            used.add(id(link))
            if len(link.mention) < len(phrase) and link.method != "exact" and fulltext.documents_naming(phrase):
                rejected.add(id(link))  # 'Kestrel' of 'Kestrel Robotics' is not 'Kestrel Automation GmbH'
                link = None
        names.append(_name(phrase, link, fulltext))
    for link in links:
        if id(link) not in used and link.kind in SUBJECT_KINDS and link.method in ("exact", "partial"):
            names.append(_name(link.mention, link, fulltext))
    return Subject(tuple(names), tuple(lk for lk in links if id(lk) not in rejected))


def _name(written: str, link: Link | None, fulltext: FullText) -> Name:
    forms = [written]
    if link is not None:
        forms += [link.mention, link.label, vocab.entity_key(link.label)]
    forms = [f for f in dict.fromkeys(f.strip() for f in forms) if len(f) >= 2]
    documents: set[int] = set()
    for form in forms:
        documents |= fulltext.documents_naming(form)
    return Name(written, tuple(forms), link, frozenset(documents))
