"""`llm4retail generate copy|campaign|eval`: grounded product copy and campaign messages (old name: `eval generate`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, emit_report, services
from llm4retail.errors import DataValidationError
from llm4retail.generate.schemas import Channel, Tone
from llm4retail.llm.backends import BackendKind
from llm4retail.marketing.rfm import Segment
from llm4retail.text.language import Language

generate_app = capability("generate")
commands = typer.Typer()
commands.add_typer(generate_app)

BackendOption = Annotated[BackendKind, typer.Option(
    help="auto: the configured endpoint, else the local model when installed, else templates.")]  # fmt: skip
COPY_COLUMNS = ("product_id", "language", "tone", "title", "description", "bullets", "backend", "attempts")
MESSAGE_COLUMNS = ("customer_id", "segment", "purchase_probability", "channel", "variant", "language", "subject",
                   "body", "product_ids", "prices", "backend")  # fmt: skip


def _write_rows(rows: Any, out: Path, columns: tuple[str, ...]) -> int:
    """Rows (Pydantic models) to JSONL (`.jsonl`) or CSV (anything else); lists become `|`-joined in CSV."""
    count = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = None if out.suffix == ".jsonl" else csv.DictWriter(handle, fieldnames=list(columns))
        if writer is not None:
            writer.writeheader()
        for row in rows:
            data = row.model_dump(mode="json", include=set(columns))
            if writer is None:
                handle.write(json.dumps(data, ensure_ascii=False) + "\n")
            else:
                writer.writerow(
                    {
                        key: " | ".join(map(str, value)) if isinstance(value, list) else value
                        for key, value in data.items()
                    }
                )
            count += 1
    return count


@generate_app.command("copy")
def copy(
    context: typer.Context,
    product_id: Annotated[str | None, typer.Argument(help="Product id (or --category).")] = None,
    category: Annotated[
        str | None, typer.Option(help="Every product in this category path or under it (batch).")
    ] = None,
    language: Annotated[Language | None, typer.Option(help="Copy language (default: each product's own).")] = None,
    tone: Annotated[Tone, typer.Option(help="How the copy sounds.")] = Tone.NEUTRAL,
    backend: BackendOption = BackendKind.AUTO,
    out: Annotated[Path, typer.Option(help="Batch output: .jsonl or .csv.")] = Path("copy.jsonl"),
    as_json: JsonOption = False,
) -> None:
    """A product's title, description and 3-5 bullets from its record and reviews, every fact checked against the
    record; with --category, every product of a category written to --out."""
    service = services(context).generate
    if (product_id is None) == (category is None):
        raise DataValidationError("give a PRODUCT_ID or --category, not both")
    if product_id is not None:
        result = service.copy(product_id, language=language, tone=tone, backend=backend)
        if as_json:
            echo_json(result.model_dump(mode="json"))
            return
        typer.echo(f"{result.title}\n\n{result.description}\n")
        for bullet in result.bullets:
            typer.echo(f"  • {bullet}")
        return
    assert category is not None
    ids = service.category_products(category)
    written = _write_rows(service.copy_many(ids, language=language, tone=tone, backend=backend), out, COPY_COLUMNS)
    summary = {"file": str(out), "products": written, "category": category}
    echo_json(summary) if as_json else typer.echo(f"{written:,} products' copy → {out}")


@generate_app.command("campaign")
def campaign(
    context: typer.Context,
    segment: Annotated[
        list[Segment] | None, typer.Option(help="Audience segment (repeatable; default: every customer).")
    ] = None,
    channel: Annotated[
        Channel, typer.Option(help="email (subject and body), push or sms (one short text).")
    ] = Channel.EMAIL,
    min_purchase_probability: Annotated[
        float | None, typer.Option(min=0, max=1, help="Only customers at least this likely to buy.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many customers (highest CLV first).")] = 100,
    backend: BackendOption = BackendKind.AUTO,
    out: Annotated[Path, typer.Option(help="CSV (or .jsonl) file to write: two variants (A/B) per customer.")] = Path(
        "campaign.csv"
    ),
    as_json: JsonOption = False,
) -> None:
    """Personalised messages for an audience (segment × purchase probability) naming each customer's recommended
    products with their catalog prices, in the customer's language; two variants per customer, checked."""
    messages = services(context).generate.campaign(segment or None, channel=channel, limit=limit, backend=backend,
                                                   min_purchase_probability=min_purchase_probability)  # fmt: skip
    written = _write_rows(messages, out, MESSAGE_COLUMNS)
    summary = {"file": str(out), "messages": written, "channel": channel.value}
    echo_json(summary) if as_json else typer.echo(f"{written:,} messages → {out}")


@generate_app.command("eval")
def evaluate(
    context: typer.Context,
    products: Annotated[int, typer.Option(min=1, help="Products written in each language.")] = 200,
    customers: Annotated[int, typer.Option(min=1, help="Customers per channel (two messages each).")] = 60,
    backend: BackendOption = BackendKind.AUTO,
    as_json: JsonOption = False,
) -> None:
    """Product copy in both languages and campaign messages (email and SMS): ungrounded numbers and attribute values,
    key attributes mentioned, language, length, time per item, backend."""
    report = services(context).generate.evaluate(products=products, customers=customers, backend=backend)
    emit_report(context, report, as_json=as_json)
