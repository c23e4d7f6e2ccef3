"""`llm4retail reviews train|eval|analyze|summarize`, `llm4retail catalog train|eval`
(old names: `eval sentiment`, `eval attributes`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import (
    capability,
    echo_json,
    parse_choices,
    settings,
    stdin_lines,
    store,
)
from llm4retail.data.schemas import Table
from llm4retail.reviews.base import SentimentTask

reviews_app = capability("reviews")
catalog_app = capability("catalog")
commands = typer.Typer()
commands.add_typer(reviews_app)
commands.add_typer(catalog_app)

ReviewFiles = Annotated[list[Path], typer.Option("--train", help="Reviews (file or dataset folder); repeatable.")]
TaskOption = Annotated[SentimentTask, typer.Option(help="binary (1-2 stars negative, 4-5 positive) or stars (1-5).")]
# Sentiment fine-tuning ends on its step limit or early stopping; the clock is only a cap
# (the same value as llm4retail.reviews.evaluate.DEFAULT_BUDGET_SECONDS, kept here so the CLI starts without torch).
FINETUNE_CAP_SECONDS = 1800.0
FinetuneCapOption = Annotated[float, typer.Option(help="Wall-clock cap of each fine-tuning run (which otherwise ends after 4,500 steps or early stopping).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _review_service(context: typer.Context) -> Any:
    from llm4retail.reviews.service import ReviewService

    config = settings(context)
    return ReviewService(store(context), data_dir=config.data_dir, llm=config.llm)


def _candidates(models: str | None) -> Any:
    from llm4retail.reviews.evaluate import Candidate

    return parse_choices(models, Candidate, option="--models", noun="candidate")


@reviews_app.command("eval")
def evaluate(
    context: typer.Context,
    train: Annotated[Path, typer.Option(help="Labelled reviews (label 0/1 and/or rating 1-5), file or dataset folder.")],
    test: Annotated[Path | None, typer.Option(help="Test reviews; default: 20% of --train by review_id hash.")] = None,
    task: TaskOption = SentimentTask.BINARY,
    models: Annotated[str | None, typer.Option(help="Comma-separated candidates (default: all).")] = None,
    budget_seconds: FinetuneCapOption = FINETUNE_CAP_SECONDS,
    save: Annotated[bool, typer.Option("--save", help="Save the best model in the data directory (models/sentiment).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Sentiment: TF-IDF (words, chars, both, NB-weighted), frozen and fine-tuned USE, their blend; best by validation."""
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit
    from llm4retail.reviews.evaluate import Candidate, evaluate_sentiment

    candidates = _candidates(models) or list(Candidate)
    train_frame, _ = read_table(train, Table.REVIEWS)
    test_frame = read_table(test, Table.REVIEWS)[0] if test else None
    report = evaluate_sentiment(
        train_frame, test_frame, task=task, dataset=str(train), candidates=candidates,
        budget_seconds=budget_seconds, save_to=settings(context).data_dir if save else None,
    )
    emit(report, as_json=as_json)


@reviews_app.command("analyze")
def analyze(
    context: typer.Context,
    texts: Annotated[list[str] | None, typer.Argument(help="Review texts (default: one per line on stdin).")] = None,
) -> None:
    """Sentiment and aspect mentions (with evidence spans) of review texts, as JSON."""
    items = list(texts or stdin_lines())
    echo_json(_review_service(context).analyze(items))


@reviews_app.command("summarize")
def summarize(context: typer.Context, product_id: Annotated[str, typer.Argument(help="Product id.")]) -> None:
    """A product's review summary: aspect breakdown, quotes, synthesis (LLM when configured, else extractive)."""
    from llm4retail.llm.backends import BackendKind, select_backend

    config = settings(context)
    generator = select_backend(BackendKind.AUTO, llm=config.llm, data_dir=config.data_dir)
    echo_json(_review_service(context).summary(product_id, generator=generator).as_dict())


@reviews_app.command("train")
def train(
    context: typer.Context,
    train: ReviewFiles,
    task: TaskOption = SentimentTask.BINARY,
    models: Annotated[str, typer.Option(help="Comma-separated candidates.")] = "tfidf,nb_tfidf,use_finetuned,blend",
    budget_seconds: FinetuneCapOption = FINETUNE_CAP_SECONDS,
) -> None:
    """Train sentiment candidates on all labelled reviews; the best by validation becomes LATEST."""
    from llm4retail.reviews.workflows import read_reviews
    from llm4retail.reviews.training import train_sentiment

    candidates = _candidates(models)
    report = train_sentiment(
        read_reviews(train), data_dir=settings(context).data_dir, task=task, candidates=candidates,
        budget_seconds=budget_seconds,
    )
    echo_json(report)


@catalog_app.command("train")
def catalog_train(
    context: typer.Context,
    products: Annotated[Path, typer.Option(help="Products with attributes (file or dataset folder).")],
    top: Annotated[int, typer.Option(help="How many attributes to learn.")] = 20,
) -> None:
    """Train the attribute extractor on a catalog; it serves POST /products/extract-attributes."""
    from llm4retail.catalog.training import train_extractor
    from llm4retail.data.importer import read_table

    frame, _ = read_table(products, Table.PRODUCTS)
    echo_json(train_extractor(frame, data_dir=settings(context).data_dir, top=top))


@catalog_app.command("eval")
def catalog_evaluate(
    products: Annotated[Path, typer.Option(help="Products with attributes (file or dataset folder).")],
    top: Annotated[int, typer.Option(help="How many attributes to evaluate.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Attribute extraction (rules + tagger) vs the dictionary baseline: per-attribute precision/recall/F1."""
    from llm4retail.catalog.evaluate import evaluate_attributes
    from llm4retail.data.importer import read_table
    from llm4retail.eval import emit

    frame, _ = read_table(products, Table.PRODUCTS)
    emit(evaluate_attributes(frame, dataset=str(products), top=top), as_json=as_json)
