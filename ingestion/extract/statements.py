"""The financial-statement reader: income statements, balance sheets and cash-flow statements as
rows of numbers under period columns, from the text a PDF, HTML, markdown or plain-text filing
gives.

A statement is found by its title near the top of a page ("Consolidated Statements of
Operations", "Balance Sheets", "Statement of Cash Flows", spaces inside words forgiven: PDF text
reads "Incom e"). Its columns come from the header above the first row: the years ("2018 2017
2016", "December 31, 2022 2021", "February 2, 2019 February 3, 2018"), the duration over them
("Three Months Ended ... Twelve Months Ended"). The scale note ("(Millions, except per share
amounts)", "$ in thousands") scales money and, unless the note excepts them, share counts; per-share
amounts and percentages are never scaled. A row is a label and one cell per column, read from the
right of its line, so a label may itself hold numbers ("Other assets, net of accumulated
amortization of $949 and $975 4,163 5,591"): parentheses are negative, a dash is zero, "$" and
footnote marks are dropped, a label wrapped over two lines is joined, and cells that PDF text puts
on lines of their own are gathered under the label before them. Markdown and HTML tables read the
same way, their cell bars as spaces."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kgstore import vocab

from ..numbers import parse_number, scale_of
from .base import Extraction, Mention, Node
from .concepts import Concept, concept_of, concepts, label_form

#: Statement kinds by the words of their titles (compared without spaces, in lower case).
_KINDS = (
    ("cashflow", re.compile(r"(?:statements?of(?:consolidated)?cashflows?|cashflows?statements?)")),
    ("balance", re.compile(r"(?:balancesheets?|statements?of(?:consolidated)?(?:financialposition|condition)"
                           r"|financialpositionstatements?)")),
    ("income", re.compile(r"(?:statements?of(?:consolidated)?(?:income|operations|earnings|profitorloss|"
                          r"comprehensiveincome|comprehensiveearnings)(?!and(?:comprehensive)?(?:retained|equity))"
                          r"|incomestatements?|profitandlossaccount|statementsofoperationsandcomprehensive)")),
)
_NOT_A_STATEMENT = re.compile(r"(?:notesto|indexto|tableofcontents(?!\w{0,3}$)|shareholders?equity|analysis|"
                              r"off.?balance|averagebalance|onpages|asfollows|recorded|reflected|"
                              r"stockholders?equity|changesinequity|segment)")
_SCALE = re.compile(r"\b(?:in\s+|\$\s*in\s+|\(|dollars\s+in\s+|amounts\s+in\s+)?(?P<word>thousands|millions|billions|"
                    r"thousand|million|billion)\b", re.I)
_SHARES_EXCEPTED = re.compile(r"\bexcept\b.*?(?<!per )(?<!per common )(?<!per ordinary )\bshares?\b",
                              re.I)  # "except share and per share data"
_YEAR = re.compile(r"(?<![\d,.$])((?:19|20)\d{2})(?![\d.%]|,\d)")
_DATE = re.compile(r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
                   r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+\d{1,2}\b(?!,\d)", re.I)
_DURATION = re.compile(r"\b(?P<n>\d{1,2}|three|six|nine|twelve|thirteen|sixteen|twenty-four|twenty-six|thirty-six|"
                       r"thirty-nine|forty|fifty-two|fifty-three)[\s-]+(?P<unit>months?|weeks?)\s+ended\b|\b(?P<year>years?|fiscal years?)"
                       r"\s+ended\b|\b(?P<q>Q[1-4])\b|\b(?P<ytd>six months|nine months)\b", re.I)
_NUMBER_WORDS = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "thirteen": 13, "sixteen": 16, "twenty-four": 24,
                 "twenty-six": 26, "thirty-six": 36, "thirty-nine": 39, "forty": 40, "fifty-two": 52,
                 "fifty-three": 53}
_CELL = re.compile(r"\(?-?\$?\(?\d[\d,]*(?:\.\d+)?\)?%?\)?|[—–-]{1,2}|\$?\s*-0-")
_FOOTNOTE = re.compile(r"^(?:\([a-z]\)|\*+|\([ivx]+\)|[¹²³⁴⁵⁶⁷⁸⁹]+)$")
_PER_SHARE = re.compile(r"\bper\s+(?:common\s+|ordinary\s+|diluted\s+|basic\s+)?share\b|\bper\s+ADS\b|"
                        r"\bearnings\s+per\b|\b(?:basic|diluted)\s*(?:earnings|net income|loss)?\s*$|"
                        r"\bEPS\b", re.I)
_SHARE_COUNT = re.compile(r"\b(?:weighted[- ]average|shares outstanding|number of shares|common shares|"
                          r"shares used)\b", re.I)
_CURRENCIES = (("EUR", re.compile(r"€|\beuros?\b|\bEUR\b")), ("GBP", re.compile(r"£|\bGBP\b|\bpounds sterling\b")),
               ("DKK", re.compile(r"\bDKK\b")), ("JPY", re.compile(r"¥|\bJPY\b|\byen\b")),
               ("CHF", re.compile(r"\bCHF\b")), ("SEK", re.compile(r"\bSEK\b")), ("CAD", re.compile(r"\bC\$|\bCAD\b")))
_HEAD_LINES = 12  # a title stands within the first lines of its page


@dataclass(frozen=True)
class Column:
    """One period column: a label ("FY2018", "Q4 2022", "6M 2023"), the printed end date (if any)
    and the months it covers (None for a balance-sheet instant)."""

    period: str
    end: str = ""
    months: int | None = 12


@dataclass(frozen=True)
class Row:
    """A statement line: its label as printed ("" for a total printed without one), one value per
    column in base units (None where the cell is missing), its unit, and its character span in the
    document."""

    label: str
    values: tuple[Decimal | None, ...]
    unit: str
    start: int
    end: int


@dataclass(frozen=True)
class Statement:
    kind: str  # income | balance | cashflow
    title: str
    scale_text: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    start: int
    end: int
    fiscal_end: int | None = None  # the month the fiscal year closes in, where the statement shows it


def read_statements(text: str) -> list[Statement]:
    """Every statement in `text` (pages split at form feeds; a plain text may hold several
    statements, each from its title to the next). A statement that does not show when the fiscal
    year closes takes the month another statement of the document shows (a 10-Q's balance sheet
    beside the last year end names the quarters of its income statement), else December."""
    places, offset = [], 0
    for page in text.split("\f"):
        places += [(page, start, end, offset) for start, end in _sections(page)]
        offset += len(page) + 1
    read = [_read(*place) for place in places]
    shown = Counter(s.fiscal_end for s in read if s is not None and s.fiscal_end)
    if shown and shown.most_common(1)[0][0] != 12:
        month = shown.most_common(1)[0][0]
        read = [_read(*place, fiscal_end=month) if s is not None and s.fiscal_end is None else s
                for place, s in zip(places, read)]
    return [s for s in read if s is not None]


def _sections(page: str) -> list[tuple[int, int]]:
    """Where statements start on a page: at a title among the page's first lines, or at any line
    that reads as a title only; each runs to the next title."""
    lines = list(_lines(page))
    starts = []
    for i, (a, b) in enumerate(lines):
        squashed = re.sub(r"\s+", "", page[a:b]).lower()
        if len(squashed) > 120 or _NOT_A_STATEMENT.search(squashed):
            continue
        if any(p.search(squashed) for _, p in _KINDS) and (i < _HEAD_LINES or _is_title(page[a:b])):
            starts.append(a)
    return [(s, starts[i + 1] if i + 1 < len(starts) else len(page)) for i, s in enumerate(starts)]


def _is_title(line: str) -> bool:
    return not _CELL.search(line.split()[-1] if line.split() else "") or bool(re.search(r"[A-Za-z]$", line.strip()))


def _lines(text: str, start: int = 0, end: int | None = None):
    end = len(text) if end is None else end
    at = start
    while at < end:
        stop = text.find("\n", at, end)
        stop = end if stop < 0 else stop
        yield at, stop
        at = stop + 1


def _kind(title: str) -> str | None:
    squashed = re.sub(r"\s+", "", title).lower()
    return next((kind for kind, p in _KINDS if p.search(squashed)), None)


def _read(page: str, start: int, end: int, offset: int, fiscal_end: int = 12) -> Statement | None:
    lines = [(a, b, _bars_to_spaces(page[a:b])) for a, b in _lines(page, start, end)]
    title = lines[0][2].strip()
    kind = _kind(title)
    if kind is None:
        return None
    header, first_row, first_label = [], None, None
    for i, (a, b, line) in enumerate(lines[1:], 1):
        label, cells = _split(line)
        segments = _segments(line, 0, run=2)
        if len(segments) > 1 and not segments[0][0] and _years_only(segments[0][1]):
            header.append(" ".join(segments[0][1]))  # "2022 2021 2020 Net sales $ 18,992.8 ...": years, then rows
            first_row = i
            break
        if cells and label and not _only_years(line) and not _DATE.search(line) and not _years_only(cells):
            first_row = i
            break
        if cells and not label and not _years_only(cells) and first_label is not None:
            first_row = first_label  # cells on lines of their own: the rows began at the label above them
            header = header[:first_label - 1]
            break
        if label and not cells and not _SCALE.search(line) and not _DATE.search(line) and first_label is None:
            first_label = i
        elif cells and first_label is not None and _years_only(cells):
            first_label = None  # a label above the years was a heading of the header
        header.append(line)
    if first_row is None:
        return None
    header_text = "\n".join([title, *header])
    scale_match = next((m for line in (title, *header) if (m := _SCALE.search(line))), None)
    scale = scale_of(scale_match.group("word")) if scale_match else Decimal(1)
    scale_text = next((line.strip() for line in (title, *header) if _SCALE.search(line)), "")
    shares_scaled = not _SHARES_EXCEPTED.search(scale_text)
    currency = next((code for code, p in _CURRENCIES if p.search(header_text)), "USD")
    columns, shown = _columns(header, kind, [cells for _, _, line in lines[first_row:first_row + 8]
                                             for label, cells in _segments(line, 0, run=2) if label], fiscal_end)
    if not columns:
        return None
    n = len(columns)
    rows: list[Row] = []
    pending, pending_at = "", None  # a label waiting for its cells or its second line
    # the last label without cells ("Weighted-average common shares outstanding"), and the one before it
    heading = earlier = ""
    gathered: list[str] = []
    for a, b, label, cells in ((a, b, label, cells) for a, b, line in lines[first_row:]
                                for label, cells in _segments(line, n) if label or not _years_only(cells)):
        if not cells:
            if not label:
                continue
            if pending and _continues(pending, label):
                pending = f"{pending} {label}"
            else:
                pending, pending_at = label, a
                earlier, heading = heading, label
            gathered = []
            continue
        if not label and pending:  # cells on lines of their own, under the label before them
            gathered += cells
            if len(gathered) < n:
                continue
            label, cells, a = pending, gathered, pending_at
            pending, gathered, heading = "", [], earlier  # the waiting label was a row's, not a heading
        elif pending and _continues(pending, label):
            label, a = f"{pending} {label}", pending_at
            pending, heading = "", earlier
        else:
            pending = ""
        values = _values(cells, n)
        if values is None:
            continue
        unit, factor = _unit(label, heading, cells, currency, scale, shares_scaled)
        scaled = tuple(None if v is None else v * factor for v in values)
        rows.append(Row(_clean_label(label), scaled, unit, offset + a, offset + b))
    if not rows:
        return None
    return Statement(kind, title, scale_text, tuple(columns), tuple(rows), offset + start, offset + end, shown)


def _bars_to_spaces(line: str) -> str:
    """A markdown or text table's cell bars read as spaces; a separator row reads as nothing."""
    if "|" not in line:
        return line
    if re.fullmatch(r"[\s|:-]*", line):
        return ""
    return re.sub(r"\s*\|\s*", "   ", line).strip()


