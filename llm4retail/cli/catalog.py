"""`llm4retail catalog train|eval|extract` (old name: `eval attributes`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, emit_report, services
from llm4retail.data.schemas import Table

catalog_app = capability("catalog")
commands = typer.Typer()
commands.add_typer(catalog_app)


def _catalog_service(context: typer.Context) -> Any:
    return services(context).catalog


def _products(path: Path | None) -> Any:
    from llm4retail.data.importer import read_table

    return read_table(path, Table.PRODUCTS)[0] if path else None


@catalog_app.command("train")
def train(
    context: typer.Context,
    products: Annotated[Path | None, typer.Option(help="Products with attributes (file or dataset folder); default: the store's products.")] = None,
    top: Annotated[int, typer.Option(help="How many attributes to learn.")] = 20,
) -> None:
    """Train the attribute extractor on a catalog and save it as a new version in <data-dir>/models/catalog;
    it serves POST /products/extract-attributes."""
    echo_json(_catalog_service(context).train(_products(products), top=top))


@catalog_app.command("eval")
def evaluate(
    context: typer.Context,
    products: Annotated[Path, typer.Option(help="Products with attributes (file or dataset folder).")],
    top: Annotated[int, typer.Option(help="How many attributes to evaluate.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Attribute extraction (rules + tagger) vs the dictionary baseline: per-attribute precision/recall/F1 (saves nothing)."""
    report = _catalog_service(context).evaluate(_products(products), dataset=str(products), top=top)
    emit_report(context, report, as_json=as_json)


@catalog_app.command("extract")
def extract(
    context: typer.Context,
    title: Annotated[str, typer.Argument(help="Product title.")],
    description: Annotated[str | None, typer.Option(help="Product description.")] = None,
) -> None:
    """Attributes of one product from its title (and description) with the saved extractor, as JSON."""
    echo_json(_catalog_service(context).extract([(title, description)]))
