"""`llm4retail recommend show|train|eval` (old names: `recommend CUSTOMER_ID`, `train-recommend`,
`eval recommend`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm4retail.cli.common import (
    JsonOption,
    RayOption,
    SasrecWorkersOption,
    capability,
    echo_json,
    emit_report,
    parse_names,
    services,
    settings,
    store,
)
from llm4retail.data.schemas import Table

recommend_app = capability("recommend", default="show")
commands = typer.Typer()
commands.add_typer(recommend_app)


@recommend_app.command("show")
def show(
    context: typer.Context,
    customer_id: Annotated[str | None, typer.Argument(help="Customer to recommend for.")] = None,
    session: Annotated[str | None, typer.Option(help="Comma-separated recent product ids (anonymous).")] = None,
    similar: Annotated[str | None, typer.Option(help="Products similar to this product id.")] = None,
    bought_together: Annotated[str | None, typer.Option(help="Products bought with this product id.")] = None,
    top_k: Annotated[int, typer.Option(min=1, max=100, help="How many.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Recommendations from the store's events: for a customer, a session, similar items or bought together."""
    chosen = [value for value in (customer_id, session, similar, bought_together) if value]
    if len(chosen) != 1:
        typer.echo("error: give exactly one of CUSTOMER_ID, --session, --similar, --bought-together", err=True)
        raise typer.Exit(2)
    service = services(context).recommend
    if customer_id:
        items = service.for_customer(customer_id, top_k=top_k)
    elif session:
        items = service.for_session(parse_names(session) or [], top_k=top_k)
    elif similar:
        items = service.similar(similar, top_k=top_k)
    else:
        items = service.bought_together(str(bought_together), top_k=top_k)
    if as_json:
        echo_json({"items": [item.model_dump() for item in items]})
        return
    for rank, item in enumerate(items, start=1):
        typer.echo(f"{rank:>3}. {item.product_id:<12} {str(item.title)[:60]:<60}  {item.reason}")


@recommend_app.command("train")
@commands.command("train-recommend", hidden=True)
def train(
    context: typer.Context,
    models: Annotated[str | None, typer.Option(help="Comma-separated candidate models (default: all, plus the hybrid).")] = None,
    keep: Annotated[int | None, typer.Option(min=1, help="Model versions kept (default: settings models.keep_versions).")] = None,
    ray: RayOption = None,
    sasrec_workers: SasrecWorkersOption = 1,
    as_json: JsonOption = False,
) -> None:
    """Choose the recommender on the store's events by validation, refit it on all events and save a new version."""
    from llm4retail.container import Services

    config = settings(context)
    if keep is not None:
        config = config.model_copy(update={"models": config.models.model_copy(update={"keep_versions": keep})})
    result = Services(config, store=store(context)).recommend.train(models=parse_names(models), ray=ray,
                                                                  sasrec_workers=sasrec_workers)
    if as_json:
        echo_json(result)
        return
    typer.echo(f"saved {result['version']}: {result['model']} (validation NDCG@10 {result['valid_ndcg_at_10']:.4f}, "
               f"held-out NDCG@10 {result['test_ndcg_at_10']:.4f}) in {result['seconds']:.1f} s")  # fmt: skip


@recommend_app.command("eval")
def evaluate(
    context: typer.Context,
    events: Annotated[Path, typer.Option(help="Events file or dataset folder (customer_id, product_id, timestamp or seq).")],
    models: Annotated[str | None, typer.Option(help="Comma-separated model names (default: all, plus the hybrid).")] = None,
    products: Annotated[
        Path | None, typer.Option(help="Products file or folder (brand, category, attributes, text) for the graph and content models.")
    ] = None,
    ray: RayOption = None,
    sasrec_workers: SasrecWorkersOption = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Leave-last-out, full ranking over all items; per-model metrics and the validation-chosen `best`."""
    from llm4retail.data.importer import read_table
    from llm4retail.recommend.evaluate import evaluate_recommenders

    frame, _ = read_table(events, Table.EVENTS)
    catalog = read_table(products, Table.PRODUCTS)[0] if products else None
    report = evaluate_recommenders(frame, dataset=str(events), models=parse_names(models), products=catalog, ray=ray,
                                   sasrec_workers=sasrec_workers)
    emit_report(context, report, as_json=as_json)