def _split(line: str, columns: int = 0) -> tuple[str, list[str]]:
    """A line's label and its cells, read from the right: '$' signs and footnote marks between cells
    are dropped, '%' joins the number before it."""
    tokens = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
    cells: list[str] = []
    starts: list[int] = []
    cut = len(line)
    i = len(tokens) - 1
    while i >= 0:
        tok, at = tokens[i]
        if tok in ("$", "US$", "€", "£") or _FOOTNOTE.match(tok) and cells:
            cut = at
            i -= 1
            continue
        if tok == "%" and i > 0:
            tok = tokens[i - 1][0] + "%"
            i -= 1
            at = tokens[i][1]
        bare = tok.lstrip("$€£")
        if not _CELL.fullmatch(bare) or bare.count("(") != bare.count(")"):  # "4)" ends "(see Notes 1 and 4)"
            break
        cells.insert(0, tok)
        starts.insert(0, at)
        cut = at
        i -= 1
    if columns and len(cells) > columns and re.search(r"[A-Za-z]", line[:cut]):
        # numbers ending a label: "net of allowances of $95 and $103 5,020 4,911" has two cells
        cut, cells = starts[-columns], cells[-columns:]
    label = line[:cut].strip().rstrip("$€£").strip()
    if label and not re.search(r"[A-Za-z]", label):
        return "", []
    return label, cells


