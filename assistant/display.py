"""Values as people read them: amounts with their currency and scale ("$383.3 billion",
"EUR 1.2 billion"), percentages ("22.4%"), and stored figures such as "383300000000 USD"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

SCALES = ((Decimal(10) ** 12, "trillion"), (Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million"))
CURRENCY_SYMBOLS = {"USD": "$"}
PERCENT_UNITS = frozenset({"%", "percent", "pct", "per cent"})
#: A large amount inside running text: "383300000000 USD (383.3 billion)", "1200000000 EUR".
_AMOUNT_IN_TEXT = re.compile(r"(?<![\w.,])(\d{7,}(?:\.\d+)?) ([A-Z]{3})\b"
                             r"(?: \(\d[\d.,]* (?:million|billion|trillion)\))?")
#: A stored figure: a number, an optional unit, and an optional spelled-out scale in brackets.
_FIGURE = re.compile(r"^\s*(?P<number>[-+]?\d[\d,]*(?:\.\d+)?)\s*(?P<unit>%|percent|pct|[A-Z]{3})?"
                     r"\s*(?:\([^()]*\))?\s*$")


def format_number(number: Decimal, places: int = 2) -> str:
    """At most `places` decimals, trailing zeros dropped, thousands separated: 1234.50 -> '1,234.5'."""
    text = f"{number.quantize(Decimal(1).scaleb(-places)):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_amount(value: object, unit: str | None = None) -> str:
    """A value in its unit, scaled for reading: (383300000000, "USD") -> "$383.3 billion",
    (1.2e9, "EUR") -> "EUR 1.2 billion", (22.4, "%") -> "22.4%". Not a number: shown as given."""
    unit = (unit or "").strip()
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return f"{value} {unit}".strip()
    if not number.is_finite():
        return f"{value} {unit}".strip()
    if unit.lower() in PERCENT_UNITS:
        return f"{format_number(number)}%"
    text = next((f"{format_number(number / scale)} {word}" for scale, word in SCALES if abs(number) >= scale),
                None)
    if text is None:  # under a million: grouped digits with a unit, as written without one (a year)
        text = format_number(number) if unit else f"{number.normalize():f}"
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    if unit.upper() in CURRENCY_SYMBOLS:
        return f"{sign}{CURRENCY_SYMBOLS[unit.upper()]}{text}"
    if re.fullmatch(r"[A-Z]{3}", unit):
        return f"{unit} {sign}{text}"
    return f"{sign}{text} {unit}".strip()


def format_period(period: str | None) -> str:
    """A period label as people write it: "FY2024" -> "fiscal 2024"; "Q3 2023" and others as given."""
    match = re.fullmatch(r"\s*FY\s?((?:19|20)\d{2})\s*", period or "")
    return f"fiscal {match[1]}" if match else (period or "")


def format_value(text: str) -> str:
    """A stored figure as people read it ("307400000000 USD (307.4 billion)" -> "$307.4 billion");
    anything else, such as "500 mg twice daily" or a year, unchanged."""
    match = _FIGURE.match(text)
    if match is None:
        return text
    number, unit = match["number"], match["unit"]
    if unit is None and abs(Decimal(number.replace(",", ""))) < SCALES[-1][0]:
        return text  # a plain number (a year, a count): nothing to scale
    return format_amount(number, unit)


def format_figures(text: str) -> str:
    """Running text with each stored amount written for reading: "revenue 383300000000 USD
    (383.3 billion)" -> "revenue $383.3 billion"."""
    return _AMOUNT_IN_TEXT.sub(lambda m: format_amount(m[1], m[2]), text)


def possessive(name: str) -> str:
    """'Walmart Inc.' -> "Walmart Inc.'s", 'Kestrel Foods' -> "Kestrel Foods'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def verdict_line(verdict: str, source: str | None) -> str:
    """A verdict with who gave it: "yes (stated by F1)", "no (tuned verdict model)", "maybe (language model)"."""
    by = {"model": "language model", "tuned": "tuned verdict model", None: ""}.get(source, f"stated by {source}")
    return f"{verdict} ({by})" if by else verdict
