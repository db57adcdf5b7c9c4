"""Numbers as documents and answers write them, read by one parser: scale words ("4.2 billion",
"$12 bn", "in millions"), parentheses and minus signs as negatives, thousands separators,
percentages, fiscal-year labels. The extractors read figures with it and the verifier compares
the numbers a model wrote with it, so both sides agree on what a number is."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: Scale words and abbreviations (singular; `scale_of` also takes plurals and "units").
SCALES: dict[str, Decimal] = {"thousand": Decimal(10) ** 3, "k": Decimal(10) ** 3, "million": Decimal(10) ** 6,
                              "m": Decimal(10) ** 6, "mn": Decimal(10) ** 6, "billion": Decimal(10) ** 9,
                              "bn": Decimal(10) ** 9, "b": Decimal(10) ** 9, "trillion": Decimal(10) ** 12,
                              "lakh": Decimal(10) ** 5, "crore": Decimal(10) ** 7}
_IN_TEXT = re.compile(r"(?<![\w.])[-−]?\$?\(?\d[\d,]*(?:\.\d+)?\)?\s*(%|percent|per cent|thousand|million|billion|"
                      r"trillion|lakh|crore|bn|mn|[kmb](?![a-z]))?", re.I)
_FISCAL = re.compile(r"\b(FY|CY)(?=\d{2,4}\b)")


def scale_of(word: str | None) -> Decimal:
    """The multiplier a scale word stands for: "millions" -> 10**6; nothing or "units" -> 1."""
    key = (word or "").strip().lower()
    if key in ("", "units", "unit", "ones"):
        return Decimal(1)
    return SCALES.get(key) or SCALES.get(key.removesuffix("s")) or Decimal(1)


def parse_number(token: str, *, signed: bool = True) -> Decimal | None:
    """A table cell or figure as a number: "(1,577)" -> -1577, "-3.5" -> -3.5, "$12.9" -> 12.9.
    With `signed=False` the sign is ignored (the face value)."""
    negative = signed and (token.strip().startswith("(") or "-" in token or "−" in token)
    digits = re.sub(r"[^\d.]", "", token)
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return -value if negative else value


def numbers_in(text: str) -> list[Decimal]:
    """Numbers stated in `text`, scaled by the words that follow them ('4.2 billion' -> 4200000000).
    Percentages keep their face value; years stay years; signs are ignored (face values)."""
    return [value for value, _ in stated_numbers(text)]


def stated_numbers(text: str) -> list[tuple[Decimal, Decimal]]:
    """Numbers stated in `text`, each with the precision it is written to (the value of its last
    digit, scaled): '$254.5 billion' -> (254500000000, 100000000); '2,024' -> (2024, 1)."""
    found: list[tuple[Decimal, Decimal]] = []
    text = _FISCAL.sub(r"\1 ", text)  # 'FY2023' states the year 2023
    for m in _IN_TEXT.finditer(text):
        token = m.group().split()[0] if m.group(1) else m.group()
        value = parse_number(token, signed=False)
        if value is None:
            continue
        scale = SCALES.get((m.group(1) or "").lower(), Decimal(1))
        exponent = value.as_tuple().exponent
        found.append((value * scale, Decimal(1).scaleb(min(0, int(exponent))) * scale))
    return found


def same_number(a: Decimal, b: Decimal, precision: Decimal | None = None) -> bool:
    """Whether a number stated as `a` (written to `precision`, the value of its last digit) says
    `b`: equal once `b` is rounded to that precision ('$254.5 billion' says 254,453,000,000; it
    does not say 255,000,000,000). Without a precision, equal to within half a unit of the
    last significant digit of `a`."""
    if a == b:
        return True
    if a == 0 or b == 0:
        return False
    if precision is None:
        precision = Decimal(1).scaleb(a.normalize().as_tuple().exponent)
    return abs(abs(a) - abs(b)) <= precision / 2
