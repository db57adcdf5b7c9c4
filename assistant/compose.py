"""Answer composition: what a user reads first is what the sources state.

The answer opens with the direct answer: the graph facts for the relation asked, written as a
sentence by a template per relation ("Costco's revenue for fiscal 2024 was $254.5 billion [F1]"),
or, when no fact answers, the passage sentence that does, quoted with its citation and span. The
model's sentences follow only where the verifier supports them (with `lead="model"` they come
first). An unsupported sentence never reaches the answer text: it stays among the claims."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ingestion.chunking import sentences as sentence_spans
from ingestion.extract import lexicon
from kgstore import vocab

from .display import format_amount, format_period, possessive
from .graph import Fact
from .linking import Link
from .question import RELATION_HINTS, Question, metric_named
from .retrieval import Passage
from .subject import Subject
from .gate import GENERIC
from .text import stem, terms
from .verify import NOT_FOUND, Claim, Verifier, content_words

#: How each relation is said; {s} and {o} are the labels, {o} a list when several facts agree.
TEMPLATES: dict[URIRef, str] = {
    vocab.CEO: "{s}'s chief executive officer is {o}",
    vocab.CFO: "{s}'s chief financial officer is {o}",
    vocab.HAS_EXECUTIVE: "{o} is an executive of {s}",
    vocab.HEADQUARTERED_IN: "{s} is headquartered in {o}",
    vocab.TICKER: "{s} trades under the ticker symbol {o}",
    vocab.HAS_SUBSIDIARY: "{s} has the subsidiary {o}",
    vocab.TREATS: "{s} is used to treat {o}",
    vocab.CAUSES_ADVERSE_EVENT: "{s} can cause {o}",
    vocab.CONTRAINDICATED_IN: "{s} is contraindicated in {o}",
    vocab.INTERACTS_WITH: "{s} interacts with {o}",
    vocab.DOSAGE: "The dosage of {s} is {o}",
    vocab.DRUG_CLASS: "{s} is a {o}",
}
MAX_FACTS_PER_SENTENCE = 6
_LABEL_LINE = re.compile(r"[^\d\n]{2,50}(?<![.!?;:])")  # "Chairman, President and CEO", its value on the next line
_DOSE = re.compile(rf"\b\d+(?:\.\d+)?\s?(?:{lexicon.DOSE_UNITS})\b", re.I)
#: Words by which a document states each relation (beyond the words questions ask it with).
EVIDENCE_CUES: dict[URIRef, tuple[str, ...]] = {
    vocab.TREATS: ("indicat", "used to", "used for", "used along", "prescribed", "to lower", "to reduce",
                   "approved for", "therapy for", "treatment of"),
    vocab.CAUSES_ADVERSE_EVENT: ("side effect", "adverse", "reaction", "common", "reported", "experience",
                                 "may cause", "can cause"),
    vocab.CONTRAINDICATED_IN: ("contraindicat", "do not take", "do not use", "should not", "must not",
                               "not recommended", "avoid"),
    vocab.INTERACTS_WITH: ("interact", "taken with", "together with", "combined with", "concomitant",
                           "co-administ", "coadminist", "inhibitor", "inducer", "when used with"),
    vocab.DOSAGE: (" mg", "dose", "dosing", "daily", "tablet", "injection"),
    vocab.DRUG_CLASS: ("class", "inhibitor", "agonist", "antagonist", "blocker"),
    vocab.CEO: ("chief executive", "ceo", "president"),
    vocab.CFO: ("chief financial", "cfo", "finance director"),
    vocab.HEADQUARTERED_IN: ("headquarter", "based in", "head office", "located in", "registered office"),
    vocab.TICKER: ("ticker", "symbol", "nasdaq", "nyse", "stock exchange", "listed", "stock code"),
    vocab.HAS_SUBSIDIARY: ("subsidiar", "owns", "acquired", "division", "wholly owned"),
}


@dataclass
class Composed:
    text: str
    claims: list[Claim]  # every sentence considered, shown or not, in the order shown first
    found: bool


def fact_sentence(facts: Sequence[Fact]) -> str:
    """One sentence stating facts that share a subject and relation, each object cited."""
    first = facts[0]
    if first.figure is not None:
        f = first.figure
        period = f" for {format_period(f.period)}" if f.period else ""
        cited = "".join(f"[{x.ref}]" for x in facts)  # the same figure in several filings
        return f"{possessive(f.company)} {f.metric or 'reported figure'}{period} was " \
               f"{format_amount(f.value, f.unit)} {cited}."
    objects = _listing([f"{_in_sentence(f)} [{f.ref}]" for f in facts])
    template = TEMPLATES.get(first.predicate, "{s} {p} {o}")
    sentence = template.format(s=first.subject_label, p=first.predicate_label, o=objects)
    return sentence[0].upper() + sentence[1:] + "."


def answering_facts(question: Question, facts: Sequence[Fact], links: Sequence[Link]) -> list[Fact]:
    """The facts that answer the question directly: the relation it asks, about an entity it
    names, for the year it asks (figures), the best-ranked ones; asked no relation, the entity's
    facts of its first three relations."""
    linked = {lk.entity for lk in links}
    figures_asked = vocab.REPORTED_METRIC in question.relations

    def answers(f: Fact) -> bool:
        if f.figure is not None:
            return figures_asked and (not question.years or any(y in f.figure.period for y in question.years)) \
                and _metric_asked(question, f)
        return f.predicate in question.relations and f.predicate in TEMPLATES and \
            (f.subject in linked or f.object in linked)

    if not question.relations:  # "Tell me about metformin": what the graph says of it, a few relations
        about = [f for f in facts if f.predicate in TEMPLATES and f.subject in linked]
        kept = list(dict.fromkeys(f.predicate for f in about))[:3]
        return [f for f in about if f.predicate in kept]
    candidates = _preferred_figures(question, [f for f in facts if answers(f)])
    if not candidates:
        return []
    top = max(f.score for f in candidates)
    return [f for f in candidates if f.score >= top - 0.5]


def extract_answer(question: Question, passages: Sequence[Passage], subject: Subject) -> list[Claim]:
    """The passage sentence that answers the question, quoted with its citation and span: it
    says what the question asks (a cue of the relation, or its specific words) about the subject
    (it names it, or belongs to a document that does, which retrieval then drew from)."""
    named = subject.stems
    specific = specific_terms(question, subject)
    asked = {stem(t) for t in question.terms} - named
    cues = _cue_pattern([c for r in question.relations for c in (*RELATION_HINTS.get(r, ()), *EVIDENCE_CUES.get(r, ()))])
    metric = metric_named(question.text) if vocab.REPORTED_METRIC in question.relations else None
    best: tuple[float, Passage, int, int] | None = None
    for rank, passage in enumerate(passages):
        titled = bool(named & {stem(w) for w in terms(passage.title)})
        dated = set(re.findall(r"\b(?:19|20)\d{2}\b", passage.title))
        for start, end in _sentences(passage.text):
            sentence = passage.text[start:end]
            lowered = f" {sentence.lower()}"
            words = {stem(w) for w in terms(sentence)}
            about = bool(named & words)
            if named and not about and not titled and not (subject.documents and _refers_back(sentence)):
                continue  # about another subject, or a document not about this one
            if metric and question.years and not question.years & (dated | set(re.findall(r"\d{4}", sentence))):
                continue  # a figure for another period
            cue = bool(cues and cues.search(lowered))
            overlap = len(asked & words)
            if not cue if cues else overlap < 2:
                continue  # says nothing of the relation asked (or, asked none, too little of the question)
            if vocab.DOSAGE in question.relations and not _DOSE.search(sentence):
                continue
            news = len(words - asked - named)  # what the sentence adds: the answer is in it
            score = (2.0 * cue + overlap + 1.5 * len(specific & words) + 1.0 * about - 0.1 * rank
                     + 0.25 * min(news, 8)
                     + (1.0 if question.years & set(re.findall(r"\d{4}", sentence)) else 0.0))
            if metric is not None:
                said = metric_named(sentence)
                score += 2.0 if said == metric else -2.0 if said is not None else 0.0
                if not re.search(r"\d", sentence):
                    score -= 2.0
            if best is None or score > best[0]:
                best = (score, passage, start, end)
    if best is None:
        return []
    _, passage, start, end = best
    quote = " ".join(passage.text[start:end].split())
    title = _source_name(passage, quote)
    return [Claim(f"According to {title}: \u201c{quote.rstrip('.')}.\u201d [{passage.ref}]", [passage.ref],
                  span=(passage.start + start, passage.start + end))]


def _cue_pattern(cues: Sequence[str]) -> re.Pattern[str] | None:
    """Cue words at word starts; short and multi-word cues whole ('head of' is not 'head office'),
    one-word stems open ('indicat' is 'indicated')."""
    if not cues:
        return None
    parts = [re.escape(c.strip()) + (r"\b" if " " in c.strip() or len(c.strip()) <= 4 else "") for c in set(cues)]
    return re.compile(r"\b(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")")


def specific_terms(question: Question, subject: Subject) -> set[str]:
    """The question's own words beyond its subject and relation ("maintenance" in "the
    maintenance dose of dupilumab"), stemmed: what a direct answer should also say."""
    named = subject.stems
    hinted = {stem(w) for r in question.relations for h in RELATION_HINTS.get(r, ()) for w in terms(h)}
    return {stem(t) for t in question.terms if t not in GENERIC and not t.isdigit()} - named - hinted


