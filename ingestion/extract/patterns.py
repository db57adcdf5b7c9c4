"""The deterministic domain extractor: gazetteer mentions plus high-precision patterns.

Medical relations (treats, causes adverse event, contraindicated in, interacts with, dosage) are
read sentence by sentence from cue phrases between a drug and a condition; finance relations
(metric values with unit and period, executives, subsidiaries, tickers, headquarters) from money,
period and role phrases, and from financial-statement table lines of filings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kgstore import vocab

from ..chunking import Span, sentences
from ..loaders import LoadedDocument
from ..numbers import parse_number, scale_of
from . import lexicon
from .base import Extraction, Mention, Node
from .gazetteer import Gazetteer, default_gazetteer, tokens

NAME = "patterns"

# ------------------------------------------------------------------------------------- medicine
_INDUCED = re.compile(r"^[\s-]*(?:induced|associated|related|caused|provoked|triggered)\b", re.I)
_CAUSE_FWD = re.compile(
    r"\b(?:cause[sd]?|causing|induce[sd]?|inducing|led to|leads? to|result(?:ed|s)? in|produced|precipitated|"
    r"triggered|provoked|may cause|can cause|is associated with|was associated with|associated with|"
    r"side effects? (?:of|include|includes|are|is)|adverse (?:effects?|events?|reactions?) (?:of|include|includes|are|is))\b",
    re.I)
_CAUSE_BWD = re.compile(
    r"\b(?:induced by|caused by|due to|secondary to|associated with|attributed to|related to|after|following|"
    r"during|from|with|side effects? of|adverse (?:effects?|events?|reactions?) of|toxicity of|"
    r"complication of|on)\b", re.I)
_TREATS = re.compile(
    r"\b(?:treats?|treated|is used to treat|used to treat|used for|is indicated for|indicated for|"
    r"is approved for|approved for|for the treatment of|in the treatment of|to treat|relieves?|lowers?|"
    r"controls?|manages?|prevents?|reduces the risk of|first-line (?:treatment|therapy) for)\b", re.I)
_CONTRA = re.compile(
    r"\b(?:contraindicated in|contra-indicated in|should not be (?:used|taken|given) (?:in|by|during)|"
    r"must not be used in|avoid(?:ed)? in)\b", re.I)
_INTERACTS = re.compile(
    r"\b(?:interacts? with|interaction (?:between|with)|should not be combined with|combined with|"
    r"together with|increases? the (?:effect|levels?|concentration|risk \w+ \w+) of|potentiates?|"
    r"co-administration (?:of|with)|coadministration (?:of|with)|and)\b", re.I)
_INTERACTION_CUE = re.compile(r"\b(?:interact\w*|combin\w*|co-?administ\w*|together|potentiat\w*|raises?|increases?)\b", re.I)
_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:mg|g|mcg|µg|ug|ml|mL|units?|IU)(?:/(?:kg|m2|day|d))?"
    r"(?:\s+(?:once|twice|three times|four times|every \d+ hours)(?:\s+(?:a|per))?\s*(?:day|daily|week|weekly)?"
    r"|\s+(?:daily|weekly|per day|a day))?", re.I)
_DOSE_CUE = re.compile(r"\b(?:dose|dosage|dosing|take|taken|given|administered)\b", re.I)
_EFFECT_OF_BEFORE = re.compile(r"\b(?:side|adverse) (?:effects?|events?|reactions?) (?:of|with|from)\s+$", re.I)
_ALIAS = re.compile(r"^[\s,]*(?:(?:is\s+)?(?:also\s+)?(?:called|known as|sold as|sold under the brand names?|marketed as)"
                    r"|.{0,60}\b(?:sold as|sold under the brand names?|marketed as|also called|also known as))\s*$", re.I)
_CLASS = re.compile(r"^\s+is an? (?P<cls>[a-z][a-z0-9 -]{2,60}?)(?=\s+(?:taken|sold|used|that|which|for)\b|[.,;])")
# A word used as a drug by its context: "X-induced", "X therapy", "treated with X".
_DRUG_BY_CONTEXT = re.compile(
    r"\b(?P<d>[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)?)(?:-(?:induced|associated|related)\b"
    r"|\s+(?:therapy|treatment|administration|infusion|injection|ingestion|overdose|poisoning|intoxication)\b)"
    r"|\btreated with (?:oral |intravenous |topical |high-dose |low-dose )?(?P<t>[A-Za-z][A-Za-z0-9-]+)", re.I)
_NEGATION = re.compile(r"\b(?:no|not|without|never|neither|nor|denied|absence of|ruled out)\b", re.I)

_STOP = frozenset("""a an the of and or in on at to for with by from as is are was were be been this that these
those his her their its patient patients case cases we our who which after following during due because than
then also may might can could would should has have had not no developed develop developing presented
showed shows revealed including include other both one two three four five six several some any into within
while when where use used using treatment therapy therapeutic dose doses high low daily drug drugs oral
intravenous induced associated related caused possible probable suspected rare common serious known new
treat treats treated treating cause causes causing prevent prevents prevented manage manages control controls
relieve relieves lower lowers reduce reduces induce induces suffer suffers suffering diagnosed experience
experienced reported called include includes including indicated approved against risk effect effects side
adverse event events reaction reactions history signs symptoms onset episode episodes such like
""".split())
_NOT_DRUGS = frozenset("""drug drugs medication medications combination chemotherapy radiation radiotherapy
steroid steroids antibiotic antibiotics immunosuppressive long-term short-term prolonged previous prior
concomitant initial subsequent standard maintenance adjuvant surgical hormone hormonal replacement oxygen
""".split())
_THERAPY = re.compile(r"^\s*(?:therapy|treatment|administration|use|infusion|injection|ingestion|overdose|"
                      r"intoxication|exposure|medication)\b", re.I)

# -------------------------------------------------------------------------------------- finance
_MONEY = re.compile(
    r"(?:US\$|USD\s?|\$)\s?(?P<n1>\d[\d,]*(?:\.\d+)?)\s*(?P<s1>thousand|million|billion|trillion|bn|mn|[mbk])?\b"
    r"|(?P<n2>\d[\d,]*(?:\.\d+)?)\s*(?P<s2>thousand|million|billion|trillion)\s+(?:US\s+)?(?:dollars|USD)", re.I)
_PERCENT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?(?:%|percent\b)")
_PER_SHARE = re.compile(r"\$\s?(?P<n>\d+(?:\.\d+)?)\s+(?:per (?:diluted )?share|a share)", re.I)
_PERIOD = re.compile(
    r"\b(?:(?P<q>first|second|third|fourth|Q[1-4])\s+(?:quarter\s+)?(?:of\s+)?(?:fiscal\s+(?:year\s+)?)?(?P<qy>(?:19|20)\d{2})"
    r"|(?:fiscal(?:\s+year)?|FY)\s?'?(?P<fy>(?:19|20)?\d{2})\b"
    r"|(?:year|twelve months) ended\s+\w+\s+\d{1,2},\s+(?P<ye>(?:19|20)\d{2})"
    r"|\b(?:in|for|during)\s+(?P<y>(?:19|20)\d{2})\b)", re.I)
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_COMPANY = re.compile(
    r"\b(?P<name>(?:[A-Z][\w&'.-]*|[0-9][A-Z][\w]*)(?:\s+(?:[A-Z][\w&'.-]*|&|and|of)){0,6}?)"
    r",?\s+(?P<suffix>Inc\.?|Incorporated|Corp\.?|Corporation|Co\.|Company|Ltd\.?|Limited|plc|PLC|LLC|AG|SE|"
    r"S\.A\.|N\.V\.|Group|Holdings|Pharmaceuticals|Bancorp)(?![\w])")
_ROLE = re.compile(r"\b(?:chief executive officer|ceo|chief financial officer|cfo)\b", re.I)
_PERSON = re.compile(r"\b(?P<name>[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2})\b")
_SUBSIDIARY = re.compile(
    r"\b(?:owns|acquired|has acquired|completed (?:the|its) acquisition of|'s subsidiary|subsidiary,?|"
    r"wholly[- ]owned subsidiary|is a (?:wholly[- ]owned )?subsidiary of|unit|division)\b", re.I)
_TICKER = re.compile(r"\b(?:NYSE|NASDAQ|Nasdaq|ticker(?: symbol)?)\s*[:\-]?\s*(?:under\s+)?(?:the\s+)?(?:symbol\s+)?"
                     r"[\"“]?(?P<t>[A-Z]{1,5})[\"”]?\b")
_HQ = re.compile(r"\b(?:headquartered|based) in (?P<place>[A-Z][\w.]+(?:,?\s+[A-Z][\w.]+){0,3})")
_YEAR_HEADER = re.compile(r"\b((?:19|20)\d{2})\b")
_TABLE_NUMBER = re.compile(r"\(?-?\$?\s?\d[\d,]*(?:\.\d+)?\)?")
# Numbers must be separated by whitespace: without that, a long digit run could be split in
# exponentially many ways and a non-matching line would backtrack for minutes.
_CELL = r"\(?-?\$?\s?\d[\d,]*(?:\.\d+)?\)?"
_TABLE_LINE = re.compile(r"\s*(?P<label>[A-Za-z][A-Za-z ,'&()/-]{2,90}?)[\s.:$]*"
                         rf"(?P<nums>{_CELL}(?:\s+{_CELL})+)\s*$")
_UNITS_NOTE = re.compile(r"in (thousands|millions|billions)", re.I)


_LEARNED_TYPES = frozenset({vocab.COMPANY, vocab.PERSON, vocab.DRUG, vocab.DISEASE})


class PatternExtractor:
    """Gazetteer + pattern extractor. Deterministic; `gazetteer` may include entities from the store."""

    name = NAME

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gazetteer = gazetteer or default_gazetteer()
        self._metric_of = {form: label for label, forms in lexicon.METRICS.items() for form in forms}

    def observe(self, facts: Iterable) -> None:
        """Learn the labels of entities just stored, so later documents recognise them."""
        types: dict = {}
        for f in facts:
            if f.predicate == vocab.RDF.type and f.object in _LEARNED_TYPES:
                types[f.subject] = f.object
        for f in facts:
            if f.predicate in (vocab.LABEL, vocab.ALT_LABEL) and f.subject in types:
                self.gazetteer.add(str(f.object), types[f.subject])

    # ---------------------------------------------------------------------------- entry point
    def extract(self, document: LoadedDocument, chunks: Sequence = ()) -> list[Extraction]:
        text = document.text
        out: list[Extraction] = []
        companies = self._companies(text)
        main_company = self._main_company(document, companies)
        for sentence in sentences(text):
            if sentence.end - sentence.start > 2000:
                continue
            mentions = self._mentions(text, sentence, companies)
            out += self._medical(text, sentence, mentions)
            out += self._finance(text, sentence, mentions, main_company)
        if document.media_type == "application/pdf" and main_company is not None:
            out += self._statement_tables(text, main_company)
        return out

    # ---------------------------------------------------------------------------- mentions
    def _companies(self, text: str) -> list[Mention]:
        found = []
        for m in _COMPANY.finditer(text):
            name = m.group("name")
            words = name.split()
            while words and words[0] in {"The", "In", "On", "At", "For", "By", "And", "Of", "With"}:
                words.pop(0)
            if not words:
                continue
            start = m.start("name") + name.index(words[0])
            found.append(Mention(text[start:m.end()], start, m.end(), vocab.COMPANY))
        return found

    def _main_company(self, document: LoadedDocument, companies: list[Mention]) -> Mention | None:
        if companies:
            keys = Counter(vocab.entity_key(c.text) for c in companies)
            best = keys.most_common(1)[0][0]
            return next(c for c in companies if vocab.entity_key(c.text) == best)
        stem = re.split(r"[_\s]", (document.title or "").strip() or document.uri.rsplit("/", 1)[-1])[0]
        if stem and stem[0].isalnum() and len(stem) <= 40 and document.media_type == "application/pdf":
            name = re.sub(r"\.pdf$", "", stem, flags=re.I)
            at = document.text.find(name)
            return Mention(name, max(at, 0), max(at, 0) + (len(name) if at >= 0 else 0), vocab.COMPANY)
        return None

    def _mentions(self, text: str, s: Span, companies: list[Mention]) -> list[Mention]:
        found = [m for m in self.gazetteer.find(text, s.start, s.end)]
        found += [c for c in companies if s.start <= c.start and c.end <= s.end]
        taken = [(m.start, m.end) for m in found]
        for m in _DRUG_BY_CONTEXT.finditer(text, s.start, s.end):
            group = "d" if m.group("d") else "t"
            start, end = m.start(group), m.end(group)
            word = m.group(group).lower()
            if word in _STOP or word in _NOT_DRUGS or lexicon.looks_like_condition_head(word) or \
                    any(a <= start < b for a, b in taken):
                continue
            found.append(Mention(text[start:end], start, end, vocab.DRUG))
            taken.append((start, end))
        for tok in tokens(text, s.start, s.end):
            word = tok.group()
            base = re.split(r"-(?=induced|associated|related)", word, flags=re.I)[0]
            if any(a <= tok.start() < b for a, b in taken):
                continue
            if lexicon.looks_like_drug(base) and (not word[:1].isupper() or len(base) > 6
                                                   or base.lower() in lexicon.DRUGS):
                found.append(Mention(base, tok.start(), tok.start() + len(base), vocab.DRUG))
                taken.append((tok.start(), tok.start() + len(base)))
            elif lexicon.looks_like_condition_head(word):
                found.append(Mention(word, tok.start(), tok.end(), vocab.MEDICAL_CONDITION))
                taken.append((found[-1].start, found[-1].end))
        found = [_with_salt(text, m, s.end) if m.type == vocab.DRUG
                 else self._condition_phrase(text, s, m) if m.type == vocab.MEDICAL_CONDITION else m for m in found]
        found = _dedupe(found)
        return sorted(found, key=lambda m: m.start)

    def _condition_phrase(self, text: str, s: Span, head: Mention) -> Mention:
        """Extend a condition mention left over up to three modifiers ('acute renal failure')."""
        start, toks = head.start, tokens(text, s.start, head.start)
        for tok in reversed(toks[-3:]):
            between = text[tok.end():start]
            word = tok.group().lower()
            if between.strip() or word in _STOP or lexicon.looks_like_drug(word) or not word.isalpha():
                break
            start = tok.start()
        return Mention(text[start:head.end], start, head.end, vocab.MEDICAL_CONDITION)

    # ---------------------------------------------------------------------------- medicine
    def _medical(self, text: str, s: Span, mentions: list[Mention]) -> list[Extraction]:
        drugs = [m for m in mentions if m.type == vocab.DRUG]
        if not drugs:
            return []
        conditions = [m for m in mentions if m.type in (vocab.MEDICAL_CONDITION, vocab.DISEASE, vocab.ADVERSE_EVENT)]
        out: list[Extraction] = []

        def emit(subject, predicate, obj, confidence) -> None:  # noqa: ANN001
            out.append(Extraction(subject, predicate, obj, s.start, s.end, confidence, NAME))

        for d in drugs:
            for c in conditions:
                if d.start < c.start:
                    between = text[d.end:c.start]
                    before = text[max(s.start, d.start - 40):d.start]
                    if _EFFECT_OF_BEFORE.search(before) and re.fullmatch(r"\s*(?:is|are|include|includes|:)\s*",
                                                                         between, re.I):
                        emit(d, vocab.CAUSES_ADVERSE_EVENT, _as(c, vocab.ADVERSE_EVENT), 0.85)
                    elif _INDUCED.match(between) and len(between) < 40:
                        emit(d, vocab.CAUSES_ADVERSE_EVENT, _as(c, vocab.ADVERSE_EVENT), 0.9)
                    elif len(between) <= 80 and _CONTRA.search(between):
                        emit(d, vocab.CONTRAINDICATED_IN, c, 0.85)
                    elif len(between) <= 60 and _TREATS.search(between) and not _NEGATION.search(between):
                        emit(d, vocab.TREATS, _as(c, vocab.DISEASE), 0.8)
                    elif len(between) <= 60 and _CAUSE_FWD.search(between) and not _NEGATION.search(between):
                        emit(d, vocab.CAUSES_ADVERSE_EVENT, _as(c, vocab.ADVERSE_EVENT), 0.75)
                else:
                    between = text[c.end:d.start]
                    tail = text[d.end:d.end + 30]
                    if len(between) <= 60 and _CAUSE_BWD.search(between) and not _NEGATION.search(between) \
                            and not _TREATS.search(between):
                        confidence = 0.8 if re.search(r"induced by|caused by|due to|secondary to", between, re.I) \
                            else 0.65 if _THERAPY.match(tail) or len(between) < 25 else 0.55
                        emit(d, vocab.CAUSES_ADVERSE_EVENT, _as(c, vocab.ADVERSE_EVENT), confidence)
                    elif len(between) <= 40 and re.search(r"\b(?:treated with|responds? to|managed with)\b", between, re.I):
                        emit(d, vocab.TREATS, _as(c, vocab.DISEASE), 0.7)
        for a, b in zip(drugs, drugs[1:]):
            between = text[a.end:b.start]
            sentence = text[s.start:s.end]
            if len(between) <= 80 and _ALIAS.match(between):
                emit(a, vocab.ALT_LABEL, Literal(b.text), 0.9)
            elif len(between) <= 60 and _INTERACTS.search(between) and _INTERACTION_CUE.search(sentence):
                emit(a, vocab.INTERACTS_WITH, b, 0.75)
        first = drugs[0]
        drug_class = _CLASS.match(text, first.end, s.end)
        if drug_class and first.start - s.start < 3:
            emit(first, vocab.DRUG_CLASS, Literal(drug_class.group("cls")), 0.8)
        if _DOSE_CUE.search(text, s.start, s.end):
            for dose in _DOSE.finditer(text, s.start, s.end):
                drug = min(drugs, key=lambda m: abs(m.start - dose.start()))
                emit(drug, vocab.DOSAGE, Literal(dose.group().strip()), 0.8)
                break
        return out

    # ---------------------------------------------------------------------------- finance
    def _finance(self, text: str, s: Span, mentions: list[Mention], main: Mention | None) -> list[Extraction]:
        out: list[Extraction] = []
        sentence = text[s.start:s.end]
        companies = [m for m in mentions if m.type == vocab.COMPANY]
        company = companies[0] if companies else main

        def emit(subject, predicate, obj, confidence) -> None:  # noqa: ANN001
            out.append(Extraction(subject, predicate, obj, s.start, s.end, confidence, NAME))

        metrics = [m for m in mentions if m.type == vocab.METRIC]
        period = _period(sentence)
        if company is not None and period is not None:
            for metric in metrics:
                amount = _amount_after(text, metric.end, s.end)
                if amount is not None:
                    out += _observation(company, metric, self._metric_of.get(metric.text.lower(), metric.text.lower()),
                                        amount, period, s.start, s.end, 0.85)
        for role in _ROLE.finditer(sentence):
            person = _nearest_person(sentence, role, {c.text for c in companies})
            if person is None or company is None:
                continue
            start = s.start + person.start("name")
            who = Mention(person.group("name"), start, start + len(person.group("name")), vocab.PERSON)
            predicate = vocab.CEO if role.group().lower() in ("chief executive officer", "ceo") else vocab.CFO
            emit(company, predicate, who, 0.85)
        for a, b in zip(companies, companies[1:]):
            between = text[a.end:b.start]
            if len(between) > 60 or vocab.entity_key(a.text) == vocab.entity_key(b.text):
                continue
            if re.search(r"subsidiary of", between, re.I):
                emit(b, vocab.HAS_SUBSIDIARY, a, 0.85)
            elif _SUBSIDIARY.search(between):
                emit(a, vocab.HAS_SUBSIDIARY, b, 0.8)
        if company is not None:
            for m in _TICKER.finditer(sentence):
                emit(company, vocab.TICKER, Literal(m.group("t")), 0.9)
            for m in _HQ.finditer(sentence):
                emit(company, vocab.HEADQUARTERED_IN, Literal(m.group("place").rstrip(".")), 0.85)
        return out

    def _statement_tables(self, text: str, company: Mention) -> list[Extraction]:
        """Lines like 'Total revenues  $ 32,765  $ 31,657' under a header of years, scaled by the
        page's 'in millions' note: one metric observation per (metric, year)."""
        out: list[Extraction] = []
        offset = 0
        for page in text.split("\f"):
            scale_note = _UNITS_NOTE.search(page)
            scale = scale_of(scale_note.group(1)) if scale_note else Decimal(1)
            years: list[str] = []
            line_start = offset
            for line in page.split("\n"):
                start, line_start = line_start, line_start + len(line) + 1
                header_years = _YEAR_HEADER.findall(line)
                if len(header_years) >= 2 and len(re.sub(r"[^A-Za-z]", "", line)) < 40:
                    years = header_years
                    continue
                if not years:
                    continue
                m = _TABLE_LINE.match(line)
                if not m:
                    continue
                label = re.sub(r"\s+", " ", m.group("label")).strip(" ,:").lower()
                metric = self._metric_of.get(label)
                if metric is None:
                    continue
                numbers = [parse_number(n) for n in _TABLE_NUMBER.findall(m.group("nums"))]
                numbers = [n for n in numbers if n is not None]
                metric_mention = Mention(line[m.start("label"):m.end("label")].strip(), start + m.start("label"),
                                         start + m.start("label") + len(m.group("label").strip()), vocab.METRIC)
                for year, value in zip(years, numbers):
                    per_share = "per share" in label or "eps" in label
                    amount = (value if per_share else value * scale, "USD/share" if per_share else "USD")
                    out += _observation(company, metric_mention, metric, amount, f"FY{year}", start,
                                        start + len(line), 0.7)
            offset += len(page) + 1
        return out


