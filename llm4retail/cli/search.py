"""`llm4retail search query|train|eval` (old names: `search QUERY`, `train-search`, `eval search`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, emit_report, services
from llm4retail.data.schemas import Table

search_app = capability("search", default="query")
commands = typer.Typer()
commands.add_typer(search_app)


@search_app.command("query")
def query(
    context: typer.Context,
    text: Annotated[str, typer.Argument(metavar="QUERY", help='What a shopper would type, e.g. "red sofa under 500".')],
    top_k: Annotated[int, typer.Option(min=1, max=100, help="Results to show.")] = 10,
    category: Annotated[str | None, typer.Option(help='Category path prefix, e.g. "Home > Furniture".')] = None,
    brand: Annotated[list[str] | None, typer.Option(help="Brand filter (repeatable).")] = None,
    price_min: Annotated[float | None, typer.Option(min=0, help="Lowest price.")] = None,
    price_max: Annotated[float | None, typer.Option(min=0, help="Highest price.")] = None,
    currency: Annotated[str | None, typer.Option(help="Currency of --price-min/--price-max (ISO code, e.g. CNY).")] = None,
    in_stock: Annotated[bool, typer.Option("--in-stock", help="Only available products.")] = False,
    customer_id: Annotated[str | None, typer.Option(help="Personalise with this customer's recent events.")] = None,
    explain: Annotated[bool, typer.Option(help="Show each hit's ranking features.")] = False,
    diversify: Annotated[bool, typer.Option(help="Spread results over brands and categories.")] = False,
    rebuild: Annotated[bool, typer.Option(help="Train a new index first (as `llm4retail search train`).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Search the store's catalog with the saved index (train it first with `llm4retail search train`)."""
    from llm4retail.search.request import SearchRequest

    service = services(context).search
    if rebuild:
        service.train()
    request = SearchRequest(
        query=text, category=category, brands=brand, price_min=price_min, price_max=price_max, currency=currency,
        available=True if in_stock else None, customer_id=customer_id, top_k=top_k, explain=explain, diversify=diversify,
    )  # fmt: skip
    response = service.search(request)
    if as_json:
        echo_json(dataclasses.asdict(response))
        return
    _print_response(text, response)


def _print_response(text: str, response: Any) -> None:
    understood = response.understood
    typer.echo(f"{response.total} results for {text!r} (read as {understood['text']!r}"
               + (f", corrected {', '.join(understood['corrections'])}" if understood["corrections"] else "")
               + (f", {_price_text(understood['price_filter'])}" if understood["price_filter"] else "") + ")")  # fmt: skip
    for rank, hit in enumerate(response.hits, start=1):
        price = "" if hit.price is None else f"{hit.price:,.2f} {hit.currency}"
        typer.echo(f"{rank:>3}. {hit.product_id:<12} {price:>14}  {hit.title[:90]}")
        if hit.features:
            typer.echo("      " + ", ".join(f"{k}={v:g}" for k, v in hit.features.items() if v))


def _price_text(price: dict[str, Any]) -> str:
    """'price ≤ 500 CNY (only prices in CNY: ...)'."""
    bounds = [f"≥ {price['min']:g}" if price["min"] is not None else "", f"≤ {price['max']:g}" if price["max"] is not None else ""]
    return f"price {' '.join(part for part in bounds if part)} {price['currency']}" + (f"; {price['note']}" if price["note"] else "")


@search_app.command("train")
@commands.command("train-search", hidden=True)
def train(
    context: typer.Context,
    semantic: Annotated[bool, typer.Option(help="Index multilingual embeddings (about 1 ms per product).")] = True,
    as_json: JsonOption = False,
) -> None:
    """Index the store's products (popularity from its events), train the reranker when the store has
    queries and judgements, and save the index as a new version in <data-dir>/models/search."""
    report = services(context).search.train(semantic=semantic)
    if as_json:
        echo_json(report)
        return
    typer.echo(f"search index {report['version']} trained: {report['products']:,} products, "
               f"{'with' if report['semantic'] else 'without'} embeddings, "
               f"reranker {'trained' if report['reranker'] else 'not trained (too few judged queries in the store)'}")  # fmt: skip
    if report["reranker"]:
        typer.echo("reranker feature importance (gain share):")
        for name, share in sorted(report["reranker_importance"].items(), key=lambda item: -item[1]):
            if share:
                typer.echo(f"  {name:<16} {share:.3f}")


@search_app.command("eval")
def evaluate(
    context: typer.Context,
    products: Annotated[Path, typer.Option(help="Products (or knowledge-base documents) file or dataset folder.")],
    queries: Annotated[Path, typer.Option(help="Queries file (query_id, query).")],
    qrels: Annotated[Path, typer.Option(help="Judgements file (query_id, product_id, grade).")],
    semantic: Annotated[bool, typer.Option(help="Use the embedding channel.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Full-catalog retrieval quality: bm25, zero_shot, learned (80/20 by query-id hash), zero_shot_heldout."""
    from llm4retail.data.importer import read_table
    from llm4retail.search.evaluate import evaluate_search, read_catalog

    report = evaluate_search(
        read_catalog(products), read_table(queries, Table.QUERIES)[0], read_table(qrels, Table.JUDGEMENTS)[0],
        dataset=str(products), semantic=semantic,
    )
    emit_report(context, report, as_json=as_json)