def coverage(claims: Sequence[Claim], specific: set[str]) -> int:
    """How many of the question's specific words the claims say."""
    said = {stem(w) for c in claims for w in terms(c.sentence)}
    return len(specific & said)


def compose(question: Question, lead_facts: Sequence[Fact], extracted: Sequence[Claim], model: Sequence[Claim],
            verifier: Verifier, *, lead: str = "sources", opening: Claim | None = None,
            specific: set[str] = frozenset()) -> Composed:
    """The answer text from verified statements: `opening` (a yes/no verdict's fact), then the
    direct answer (facts, else the extracted sentence; the extracted one first when it says more
    of the question's `specific` words) and the supported model sentences, in the order `lead`
    says; led by the sources, no direct answer means none is found (the model's text alone is no
    answer). Each statement is checked again; unsupported ones are kept out of the text."""
    stated = [verifier.check(fact_sentence(group)) for group in _groups(lead_facts)]
    if extracted and coverage(extracted, specific) > coverage(stated, specific):
        direct = [*extracted, *stated]  # the passage says what the question asks; the facts less of it
    else:
        direct = stated or list(extracted)
    for claim in direct:
        if claim.span is None and not claim.supported:
            claim.reason = f"a template sentence the verifier rejects: {claim.reason}"
    head = [opening] if opening is not None else []
    shown_direct = [c for c in direct if c.supported]
    for claim in model:  # a copy of a fact's raw text ("X — value — Y") is a source dump, not an answer
        if claim.supported and _RAW_FACT.search(claim.sentence):
            claim.supported, claim.reason = False, "copies a source's raw text"
    if head or shown_direct:  # the sources answer: a model sentence saying nothing was found contradicts them
        for claim in model:
            if claim.supported and not claim.citations and NOT_FOUND.search(claim.sentence):
                claim.supported, claim.reason = False, "says nothing was found, where the sources answer"
    if lead == "sources" and not head and not shown_direct:  # no source answers: the model's text
        return Composed("", [*direct, *model], False)         # alone does not make an answer
    if lead == "model":  # the model's verified sentences, then what the sources add to them
        supported_model = [c for c in model if c.supported]
        body = supported_model + [c for c in shown_direct if not _repeats(c, head + supported_model)]
    else:
        body = shown_direct + [c for c in model if c.supported and not _repeats(c, head + shown_direct)]
    shown = head + body
    rest = [c for c in [*direct, *model] if c not in shown]
    if not shown:
        return Composed("", rest, False)
    text = " ".join(c.sentence if not c.attributed else f"{c.sentence.rstrip()} [{c.citations[0]}]" for c in shown)
    return Composed(text, shown + rest, True)


