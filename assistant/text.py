"""Small text helpers shared by linking, retrieval and verification: words, stop words, sentences;
numbers come from the one parser in `ingestion.numbers`."""

from __future__ import annotations

import re

from ingestion.chunking import sentences as _spans

STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
nor not now of off on once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
tell give list name show please many much according known reported report whether
""".split())

_WORD = re.compile(r"[^\W_](?:[\w'’&.\-]*[^\W_])?")


def words(text: str) -> list[tuple[str, int, int]]:
    """Word tokens with character offsets (hyphens, apostrophes, '&' and inner dots kept)."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]


def terms(text: str) -> list[str]:
    """Lower-cased content words (no stop words, no one-letter words), for lexical matching."""
    return [w.lower().strip(".'") for w, _, _ in words(text) if len(w) > 1 and w.lower() not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """An answer's sentences, split as documents are (`ingestion.chunking.sentences`), and at new lines."""
    return [line[span.start:span.end] for line in text.strip().splitlines() for span in _spans(line)]


def stem(word: str) -> str:
    """A word without its inflection, so that 'headquartered', 'headquarters' and 'headquarter'
    compare equal: plurals, -ing, -ed and -ly endings removed (a light stemmer; words of three
    letters or fewer stay as they are)."""
    w = word.lower()
    if len(w) <= 3:
        return w
    for suffix, keep in (("ies", "y"), ("ied", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("ing", ""),
                         ("edly", ""), ("ed", ""), ("ly", ""), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[:-len(suffix)] + keep
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":  # 'stopp(ed)' -> 'stop'
        w = w[:-1]
    return w.rstrip("e") if len(w) > 4 else w