_SALT = re.compile(r"\s+(?:" + "|".join(lexicon.SALT_SUFFIXES) + r")\b", re.I)


def _with_salt(text: str, m: Mention, limit: int) -> Mention:
    """Extend a drug mention over a following salt form ('metformin hydrochloride')."""
    end = m.end
    while (salt := _SALT.match(text, end, limit)) is not None:
        end = salt.end()
    return m if end == m.end else Mention(text[m.start:end], m.start, end, m.type)


def _as(m: Mention, kind: URIRef) -> Mention:
    return Mention(m.text, m.start, m.end, kind)


def _dedupe(mentions: Iterable[Mention]) -> list[Mention]:
    """Drop mentions nested inside longer ones."""
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in ordered:
        if kept and m.start < kept[-1].end:
            continue
        kept.append(m)
    return kept


def _amount_after(text: str, start: int, end: int) -> tuple[Decimal, str] | None:
    window = text[start:min(end, start + 90)]
    per_share = _PER_SHARE.search(window)
    if per_share:
        return Decimal(per_share.group("n")), "USD/share"
    money = _MONEY.search(window)
    if money:
        number = money.group("n1") or money.group("n2")
        scale = (money.group("s1") or money.group("s2") or "").lower()
        value = Decimal(number.replace(",", "")) * scale_of(scale)
        return value, "USD"
    percent = _PERCENT.search(window)
    if percent:
        return Decimal(percent.group("n")), "%"
    return None