def _segments(line: str, columns: int, run: int = 0) -> list[tuple[str, list[str]]]:
    """A line holding several rows ('Net sales $ 18,992.8 $ 18,127.0 Cost of sales 12,590.6 11,678.7'),
    cut after each run of at least `run` (default `columns`) cells that a capitalised word follows,
    each part read by `_split`."""
    tokens = list(re.finditer(r"\S+", line))
    least = run or columns
    cuts, run = [], 0
    for i, tok in enumerate(tokens):
        text = tok.group()
        if text in ("$", "US$", "€", "£"):
            continue
        bare = text.lstrip("$€£")
        if _CELL.fullmatch(bare) and bare.count("(") == bare.count(")"):
            run += 1
            continue
        if run >= max(least, 1) and text[:1].isupper():
            cuts.append(tok.start())
        run = 0
    bounds = [0, *cuts, len(line)]
    return [_split(line[a:b], columns) for a, b in zip(bounds, bounds[1:])]


def _years_only(cells: list[str]) -> bool:
    return bool(cells) and all(re.fullmatch(r"(?:19|20)\d{2}", c) for c in cells)


def _only_years(line: str) -> bool:
    rest = _YEAR.sub("", line)
    return bool(_YEAR.search(line)) and len(re.sub(r"[^A-Za-z]", "", _MONTH_WORDS.sub("", rest))) < 30