_RAW_FACT = re.compile(r" — [a-z][a-z ]* — ")


def _groups(facts: Sequence[Fact]) -> list[list[Fact]]:
    """Facts grouped by subject and relation (a figure with the same figure from other sources), in
    their order."""
    groups: dict[tuple, list[Fact]] = {}
    for f in facts:
        g = f.figure
        key = (f.subject, f.predicate) if g is None else (g.company, g.metric, g.period, g.value, g.unit)
        if len(groups.setdefault(key, [])) < MAX_FACTS_PER_SENTENCE:
            groups[key].append(f)
    return list(groups.values())


_QUARTER_ASKED = re.compile(r"\b(?:Q[1-4]|[1-4]Q|quarter\w*|H[12]|half|six months|nine months|three months)\b", re.I)


def _preferred_figures(question: Question, facts: list[Fact]) -> list[Fact]:
    """Of the figures that answer, a statement's rows over figures a sentence states, and whole
    years unless the question asks a quarter or half; other facts are kept as they are."""
    figures = [f for f in facts if f.figure is not None]
    if not figures:
        return facts
    if any(f.figure.statement for f in figures):
        figures = [f for f in figures if f.figure.statement]
    if not _QUARTER_ASKED.search(question.text) and any(f.figure.period.startswith("FY") for f in figures):
        figures = [f for f in figures if f.figure.period.startswith("FY")]
    return [f for f in facts if f.figure is None or f in figures]


