"""`llm4retail reviews train|eval|analyze|analytics|summarize` (old name: `eval sentiment`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import (
    capability,
    echo_json,
    emit_report,
    parse_choices,
    services,
    settings,
    stdin_lines,
)
from llm4retail.data.schemas import Table
from llm4retail.reviews.base import SentimentTask

reviews_app = capability("reviews")
commands = typer.Typer()
commands.add_typer(reviews_app)

ReviewFiles = Annotated[list[Path], typer.Option("--train", help="Reviews (file or dataset folder); repeatable.")]
TaskOption = Annotated[SentimentTask, typer.Option(help="binary (1-2 stars negative, 4-5 positive) or stars (1-5).")]
# Sentiment fine-tuning ends on its step limit or early stopping; the clock is only a cap
# (the same value as llm4retail.reviews.evaluate.DEFAULT_BUDGET_SECONDS, kept here so the CLI starts without torch).
FINETUNE_CAP_SECONDS = 1800.0
FinetuneCapOption = Annotated[float, typer.Option(help="Wall-clock cap of each fine-tuning run (which otherwise ends after 4,500 steps or early stopping).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def review_service(context: typer.Context) -> Any:
    """The reviews service of this invocation's store (also used by `llm4retail models`)."""
    return services(context).reviews


def read_reviews(paths: list[Path]) -> Any:
    """Reviews of one or more files or dataset folders, concatenated."""
    from llm4retail.reviews.workflows import read_reviews as read

    return read(paths)


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
    save: Annotated[bool, typer.Option("--save", help="Publish the best model as a new version of <data-dir>/models/reviews.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Sentiment: TF-IDF (words, chars, both, NB-weighted), frozen and fine-tuned USE, their blend; best by validation."""
    from llm4retail.data.importer import read_table
    from llm4retail.reviews.evaluate import Candidate

    candidates = _candidates(models) or list(Candidate)
    train_frame, _ = read_table(train, Table.REVIEWS)
    test_frame = read_table(test, Table.REVIEWS)[0] if test else None
    report = review_service(context).evaluate(
        train_frame, test_frame, task=task, dataset=str(train), candidates=candidates,
        budget_seconds=budget_seconds, save=save,
    )
    emit_report(context, report, as_json=as_json)


@reviews_app.command("eval-aspects")
def evaluate_aspects(
    context: typer.Context,
    gold: Annotated[Path, typer.Option(help="Judged set: CSV with review_id, aspects (quality:positive;...) and text, "
                                            "or review ids of the --texts files.")],
    texts: Annotated[list[Path] | None, typer.Option("--texts", help="Review files the judged reviews come from "
                                                                     "(repeatable).")] = None,
    split: Annotated[str, typer.Option(help="test (the figure to report), dev (what the lexicon may be tuned on) "
                                            "or all.")] = "test",
    model_dir: Annotated[Path | None, typer.Option(help="A saved sentiment model scoring the clauses' polarity "
                                                        "(the model folder of a version of <data-dir>/models/reviews).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Aspect detection precision/recall/F1 and aspect polarity accuracy on a judged set
    (e.g. bench/reviews/aspects_gold.csv with the shared review files)."""
    from llm4retail.reviews.aspect_eval import evaluate_aspects as run
    from llm4retail.reviews.base import SentimentModel

    frame = read_reviews(texts) if texts else None
    scorer = None
    if model_dir is not None:
        model = SentimentModel.load(model_dir)
        positive = list(model._fitted_classes()).index(1)
        scorer = lambda clauses: model.predict_proba(list(clauses))[:, positive]  # noqa: E731
    emit_report(context, run(gold, texts=frame, split=split, scorer=scorer,
                             scorer_name=model_dir.name if model_dir else None), as_json=as_json)


@reviews_app.command("analyze")
def analyze(
    context: typer.Context,
    texts: Annotated[list[str] | None, typer.Argument(help="Review texts (default: one per line on stdin).")] = None,
) -> None:
    """Sentiment and aspect mentions (with evidence spans) of review texts, as JSON."""
    items = list(texts or stdin_lines())
    echo_json(review_service(context).analyze(items))


@reviews_app.command("analytics")
def analytics(context: typer.Context, as_json: JsonOption = False) -> None:
    """Sentiment and aspects of every review of the store: overall, per aspect, per top-level category, per month."""
    report = review_service(context).analytics()
    if as_json:
        echo_json(report)
        return
    share = report["positive_share"]
    typer.echo(f"{report['reviews']:,} reviews, {'—' if share is None else f'{share:.1%}'} positive ({report['model']})")
    for row in report["aspects"]:
        typer.echo(f"  {row['aspect']:<11} {row['mentions']:>6,} mentions  {row['positive_share']:.1%} positive")
    for row in report["categories"]:
        typer.echo(f"  {row['category']}: {row['reviews']:,} reviews, {row['positive_share']:.1%} positive")


@reviews_app.command("summarize")
def summarize(context: typer.Context, product_id: Annotated[str, typer.Argument(help="Product id.")]) -> None:
    """A product's review summary: aspect breakdown, quotes, synthesis (LLM when configured, else extractive)."""
    from llm4retail.llm.backends import BackendKind, select_backend

    config = settings(context)
    generator = select_backend(BackendKind.AUTO, llm=config.llm, data_dir=config.data_dir)
    echo_json(review_service(context).summary(product_id, generator=generator).as_dict())


@reviews_app.command("train")
def train(
    context: typer.Context,
    train: Annotated[list[Path] | None, typer.Option("--train", help="Reviews (file or dataset folder; repeatable); default: the store's reviews.")] = None,
    task: TaskOption = SentimentTask.BINARY,
    models: Annotated[str, typer.Option(help="Comma-separated candidates.")] = "tfidf,nb_tfidf,use_finetuned,blend",
    budget_seconds: FinetuneCapOption = FINETUNE_CAP_SECONDS,
) -> None:
    """Train sentiment candidates on all labelled reviews; the best by validation becomes a new version in
    <data-dir>/models/reviews."""
    frame = read_reviews(train) if train else None
    report = review_service(context).train(frame, task=task, candidates=_candidates(models), budget_seconds=budget_seconds)
    echo_json(report)
