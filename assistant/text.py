"""Small text helpers shared by linking, retrieval and verification: words, stop words, numbers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
tell give list name show please many much according known reported report whether
""".split())

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&.\-]*[A-Za-z0-9]|[A-Za-z0-9]")
_NUMBER = re.compile(r"(?<![\w.])[-−]?\$?\(?\d[\d,]*(?:\.\d+)?\)?\s*(%|percent|per cent|thousand|million|billion|trillion|"
                     r"bn|mn|[kmb](?![a-z]))?", re.I)
_FISCAL = re.compile(r"\b(FY|CY)(?=\d{2,4}\b)")
_SCALE = {"thousand": 10 ** 3, "k": 10 ** 3, "million": 10 ** 6, "mn": 10 ** 6, "m": 10 ** 6, "billion": 10 ** 9,
          "bn": 10 ** 9, "b": 10 ** 9, "trillion": 10 ** 12}


def words(text: str) -> list[tuple[str, int, int]]:
    """Word tokens with character offsets (hyphens, apostrophes, '&' and inner dots kept)."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def terms(text: str) -> list[str]:
    """Lower-cased content words (no stop words, no one-letter words), for lexical matching."""
    return [w.lower().strip(".'") for w, _, _ in words(text) if len(w) > 1 and w.lower() not in STOPWORDS]


def numbers(text: str) -> list[Decimal]:
    """Numbers stated in `text`, scaled by the words that follow them ('4.2 billion' -> 4200000000).
    Percentages keep their face value; years stay years."""
    found: list[Decimal] = []
    text = _FISCAL.sub(r"\1 ", text)  # 'FY2023' states the year 2023
    for m in _NUMBER.finditer(text):
        digits = re.sub(r"[^\d.]", "", m.group().split()[0] if m.group(1) else m.group())
        try:
            value = Decimal(digits)
        except InvalidOperation:
            continue
        unit = (m.group(1) or "").lower()
        found.append(value * _SCALE.get(unit, 1))
    return found


def same_number(a: Decimal, b: Decimal, tolerance: Decimal = Decimal("0.005")) -> bool:
    """Equal within a relative tolerance, or equal once rounded as a text would round it."""
    if a == b:
        return True
    if a == 0 or b == 0:
        return False
    return abs(a - b) <= tolerance * max(abs(a), abs(b))


def sentences(text: str) -> list[str]:
    """Split an answer into sentences (on ., ! or ? followed by a space and a capital, or on new lines)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\[(\"'])|\n+", text.strip())
    return [p.strip() for p in parts if p and p.strip()]