def _metric_asked(question: Question, fact: Fact) -> bool:
    """The figure is of the metric the question names, or the question names none."""
    asked = metric_named(question.text)
    return asked is None or metric_named(fact.figure.metric if fact.figure else "") == asked


def _repeats(claim: Claim, shown: Sequence[Claim]) -> bool:
    """A model sentence that only restates what is already shown, from the same sources."""
    said = {stem(w) for c in shown for w in content_words(c.sentence)}
    cited_before = {i for c in shown for i in c.citations}
    return set(claim.citations) <= cited_before and {stem(w) for w in content_words(claim.sentence)} <= said


def _refers_back(sentence: str) -> bool:
    """A sentence about its document's subject without naming it ('Its chief executive ...')."""
    return bool(re.match(r"\s*(?:it|its|the company|the group|the drug|this drug|the medicine|they|their)\b",
                         sentence, re.I))


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence (and table line) spans of a passage; a short label line without a full stop is
    also read with the line that follows it ("Chairman, President and CEO" / "Tadashi Yanai")."""
    out = []
    for span in sentence_spans(text):
        piece = text[span.start:span.end]
        if "\n" not in piece.strip():
            out.append((span.start, span.end))
            continue
        lines, at = [], span.start
        for line in piece.split("\n"):
            if line.strip():
                offset = at + (len(line) - len(line.lstrip()))
                lines.append((offset, offset + len(line.strip())))
            at += len(line) + 1
        out += lines
        out += [(a, d) for (a, b), (_, d) in zip(lines, lines[1:]) if _LABEL_LINE.fullmatch(text[a:b]) and d - a <= 300]
    return out


def _source_name(passage: Passage, quote: str) -> str:
    """How a quote's document is named: its title when it is one (short, not the quote itself),
    else its file name."""
    title = " ".join(passage.title.split())
    if title and len(title) <= 80 and title.rstrip(".") not in quote and "/" not in title:
        return title
    return passage.document_uri.rstrip("/").rsplit("/", 1)[-1]


_CONDITIONS = frozenset({vocab.TREATS, vocab.CAUSES_ADVERSE_EVENT, vocab.CONTRAINDICATED_IN})


def _in_sentence(fact: Fact) -> str:
    """A condition's label as written inside a sentence: 'Lactic acidosis' or 'Bleeding' (labels
    taken from a sentence's start) read 'lactic acidosis', 'bleeding'; names and acronyms
    ('AIDS', "Parkinson's disease") stay as they are."""
    label = fact.object_label
    words = label.split()
    if fact.predicate in _CONDITIONS and words and words[0][1:].islower() \
            and all(w.islower() for w in words[1:]) and "'" not in words[0]:
        return label[0].lower() + label[1:]
    return label


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
