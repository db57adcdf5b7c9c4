"""The LLM extractor: prompt with the ontology and a JSON schema, validate with pydantic, repair
or drop what is invalid, and keep only triples whose mentions occur in the text. Batched across
documents, as many chunks per call as the backend takes (`batch_size`); on vLLM the backend decodes
under the JSON schema (guided decoding)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, ValidationError
from rdflib import Literal, URIRef

from kgstore import vocab

from ..chunking import Chunk
from ..loaders import LoadedDocument
from .base import Extraction, Mention

NAME = "llm"


class BatchGenerator(Protocol):
    """What the extractor needs from a language model backend."""

    name: str
    batch_size: int  # prompts one `generate_batch` call should carry

    def generate_batch(self, conversations: list[list[dict[str, str]]], *, max_tokens: int,
                       json_schema: dict | None = None) -> list[str]: ...


class LLMTriple(BaseModel):
    subject: str
    predicate: str
    object: str
    subject_type: str | None = None
    object_type: str | None = None


class LLMOutput(BaseModel):
    triples: list[LLMTriple]


#: predicate name in prompts -> (ontology predicate, subject class, object class or None for a literal)
RELATIONS: dict[str, tuple[URIRef, URIRef, URIRef | None]] = {
    "treats": (vocab.TREATS, vocab.DRUG, vocab.DISEASE),
    "causes_adverse_event": (vocab.CAUSES_ADVERSE_EVENT, vocab.DRUG, vocab.ADVERSE_EVENT),
    "contraindicated_in": (vocab.CONTRAINDICATED_IN, vocab.DRUG, vocab.MEDICAL_CONDITION),
    "interacts_with": (vocab.INTERACTS_WITH, vocab.DRUG, vocab.DRUG),
    "dosage": (vocab.DOSAGE, vocab.DRUG, None),
    "chief_executive_officer": (vocab.CEO, vocab.COMPANY, vocab.PERSON),
    "chief_financial_officer": (vocab.CFO, vocab.COMPANY, vocab.PERSON),
    "has_subsidiary": (vocab.HAS_SUBSIDIARY, vocab.COMPANY, vocab.COMPANY),
    "headquartered_in": (vocab.HEADQUARTERED_IN, vocab.COMPANY, None),
    "ticker_symbol": (vocab.TICKER, vocab.COMPANY, None),
}
_SYNONYMS = {"causes": "causes_adverse_event", "side_effect": "causes_adverse_event",
             "adverse_effect": "causes_adverse_event", "causes_adverse_effect": "causes_adverse_event",
             "ceo": "chief_executive_officer", "cfo": "chief_financial_officer", "subsidiary": "has_subsidiary",
             "contraindication": "contraindicated_in", "interaction": "interacts_with", "dose": "dosage",
             "indicated_for": "treats", "treat": "treats", "ticker": "ticker_symbol"}

SCHEMA: dict = {
    "type": "object",
    "properties": {"triples": {"type": "array", "maxItems": 12, "items": {
        "type": "object",
        "properties": {"subject": {"type": "string"}, "predicate": {"type": "string", "enum": sorted(RELATIONS)},
                       "object": {"type": "string"}},
        "required": ["subject", "predicate", "object"]}}},
    "required": ["triples"],
}

SYSTEM_PROMPT = """You extract facts from finance and medical text as JSON.
Allowed predicates: {predicates}.
Use the exact words of the text for subject and object. Output only JSON like:
{{"triples": [{{"subject": "aspirin", "predicate": "treats", "object": "pain"}}]}}
If the text states no such fact, output {{"triples": []}}."""

EXAMPLE_TEXT = "Warfarin is used to treat deep vein thrombosis. Bleeding is a common side effect of warfarin."
EXAMPLE_JSON = ('{"triples": [{"subject": "Warfarin", "predicate": "treats", "object": "deep vein thrombosis"}, '
                '{"subject": "warfarin", "predicate": "causes_adverse_event", "object": "Bleeding"}]}')


class LLMExtractor:
    name = NAME

    def __init__(self, llm: BatchGenerator, batch_size: int | None = None, max_tokens: int = 200):
        self.llm, self.max_tokens = llm, max_tokens
        self.batch_size = batch_size or getattr(llm, "batch_size", 8)

    def extract(self, document: LoadedDocument, chunks: Sequence[Chunk]) -> list[Extraction]:
        return self.extract_many([(document, chunks)])[0]

    def extract_many(self, items: Sequence[tuple[LoadedDocument, Sequence[Chunk]]]) -> list[list[Extraction]]:
        """`extract` for several documents, their chunks batched together (an abstract is one or two
        chunks; the engine is fast only on full batches)."""
        work = [(i, c) for i, (_, chunks) in enumerate(items) for c in chunks]
        out: list[list[Extraction]] = [[] for _ in items]
        for at in range(0, len(work), self.batch_size):
            batch = work[at:at + self.batch_size]
            replies = self.llm.generate_batch([conversation(c.text) for _, c in batch], max_tokens=self.max_tokens,
                                              json_schema=SCHEMA)
            for (i, c), reply in zip(batch, replies):
                out[i] += self.validated(items[i][0].text, c, reply)
        return out

    def validated(self, text: str, chunk: Chunk, reply: str) -> list[Extraction]:
        """Triples from one reply that parse, name an allowed predicate and quote the chunk."""
        parsed = parse_reply(reply)
        if parsed is None:
            return []
        out = []
        for t in parsed.triples:
            name = _SYNONYMS.get(t.predicate.strip().lower().replace(" ", "_"), t.predicate.strip().lower())
            if name not in RELATIONS:
                continue
            predicate, s_type, o_type = RELATIONS[name]
            subject = _locate(text, chunk, t.subject, s_type)
            if subject is None:
                continue
            if o_type is None:
                if t.object.strip().lower() not in chunk.text.lower():
                    continue
                obj = Literal(t.object.strip())
            else:
                obj = _locate(text, chunk, t.object, o_type)
                if obj is None or (obj.start, obj.end) == (subject.start, subject.end):
                    continue
            out.append(Extraction(subject, predicate, obj, chunk.start, chunk.end, 0.6, NAME))
        return out


def conversation(text: str) -> list[dict[str, str]]:
    system = SYSTEM_PROMPT.format(predicates=", ".join(sorted(RELATIONS)))
    return [{"role": "system", "content": system},
            {"role": "user", "content": EXAMPLE_TEXT}, {"role": "assistant", "content": EXAMPLE_JSON},
            {"role": "user", "content": text}]


def parse_reply(reply: str) -> LLMOutput | None:
    """Parse and validate a model reply; repair common slips (prose around the JSON, trailing
    commas, single quotes, a bare list); None when it cannot be repaired."""
    candidates = [reply]
    block = re.search(r"\{.*\}|\[.*\]", reply, re.S)
    if block:
        candidates.append(block.group())
    for candidate in list(candidates):
        fixed = re.sub(r",\s*([}\]])", r"\1", candidate)
        candidates += [fixed, fixed.replace("'", '"')]
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except (json.JSONDecodeError, TypeError):
            continue
        if isinstance(value, list):
            value = {"triples": value}
        try:
            return LLMOutput.model_validate(value)
        except ValidationError:
            continue
    return None


def _locate(text: str, chunk: Chunk, phrase: str, kind: URIRef) -> Mention | None:
    phrase = " ".join(phrase.split())
    if len(phrase) < 2:
        return None
    at = chunk.text.lower().find(phrase.lower())
    if at < 0:
        return None
    start = chunk.start + at
    return Mention(text[start:start + len(phrase)], start, start + len(phrase), kind)
