"""The table mapper: a declarative YAML mapping from CSV/JSONL columns to subject, predicates and
typed literals. See ingestion/mappings/default.yaml for the format."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kgstore import vocab

from ..loaders import LoadedDocument, Record
from ..numbers import scale_of
from .base import Extraction, Mention, Node

NAME = "table"
_DATATYPES = {"string": None, "decimal": XSD.decimal, "integer": XSD.integer, "date": XSD.date,
              "boolean": XSD.boolean}


class MappingError(ValueError):
    """The YAML mapping is malformed; the message names the table and key."""


@dataclass(frozen=True)
class TableMapping:
    match: str
    subject_column: str
    subject_type: URIRef
    columns: dict[str, dict[str, Any]]
    metric: dict[str, str] | None


def load_mappings(path: Path) -> list[TableMapping]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for i, table in enumerate(spec.get("tables", [])):
        try:
            columns = table.get("columns", {}) or {}
            for name, col in columns.items():
                _predicate(col["predicate"])
                if col.get("datatype", "string") not in _DATATYPES:
                    raise MappingError(f"column {name}: unknown datatype {col['datatype']!r}")
            out.append(TableMapping(table["match"], table["subject"]["column"],
                                    _class(table["subject"].get("type", "Entity")), columns, table.get("metric")))
        except KeyError as missing:
            raise MappingError(f"{path}: table #{i + 1} lacks {missing}") from None
    return out


def _predicate(name: str) -> URIRef:
    iri = vocab.KGA[name]
    if iri not in vocab.DOMAIN_PREDICATES:
        raise MappingError(f"{name!r} is not an ontology predicate; use one of "
                           f"{sorted(str(p).split('#')[-1] for p in vocab.DOMAIN_PREDICATES if '#' in str(p))}")
    return iri


def _class(name: str) -> URIRef:
    return vocab.KGA[name]


class TableMapper:
    """Maps each record of a table document through the first mapping whose `match` fits its file name."""

    name = NAME

    def __init__(self, mappings: Sequence[TableMapping]):
        self.mappings = list(mappings)

    def extract(self, document: LoadedDocument, chunks: Sequence = ()) -> list[Extraction]:
        if not document.records:
            return []
        filename = Path(document.uri).name
        mapping = next((m for m in self.mappings if fnmatch.fnmatch(filename, m.match)), None)
        if mapping is None:
            return []
        out: list[Extraction] = []
        for record in document.records:
            out += self._record(document.text, record, mapping)
        return out

    def _record(self, text: str, record: Record, mapping: TableMapping) -> list[Extraction]:
        subject = _cell(text, record, mapping.subject_column, mapping.subject_type)
        if subject is None:
            return []
        out = []

        def emit(s, p, o) -> None:  # noqa: ANN001
            out.append(Extraction(s, p, o, record.start, record.end, 1.0, NAME))

        for column, spec in mapping.columns.items():
            raw = record.values.get(column, "")
            if not raw:
                continue
            predicate = _predicate(spec["predicate"])
            values = [v.strip() for v in raw.split(spec["split"])] if spec.get("split") else [raw]
            for value in filter(None, values):
                if "type" in spec:
                    mention = _cell(text, record, column, _class(spec["type"]), value)
                    if mention is not None:
                        emit(subject, predicate, mention)
                else:
                    literal = _literal(value, spec.get("datatype", "string"))
                    if literal is not None:
                        emit(subject, predicate, literal)
        if mapping.metric:
            out += self._observation(text, record, mapping.metric, subject)
        return out

    def _observation(self, text: str, record: Record, spec: dict[str, str], company: Mention) -> list[Extraction]:
        get = lambda key: record.values.get(spec.get(key, ""), "").strip()  # noqa: E731
        name, value, period = get("name"), get("value"), get("period")
        if not (name and value and period):
            return []
        number = _literal(value, "decimal")
        if number is None:
            return []
        scale = scale_of(get("scale"))
        amount = Decimal(str(number)) * scale
        node = Node(f"obs|{vocab.entity_key(company.text)}|{name.lower()}|{period}", vocab.METRIC_OBSERVATION,
                    f"{company.text} {name.lower()} {period}")
        metric = _cell(text, record, spec["name"], vocab.METRIC)
        triples = [(company, vocab.REPORTED_METRIC, node), (node, vocab.METRIC_OF, metric),
                   (node, vocab.VALUE, Literal(format(amount.normalize(), "f"), datatype=XSD.decimal)),
                   (node, vocab.PERIOD, Literal(period))]
        if get("unit"):
            triples.append((node, vocab.UNIT, Literal(get("unit"))))
        return [Extraction(s, p, o, record.start, record.end, 1.0, NAME) for s, p, o in triples if o is not None]


def _cell(text: str, record: Record, column: str, kind: URIRef, value: str | None = None) -> Mention | None:
    """The mention of a cell value, with its span inside the record's rendered line."""
    full = record.values.get(column, "")
    value = value if value is not None else full
    if not value:
        return None
    cell_at = text.find(f"{column}: ", record.start, record.end)
    at = text.find(value, cell_at if cell_at >= 0 else record.start, record.end)
    if at < 0:
        return None
    return Mention(value, at, at + len(value), kind)


def _literal(value: str, datatype: str) -> Literal | None:
    if datatype == "decimal":
        try:
            return Literal(format(Decimal(value.replace(",", "").replace("$", "")).normalize(), "f"),
                           datatype=XSD.decimal)
        except InvalidOperation:
            return None
    return Literal(value, datatype=_DATATYPES[datatype])