_MONTH_WORDS = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                          r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|As of|At|Fiscal|Years?|Ended|"
                          r"Months|Weeks|Three|Six|Nine|Twelve|Quarter)\b\.?", re.I)


def _columns(header: list[str], kind: str, first_cells: list[list[str]],
             default_fiscal_end: int = 12) -> tuple[list[Column], int | None]:
    """The period columns the header names, in order, as many as the first rows have cells; and the
    month the fiscal year closes in, if the header shows it (else `default_fiscal_end` names them)."""
    counts = Counter(len(c) for c in first_cells if c)
    text = "\n".join(header)
    years = [(m.group(1), m.start()) for m in _YEAR.finditer(text)]
    # a line listing a year per column ("2022 2021 2020") wins over a sentence naming them
    listed = False  # the years stand on a line of their own: the company's own names for its years
    for line in header:
        found = _YEAR.findall(line)
        if len(found) >= 2 and (_only_years(line) and not _DATE.search(line) or _years_only(_split(line)[1])):
            years, listed = [(y, text.find(line) + line.find(y)) for y in found], True
            break
    else:
        alone = [line.strip() for line in header if re.fullmatch(r"\s*(?:19|20)\d{2}\s*", line)]
        if len(alone) >= 2:  # a year per line, as PDF text gives a header's cells
            years, listed = [(y, 0) for y in alone], True

    unique = list({y: (y, at) for y, at in years}.values())
    n = counts.most_common(1)[0][0] if counts else len(unique)  # cells on lines of their own: one per year
    if len(years) != n and len(unique) == n:
        years = unique  # a sentence named each year twice ('ended December 25, 2021, ... 2021')
    if not years or n == 0:
        return [], None
    months = _months_per_column(list(_DURATION.finditer(text)), len(years), kind)
    if n and len(years) > n and len(years) % n == 0:
        years = years[:n]
    if n and len(years) < n and n % len(years) == 0 and n // len(years) == 2:
        n = len(years)  # amount and percent columns: the amounts are read
    years = [y for y, _ in years[:max(n, 1)]]
    months = [months[i] if i < len(months) else (None if kind == "balance" else 12) for i in range(len(years))]
    ends = _end_dates(text)
    if len(ends) != len(years):  # "Three Months Ended June 30" over "2022 2023": that day in each year
        day = _MONTH_DAY.search(text)
        ends = [f"{y}-{_MONTHS[day.group(1)[:3].lower()]:02d}-{int(day.group(2)):02d}" for y in years] if day \
            else [""] * len(years)
    shown = _fiscal_year_end(kind, months, ends)
    fiscal_end = shown or default_fiscal_end
    return [Column(_period(y, span, end, fiscal_end, listed), end, span) for y, span, end in zip(years, months, ends)], \
        shown


