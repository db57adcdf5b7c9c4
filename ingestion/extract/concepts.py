"""Statement line items as US-GAAP concepts, by the curated mapping in
ingestion/mappings/concepts.yaml (label variants per element, the statement it belongs to, its
sign convention). A label that maps to nothing is a company-specific concept named by itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

MAPPING = Path(__file__).parents[1] / "mappings" / "concepts.yaml"
#: Where US-GAAP element names live (the FASB taxonomy's namespace, without a release year).
US_GAAP = "http://fasb.org/us-gaap#"


@dataclass(frozen=True)
class Concept:
    element: str  # "PaymentsToAcquirePropertyPlantAndEquipment"
    name: str  # "capital expenditure"
    statement: str  # income | balance | cashflow
    positive: bool  # stored as a positive amount although printed as an outflow
    labels: tuple[re.Pattern, ...]
    synonyms: tuple[str, ...] = ()  # what analysts call it ("capex", "net PP&E")

    @property
    def iri(self) -> str:
        return US_GAAP + self.element


@cache
def concepts(path: Path = MAPPING) -> tuple[Concept, ...]:
    """The mapping's concepts, in file order (the first match wins)."""
    out = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        out.append(Concept(entry["concept"], entry["name"], entry["statement"], entry.get("sign") == "positive",
                           tuple(re.compile(p) for p in entry["labels"]), tuple(entry.get("synonyms", ()))))
    return tuple(out)


def label_form(label: str) -> str:
    """A printed label as the mapping matches it: lower case, parentheses dropped, '&' as 'and',
    punctuation as spaces ('Purchases of property, plant and equipment (PP&E)' -> 'purchases of
    property plant and equipment')."""
    text = re.sub(r"\([^()]*\)", " ", label.lower()).replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^\w']+|'s\b|'", " ", text)
    return " ".join(text.split())


def concept_of(label: str, statement: str) -> Concept | None:
    """The US-GAAP concept a row of `statement` with this label reports, if the mapping knows it."""
    form = label_form(label)
    found = next((c for c in concepts() if c.statement == statement and any(p.fullmatch(form) for p in c.labels)),
                 None)
    if found is None and " " not in form:  # PDF text that lost its spaces: 'Merchandiseinventories'
        found = next((c for c in concepts() if c.statement == statement and any(p.fullmatch(form) for p in
                                                                               _squashed(c))), None)
    return found


@cache
def _squashed(concept: Concept) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p.pattern.replace(" ", "")) for p in concept.labels)
