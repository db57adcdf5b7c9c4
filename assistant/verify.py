"""Verification of an answer, sentence by sentence, against the sources it cites.

A sentence is supported only when what it states is found in what it cites: every number (in any
of its renderings, to the precision written), and every other word that carries content: names,
terms nobody defined, qualifiers, negations. Words are compared normalised (case, inflection);
a fact also "says" the usual words for its relation ("side effect" for causes adverse event).
Only the words of answering itself ("according", "reported", "the knowledge base") need no source.
A sentence without citations gets the one source that states all of it, or is unsupported."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingestion.numbers import numbers_in, same_number, stated_numbers

from .display import format_amount, format_period
from .graph import Fact
from .question import RELATION_HINTS
from .retrieval import Passage
from .text import STOPWORDS, stem

CITATION = re.compile(r"\[((?:[FP]\d+)(?:\s*[,;]\s*[FP]\d+)*)\]")
NOT_FOUND = re.compile(r"\b(does not contain|do not contain|not (?:contain|mention|state|say)|no information|"
                       r"could not find|cannot find|not found|unknown)\b", re.I)

#: Words of answering, which state nothing about the subject, and the words numbers are written with.
FRAME = frozenset("""
according state states stated stating say says said report reports reported reporting source sources
passage passages document documents fact facts knowledge graph base mention mentions mentioned note
noted also include includes included including such well known information provided given listed list
follow following answer question yes however therefore thus additionally furthermore moreover overall
summary based show shows shown indicate indicates find found describe describes described refer refers
one two three first second third several various example e.g i.e etc way ways
billion million thousand trillion bn mn percent per cent fiscal year years quarter
reach reached total totaled totalled amount amounted stood came
person people individual current currently position role hold holds held serve serves serving entity
""".split()) | STOPWORDS
#: Words that reverse a statement: a sentence may say them only where its source does.
NEGATIONS = frozenset("no not never without neither nor cannot none".split())
#: Currency words a figure's unit stands for.
_CURRENCY_WORDS = {"USD": "dollar dollars us", "EUR": "euro euros", "GBP": "pound pounds sterling",
                   "JPY": "yen", "DKK": "krone kroner danish", "CHF": "franc francs swiss",
                   "SEK": "krona kronor swedish", "NOK": "krone kroner norwegian", "CNY": "yuan renminbi"}
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass
class Claim:
    sentence: str
    citations: list[str] = field(default_factory=list)
    supported: bool = True
    reason: str | None = None
    attributed: bool = False
    span: tuple[int, int] | None = None  # a quoted sentence: its characters in the cited document

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "citations": self.citations, "supported": self.supported,
                "reason": self.reason, "attributed": self.attributed,
                **({"span": list(self.span)} if self.span else {})}


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


def content_words(text: str) -> list[str]:
    """The words of `text` that state something, lower-cased, possessives dropped, numbers left to
    the number parser: what a source must also say."""
    out = []
    for word in _WORD.findall(text):
        word = re.sub(r"['’]s$", "", word.lower())
        if word in NEGATIONS or (word not in FRAME and not word.isdigit() and len(word) > 1
                                 and not re.fullmatch(r"(?:fy|q)\d+|\d+(?:st|nd|rd|th)|[a-z]?\d[\d.]*[a-z]?", word)):
            out.append(word)
    return out


def fact_text(fact: Fact) -> str:
    """What a fact says, in the words a sentence may use for it: its labels, the usual words for
    its relation, and its figure as people write it (with the currency's name and the period)."""
    words = [fact.subject_label, fact.predicate_label, fact.object_label, *RELATION_HINTS.get(fact.predicate, ())]
    words += [name for code, name in _CURRENCY_WORDS.items() if re.search(rf"\b{code}\b", fact.object_label)]
    if fact.figure is not None:
        figure = fact.figure
        words += [figure.company, figure.metric, format_amount(figure.value, figure.unit),
                  format_period(figure.period), _CURRENCY_WORDS.get(figure.unit.upper(), "")]
    return " ".join(w for w in words if w)


class _Source:
    """A source as the verifier reads it: its word stems and its numbers."""

    def __init__(self, text: str):
        self.stems = {stem(re.sub(r"['’]s$", "", w)) for w in _WORD.findall(text.lower())}
        self.numbers = numbers_in(text)

    def says_word(self, word: str) -> bool:
        s = stem(word)
        return s in self.stems or (len(s) >= 5 and any(len(t) >= 5 and (t.startswith(s) or s.startswith(t))
                                                      for t in self.stems))

    def says_number(self, value: Decimal, precision: Decimal) -> bool:
        return any(same_number(value, n, precision) for n in self.numbers)


class Verifier:
    """Checks sentences against the prompt's sources (facts and passages, each carrying its `ref`)."""

    def __init__(self, facts: list[Fact], passages: list[Passage]):
        texts = {f.ref: fact_text(f) for f in facts} | {p.ref: f"{p.title} {p.text}" for p in passages}
        self.sources = {ref: _Source(text) for ref, text in texts.items()}

    def check(self, sentence: str) -> Claim:
        ids = cited(sentence)
        unknown = [i for i in ids if i not in self.sources]
        if unknown:
            return Claim(sentence, ids, False, f"cites {', '.join(unknown)}, which is not among the sources")
        body = strip_citations(sentence)
        numbers, words = stated_numbers(body), list(dict.fromkeys(content_words(body)))
        if not ids:
            if not numbers and (not words or NOT_FOUND.search(body)):
                return Claim(sentence)  # states nothing to check, or that nothing was found
            for ref, source in self.sources.items():
                if not self._problems([source], numbers, words):
                    return Claim(sentence, [ref], True, None, attributed=True)
            problems = self._problems(list(self.sources.values()), numbers, words, "the sources")
            return Claim(sentence, [], False, "no cited source states it: " + ("; ".join(problems[:3])
                                                                                or "no one source states all of it"))
        problems = self._problems([self.sources[i] for i in ids], numbers, words, ", ".join(ids))
        return Claim(sentence, ids, not problems, "; ".join(problems) or None)

    @staticmethod
    def _problems(sources: list[_Source], numbers: list[tuple[Decimal, Decimal]], words: list[str],
                  cited: str = "") -> list[str]:
        """What the sentence states that none of `sources` says, each as a reason naming `cited`."""
        problems = [f"the number {_show(value)} is in none of {cited}" for value, precision in numbers
                    if not any(s.says_number(value, precision) for s in sources)]
        problems += [f"'{word}' is in none of {cited}" for word in words
                     if not any(s.says_word(word) for s in sources)]
        return problems


def _show(number) -> str:  # noqa: ANN001
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def answer_problems(answer) -> list[str]:  # noqa: ANN001 - an assistant.answer.Answer
    """What breaks the promise an answer makes: a sentence of its text that the verifier marked
    unsupported, or a name or number in its text that none of its sources contains. Empty for a
    sound answer (every answer the test suite and the benchmarks produce is checked with this)."""
    shown = [c.sentence for c in answer.claims if c.supported and c.sentence in answer.answer]
    problems = [f"unsupported sentence in the answer: {c.sentence!r}" for c in answer.claims
                if not c.supported and c.sentence in answer.answer  # and not as part of a shown sentence
                and not any(c.sentence in s for s in shown)]
    if not answer.found:
        return problems
    sources = [_Source(fact_text(f)) for f in answer.facts] + [  # a passage is named by its title or its file
        _Source(f"{p.title} {p.document_uri.rstrip('/').rsplit('/', 1)[-1]} {p.text}") for p in answer.passages]
    computed = getattr(answer, "value", None)
    if computed is not None:  # computed by code: its value, formula and name are the engine's, not a source's
        sources.append(_Source(f"{computed.name} {computed.shown} {computed.formula} {computed.period}"))
        problems += [f"the computed value does not follow from its inputs: {p}" for p in computed.recheck()]
    body = strip_citations(answer.answer)
    for value, precision in stated_numbers(body):
        if not any(s.says_number(value, precision) for s in sources):
            problems.append(f"the number {_show(value)} is in none of the answer's sources")
    for name in re.findall(r"(?<![\w'’])[A-Z][^\W_]*(?:[-'’][^\W_]+)*", body):
        parts = [w for w in re.split(r"[-'’]", re.sub(r"['’]s$", "", name).lower()) if w and w not in FRAME]
        if not all(any(s.says_word(w) for s in sources) for w in parts):
            problems.append(f"the name {name!r} is in none of the answer's sources")
    return problems