_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_MONTH_NAME = r"(January|February|March|April|May|June|July|August|September|October|November|December|" \
              r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
_MONTH_DAY = re.compile(rf"\b{_MONTH_NAME}\.?\s+(\d{{1,2}})\b")


def _end_dates(text: str) -> list[str]:
    found = re.findall(rf"\b{_MONTH_NAME}\.?\s+(\d{{1,2}}),?\s*((?:19|20)\d{{2}})", text)
    return [f"{y}-{_MONTHS[m[:3].lower()]:02d}-{int(d):02d}" for m, d, y in found]


def _closing_month(end: str) -> int:
    """The month a period closes in; a 52/53-week period ending in a month's first week closes the
    month before ('July 2, 2023' closes June)."""
    month, day = int(end[5:7]), int(end[8:10])
    return (month - 2) % 12 + 1 if day <= 7 else month


def _fiscal_year_end(kind: str, months: list[int | None], ends: list[str]) -> int | None:
    """The month the company's fiscal year closes, where the statement shows it: a twelve-month
    column's, or a balance sheet's last column (year ends side by side, or an interim beside the
    last year end)."""
    for span, end in zip(months, ends):
        if span == 12 and end and kind != "balance":
            return _closing_month(end)
    if kind == "balance" and ends and ends[-1]:
        return _closing_month(ends[-1])
    return None


def _period(year: str, months: int | None, end: str, fiscal_end: int = 12, listed: bool = False) -> str:
    """'FY2018' for a year (or a year-end instant), 'Q2 2023' for a quarter (or an interim instant),
    '6M 2023' for a half or nine months, each in the company's fiscal year: the year the header
    prints on its own ('2022' over 'January 28, 2023' is fiscal 2022), else the year it ends in."""
    if not end:
        return f"FY{year}" if months in (None, 12) else f"{months}M {year}"
    closing = _closing_month(end)
    fiscal_year = int(end[:4]) + (1 if closing > fiscal_end else 0) - (1 if closing == 12 and int(end[5:7]) == 1 else 0)
    if months == 12 or months is None and closing == fiscal_end:
        return f"FY{year if listed else fiscal_year}"
    if months in (3, None):
        quarter = ((closing - fiscal_end - 1) % 12) // 3 + 1
        return f"Q{quarter} {fiscal_year}"
    return f"{months}M {fiscal_year}"


