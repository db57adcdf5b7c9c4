"""The metric engine: a figure question's answer computed by code from cited statement figures.

`asked(text)` reads what a question asks (a named formula of assistant/formulas.yaml, a formula the
question defines itself, "<line item> % margin", or a line item), at which period(s), in which unit
and to how many decimals. `compute(ask, figures)` evaluates it over the company's figures, fetched
one concept at a time by `figures(name)`; every input it uses is returned with the fact it came
from, so the answer cites each one, and a missing input is named, never guessed."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import yaml

from ingestion.extract import lexicon

from .display import format_amount, format_period, possessive
from .graph import Fact
from .text import terms

FORMULAS = Path(__file__).with_name("formulas.yaml")
_FUNCTIONS = {"avg": "average {}", "change": "change in {}", "prev": "prior-year {}", "growth": "growth of {}",
              "cagr": "compound annual growth of {}"}


@dataclass(frozen=True)
class Formula:
    name: str
    synonyms: tuple[str, ...]
    unit: str  # ratio | percent | days | money | times
    expression: str


@dataclass(frozen=True)
class Ask:
    """What a figure question asks: a formula (or one line item, as a formula of one name), at a
    period, over `years` years for growth rates, averaged over `average` periods when asked so; the
    scale ('millions') and decimals asked, if any."""

    formula: Formula
    period: str
    years: int = 1
    average: tuple[str, ...] = ()
    scale: str = ""
    decimals: int | None = None


@dataclass
class Input:
    name: str  # the concept, as answers name it ("accounts payable")
    period: str
    value: Decimal
    fact: Fact
    also: list[Fact] = field(default_factory=list)  # the same figure from other filings, cited too
    earlier: list[Fact] = field(default_factory=list)  # a different figure an earlier filing stated (restated since)

    @property
    def facts(self) -> list[Fact]:
        return [self.fact, *self.also, *self.earlier]

    @property
    def cited(self) -> str:
        """The citations of the value itself (the earlier filings' differing figures are cited apart)."""
        return "".join(f"[{f.ref}]" for f in (self.fact, *self.also))


@dataclass
class Computed:
    """A computed figure: its value, unit and formula, and every input with its fact; or, when an
    input is missing, what is missing."""

    name: str
    period: str
    unit: str
    formula: str
    number: Decimal | None = None
    shown: str = ""  # the number as the answer writes it ("42.69 days", "$1,577 million", "101.5%")
    inputs: list[Input] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "FY2017 accounts payable"
    expression: str = ""  # as evaluated
    ask: Ask | None = None

    def recheck(self) -> list[str]:
        """Evaluate the formula again from the recorded inputs alone; what does not agree."""
        if self.number is None or self.ask is None:
            return []
        given = {(identifier(i.name), i.period): i.value for i in self.inputs}

        def value(name: str, period: str) -> Decimal:
            if (name, period) not in given:
                raise MissingInput(name, period)
            return given[(name, period)]

        try:
            periods = self.ask.average or (self.ask.period,)
            again = sum((_evaluate(self.expression, p, self.ask.years, value) for p in periods), Decimal(0)) / len(periods)
        except MissingInput as missing:
            return [f"{missing.period} {missing.name} is not among the inputs"]
        return [] if again == self.number else [f"{again} != {self.number}"]

    def to_json(self) -> dict:
        return {"number": None if self.number is None else str(self.number), "unit": self.unit,
                "shown": self.shown, "formula": self.formula, "period": self.period,
                "inputs": [{"concept": i.name, "period": i.period, "value": str(i.value),
                            "unit": i.fact.figure.unit, "ref": i.fact.ref,
                            "also": [f.ref for f in i.also],
                            "earlier": [{"value": str(f.figure.value), "ref": f.ref} for f in i.earlier]}
                           for i in self.inputs], "missing": self.missing}


class MissingInput(LookupError):
    def __init__(self, name: str, period: str):
        super().__init__(f"{period} {name}")
        self.name, self.period = name, period


@cache
def formulas(path: Path = FORMULAS) -> tuple[Formula, ...]:
    return tuple(Formula(e["name"], tuple(e["synonyms"]), e["unit"], e["formula"])
                 for e in yaml.safe_load(path.read_text(encoding="utf-8")))


def identifier(name: str) -> str:
    """A concept's name as the formulas write it: 'net property, plant and equipment' ->
    'net_property_plant_and_equipment'."""
    return re.sub(r"\W+", "_", name.lower().replace("'", "")).strip("_")


@cache
def _concept_names() -> dict[str, str]:
    """Each concept's identifier -> its name, and each form a text may use -> the identifier."""
    return {identifier(name): name for name in lexicon.METRICS}


@cache
def _forms() -> list[tuple[re.Pattern, str]]:
    """(a pattern of a form's words, identifier), longest form first: how questions name concepts."""
    out = [(f" {' '.join(terms(form.replace('&', ' and ')))} ", identifier(name))
           for name, forms in lexicon.METRICS.items() for form in (name, *forms)]
    joint = r"[\s,&/-]+(?:(?:and|of|the|for|in|to)[\s,&/-]+)?"
    return [(re.compile(r"\b" + joint.join(re.escape(w) for w in form.split()) + r"\b"), ident)
            for form, ident in sorted((f for f in out if f[0].strip()), key=lambda f: -len(f[0]))]


# ----------------------------------------------------------------------------- questions
_FY = re.compile(r"\b(?:FY|fiscal(?: year)?\s*)['’]?((?:19|20)?\d{2})\b", re.I)
_YEARS = re.compile(r"\b(\d+)[- ]year\b", re.I)
_SCALE = re.compile(r"\b(?:in\s+)?(?:USD|US\$|\$|dollars?)?\s*(millions|billions|thousands)\b", re.I)
_DECIMALS = re.compile(r"\b(?:round(?:ed)?|to)\b[^.?]{0,40}?\b(one|two|three|zero|no|\d)\s+decimal", re.I)
_DEFINED = re.compile(r"(?:(?P<term1>[\w &%()/-]{2,60}?)\s+is (?:defined|calculated) as|\bdefine\s+"
                      r"(?P<term2>[\w &%/-]{2,60}?)\s+as)\s*:?\s*(?P<definition>[^.?]+(?:\.\d[^.?]*)*)", re.I)
_MARGIN_OF = re.compile(r"\b(?P<line>[\w&()/ -]{2,60}?)\s*%\s*margin\b", re.I)
_NUMBERS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3}


