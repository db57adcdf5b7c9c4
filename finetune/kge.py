"""Knowledge-graph embeddings: TransE, DistMult, ComplEx and RotatE in one small trainer.

Every (h, r, t) also trains its reciprocal (t, r⁻¹, h), so each query is "(e, r) → ?" scored
against all entities at once. Training is 1-N (all entities scored per query; binary cross-entropy
with label smoothing) or, with `negatives > 0`, negative sampling with self-adversarial weights
(Sun et al. 2019). Evaluation is the filtered rank of the true entity in both directions (ties
counted as the mean of the optimistic and pessimistic rank), with early stopping on validation
MRR. Why hand-written rather than PyKEEN: see docs/finetune.md (measured side by side)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from kgstore.errors import ConfigError
from kgstore.settings import KGEModelName, choices

from .atomic import recover, replace_folder
from .export import TripleSplits

MODELS = choices(KGEModelName)


@dataclass
class KGEConfig:
    model: str = "complex"
    dim: int = 200               # components per embedding (complex ones for ComplEx and RotatE)
    epochs: int = 400
    batch_size: int = 256
    lr: float = 0.01
    loss: str = "bce"            # 1-N: "bce" (label smoothing) or "ce" (softmax over entities)
    label_smoothing: float = 0.1
    negatives: int = 0           # > 0: negative sampling instead of 1-N scoring
    adversarial_temperature: float = 1.0
    gamma: float = 12.0          # margin of the distance models (TransE, RotatE)
    regularization: float = 0.0  # N3 weight (Lacroix et al. 2018)
    eval_every: int = 10
    patience: int = 5
    seed: int = 0
    threads: int | None = 1      # small graphs train fastest on one thread (and are not slowed by neighbours)

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ConfigError(f"Unknown KGE model {self.model!r}; choose one of {', '.join(MODELS)}.")
        if self.loss not in ("bce", "ce"):
            raise ValueError(f"loss must be bce or ce, not {self.loss!r}")


#: Settings tuned on UMLS's validation split here (early stopping on validation MRR; figures in
#: bench/results/finetune.md).
PRESETS: dict[str, dict] = {
    "transe": {"dim": 200, "lr": 1e-2},
    "distmult": {"dim": 200, "lr": 3e-3, "loss": "ce", "batch_size": 128},
    "complex": {"dim": 400, "lr": 3e-3},
    "rotate": {"dim": 200, "lr": 3e-3, "negatives": 64, "adversarial_temperature": 0.5, "gamma": 18.0,
               "batch_size": 512},
}


def preset(model: str, **overrides) -> KGEConfig:  # noqa: ANN003
    """The tuned configuration of `model`, with any field overridden (None values ignored)."""
    return KGEConfig(model=model, **{**PRESETS[model], **{k: v for k, v in overrides.items() if v is not None}})


class KGEModel(nn.Module):
    """Scores a batch of (entity, relation) queries against every entity."""

    def __init__(self, model: str, entities: int, relations: int, dim: int, gamma: float = 12.0):
        super().__init__()
        self.model, self.dim, self.gamma = model, dim, gamma
        width = 2 * dim if model in ("complex", "rotate") else dim
        self.ent = nn.Embedding(entities, width)
        self.rel = nn.Embedding(relations, dim if model == "rotate" else width)  # RotatE: phases
        if model in ("transe", "rotate"):  # the RotatE paper's initialisation
            bound = (gamma + 2.0) / dim
            nn.init.uniform_(self.ent.weight, -bound, bound)
            nn.init.uniform_(self.rel.weight, -bound, bound)
        else:
            nn.init.xavier_normal_(self.ent.weight)
            nn.init.xavier_normal_(self.rel.weight)

    def forward(self, e: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """[batch, entities] scores of (e, r, ?) for every candidate tail."""
        h, rel, tails = self.ent(e), self.rel(r), self.ent.weight
        if self.model == "transe":
            return self.gamma - torch.cdist(h + rel, tails, p=1)
        if self.model == "distmult":
            return (h * rel) @ tails.t()
        h_re, h_im = h.chunk(2, dim=-1)
        t_re, t_im = tails.chunk(2, dim=-1)
        if self.model == "complex":
            r_re, r_im = rel.chunk(2, dim=-1)
            return (h_re * r_re - h_im * r_im) @ t_re.t() + (h_re * r_im + h_im * r_re) @ t_im.t()
        r_re, r_im = self._rotation(rel)
        rotated = torch.cat([h_re * r_re - h_im * r_im, h_re * r_im + h_im * r_re], dim=-1)
        # L2 norm of the whole complex difference (as PyKEEN): one cdist, not a [batch, entities, dim] tensor
        return self.gamma - torch.cdist(rotated, tails)

    def _rotation(self, phases: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        angle = phases / ((self.gamma + 2.0) / self.dim / torch.pi)  # the init range mapped to [-pi, pi]
        return torch.cos(angle), torch.sin(angle)

    def n3(self, e: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        return (self.ent(e).abs() ** 3).sum() / len(e) + (self.rel(r).abs() ** 3).sum() / len(r)

    # -- what the prefix adapter reads -------------------------------------------------------------
    def entity_vectors(self) -> torch.Tensor:
        return self.ent.weight.detach().cpu()

    def relation_vectors(self) -> torch.Tensor:
        """Forward relations only (the reciprocal half is dropped); RotatE's phases as cos ‖ sin."""
        forward = self.rel.weight.detach().cpu()[: self.rel.num_embeddings // 2]
        return torch.cat(self._rotation(forward), dim=-1) if self.model == "rotate" else forward


@dataclass
class TrainedKGE:
    model: KGEModel
    config: KGEConfig
    entities: list[str]
    relations: list[str]
    metrics: dict[str, float] = field(default_factory=dict)

    def save(self, folder: Path) -> Path:
        """A checkpoint: weights (safetensors), the entity and relation index, config and metrics."""
        from safetensors.torch import save_file

        with replace_folder(folder, keep=("triples",)) as staging:  # all or nothing, even under kill -9
            save_file({k: v.contiguous().cpu() for k, v in self.model.state_dict().items()},
                      str(staging / "kge.safetensors"))
            (staging / "entities.txt").write_text("".join(e + "\n" for e in self.entities), encoding="utf-8")
            (staging / "relations.txt").write_text("".join(r + "\n" for r in self.relations), encoding="utf-8")
            (staging / "kge.json").write_text(json.dumps({"config": asdict(self.config), "metrics": self.metrics},
                                                         indent=2) + "\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> TrainedKGE:
        from safetensors.torch import load_file

        from kgstore.errors import KGAssistError

        folder = Path(folder)
        recover(folder)
        if not (folder / "kge.json").is_file():
            raise KGAssistError(f"{folder} holds no KGE checkpoint: train one with `kgassist finetune kge`.")
        saved = json.loads((folder / "kge.json").read_text(encoding="utf-8"))
        config = KGEConfig(**saved["config"])
        entities = (folder / "entities.txt").read_text(encoding="utf-8").splitlines()
        relations = (folder / "relations.txt").read_text(encoding="utf-8").splitlines()
        model = KGEModel(config.model, len(entities), 2 * len(relations), config.dim, config.gamma)
        model.load_state_dict(load_file(str(folder / "kge.safetensors")))
        return cls(model.eval(), config, entities, relations, saved["metrics"])


class _Indexed:
    """Id tensors of the three splits, each with its reciprocal triples appended."""

    def __init__(self, splits: TripleSplits, device: torch.device):
        self.entities, self.relations = splits.entities, splits.relations
        e2i = {e: i for i, e in enumerate(self.entities)}
        r2i = {r: i for i, r in enumerate(self.relations)}
        n = len(self.relations)

        def ids(triples: list) -> torch.Tensor:
            x = torch.tensor([(e2i[h], r2i[r], e2i[t]) for h, r, t in triples], dtype=torch.long).reshape(-1, 3)
            return torch.cat([x, torch.stack([x[:, 2], x[:, 1] + n, x[:, 0]], 1)]).to(device)

        self.train, self.valid, self.test = ids(splits.train), ids(splits.valid), ids(splits.test)
        self.n_entities, self.n_relations = len(self.entities), 2 * n


def _truth(triples: torch.Tensor, entities: int, relations: int) -> torch.Tensor:
    """truth[e, r, t]: whether (e, r, t) is known (dense: these graphs are small)."""
    known = torch.zeros(entities, relations, entities, dtype=torch.bool, device=triples.device)
    known[triples[:, 0], triples[:, 1], triples[:, 2]] = True
    return known


@torch.no_grad()
def evaluate(model: KGEModel, triples: torch.Tensor, known: torch.Tensor, batch_size: int = 512) -> dict[str, float]:
    """Filtered MRR and Hits@1/3/10 (both directions: reciprocal triples are part of `triples`)."""
    model.eval()
    ranks = []
    for batch in triples.split(batch_size):
        e, r, t = batch.unbind(1)
        scores = model(e, r)
        rows = torch.arange(len(batch), device=scores.device)
        target = scores[rows, t].clone()
        scores = scores.masked_fill(known[e, r], float("-inf"))  # every other known answer is filtered out
        scores[rows, t] = target
        greater = (scores > target[:, None]).sum(1).float()
        ties = (scores == target[:, None]).sum(1).float() - 1.0
        ranks.append(1.0 + greater + ties / 2.0)
    rank = torch.cat(ranks) if ranks else torch.ones(0)
    if not len(rank):
        return {"mrr": 0.0, "hits_at_1": 0.0, "hits_at_3": 0.0, "hits_at_10": 0.0}
    return {"mrr": round((1.0 / rank).mean().item(), 4),
            **{f"hits_at_{k}": round((rank <= k).float().mean().item(), 4) for k in (1, 3, 10)}}


def train(splits: TripleSplits, config: KGEConfig | None = None, *, device: str | None = None,
          log: Callable[[str], None] | None = None, checkpoint: Path | None = None) -> TrainedKGE:
    """Train on `splits.train`, stop early on validation MRR, report test metrics of the best state."""
    config = config or KGEConfig()
    threads = torch.get_num_threads()
    if config.threads:
        torch.set_num_threads(config.threads)
    try:
        return _train(splits, config, device, log, checkpoint)
    finally:
        torch.set_num_threads(threads)


def _train(splits: TripleSplits, config: KGEConfig, device: str | None, log: Callable[[str], None] | None,
           checkpoint: Path | None) -> TrainedKGE:
    torch.manual_seed(config.seed)
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    gen = torch.Generator().manual_seed(config.seed)
    data = _Indexed(splits, dev)
    known = _truth(torch.cat([data.train, data.valid, data.test]), data.n_entities, data.n_relations)
    labels = _truth(data.train, data.n_entities, data.n_relations)
    net = KGEModel(config.model, data.n_entities, data.n_relations, config.dim, config.gamma).to(dev)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    queries = labels.any(-1).nonzero() if config.negatives == 0 else data.train  # 1-N: unique (e, r) queries
    best, best_state, stale, epoch = -1.0, copy.deepcopy(net.state_dict()), 0, 0
    started = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        net.train()
        total = 0.0
        for idx in torch.randperm(len(queries), generator=gen).split(config.batch_size):
            batch = queries[idx.to(dev)]
            e, r = batch[:, 0], batch[:, 1]
            scores = net(e, r)
            if config.negatives == 0 and config.loss == "bce":
                target = labels[e, r].float() * (1.0 - config.label_smoothing) + config.label_smoothing / data.n_entities
                loss = F.binary_cross_entropy_with_logits(scores, target)
            elif config.negatives == 0:
                target = labels[e, r].float()
                loss = -(F.log_softmax(scores, 1) * target / target.sum(1, keepdim=True)).sum(1).mean()
            else:
                positive = scores.gather(1, batch[:, 2:3]).squeeze(1)
                sampled = torch.randint(data.n_entities, (len(batch), config.negatives), generator=gen).to(dev)
                negative = scores.gather(1, sampled)
                weights = (F.softmax(negative.detach() * config.adversarial_temperature, 1)
                           if config.adversarial_temperature > 0 else torch.full_like(negative, 1 / config.negatives))
                loss = -(F.logsigmoid(positive).mean() + (weights * F.logsigmoid(-negative)).sum(1).mean()) / 2
            if config.regularization > 0:
                loss = loss + config.regularization * net.n3(e, r)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        if config.eval_every and epoch % config.eval_every == 0 and len(data.valid):
            mrr = evaluate(net, data.valid, known)["mrr"]
            if log:
                log(f"epoch {epoch} loss {total / len(queries):.4f} valid MRR {mrr:.4f}")
            if mrr > best:
                best, stale, best_state = mrr, 0, copy.deepcopy(net.state_dict())
                if checkpoint is not None:  # the best state so far survives a crash of a long run
                    TrainedKGE(net, config, data.entities, data.relations,
                               {"valid_mrr": round(mrr, 4), "epochs": epoch, "partial": True}).save(checkpoint)
            else:
                stale += 1
                if stale >= config.patience:
                    break
    seconds = time.perf_counter() - started
    if best >= 0:
        net.load_state_dict(best_state)
    metrics = {**evaluate(net, data.test, known), "valid_mrr": round(max(best, 0.0), 4), "epochs": epoch,
               "seconds": round(seconds, 2)}
    trained = TrainedKGE(net.eval(), config, data.entities, data.relations, metrics)
    if checkpoint is not None:
        trained.save(checkpoint)
    return trained
