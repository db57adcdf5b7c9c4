"""Graph export for knowledge-graph embeddings: the store's entity-to-entity triples split into
train / valid / test without leakage, with entity and relation vocabularies and a manifest.

The folder layout is the standard one (`train.txt`, `valid.txt`, `test.txt`, one tab-separated
`head relation tail` a line), so the trainer reads an export and a published benchmark alike."""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kgstore import vocab
from kgstore.store import KGStore

Triple = tuple[str, str, str]
SPLITS = ("train", "valid", "test")
#: Predicates that name things rather than relate them: never embedding edges.
_NOT_EDGES = frozenset({vocab.LABEL, vocab.ALT_LABEL})


@dataclass(frozen=True)
class TripleSplits:
    train: list[Triple]
    valid: list[Triple]
    test: list[Triple]

    @property
    def entities(self) -> list[str]:
        return sorted({x for t in self.all for x in (t[0], t[2])})

    @property
    def relations(self) -> list[str]:
        return sorted({t[1] for t in self.all})

    @property
    def all(self) -> list[Triple]:
        return self.train + self.valid + self.test


def store_triples(store: KGStore, *, types: bool = True) -> list[Triple]:
    """Every distinct asserted triple between two resources (literals and labels left out)."""
    out = set()
    for s, p, o in store.triples():
        if isinstance(o, URIRef) and p not in _NOT_EDGES and (types or p != vocab.RDF.type):
            out.add((str(s), str(p), str(o)))
    return sorted(out)


def sibling_groups(groups: int = 4, size: int = 8) -> list[tuple[str, str, str]]:
    """A small synthetic graph with learnable structure, for smoke tests and benchmarks: groups
    whose members are all siblings of each other."""
    triples = []
    for g in range(groups):
        members = [f"g{g}_e{i}" for i in range(size)]
        triples += [(m, "member_of", f"group{g}") for m in members]
        triples += [(a, "sibling_of", b) for a in members for b in members if a != b]
    return triples


def split(triples: Sequence[Triple], *, valid: float = 0.1, test: float = 0.1, seed: int = 0) -> TripleSplits:
    """Random split by unordered entity pair, so a triple and its inverse (t, r', h) always land in
    the same split; a held-out pair whose entity or relation train never sees moves to train."""
    groups: dict[frozenset[str], list[Triple]] = defaultdict(list)
    for t in sorted(set(triples)):
        groups[frozenset((t[0], t[2]))].append(t)
    keys = sorted(groups, key=lambda k: sorted(k))
    random.Random(seed).shuffle(keys)
    n_valid, n_test = round(len(keys) * valid), round(len(keys) * test)
    held = {"test": keys[:n_test], "valid": keys[n_test:n_test + n_valid]}
    train = [t for k in keys[n_test + n_valid:] for t in groups[k]]
    seen = Counter(x for t in train for x in t)
    out: dict[str, list[Triple]] = {"valid": [], "test": []}
    for name, chosen in held.items():
        for k in chosen:
            group = groups[k]
            if all(seen[t[0]] and seen[t[1]] and seen[t[2]] for t in group):
                out[name] += group
            else:
                train += group
                seen.update(x for t in group for x in t)
    return TripleSplits(sorted(train), sorted(out["valid"]), sorted(out["test"]))


def inverse_relations(triples: Iterable[Triple], threshold: float = 0.8) -> list[tuple[str, str, float]]:
    """Relation pairs (r, r', share) where at least `threshold` of r's (h, t) pairs occur as (t, h)
    under r': the inverse-relation leakage that inflates link-prediction scores (Toutanova & Chen 2015)."""
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for h, r, t in triples:
        pairs[r].add((h, t))
    found = []
    for r, mine in pairs.items():
        for r2, theirs in pairs.items():
            share = sum((t, h) in theirs for h, t in mine) / len(mine)
            if share >= threshold and not (r == r2 and all(h == t for h, t in mine)):
                found.append((r, r2, round(share, 3)))
    return sorted(found)


def leakage(splits: TripleSplits) -> dict[str, int]:
    """Held-out triples whose reverse pair (t, ?, h) is in train: zero for `split`'s output."""
    reverse = {(t[2], t[0]) for t in splits.train}
    return {name: sum((h, t) in reverse for h, _, t in getattr(splits, name)) for name in ("valid", "test")}


def write(splits: TripleSplits, folder: Path, *, labels: dict[str, str] | None = None,
          source: str = "", seed: int | None = None) -> Path:
    """Write the three split files, the vocabularies and `manifest.json`; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SPLITS:
        lines = ("\t".join(t) for t in getattr(splits, name))
        (folder / f"{name}.txt").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    labels = labels or {}
    for name, items in (("entities", splits.entities), ("relations", splits.relations)):
        (folder / f"{name}.tsv").write_text("".join(f"{i}\t{x}\t{labels.get(x, '')}\n" for i, x in enumerate(items)),
                                            encoding="utf-8")
    manifest = {
        "source": source, "seed": seed, "split": "random by unordered entity pair; held-out entities and "
        "relations all occur in train",
        "counts": {name: len(getattr(splits, name)) for name in SPLITS},
        "entities": len(splits.entities), "relations": len(splits.relations),
        "inverse_relations": [{"relation": r, "inverse": r2, "share": s} for r, r2, s in inverse_relations(splits.all)],
        "reverse_pairs_in_train": leakage(splits),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return folder


def read(folder: Path) -> TripleSplits:
    """A folder of `train.txt`, `valid.txt`, `test.txt` (tab-separated head, relation, tail)."""
    parts = []
    for name in SPLITS:
        path = folder / f"{name}.txt"
        if not path.is_file():
            from kgstore.errors import KGAssistError

            raise KGAssistError(f"{path} is missing: a triple folder holds train.txt, valid.txt and test.txt, "
                                "one tab-separated `head relation tail` a line.")
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        parts.append([(h.strip(), r.strip(), t.strip()) for h, r, t in rows])
    return TripleSplits(*parts)


def export_store(store: KGStore, folder: Path, *, seed: int = 0, types: bool = True) -> TripleSplits:
    """Export the store's graph to `folder` (split files, vocabularies with labels, manifest)."""
    splits = split(store_triples(store, types=types), seed=seed)
    labels: dict[str, str] = {}
    for entity, label, _ in store.entity_labels():
        labels.setdefault(str(entity), label)
    write(splits, folder, labels=labels, source="kgassist store", seed=seed)
    return splits