def asked(text: str, line_items: bool = True) -> Ask | None:
    """The figure a question asks for, or None when it asks for none the engine knows (or, without
    `line_items`, for a line item rather than a formula)."""
    years = [_year(y) for y in _FY.findall(text)]
    if not years:
        years = re.findall(r"(?<![\d.,])((?:19|20)\d{2})(?![\d.,]\d)", text)
    if not years:
        return None
    named, defined = _named(text), _defined(text)
    if defined and (named is None or _named(defined[0]) in (None, named)):  # the question's own definition
        formula = Formula(named.name if named else defined[0] or "the defined metric", (),
                          named.unit if named else "ratio", defined[1])
    else:
        formula = named or _margin_of(text) or (_line_item(text) if line_items else None)
    if formula is None:
        return None
    period = f"FY{max(years)}"
    span = _YEARS.search(text)
    n_years = int(span.group(1)) if span else max(1, int(max(years)) - int(min(years)))
    average: tuple[str, ...] = ()
    if re.search(r"\baverage\b", text, re.I) and "avg(" not in formula.expression and len(set(years)) > 1:
        average = tuple(f"FY{y}" for y in range(int(min(years)), int(max(years)) + 1))
    scale = _SCALE.search(text)
    decimals = _DECIMALS.search(text)
    places = None
    if decimals:
        word = decimals.group(1).lower()
        places = int(word) if word.isdigit() else _NUMBERS[word]
    return Ask(formula, period, n_years, average, scale.group(1).lower() if scale else "", places)


def _year(y: str) -> str:
    return y if len(y) == 4 else f"20{y}"


