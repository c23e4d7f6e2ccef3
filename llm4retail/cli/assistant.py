"""`llm4retail assistant train|eval|eval-intent|chat|handoffs|resolve` (old names: `chat`, `eval assistant`,
`eval intent`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from llm4retail.assistant.classifier import FeatureSet
from llm4retail.assistant.evaluate import SETFIT_STEPS
from llm4retail.cli.common import (
    JsonOption,
    capability,
    echo_json,
    emit_report,
    services,
    settings,
    stdin_lines,
)
from llm4retail.data.schemas import Table
from llm4retail.llm.backends import BackendKind

assistant_app = capability("assistant")
commands = typer.Typer()
commands.add_typer(assistant_app)

BackendOption = Annotated[BackendKind, typer.Option(help="Answer generator.")]


@assistant_app.command("train")
def train(
    context: typer.Context,
    utterances: Annotated[
        Path | None, typer.Option(help="Labelled utterances (text,intent; Bitext labels are mapped). Default: the store's.")
    ] = None,
    features: Annotated[FeatureSet, typer.Option(help="Features of the intent classifier.")] = FeatureSet.COMBINED,
    as_json: JsonOption = False,
) -> None:
    """Train the intent model (the bilingual seed set filled from the catalog, plus labelled utterances) and
    save it as a new version in <data-dir>/models/assistant."""
    from llm4retail.data.importer import read_table

    frame = read_table(utterances, Table.UTTERANCES)[0] if utterances else None
    summary = _assistant_service(context).train(frame, features=features)
    if as_json:
        echo_json(summary)
        return
    typer.echo(f"intent model {summary['version']} trained on {summary['rows']:,} utterances in {summary['seconds']} s "
               f"→ {summary['directory']}")


def _assistant_service(context: typer.Context) -> Any:
    return services(context).assistant


@assistant_app.command("handoffs")
def handoffs(
    context: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include resolved hand-offs.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Conversations handed to a person, newest first."""
    from llm4retail.assistant.state import HandoffStatus

    items = _assistant_service(context).handoffs(status=None if show_all else HandoffStatus.OPEN)
    if as_json:
        echo_json({"items": [item.model_dump(mode="json") for item in items]})
        return
    for item in items:
        typer.echo(f"{item.handoff_id}  {item.status.value:<8} {item.created_at:%Y-%m-%d %H:%M}  {item.summary}")


@assistant_app.command("resolve")
def resolve(
    context: typer.Context,
    handoff_id: Annotated[str, typer.Argument(help="The hand-off to close.")],
    note: Annotated[str | None, typer.Option(help="How it was resolved.")] = None,
) -> None:
    """Resolve a hand-off; the assistant answers that conversation again."""
    _assistant_service(context).resolve_handoff(handoff_id, resolution=note)
    typer.echo(f"resolved {handoff_id}")


@assistant_app.command("chat")
@commands.command("chat", hidden=True)
def chat(
    context: typer.Context,
    customer: Annotated[str, typer.Option(help="The signed-in customer's id.")],
    message: Annotated[list[str] | None, typer.Option(help="Send these messages and exit (repeatable).")] = None,
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation.")] = None,
    backend: BackendOption = BackendKind.AUTO,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per answer.")] = False,
) -> None:
    """Chat with the assistant as a customer: interactive (empty line or Ctrl-D quits) or with --message."""
    assistant = _assistant_service(context)
    assistant.configure(backend=backend)
    conversation_id = conversation or assistant.start(customer).conversation_id
    if not as_json:
        typer.echo(f"conversation {conversation_id} (customer {customer}); empty line to quit")
    for text in message or stdin_lines():
        result = assistant.reply(conversation_id, text, customer_id=customer)
        if as_json:
            echo_json(result.as_dict())
            continue
        typer.echo(f"assistant> {result.text}")
        for index, source in enumerate(result.sources, start=1):
            typer.echo(f"    [{index}] {source['title']} ({source['id']})")
        if result.handoff:
            typer.echo(f"    (handed off: {result.handoff['reason']})")


@assistant_app.command("eval-intent")
def evaluate_intent(
    context: typer.Context,
    train: Annotated[Path, typer.Option(help="Labelled utterances (text,intent), file or dataset folder.")],
    test: Annotated[Path | None, typer.Option(help="Test utterances; default: a fixed stratified 80/20 split of --train.")] = None,
    shots: Annotated[int | None, typer.Option(help="Few-shot protocol: train on this many utterances per intent "
                                                   "(drawn with a fixed seed), test on the whole test side.")] = None,
    setfit_steps: Annotated[int, typer.Option(help="Contrastive fine-tuning steps of the setfit candidate "
                                                   "(0 leaves it out).", min=0)] = SETFIT_STEPS,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Intent classification: features chosen on validation (TF-IDF, frozen embeddings, both, SetFit-style
    tuned embeddings), then accuracy, macro-F1, calibration, training seconds."""
    from llm4retail.assistant.evaluate import evaluate_intents
    from llm4retail.data.importer import read_table

    train_frame, _ = read_table(train, Table.UTTERANCES)
    test_frame = read_table(test, Table.UTTERANCES)[0] if test else None
    report = evaluate_intents(train_frame, test_frame, dataset=str(train), shots=shots, setfit_steps=setfit_steps)
    emit_report(context, report, as_json=as_json)


@assistant_app.command("eval")
def evaluate(
    context: typer.Context,
    suite: Annotated[Path, typer.Option(help="Conversation suite (JSON lines), e.g. bench/assistant/suite.jsonl.")],
    backend: BackendOption = BackendKind.AUTO,
    use_store: Annotated[bool, typer.Option("--use-store", help="Run on the configured store, not a fresh demo store.")] = False,
    demo_seed: Annotated[int, typer.Option(help="Seed of the fresh demo store.")] = 42,
    stream: Annotated[bool, typer.Option("--stream", help="Stream each answer (as POST /chat with stream: true) "
                                                          "and report the wait for its first piece.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Scripted conversations: task success, fabricated facts, leaks, hand-off precision/recall, latency per turn
    (all turns, and the turns a model phrased)."""
    from llm4retail.assistant.suite_runner import evaluate_assistant
    from llm4retail.container import Services

    report = evaluate_assistant(suite, settings=settings(context), container=Services, use_store=use_store,
                                backend=backend, demo_seed=demo_seed, stream=stream)  # fmt: skip
    emit_report(context, report, as_json=as_json)
