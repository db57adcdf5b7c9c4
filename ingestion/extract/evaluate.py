"""Extraction quality on labelled sentences: per-relation precision and recall of an extractor.

A labelled item is `{"text": ..., "expected": [[subject, relation, object], ...]}`, relations by
the ontology's local names ("chiefExecutiveOfficer", "causesAdverseEvent"); a reported figure's
object reads "metric|period|value|unit" ("revenue|FY2024|254500000000|USD"). Subjects and
objects compare without case, surrounding punctuation, repeated spaces or a legal suffix, and
metric names by concept ("net sales" is revenue); `interactsWith` in either direction. `strict`
scoring wants equal names; relaxed scoring (the default, as for ADE) also accepts a name that
contains the other as whole words ("atopic dermatitis" for "moderate-to-severe atopic
dermatitis", "5 mg" for "5 mg twice daily") and a plural for its singular ("proton pump
inhibitors" for "proton pump inhibitor")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from kgstore import vocab

from ..loaders import LoadedDocument
from .base import Mention, Node

#: The relations scored, by their local names.
RELATIONS: dict[str, object] = {str(p).rsplit("#", 1)[-1]: p for p in (
    vocab.CEO, vocab.CFO, vocab.HEADQUARTERED_IN, vocab.TICKER, vocab.HAS_SUBSIDIARY, vocab.REPORTED_METRIC,
    vocab.TREATS, vocab.CAUSES_ADVERSE_EVENT, vocab.CONTRAINDICATED_IN, vocab.INTERACTS_WITH, vocab.DOSAGE,
    vocab.DRUG_CLASS)}
_NAME_OF = {iri: name for name, iri in RELATIONS.items()}
Triple = tuple[str, str, str]


#: Metric names that mean the same concept, scored as one.
METRIC_SYNONYMS = {"net sales": "revenue", "sales": "revenue", "revenues": "revenue", "total revenue": "revenue",
                   "net revenue": "revenue", "net revenues": "revenue", "turnover": "revenue",
                   "total net sales": "revenue", "net profit": "net income", "net earnings": "net income",
                   "profit": "net income", "operating profit": "operating income",
                   "diluted earnings per share": "earnings per share", "eps": "earnings per share",
                   "diluted eps": "earnings per share"}


def normalise(text: str) -> str:
    return vocab.entity_key(" ".join(str(text).split()).strip(" .,;:"))


def triples(extractor, text: str) -> set[Triple]:  # noqa: ANN001 - an Extractor
    """What `extractor` finds in `text`, as comparable (subject, relation, object) triples."""
    found = extractor.extract(LoadedDocument("eval/doc.txt", text, "text/plain"))
    parts: dict[str, dict[str, str]] = {}
    for e in found:
        if isinstance(e.subject, Node):
            key = str(e.predicate).rsplit("#", 1)[-1]
            parts.setdefault(e.subject.key, {})[key] = _value(e.object) if e.predicate == vocab.VALUE \
                else _text(e.object)
    out = set()
    for e in found:
        name = _NAME_OF.get(e.predicate)
        if name is None:
            continue
        if e.predicate == vocab.REPORTED_METRIC:
            p = parts.get(e.object.key, {})
            obj = "|".join(p.get(k, "") for k in ("metric", "period", "value", "unit"))
        else:
            obj = _text(e.object)
        out.add(canonical((_text(e.subject), name, obj)))
    return out


def canonical(triple: Iterable[str]) -> Triple:
    s, r, o = triple
    s = normalise(s)
    if r == "reportedMetric":
        metric, *rest = str(o).lower().split("|")
        metric = " ".join(metric.split())
        rest = [part.removesuffix("/share") for part in rest]  # an EPS in USD/share is in USD
        return s, r, "|".join([METRIC_SYNONYMS.get(metric, metric), *rest])
    o = normalise(o)
    return (min(s, o), r, max(s, o)) if r == "interactsWith" else (s, r, o)


def same(a: Triple, b: Triple, strict: bool = False) -> bool:
    """Whether two canonical triples state the same fact (relaxed: names may nest as whole words)."""
    if a == b:
        return True
    if strict or a[1] != b[1] or a[1] == "reportedMetric":
        return False
    return all(x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} "
               for x, y in ((_singular(a[0]), _singular(b[0])), (_singular(a[2]), _singular(b[2]))))


def _singular(name: str) -> str:
    """A name with each plural word made singular ("beta blockers" -> "beta blocker")."""
    return " ".join(w[:-3] + "y" if len(w) > 4 and w.endswith("ies") else
                    w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")) else w
                    for w in name.split())


def score(extractor, items: Iterable[dict], strict: bool = False) -> dict[str, dict]:  # noqa: ANN001
    """Micro precision and recall per relation, with the misses (item id, wrong or missed triple)."""
    items = list(items)
    return score_found(items, [triples(extractor, item["text"]) for item in items], strict)


def score_found(items: Sequence[dict], found_per_item: Sequence[set[Triple]], strict: bool = False) -> dict[str, dict]:
    """`score` of triples already extracted, one set per item (so strict and relaxed can share one
    extraction)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    misses: dict[str, list] = {r: [] for r in RELATIONS}
    for item, found in zip(items, found_per_item, strict=True):
        gold = {canonical(t) for t in item["expected"]}
        hit = {t for t in found if any(same(t, g, strict) for g in gold)}
        missed = {g for g in gold if not any(same(t, g, strict) for t in found)}
        for t in hit:
            tp[t[1]] += 1
        for kind, wrong, counter in (("extra", found - hit, fp), ("missed", missed, fn)):
            for t in sorted(wrong):
                counter[t[1]] += 1
                if t[1] in misses:
                    misses[t[1]].append((item.get("id"), kind, t))
    return {r: {"precision": round(tp[r] / (tp[r] + fp[r]), 3) if tp[r] + fp[r] else 1.0,
                "recall": round(tp[r] / (tp[r] + fn[r]), 3) if tp[r] + fn[r] else 1.0,
                "tp": tp[r], "fp": fp[r], "fn": fn[r], "misses": misses[r]} for r in RELATIONS}


def _text(term) -> str:  # noqa: ANN001
    return term.text if isinstance(term, Mention) else term.label if isinstance(term, Node) else str(term)


def _value(literal) -> str:  # noqa: ANN001
    value = Decimal(str(literal)).normalize()
    return format(value.quantize(Decimal(1)) if value == value.to_integral() else value, "f")