def _named(text: str) -> Formula | None:
    """The named formula the text asks for, by its longest synonym the text writes."""
    padded = f" {' '.join(terms(text.replace('-', ' ').replace('&', ' and ').replace('%', ' % ')))} "
    return next((f for form, f in _synonyms() if form in padded), None)


@cache
def _synonyms() -> list[tuple[str, Formula]]:
    """(padded terms of a synonym, its formula), longest first."""
    out = [(f" {' '.join(terms(synonym.replace('-', ' ').replace('%', ' % ')))} ", f)
           for f in formulas() for synonym in f.synonyms]
    return sorted((o for o in out if o[0].strip()), key=lambda o: -len(o[0]))


def _concepts_in(text: str) -> list[tuple[int, int, str]]:
    """Where a text names concepts: (start, end, identifier), longest names first, not overlapping."""
    lowered = text.lower().replace("&", " and ")
    found: list[tuple[int, int, str]] = []
    for pattern, ident in _forms():
        for m in pattern.finditer(lowered):
            if not any(a < m.end() and m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), ident))
    return sorted(found)


def _line_item(text: str) -> Formula | None:
    found = _concepts_in(text)
    if not found:
        return None
    ident = found[0][2]
    return Formula(_concept_names().get(ident, ident.replace("_", " ")), (), "money", ident)


def _margin_of(text: str) -> Formula | None:
    """'D&A % margin', 'SG&A % margin': that line over revenue."""
    m = _MARGIN_OF.search(text)
    if not m:
        return None
    found = _concepts_in(m.group("line"))
    if not found:
        return None
    ident = found[-1][2]
    return Formula(f"{_concept_names().get(ident, ident)} margin", (), "percent", f"{ident} / revenue")


def _defined(text: str) -> tuple[str, str] | None:
    """A metric the question defines, as (the term defined, its expression): 'ROA is defined as:
    FY2022 net income / (average total assets between FY2021 and FY2022)' -> ('ROA',
    'net_income / (avg(total_assets))')."""
    m = _DEFINED.search(text)
    if not m:
        return None
    definition = re.sub(r"\b(?:FY|fiscal\s*)['’]?\d{2,4}\b|\b(?:19|20)\d{2}\b", " ", m.group("definition"), flags=re.I)
    definition = re.sub(r"\bbetween\s+and\b|\bbetween\b", " ", definition, flags=re.I)
    pieces, at = [], 0
    for start, end, ident in _concepts_in(definition):
        chunk = definition[at:start]
        fn = re.search(r"\b(average|changes? in)\s*$", chunk, re.I)
        if fn:
            chunk = chunk[:fn.start()]
        pieces += [chunk, f" {'avg' if fn.group(1).lower() == 'average' else 'change'}({ident}) " if fn
                   else f" {ident} "]
        at = end
    pieces.append(definition[at:])
    expression = "".join(pieces)
    for words, symbol in ((r"less|minus", "-"), (r"plus", "+"), (r"divided by|over", "/"), (r"times|×", "*"),
                          (r"the|of|from|using|cash flow statement|income statement|balance sheet|unadjusted", " ")):
        expression = re.sub(rf"\b(?:{words})\b", symbol, expression, flags=re.I)
    expression = " ".join(expression.split()).strip(" ,;:")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return None
    nodes = list(ast.walk(tree))
    if not all(isinstance(n, _ALLOWED) for n in nodes) or not any(isinstance(n, ast.Name) for n in nodes):
        return None
    return (m.group("term1") or m.group("term2") or "").strip(), expression


_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub,
            ast.Constant, ast.Name, ast.Load, ast.Call)


