"""Verification of an answer, sentence by sentence, against the sources it cites.

A sentence is supported only when what it states is found in what it cites: every number (in any
of its renderings, to the precision written), and every other word that carries content: names,
terms nobody defined, qualifiers, negations. Words are compared normalised (case, inflection);
a fact also "says" the usual words for its relation ("side effect" for causes adverse event).
Only the words of answering itself ("according", "reported", "the knowledge base") need no source.
A sentence without citations gets the one source that states all of it, or is unsupported.

A table's rows (`column: value; ...` lines) are read as rows, not as a bag of words: what a sentence
takes from them must be stated by one row, about the thing that row names (its first column), and a
column it names must come with that column's value ("a common side effect" of warfarin must be the
one its row lists), so words taken from different rows or columns do not make a statement."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ingestion.numbers import numbers_in, same_number, scale_of, stated_numbers

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
    its relation, and its figure as people write it (with the currency's name and the period;
    a currency's code also says its name wherever the verifier reads it)."""
    words = [fact.subject_label, fact.predicate_label, fact.object_label, *RELATION_HINTS.get(fact.predicate, ())]
    if fact.figure is not None:
        figure = fact.figure
        words += [figure.company, figure.metric, format_amount(figure.value, figure.unit),
                  format_period(figure.period), _CURRENCY_WORDS.get(figure.unit.upper(), "")]
    return " ".join(w for w in words if w)


class _Words:
    """What a piece of text says, as the verifier compares it: its word stems and its numbers."""

    def __init__(self, text: str):
        currencies = " ".join(name for code, name in _CURRENCY_WORDS.items() if re.search(rf"\b{code}\b", text))
        self.stems = {stem(re.sub(r"['’]s$", "", w)) for w in _WORD.findall(f"{text} {currencies}".lower())}
        self.numbers = numbers_in(text)

    def says_word(self, word: str) -> bool:
        s = stem(word)
        return s in self.stems or (len(s) >= 5 and any(len(t) >= 5 and (t.startswith(s) or s.startswith(t))
                                                      for t in self.stems))

    def says_number(self, value: Decimal, precision: Decimal) -> bool:
        return any(same_number(value, n, precision) for n in self.numbers)

    def says_any(self, words: list[str], numbers: list[tuple[Decimal, Decimal]]) -> bool:
        return any(self.says_word(w) for w in words) or any(self.says_number(v, p) for v, p in numbers)


_COLUMN = re.compile(r"([^:;\n]{1,60}?): (.*)", re.S)


class _Row:
    """One table row as rendered by the loader (`column: value; column: value`): its columns'
    names and values apart, and the thing it is about (its first column's value)."""

    def __init__(self, fields: list[tuple[str, str]]):
        self.columns = [(_Words(name.replace("_", " ")), _Words(value)) for name, value in fields]
        self.values = _Words(" ".join(value for _, value in fields))
        self.whole = _Words(" ".join(f"{name.replace('_', ' ')} {value}" for name, value in fields))
        scale = next((s for _, value in fields if (s := scale_of(value)) != 1), None)  # "scale: billions"
        if scale is not None:  # a value in such a row is also the number it scales to
            for words in (self.values, self.whole, *(value for _, value in self.columns)):
                words.numbers += [n * scale for n in words.numbers]
        self.subject = fields[0][1]
        self.named = _Words(self.subject) if content_words(self.subject) else None  # None: a number or code

    @staticmethod
    def parse(line: str) -> _Row | None:
        """The row a line renders, or None for a line of prose (fewer than two `column: value` parts)."""
        fields: list[tuple[str, str]] = []
        for part in line.split("; "):
            match = _COLUMN.fullmatch(part.strip())
            if match and not match.group(1).strip().count(" ") > 3:
                fields.append((match.group(1).strip(), match.group(2).strip()))
            elif fields:  # a value that itself holds "; "
                fields[-1] = (fields[-1][0], f"{fields[-1][1]}; {part}")
            else:
                return None
        return _Row(fields) if len(fields) >= 2 else None

    def problem(self, words: list[str], numbers: list[tuple[Decimal, Decimal]], bound: list[str],
                bound_numbers: list[tuple[Decimal, Decimal]], alone: bool) -> str | None:
        """Why this row does not state what the sentence (`words`, `numbers`) takes from rows
        (`bound`, `bound_numbers`), or None when it does. `alone`: the only row of its source."""
        if not all(self.whole.says_word(w) for w in bound) or not all(self.whole.says_number(*n) for n in bound_numbers):
            return "no one row of {cited} states all of it"
        if not alone and self.named and not any(self.named.says_word(w) for w in words):
            return f"the row of {{cited}} that states it is about {self.subject}, which the sentence does not name"
        for word in bound:
            if self.values.says_word(word):
                continue
            named = [value for name, value in self.columns if name.says_word(word)]
            if not any(value.says_any(words, numbers) for value in named):
                return f"'{word}' names a column of {{cited}} whose value the sentence does not state"
        return None


class _Source:
    """A source as the verifier reads it: its free text (prose, a title, a fact's words) and the
    table rows it holds, each read as a row."""

    def __init__(self, text: str, title: str = ""):
        lines = text.splitlines()
        rows = [_Row.parse(line) for line in lines]
        self.rows = [r for r in rows if r]
        self.free = _Words(" ".join([title, *(line for line, row in zip(lines, rows) if row is None)]))
        self.all = _Words(f"{title} {text}")
        self.all.numbers += [n for row in self.rows for n in row.values.numbers]  # with the rows' scales

    def says_word(self, word: str) -> bool:
        return self.all.says_word(word)

    def says_number(self, value: Decimal, precision: Decimal) -> bool:
        return self.all.says_number(value, precision)


class Verifier:
    """Checks sentences against the prompt's sources (facts and passages, each carrying its `ref`)."""

    def __init__(self, facts: list[Fact], passages: list[Passage]):
        self.sources = {f.ref: _Source(fact_text(f)) for f in facts} | {p.ref: _Source(p.text, p.title)
                                                                        for p in passages}

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
        return problems or _row_problems(sources, numbers, words, cited)


def _row_problems(sources: list[_Source], numbers: list[tuple[Decimal, Decimal]], words: list[str],
                  cited: str) -> list[str]:
    """What a sentence takes from table rows (the words and numbers no free text of `sources` says)
    that no single row states as the sentence relates it; empty when one row does."""
    bound = [w for w in words if not any(s.free.says_word(w) for s in sources)]
    bound_numbers = [n for n in numbers if not any(s.free.says_number(*n) for s in sources)]
    if not bound and not bound_numbers:
        return []
    reasons = [row.problem(words, numbers, bound, bound_numbers, alone=len(s.rows) == 1)
               for s in sources for row in s.rows]
    if not reasons or None in reasons:
        return []
    # the reason of the row that came closest: it states everything, or at least names the subject
    reason = next((r for r in reasons if "no one row" not in r), reasons[0])
    return [reason.format(cited=cited or "the sources")]


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
        _Source(p.text, f"{p.title} {p.document_uri.rstrip('/').rsplit('/', 1)[-1]}") for p in answer.passages]
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