def _months_per_column(durations: list[re.Match], columns: int, kind: str) -> list[int | None]:
    if kind == "balance":
        return [None] * columns
    spans = []
    for m in durations:
        if m.group("n"):
            count = int(m.group("n")) if m.group("n").isdigit() else _NUMBER_WORDS[m.group("n").lower()]
            weeks = m.group("unit").lower().startswith("week")  # 12 or 13 weeks a quarter, 52 a year
            spans.append((3 if count <= 17 else 6 if count <= 30 else 9 if count <= 43 else 12) if weeks else count)
        elif m.group("year"):
            spans.append(12)
        elif m.group("q"):
            spans.append(3)
        elif m.group("ytd"):
            spans.append(6 if m.group("ytd").lower().startswith("six") else 9)
    if not spans:
        return [12] * columns
    per = max(1, columns // len(spans))
    return [spans[min(i // per, len(spans) - 1)] for i in range(columns)]


def _continues(first: str, second: str) -> bool:
    """Whether `second` is the wrapped rest of label `first`."""
    return second[:1].islower() or bool(re.search(r"(?:[,;(–-]|\b(?:and|of|for|to|in|on|at|by|with|from|net of|"
                                                  r"less|plus|or))$", first.strip()))


def _values(cells: list[str], n: int) -> tuple[Decimal | None, ...] | None:
    if len(cells) == 2 * n and all(c.endswith("%") or _looks_percent(c) for c in cells[1::2]):
        cells = cells[::2]  # "Amount | Percent to sales" pairs: the amounts
    if len(cells) > n:
        cells = cells[-n:]  # numbers in the label itself ("net of allowance of $23 and $25 1,972 1,935")
    if len(cells) != n:
        return None
    return tuple(parse_cell(c) for c in cells)


def _looks_percent(cell: str) -> bool:
    return bool(re.fullmatch(r"\(?-?\d{1,3}\.\d\)?%?", cell))


def parse_cell(cell: str) -> Decimal | None:
    """'(1,577)' -> -1577, '—' -> 0, '$ 32,765' -> 32765, '22.4%' -> 22.4."""
    raw = cell.strip().replace("$", "").replace("€", "").replace("£", "").strip()
    if re.fullmatch(r"[—–-]{1,2}|-0-", raw):
        return Decimal(0)
    return parse_number(raw)


def _unit(label: str, heading: str, cells: list[str], currency: str, scale: Decimal,
          shares_scaled: bool) -> tuple[str, Decimal]:
    """A row's unit and scale, by its label or, for 'Basic' and 'Diluted', its heading."""
    if any(c.endswith("%") for c in cells) or re.search(r"\bpercent|%", label, re.I):
        return "%", Decimal(1)
    for text in ((heading, label) if _PARTIAL_LABEL.fullmatch(label) else (label,)):
        if _SHARE_COUNT.search(text) and not re.search(r"\bamount|\bcapital|\bstock,|\bpar value", text, re.I):
            return "shares", scale if shares_scaled else Decimal(1)
        if _PER_SHARE.search(text):
            return f"{currency}/share", Decimal(1)
    if _PER_SHARE.search(heading) and all("." in c or not re.search(r"\d", c) for c in cells):
        # "Earnings per common share––basic:" over "Discontinued operations 0.46"
        return f"{currency}/share", Decimal(1)
    return currency, scale


#: Labels that say what they are only under their heading: "Basic", "Diluted", "Continuing operations".
_PARTIAL_LABEL = re.compile(r"(?i)(?:basic|diluted|basic and diluted|total|continuing operations|"
                            r"discontinued operations|net (?:income|earnings|loss)(?: attributable to .*)?|"
                            r"(?:net )?(?:income|earnings|loss) from (?:continuing|discontinued) operations.*|"
                            r"(?:net )?(?:income|earnings|loss)(?: per share)?)[:.]?")


def _clean_label(label: str) -> str:
    label = re.sub(r"\s*\((?:see )?notes? [\d, and]+\)", "", label, flags=re.I)  # "(see Note 13)"
    label = re.sub(r"\s*\((?:[a-z]|\d)\)\s*$|\s*[¹²³⁴⁵⁶⁷⁸⁹*]+\s*$", "", label)
    return " ".join(label.split()).rstrip(" :.")


# ------------------------------------------------------------------------------ figures
def figures(text: str, company_of: Callable[[int], Mention | None], extractor: str) -> list[Extraction]:
    """Every statement cell of `text` as one figure of its company (`company_of(title offset)`): an
    observation node of its own (keyed by its row and column, so no two cells share one) with
    metric, US-GAAP concept, value in base units, unit, period, statement, scale as printed and the
    row's printed label, all grounded in the row's span."""
    out: list[Extraction] = []
    for statement in read_statements(text):
        company = company_of(statement.start)
        if company is None:
            continue
        for row in statement.rows:
            if not row.label:  # a total printed without a label names no figure
                continue
            concept = concept_of(row.label, statement.kind)
            name = concept.name if concept else _own_name(row.label, statement.kind)
            for column, value in zip(statement.columns, row.values):
                if value is None:
                    continue
                if concept is not None and concept.positive:
                    value = abs(value)
                out += _figure(company, row, statement, column, name, concept, value, extractor)
    return out


def _figure(company: Mention, row: Row, statement: Statement, column: Column, name: str, concept: Concept | None,
            value: Decimal, extractor: str) -> list[Extraction]:
    key = f"obs|{vocab.entity_key(company.text)}|{concept.element if concept else name}|{column.period}|{row.start}"
    node = Node(key, vocab.METRIC_OBSERVATION, f"{company.text} {name} {column.period}")
    a, b = row.start, row.end

    def fact(predicate, obj) -> Extraction:  # noqa: ANN001
        return Extraction(node, predicate, obj, a, b, _CONFIDENCE, extractor)

    out = [Extraction(company, vocab.REPORTED_METRIC, node, a, b, _CONFIDENCE, extractor),
           fact(vocab.METRIC_OF, Mention(name, a, a + len(row.label), vocab.METRIC)),
           fact(vocab.VALUE, Literal(format(value.normalize(), "f"), datatype=XSD.decimal)),
           fact(vocab.UNIT, Literal(row.unit)), fact(vocab.PERIOD, Literal(column.period)),
           fact(vocab.STATEMENT, Literal(statement.kind)), fact(vocab.LINE_LABEL, Literal(row.label))]
    if concept is not None:
        out.append(fact(vocab.CONCEPT, URIRef(concept.iri)))
    if statement.scale_text:
        out.append(fact(vocab.SCALE, Literal(statement.scale_text)))
    if column.end:
        out.append(fact(vocab.PERIOD_END, Literal(column.end, datatype=XSD.date)))
    if column.months:
        out.append(fact(vocab.PERIOD_MONTHS, Literal(column.months, datatype=XSD.integer)))
    return out


_CONFIDENCE = 0.9
_STATEMENT_NAMES = {"income": "income statement", "balance": "balance sheet", "cashflow": "cash-flow statement"}


def _own_name(label: str, kind: str) -> str:
    """A company-specific row's metric name: its label, qualified by its statement where a concept
    of another statement has that name ('accounts payable' among cash flows is a change, not the
    balance)."""
    form = label_form(label)
    return f"{form} ({_STATEMENT_NAMES[kind]})" if form in _concept_names() else form


@cache
def _concept_names() -> frozenset[str]:
    """Every concept's name and synonym, reserved for the concept."""
    return frozenset({c.name for c in concepts()} | {s.lower() for c in concepts() for s in c.synonyms})
