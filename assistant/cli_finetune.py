"""`kgassist finetune`: knowledge-graph embeddings and the knowledge prefix adapter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from finetune import relations
from finetune import verdict as verdicts
from kgstore import KGAssistError, choices
from kgstore.settings import KGEModelName

if TYPE_CHECKING:
    from .home import Home


@click.group()
def finetune() -> None:
    """Train knowledge-graph embeddings on the store's graph (or a triple folder), then a prefix
    adapter that feeds them to the LLM as soft tokens.

    \b
    Example:
      kgassist finetune kge --model complex
      kgassist finetune adapter --steps 200
    """


@finetune.command()
@click.option("--triples", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder with train.txt, valid.txt, test.txt (tab-separated) instead of the store's graph.")
@click.option("--model", type=click.Choice(choices(KGEModelName)), help="Default: KGASSIST_KGE_MODEL (complex).")
@click.option("--dim", type=click.IntRange(2), help="Embedding components (default: the model's preset).")
@click.option("--epochs", type=click.IntRange(1), default=400, show_default=True, help="Most epochs (early stopping).")
@click.option("--lr", type=float, help="Adam learning rate (default: the model's preset).")
@click.option("--negatives", type=click.IntRange(0),
              help="Negative samples per triple (self-adversarial); 0 scores all entities (1-N). Default: preset.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Checkpoint folder (default: HOME/finetune/kge).")
@click.option("--json", "as_json", is_flag=True, help="Print {mrr, hits_at_1, hits_at_3, hits_at_10, seconds}.")
@click.pass_obj
def kge(kb: Home, triples: Path | None, model: str | None, dim: int | None, epochs: int, lr: float | None, negatives: int | None,  # noqa: ANN001
        seed: int, out: Path | None, as_json: bool) -> None:
    """Train TransE, DistMult, ComplEx or RotatE; report filtered MRR and Hits@1/3/10 on the test split.

    Example: kgassist finetune kge --triples ../shared/data/kg/umls --model rotate --json
    """
    from finetune import export
    from finetune.kge import preset, train

    kb.require_writable()
    folder = out or kb.settings.home / "finetune" / "kge"
    if triples is not None:
        splits = export.read(triples)
        export.write(splits, folder / "triples", source=str(triples))
    else:  # the store's graph, split without leakage and kept with its labels next to the checkpoint
        splits = export.export_store(kb.store, folder / "triples", seed=seed)
    if not splits.test:
        raise KGAssistError("The graph is too small to split into train/valid/test; ingest more documents "
                            "first (kgassist quickstart loads the sample corpus).")
    model = model or kb.settings.kge_model
    config = preset(model, dim=dim, lr=lr, epochs=epochs, negatives=negatives, seed=seed)
    log = None if as_json else (lambda line: click.echo(line, err=True))
    trained = train(splits, config, log=log, checkpoint=folder)
    result = {k: trained.metrics[k] for k in ("mrr", "hits_at_1", "hits_at_3", "hits_at_10", "seconds")}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"{model}: {len(splits.train)} train / {len(splits.valid)} valid / {len(splits.test)} test triples, "
               f"{len(trained.entities)} entities, {len(trained.relations)} relations")
    click.echo("test (filtered): MRR {mrr:.4f}  Hits@1 {hits_at_1:.4f}  Hits@3 {hits_at_3:.4f}  Hits@10 "
               "{hits_at_10:.4f}  in {seconds:.1f} s".format(**result))
    click.echo(f"checkpoint: {folder}")


@finetune.command()
@click.option("--kge", "kge_folder", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="KGE checkpoint folder (default: HOME/finetune/kge).")
@click.option("--steps", type=click.IntRange(0), default=200, show_default=True)
@click.option("--batch-size", type=click.IntRange(1), default=16, show_default=True)
@click.option("--lr", type=float, default=2e-3, show_default=True)
@click.option("--lora", is_flag=True, help="Also train LoRA weights (rank 8 on q_proj, v_proj) with the projector.")
@click.option("--examples", type=click.IntRange(2), default=2000, show_default=True,
              help="Training examples: triples and corrupted triples, plus a quarter as many QA prompts.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Adapter folder (default: HOME/finetune/adapter).")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.pass_obj
def adapter(kb: Home, kge_folder: Path | None, steps: int, batch_size: int, lr: float, lora: bool, examples: int,  # noqa: ANN001
            out: Path | None, as_json: bool) -> None:
    """Train the knowledge prefix adapter on the configured LLM (frozen; optionally LoRA).

    The adapter folder holds the projector (safetensors), the KG vectors and their index, the
    LoRA weights if any, and adapter.json naming the base model. Set KGASSIST_ADAPTER to it and
    the assistant prefixes questions with their linked entities' tokens.

    Example: kgassist finetune adapter --steps 200 --lora
    """
    from finetune import pipeline

    kb.require_writable()
    if kb.settings.llm_backend != "transformers":
        raise KGAssistError("Adapter training runs on the transformers backend (KGASSIST_LLM_BACKEND=transformers); "
                            "the trained adapter is then served by any backend that takes prefixes.")
    folder = kge_folder or kb.settings.home / "finetune" / "kge"
    target = out or kb.settings.home / "finetune" / "adapter"
    log = None if as_json else (lambda line: click.echo(line, err=True))
    result = pipeline.adapter(kb.llm, folder, target, steps=steps, lora=lora, batch_size=batch_size, lr=lr,
                              train_examples=examples, log=log)
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo("triple classification on the test split: accuracy {accuracy:.3f}  F1 {f1:.3f}".format(**result))
    click.echo(f"adapter: {result['adapter']}  (use it: KGASSIST_ADAPTER={result['adapter']})")


@finetune.command()
@click.option("--data", type=click.Path(path_type=Path), required=True,
              help="Training JSONL: ADE's format (--format ade) or sentences with character-offset spans (spans).")
@click.option("--format", "fmt", type=click.Choice(["ade", "spans"]), default="spans", show_default=True)
@click.option("--epochs", type=click.IntRange(1), default=relations.EPOCHS, show_default=True)
@click.option("--lr", type=float, default=relations.LR, show_default=True)
@click.option("--base", help="Encoder to start from: a BERT-style folder (default: the bundled all-MiniLM-L6-v2).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder (default: HOME/finetune/extractor, which ingestion then uses).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print {sentences, documents, relations, seconds, model}.")
@click.pass_obj
def extractor(kb: Home, data: Path, fmt: str, epochs: int, lr: float, base: str | None, out: Path | None, seed: int,  # noqa: ANN001
              as_json: bool) -> None:
    """Fine-tune an encoder to extract the relations of labelled sentences (drug -> adverse effect
    from ADE, or any ontology relation from your own spans).

    \b
    The model tags entity spans; each relation the data holds is formed between spans of its
    types in one sentence. Once trained into HOME/finetune/extractor, `kgassist ingest` adds the
    `learned` extractor to the configured ones (KGASSIST_EXTRACTOR_MODEL names another folder).

    Example: kgassist finetune extractor --data ../shared/data/ade/dev.jsonl --format ade
    """
    from ingestion.embed import model_path, offline

    kb.require_writable()
    offline()
    sentences = relations.read(data, fmt)
    log = None if as_json else (lambda line: click.echo(line, err=True))
    name = base or kb.settings.embedding_model
    model, tokenizer, spec = relations.train(sentences, model_path(name), epochs=epochs, lr=lr, seed=seed,
                                             base_name=name, log=log)
    folder = relations.save(out or kb.settings.extractor_model_dir, model, tokenizer, spec)
    result = {"sentences": spec.sentences, "documents": len({s.document for s in sentences}),
              "relations": spec.relations, "seconds": spec.seconds, "model": str(folder)}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"trained on {result['sentences']} sentences of {result['documents']} documents in "
               f"{spec.seconds:.0f} s: {', '.join(result['relations'])}")
    used = folder.resolve() == kb.settings.extractor_model_dir.resolve()
    click.echo(f"model: {folder}  " + ("(kgassist ingest uses it from now on)" if used
                                       else f"(use it: KGASSIST_EXTRACTOR_MODEL={folder})"))


@finetune.command()
@click.option("--data", type=click.Path(path_type=Path), required=True,
              help="Labelled questions: PubMedQA's JSON, or JSONL lines of {id, question, passages, label}.")
@click.option("--model", "kind", type=click.Choice(list(verdicts.MODELS)), default=verdicts.MODELS[0], show_default=True,
              help="findings: a logistic regression over the findings the passages report (seconds to train); "
                   "encoder: the encoder fine-tuned as a cross-encoder (minutes to hours on a CPU).")
@click.option("--epochs", type=click.IntRange(1), default=4, show_default=True, help="Encoder epochs.")
@click.option("--lr", type=float, default=5e-5, show_default=True, help="Encoder learning rate.")
@click.option("--base", help="Encoder to start from: a BERT-style folder (default: the bundled all-MiniLM-L6-v2).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Model folder (default: HOME/finetune/verdict, which kgassist ask then uses).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print {items, labels, model, seconds, folder}.")
@click.pass_obj
def verdict(kb: Home, data: Path, kind: str, epochs: int, lr: float, base: str | None, out: Path | None,  # noqa: ANN001
            seed: int, as_json: bool) -> None:
    """Train a model to answer yes/no questions over their passages with yes, no or maybe.

    \b
    Once trained into HOME/finetune/verdict, `kgassist ask` gives yes/no questions the tuned
    model's verdict instead of the LLM's (KGASSIST_VERDICT_MODEL names another folder); the
    answer says which one chose. A fact in the graph that states the answer still decides first.
    The findings model ranks sentences with the configured embeddings (KGASSIST_EMBEDDING_MODEL).

    Example: kgassist finetune verdict --data ../shared/data/pubmedqa/dev.json
    """
    from ingestion.embed import model_path, offline

    kb.require_writable()
    offline()
    items = verdicts.read(data)
    log = None if as_json else (lambda line: click.echo(line, err=True))
    target = out or kb.settings.home / "finetune" / "verdict"
    if kind == "findings":
        classifier, spec = verdicts.train_findings(items, kb.embedder, log=log)
        folder = verdicts.save_findings(target, classifier, spec)
    else:
        name = base or kb.settings.embedding_model
        model, tokenizer, spec = verdicts.train_encoder(items, model_path(name), epochs=epochs, lr=lr, seed=seed,
                                                        base_name=name, log=log)
        folder = verdicts.save_encoder(target, model, tokenizer, spec)
    labels = {x: sum(i.label == x for i in items) for x in verdicts.LABELS}
    result = {"items": len(items), "labels": labels, "model": kind, "seconds": spec.seconds, "folder": str(folder)}
    if as_json:
        click.echo(json.dumps(result))
        return
    click.echo(f"trained the {kind} model on {len(items)} questions "
               f"({', '.join(f'{k} {v}' for k, v in labels.items())}) in {spec.seconds:.0f} s")
    used = out is None or (kb.settings.verdict_model_dir or Path()).resolve() == folder.resolve()
    click.echo(f"model: {folder}  " + ("(kgassist ask uses it from now on)" if used
                                       else f"(use it: KGASSIST_VERDICT_MODEL={folder})"))
