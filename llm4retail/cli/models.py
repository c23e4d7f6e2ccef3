"""`llm4retail models list|prune` (the model store) and `models pretrain|finetune|compress` (small retail NLP encoders)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm4retail.cli.common import capability, echo_json, settings
from llm4retail.cli.reviews import ReviewFiles, TaskOption, read_reviews, review_service
from llm4retail.reviews.base import SentimentTask
from llm4retail.reviews.neural import EncoderKind

models_app = capability("models")
commands = typer.Typer()
commands.add_typer(models_app)

BudgetOption = Annotated[
    float,
    typer.Option(help="Safety stop: wall-clock seconds after which a training run ends and reports stopped=time "
                      "(the budget proper is steps and epochs, so the result does not depend on the machine's load)."),
]


@models_app.command("pretrain")
def pretrain(
    context: typer.Context,
    corpus: Annotated[list[Path], typer.Option(help="Files or dataset folders with reviews/products/documents; repeatable.")],
    demo: Annotated[bool, typer.Option(help="Add the demo store's texts.")] = True,
    budget_seconds: BudgetOption = 600.0,
    dim: Annotated[int, typer.Option(help="Hidden width.")] = 128,
    layers: Annotated[int, typer.Option(help="Transformer blocks.")] = 2,
    heads: Annotated[int, typer.Option(help="Attention heads.")] = 2,
    max_tokens: Annotated[int, typer.Option(help="Longest input in tokens.")] = 128,
    dropout: Annotated[float, typer.Option(help="Dropout while pre-training (fine-tuning uses 0.1).")] = 0.0,
    unigram_bias: Annotated[bool, typer.Option(help="Start the MLM output bias at the corpus' log unigram frequencies.")] = True,
) -> None:
    """Masked-language-model pre-training of a small Transformer encoder (a new version in <data-dir>/models/encoders)."""
    from llm4retail.models.corpus import corpus_from_frames, corpus_from_paths
    from llm4retail.models.transformer import TransformerConfig

    texts = corpus_from_paths(corpus)
    if demo:
        from llm4retail.data.synthetic import generate_demo_store

        texts += corpus_from_frames(generate_demo_store(seed=42).tables)
    shape = TransformerConfig(vocab_size=1, dim=dim, layers=layers, heads=heads, feed_forward=4 * dim, max_positions=max_tokens)
    echo_json(review_service(context).pretrain(texts, shape=shape, budget_seconds=budget_seconds, dropout=dropout,
                                               unigram_bias=unigram_bias))


@models_app.command("finetune")
def finetune(
    context: typer.Context,
    train: ReviewFiles,
    encoder: Annotated[
        EncoderKind, typer.Option(help="use (USE multilingual v3), pretrained (ours, LATEST) or scratch.")
    ] = EncoderKind.USE,
    task: TaskOption = SentimentTask.BINARY,
    budget_seconds: BudgetOption = 600.0,
    max_train: Annotated[int | None, typer.Option(help="Subsample the training part to this many reviews.")] = None,
) -> None:
    """Fine-tune an encoder + head on the 80% training part; prints test scores; publishes it in models/reviews."""
    echo_json(review_service(context).finetune(
        read_reviews(train), encoder=encoder, task=task, budget_seconds=budget_seconds, max_train=max_train,
    ))


@models_app.command("compress")
def compress(
    context: typer.Context,
    train: ReviewFiles,
    teacher: Annotated[str | None, typer.Option(help="Teacher version under models/reviews (default LATEST).")] = None,
    student: Annotated[
        EncoderKind, typer.Option(help="bag (hashed n-grams), pretrained (our MLM encoder, LATEST) or scratch.")
    ] = EncoderKind.BAG,
    task: TaskOption = SentimentTask.BINARY,
    budget_seconds: BudgetOption = 600.0,
    temperature: Annotated[float, typer.Option(help="Distillation temperature tau.")] = 2.0,
    alpha: Annotated[float, typer.Option(help="Weight of the distillation term.")] = 0.7,
    speed_reviews: Annotated[int, typer.Option(help="Test reviews timed at each batch size.")] = 256,
) -> None:
    """Distil the teacher into a small student, quantise it to int8, print the trade-off table (both published in
    models/reviews, the int8 one LATEST)."""
    echo_json(review_service(context).compress(
        read_reviews(train), task=task, teacher_version=teacher,
        student=student, budget_seconds=budget_seconds, temperature=temperature, alpha=alpha,
        speed_reviews=speed_reviews,
    ))


@models_app.command("list")
def list_saved(
    context: typer.Context,
    capability_name: Annotated[str | None, typer.Option("--capability", help="Only this capability (e.g. search).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Every trained version under `<data-dir>/models`: capability, version, LATEST, type, date, size, metrics."""
    from llm4retail.artifacts.store import list_models

    rows = [row for row in list_models(settings(context).models_dir) if capability_name in (None, row.capability)]
    if as_json:
        echo_json({"models_dir": str(settings(context).models_dir), "versions": [row.model_dump() for row in rows]})
        return
    if not rows:
        typer.echo(f"no trained models under {settings(context).models_dir} (train one, e.g. `llm4retail search train`)")
        return
    typer.echo(f"{'capability':<12} {'version':<8} {'latest':<6} {'type':<32} {'created':<25} {'size':>10}")
    for row in rows:
        typer.echo(f"{row.capability:<12} {row.version:<8} {'*' if row.latest else '':<6} {row.model_type or '-':<32} "
                   f"{row.created:<25} {_size(row.size_bytes):>10}")


@models_app.command("prune")
def prune(
    context: typer.Context,
    keep: Annotated[int | None, typer.Option(min=1, help="Versions kept per capability (default: models.keep_versions).")] = None,
    capability_name: Annotated[str | None, typer.Option("--capability", help="Only this capability.")] = None,
) -> None:
    """Deletes all but the newest KEEP versions of each capability (LATEST is never deleted); prints what went."""
    from llm4retail.artifacts.store import ModelStore

    config = settings(context)
    root = config.models_dir
    names = sorted(path.name for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")) if root.is_dir() else []
    removed = {}
    for name in names:
        if capability_name in (None, name):
            store = ModelStore(root, name, train_command=f"llm4retail {name} train", keep=config.models.keep_versions)
            removed[name] = store.prune(keep)
    echo_json({"removed": removed})


def _size(size_bytes: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size_bytes < 1024 or unit == "GB":
            return f"{size_bytes:.0f} {unit}" if unit == "B" else f"{size_bytes:.1f} {unit}"
        size_bytes /= 1024
    return str(size_bytes)
