"""`llm4retail segments train|list|profile|export|eval-clv|eval-purchase` (old names: `eval clv`, `eval purchase`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, emit_report, services
from llm4retail.data.schemas import Table
from llm4retail.marketing.rfm import Segment

segments_app = capability("segments")
commands = typer.Typer()
commands.add_typer(segments_app)


def _marketing(context: typer.Context) -> Any:
    return services(context).marketing


@segments_app.command("train")
def train(
    context: typer.Context,
    horizon_days: Annotated[int, typer.Option(min=1, help="N of the purchase probability (next N days).")] = 30,
    as_json: JsonOption = False,
) -> None:
    """Fit lifetime value (BG/NBD, Gamma-Gamma) and purchase prediction on the store; save a new version."""
    report = _marketing(context).train(horizon_days=horizon_days)
    if as_json:
        echo_json(report)
        return
    typer.echo(f"customer models {report['version']} trained on {report['customers']:,} customers "
               f"as of {report['as_of']}")


@segments_app.command("list")
def list_segments(context: typer.Context, as_json: JsonOption = False) -> None:
    """Every RFM segment with its size, share and expected value (summed 12-month CLV)."""
    service = _marketing(context)
    rows = service.segments()
    as_of = service.table().attrs["as_of"]
    if as_json:
        echo_json({"as_of": as_of, "segments": rows})
        return
    typer.echo(f"segments as of {as_of}")
    typer.echo(f"{'segment':<22}{'customers':>10}{'share':>8}{'expected value':>16}{'mean churn':>12}")
    for row in rows:
        churn = "-" if row["mean_churn_probability"] is None else f"{row['mean_churn_probability']:.3f}"
        typer.echo(f"{row['segment']:<22}{row['customers']:>10,}{row['share']:>8.1%}{row['expected_value']:>16,.2f}{churn:>12}")


@segments_app.command("profile")
def profile(
    context: typer.Context, customer_id: Annotated[str, typer.Argument(help="Customer id.")], as_json: JsonOption = False
) -> None:
    """A customer's segment, RFM scores, CLV, churn and purchase probability."""
    result = _marketing(context).profile(customer_id)
    if as_json:
        echo_json(result)
        return
    for key, value in result.items():
        typer.echo(f"{key:<24} {value}")


@segments_app.command("export")
def export(
    context: typer.Context,
    segment: Annotated[list[Segment], typer.Argument(help="Segment names (see `segments list`).")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")] = Path("audience.csv"),
    min_clv: Annotated[float | None, typer.Option(min=0, help="Only customers with at least this CLV.")] = None,
    min_purchase_probability: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a campaign audience (CSV) and print its size and expected value."""
    frame = _marketing(context).audience(segment, min_clv=min_clv, min_purchase_probability=min_purchase_probability)
    frame.to_csv(out, index=False)
    summary = {"file": str(out), "customers": len(frame), "expected_value": float(frame["clv"].sum())}
    if as_json:
        echo_json(summary)
        return
    typer.echo(f"{summary['customers']:,} customers, expected value {summary['expected_value']:,.2f} → {out}")


@segments_app.command("eval-clv")
def evaluate_clv(
    context: typer.Context,
    transactions: Annotated[Path, typer.Option(help="Orders file or folder (contract format or a dataset folder).")],
    calibration_end: Annotated[
        datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day of the calibration period, YYYY-MM-DD.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """BG/NBD purchase forecast for the holdout (after the date) against the naive rate extrapolation."""
    import pandas as pd

    from llm4retail.data.importer import read_table
    from llm4retail.marketing.clv import evaluate_clv as run_evaluation

    orders = read_table(transactions, Table.ORDERS)[0]
    emit_report(context, run_evaluation(orders, calibration_end=pd.Timestamp(calibration_end), dataset=str(transactions)), as_json=as_json)


@segments_app.command("eval-purchase")
def evaluate_purchase(
    context: typer.Context,
    orders: Annotated[Path, typer.Option(help="Orders file or folder.")],
    events: Annotated[Path | None, typer.Option(help="Events file (views, carts) for recency-of-views features.")] = None,
    products: Annotated[Path | None, typer.Option(help="Products file (categories).")] = None,
    horizon_days: Annotated[int, typer.Option(min=1, help="N: predict a purchase in the next N days.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Purchase-in-N-days model vs the RFM-only baseline on the last N days."""
    from llm4retail.data.importer import read_table
    from llm4retail.marketing.evaluate import evaluate_purchase as run_evaluation

    report = run_evaluation(
        read_table(orders, Table.ORDERS)[0],
        events=read_table(events, Table.EVENTS)[0] if events else None,
        products=read_table(products, Table.PRODUCTS)[0] if products else None,
        horizon_days=horizon_days, dataset=str(orders),
    )
    emit_report(context, report, as_json=as_json)
