"""A question, parsed once: its text, words, names, years, the relations it asks about and whether
it wants a yes/no verdict. Linking, graph lookup, retrieval, the relevance gate and verification
all read this one value; and the input rule every entry point applies first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from ingestion.extract import lexicon
from kgstore import vocab
from kgstore.errors import KGAssistError

from .text import terms, words

#: Words in a question that point at a relation.
RELATION_HINTS: dict[URIRef, tuple[str, ...]] = {
    vocab.CAUSES_ADVERSE_EVENT: ("side effect", "adverse", "cause", "reaction", "risk", "toxicity"),
    vocab.TREATS: ("treat", "used for", "indicat", "therapy", "manage"),
    vocab.INTERACTS_WITH: ("interact", "combine", "together with", "taken with"),
    vocab.CONTRAINDICATED_IN: ("contraindicat", "avoid", "should not", "must not", "unsafe"),
    vocab.DOSAGE: ("dose", "dosage", "how much", "mg"),
    vocab.DRUG_CLASS: ("class", "kind of drug", "type of drug"),
    vocab.CEO: ("ceo", "chief executive", "runs", "leads", "led by", "head of"),
    vocab.CFO: ("cfo", "chief financial"),
    vocab.HAS_EXECUTIVE: ("executive", "officer"),
    vocab.HAS_SUBSIDIARY: ("subsidiar", "own", "acqui", "bought", "parent"),
    vocab.HEADQUARTERED_IN: ("headquarter", "based", "located", "where is"),
    vocab.TICKER: ("ticker", "symbol", "trade", "listed", "stock code", "stock exchange"),
    vocab.REPORTED_METRIC: ("revenue", "sales", "income", "profit", "earnings", "eps", "margin", "cash", "assets",
                            "expense", "capex", "capital expenditure", "dividend", "debt", "how much"),
}
_YES_NO = re.compile(r"^\s*(is|are|was|were|does|do|did|can|could|should|has|have|had|will|would|may|might|must)\b",
                     re.I)
#: A clause that opens with a question word or an instruction asks for something other than yes or no.
_OPEN_QUESTION = re.compile(r"(?:^|[,;:(]|\s[-–—]\s)\s*(?:what|who|whom|whose|where|when|which|why|how|list|tell|name|"
                            r"show|give|find|describe|explain|summari[sz]e|compare)\b", re.I)


def is_yes_no(text: str) -> bool:
    """Whether a question wants a yes / no / maybe verdict: it opens with an auxiliary verb ("Does X
    cause Y?"), or it ends in a question mark with no clause opening with a question word — the
    titles analysts and abstracts write ("X, a form of Y?", "X and Y: differences in Z?")."""
    return bool(_YES_NO.match(text)) or (text.rstrip().endswith("?") and not _OPEN_QUESTION.search(text))


#: Capitalised words that do not start a sentence: names.
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][A-Za-z]{2,}\b")
_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?![\d.,]\d)")  # "2018", "FY2018"
#: A period written as a word: "FY2018", "Q3", "H1", "FY24", "3Q23", "CY2022".
_PERIOD_WORD = re.compile(r"(?:FY|CY|Q[1-4]|H[12]|[1-4]Q|[12]H)['’]?\d{0,4}", re.I)
#: Capitalised words that name a relation or a unit, not a subject.
_NOT_NAMES = frozenset("ceo cfo coo cto chief eps ebitda fy usd eur gbp dkk jpy yes no i".split())
_QUESTION_WORDS = frozenset("what who whom whose where when which why how is are was were does do did can could "
                            "should has have had will would may might must list tell name show give find".split())


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


def name_phrases(text: str) -> tuple[str, ...]:
    """The names a text writes: runs of adjacent capitalised words ('Siemens Healthineers', '3M'),
    possessives dropped, without an opening question word or a relation's acronym ('CEO')."""
    runs: list[list[tuple[str, int, int]]] = []
    for i, (word, start, end) in enumerate(words(text)):
        bare = re.sub(r"['’]s$", "", word)
        capitalised = bare[:1].isupper() or (bare[:1].isdigit() and any(c.isupper() for c in bare))
        if (not capitalised or bare.lower() in _NOT_NAMES or _YEAR.fullmatch(bare) or _PERIOD_WORD.fullmatch(bare)
                or (i == 0 and bare.lower() in _QUESTION_WORDS)):
            runs.append([])
            continue
        if runs and runs[-1] and text[runs[-1][-1][2]:start].strip() == "" and not runs[-1][-1][0].endswith(("'s", "’s")):
            runs[-1].append((bare, start, end))
        else:
            runs.append([(bare, start, end)])
    return tuple(dict.fromkeys(" ".join(w for w, _, _ in run) for run in runs if run))


def hinted_relations(text: str) -> frozenset[URIRef]:
    """The relations a question's words point at; a metric it names ('net PPNE') asks a figure."""
    lowered = text.lower()
    found = {p for p, hints in RELATION_HINTS.items() if any(h in lowered for h in hints)}
    return frozenset(found | ({vocab.REPORTED_METRIC} if metric_named(text) else set()))


@dataclass(frozen=True)
class Question:
    """What every stage needs to know about a question, worked out once."""

    text: str
    tokens: tuple[tuple[str, int, int], ...]  # words with character offsets (for linking)
    terms: tuple[str, ...]                      # lower-cased content words (for matching)
    names: tuple[str, ...]                      # capitalised words not opening the sentence, lower-cased
    years: frozenset[str]
    relations: frozenset[URIRef]                # relations the wording points at
    yes_no: bool                                # wants a yes / no / maybe verdict
    key: str                                    # the text as a label key, space-padded (for containment)
    phrases: tuple[str, ...] = ()               # names as written: runs of capitalised words ("Novo Nordisk")

    @classmethod
    def parse(cls, text: str, max_chars: int = 2000) -> Question:
        """Check (`check_question`) and parse a question."""
        text = check_question(text, max_chars)
        return cls(text=text, tokens=tuple(words(text)), terms=tuple(terms(text)),
                   names=tuple(m.group().lower() for m in _NAME.finditer(text)),
                   years=frozenset(_YEAR.findall(text)), relations=hinted_relations(text),
                   yes_no=is_yes_no(text), key=f" {vocab.label_key(text)} ",
                   phrases=name_phrases(text))

    def mentions(self, label: str) -> bool:
        """Whether the question contains `label` as whole words (case and punctuation aside)."""
        key = vocab.label_key(label)
        return len(key) >= 3 and f" {key} " in self.key


#: Each metric form as its padded terms, longest first, with its concept ("net sales" -> revenue).
_METRIC_FORMS = sorted(((f" {' '.join(terms(form))} ", label) for label, forms in lexicon.METRICS.items()
                        for form in forms), key=lambda item: -len(item[0]))


def metric_named(text: str) -> str | None:
    """The metric concept a text names ("net sales" -> "revenue", "net PPNE" -> "net property, plant
    and equipment"), by the extractors' lexicon."""
    lowered = f" {' '.join(terms(text.replace('-', ' ').replace('&', ' and ')))} "
    return next((label for form, label in _METRIC_FORMS if form in lowered), None)