# ----------------------------------------------------------------------------- evaluation
def compute(ask: Ask, company: str, figures: Callable[[str], Sequence[Fact]]) -> Computed:
    """Evaluate `ask` for `company` over its figures (`figures(name)`: the facts of one concept)."""
    formula = ask.formula
    computed = Computed(formula.name, ask.period if not ask.average else f"{ask.average[0]}–{ask.average[-1]}",
                        formula.unit, describe(formula.expression), expression=formula.expression, ask=ask)
    cache: dict[str, list[Fact]] = {}
    reaches: dict[str, dict[str, str]] = {}  # per concept: each source document's latest period

    def value(name: str, period: str) -> Decimal:
        if name not in cache:
            cache[name] = [f for f in figures(_concept_names().get(name, name.replace("_", " ")))
                           if f.figure is not None]
            reaches[name] = _reach(cache[name])
        reach = reaches[name]
        fact = _pick(cache[name], period, reach)
        if fact is None:
            raise MissingInput(_concept_names().get(name, name.replace("_", " ")), period)
        if not any(i.fact is fact for i in computed.inputs):
            peers = [f for f in cache[name] if f is not fact and f.figure.period == period and f.subject != fact.subject
                     and f.figure.unit == fact.figure.unit and f.figure.statement == fact.figure.statement]
            same = [f for f in peers if f.figure.value == fact.figure.value]
            earlier = [f for f in peers if f.figure.value != fact.figure.value and f.figure.statement
                       and reach.get(f.figure.document, "") < reach.get(fact.figure.document, "")]
            computed.inputs.append(Input(_concept_names().get(name, name), period, fact.figure.value, fact, same,
                                         earlier))
        return fact.figure.value

    try:
        periods = ask.average or (ask.period,)
        results = [_evaluate(formula.expression, p, ask.years, value) for p in periods]
    except MissingInput as missing:
        computed.missing.append(f"{missing.period} {missing.name} for {company}")
        return computed
    except ZeroDivisionError:
        computed.missing.append(f"a non-zero denominator for {company}")
        return computed
    number = sum(results, Decimal(0)) / len(results)
    computed.number = number
    computed.shown = render(number, formula.unit, ask, currency=_currency(computed.inputs))
    return computed


def _pick(facts: Sequence[Fact], period: str, reach: dict[str, str]) -> Fact | None:
    """The figure for `period`: a statement row over a sentence's figure, money over per-share, and
    of a figure restated, the latest filing's (the document whose statements reach furthest)."""
    matching = [f for f in facts if f.figure.period == period]
    matching.sort(key=lambda f: (not f.figure.statement, "/" in f.figure.unit, f.figure.unit == "%",
                                 _negated(reach.get(f.figure.document, ""))))
    return matching[0] if matching else None


def _reach(facts: Sequence[Fact]) -> dict[str, str]:
    """Per source document, the latest period its figures cover (an end date, else the period's
    year): a filing's recency, since a later filing's statements cover later periods."""
    reach: dict[str, str] = {}
    for f in facts:
        year = re.search(r"\d{4}", f.figure.period)
        when = f.figure.end or (f"{year.group()}-12-31" if year else "")
        reach[f.figure.document] = max(reach.get(f.figure.document, ""), when)
    return reach


def _negated(iso: str) -> tuple[int, ...]:
    """A sort key putting later ISO dates first."""
    return tuple(-int(n) for n in re.findall(r"\d+", iso))


def _shift(period: str, years: int) -> str:
    m = re.fullmatch(r"FY(\d{4})", period)
    if m:
        return f"FY{int(m.group(1)) - years}"
    q = re.fullmatch(r"(Q[1-4]|\d+M) (\d{4})", period)
    return f"{q.group(1)} {int(q.group(2)) - years}" if q else period


