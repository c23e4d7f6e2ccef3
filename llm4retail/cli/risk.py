"""`llm4retail risk train|eval|score|score-file|queue|label` (old name: `eval risk`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, emit_report, services
from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError

risk_app = capability("risk")
commands = typer.Typer()
commands.add_typer(risk_app)


def _risk_service(context: typer.Context) -> Any:
    return services(context).risk


@risk_app.command("train")
def train(
    context: typer.Context,
    payments: Annotated[Path | None, typer.Option(help="Payments file or folder (default: the store's payments).")] = None,
    rules: Annotated[Path | None, typer.Option(help="JSON list of rules (else LLM4RETAIL_RISK__RULES_FILE).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Fit the detectors and thresholds and save them as a new version in <data-dir>/models/risk."""
    from llm4retail.data.importer import read_table

    frame = read_table(payments, Table.PAYMENTS)[0] if payments else None
    summary = _risk_service(context).train(frame, rules_file=rules)
    if as_json:
        echo_json(summary)
        return
    thresholds = summary["thresholds"]
    typer.echo(f"risk model {summary['version']} trained on {summary['n_payments']:,} payments; "
               f"active detector: {summary['active']}")
    typer.echo(f"review at score >= {thresholds['review']:.4f}, decline at >= {thresholds['decline']:.4f}")


@risk_app.command("score")
def score(
    context: typer.Context,
    payment: Annotated[str, typer.Argument(help='One payment as JSON, e.g. \'{"amount": 99, "currency": "EUR"}\'.')],
    what_if: Annotated[bool, typer.Option("--what-if", help="Do not add it to the customer's state.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Score one payment with the saved model (customer state seeded from the store's payments)."""
    try:
        body = json.loads(payment)
    except json.JSONDecodeError as error:
        raise DataValidationError(f"the payment is not valid JSON: {error}") from error
    result = _risk_service(context).score(body, record=not what_if).as_dict()
    if as_json:
        echo_json(result)
        return
    typer.echo(f"{result['decision'].upper()}  score {result['score']:.4f} ({result['detector']})")
    for reason in result["reasons"]:
        typer.echo(f"  - {reason['description']}")


@risk_app.command("score-file")
def score_file(
    context: typer.Context,
    payments: Annotated[Path, typer.Argument(help="Payments file or folder (contract format).")],
    out: Annotated[Path, typer.Option(help="CSV of payment_id, score, decision.")] = Path("risk_scores.csv"),
) -> None:
    """Batch-score a payments file with the saved model (velocity features from the file's own history)."""
    from llm4retail.data.importer import read_table
    from llm4retail.risk.batch import decision_counts, score_payments

    scored = score_payments(_risk_service(context).model(), read_table(payments, Table.PAYMENTS)[0])
    scored.to_csv(out, index=False)
    typer.echo(f"scored {len(scored):,} payments → {out}: {decision_counts(scored)}")


@risk_app.command("eval")
def evaluate(
    context: typer.Context,
    payments: Annotated[Path, typer.Option(help="Labelled payments file or folder (contract format).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Time split (earlier 70% train, rest test): supervised, unsupervised and rules detectors."""
    from llm4retail.data.importer import read_table
    from llm4retail.risk.evaluate import evaluate_risk

    emit_report(context, evaluate_risk(read_table(payments, Table.PAYMENTS)[0], dataset=str(payments)), as_json=as_json)


@risk_app.command("queue")
def queue(
    context: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most payments listed.")] = 20,
    unlabelled: Annotated[bool, typer.Option("--unlabelled", help="Only payments without a label.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The review queue: the store's payments the saved model sends to review or decline, highest score first."""
    items = _risk_service(context).review_queue(limit=limit, unlabelled_only=unlabelled)
    if as_json:
        echo_json({"items": [item.model_dump() for item in items]})
        return
    if not items:
        typer.echo("no payment is flagged")
    marks = {None: "unlabelled", 0: "legitimate", 1: "fraud"}
    for item in items:
        typer.echo(f"{item.payment_id}  {item.decision:<7}  score {item.score:.4f}  {item.amount:,.2f} {item.currency or ''}"
                   f"  [{marks[item.label]}]")  # fmt: skip
        for reason in item.reasons:
            typer.echo(f"  - {reason.description}")


@risk_app.command("label")
def label(
    context: typer.Context,
    payment_id: Annotated[str, typer.Argument(help="The payment's id.")],
    fraud: Annotated[bool, typer.Option("--fraud/--legitimate", help="The verdict.")],
) -> None:
    """Store a verdict as the payment's label (1 fraud, 0 legitimate); the next `risk train` learns from it."""
    _risk_service(context).label(payment_id, fraud=fraud)
    typer.echo(f"payment {payment_id} labelled {'fraud' if fraud else 'legitimate'}")