def _period(sentence: str) -> str | None:
    m = _PERIOD.search(sentence)
    if not m:
        return None
    if m.group("q"):
        q = m.group("q").lower()
        return f"Q{_QUARTERS.get(q, q[-1:])} {m.group('qy')}"
    year = m.group("fy") or m.group("ye") or m.group("y")
    return f"FY{'20' + year if len(year) == 2 else year}"


def _nearest_person(sentence: str, role: re.Match[str], company_names: set[str]) -> re.Match[str] | None:
    candidates = [p for p in _PERSON.finditer(sentence)
                  if not any(p.group("name") in c or c in p.group("name") for c in company_names)
                  and p.group("name").split()[0] not in {"The", "Chief", "Its", "Our", "Acme", "In", "As"}]
    if not candidates:
        return None
    return min(candidates, key=lambda p: min(abs(p.start() - role.end()), abs(role.start() - p.end())))


def _observation(company: Mention, metric: Mention, metric_label: str, amount: tuple[Decimal, str],
                 period: str, start: int, end: int, confidence: float) -> list[Extraction]:
    """A reported metric value as an n-ary node: company -> observation -> metric, value, unit, period."""
    value, unit = amount
    key = f"obs|{vocab.entity_key(company.text)}|{metric_label}|{period}"
    node = Node(key, vocab.METRIC_OBSERVATION, f"{company.text} {metric_label} {period}")
    metric_mention = Mention(metric.text, metric.start, metric.end, vocab.METRIC)
    decimal = Literal(format(value.normalize(), "f"), datatype=XSD.decimal)
    return [Extraction(company, vocab.REPORTED_METRIC, node, start, end, confidence, NAME),
            Extraction(node, vocab.METRIC_OF, Mention(metric_label, metric_mention.start, metric_mention.end,
                                                      vocab.METRIC), start, end, confidence, NAME),
            Extraction(node, vocab.VALUE, decimal, start, end, confidence, NAME),
            Extraction(node, vocab.UNIT, Literal(unit), start, end, confidence, NAME),
            Extraction(node, vocab.PERIOD, Literal(period), start, end, confidence, NAME)]