def _evaluate(expression: str, period: str, years: int, value: Callable[[str, str], Decimal]) -> Decimal:
    tree = ast.parse(expression, mode="eval")

    def ev(node: ast.AST, at: str) -> Decimal:
        if isinstance(node, ast.Expression):
            return ev(node.body, at)
        if isinstance(node, ast.Constant):
            return Decimal(str(node.value))
        if isinstance(node, ast.Name):
            return Decimal(years) if node.id == "years" else value(node.id, at)
        if isinstance(node, ast.UnaryOp):
            return -ev(node.operand, at)
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left, at), ev(node.right, at)
            if isinstance(node.op, ast.Add):
                return a + b
            if isinstance(node.op, ast.Sub):
                return a - b
            if isinstance(node.op, ast.Mult):
                return a * b
            if isinstance(node.op, ast.Div):
                return a / b
            return Decimal(float(a) ** float(b))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            fn, args = node.func.id, node.args
            if fn == "avg":
                return (ev(args[0], at) + ev(args[0], _shift(at, 1))) / 2
            if fn == "change":
                return ev(args[0], at) - ev(args[0], _shift(at, 1))
            if fn == "prev":
                return ev(args[0], _shift(at, 1))
            if fn == "growth":
                return ev(args[0], at) / ev(args[0], _shift(at, 1)) - 1
            if fn == "cagr":
                n = int(ev(args[1], at)) if len(args) > 1 else years
                return Decimal((float(ev(args[0], at)) / float(ev(args[0], _shift(at, n)))) ** (1 / n) - 1)
        raise ValueError(f"the formula {expression!r} uses what the engine cannot evaluate")

    return ev(tree, period)


def describe(expression: str) -> str:
    """A formula as a reader reads it: '365 * avg(accounts_payable) / ...' -> '365 × average
    accounts payable / ...'."""
    text = expression
    for fn, words in _FUNCTIONS.items():
        text = re.sub(rf"\b{fn}\((\w+)(?:,\s*\w+)?\)", lambda m, w=words: w.format(m.group(1)), text)
    text = re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: _concept_names().get(m.group(), m.group().replace("_", " ")),
                  text)
    return text.replace("*", "×").replace("years", "n years")


def render(number: Decimal, unit: str, ask: Ask, currency: str = "USD") -> str:
    """The computed value in the unit and precision asked: '42.69 days', '101.5%', '$1,577 million'."""
    if unit == "percent":
        places = 1 if ask.decimals is None else ask.decimals
        return f"{_round(number * 100, places)}%"
    if unit in ("ratio", "times"):
        shown = _round(number, 2 if ask.decimals is None else ask.decimals)
        return f"{shown}x" if unit == "times" else shown
    if unit == "days":
        return f"{_round(number, 2 if ask.decimals is None else ask.decimals)} days"
    if ask.scale:
        divisor = {"thousands": Decimal(10) ** 3, "millions": Decimal(10) ** 6, "billions": Decimal(10) ** 9}[ask.scale]
        places = 2 if ask.decimals is None and ask.scale == "billions" else (ask.decimals or 0)
        shown = f"{float(_round(number / divisor, places)):,.{places}f}"
        symbol = "$" if currency == "USD" else f"{currency} "
        return f"{symbol}{shown} {ask.scale[:-1]}"
    return format_amount(number, currency)


def _round(number: Decimal, places: int) -> str:
    return str(number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _currency(inputs: Sequence[Input]) -> str:
    units = [i.fact.figure.unit for i in inputs if "/" not in i.fact.figure.unit and i.fact.figure.unit != "%"]
    return units[0] if units else "USD"


def sentence(computed: Computed, company: str) -> str:
    """The answer's sentence: the value, then the formula and every input with its citation."""
    if computed.number is None:
        return f"Not found: {'; '.join(computed.missing).rstrip('.')}."
    period = format_period(computed.period) if "–" not in computed.period else computed.period
    if len(computed.inputs) == 1 and computed.formula == computed.inputs[0].name:  # a line item
        [i] = computed.inputs
        return f"{possessive(company)} {computed.name} for {period} was {computed.shown} {i.cited}.{_restated(i)}"
    inputs = "; ".join(f"{i.name} {i.period} {format_amount(i.value, i.fact.figure.unit)} {i.cited}"
                       for i in computed.inputs)
    notes = "".join(_restated(i) for i in computed.inputs)
    return (f"{possessive(company)} {computed.name} for {period} was {computed.shown}, computed as "
            f"{computed.formula} from {inputs}.{notes}")


def _restated(i: Input) -> str:
    """What an earlier filing stated for an input the latest filing restates (empty if none)."""
    if not i.earlier:
        return ""
    before = ", ".join(f"{format_amount(f.figure.value, f.figure.unit)} [{f.ref}]" for f in i.earlier)
    return f" The {i.period} {i.name} is the latest filing's figure; an earlier filing stated {before}."
