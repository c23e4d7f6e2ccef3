"""`llm4retail voice [understand] FILE` and `llm4retail voice eval` (alias: `llm4retail eval voice`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm4retail.cli.common import JsonOption, capability, echo_json, emit_report, services
from llm4retail.errors import DataValidationError

voice_app = capability("voice", default="understand")
commands = typer.Typer()
commands.add_typer(voice_app)

LanguageOption = Annotated[str | None, typer.Option(help="The spoken language: en or zh (default: detected).")]


@voice_app.command("understand")
def understand(
    context: typer.Context,
    audio: Annotated[Path, typer.Argument(help="A clip: wav, webm/opus, ogg, mp3 or m4a (at most 30 s).")],
    language: LanguageOption = None,
    action: Annotated[str, typer.Option(help="search, assistant, or auto (by the assistant's intent).")] = "auto",
    customer: Annotated[
        str | None, typer.Option(help="Act as this customer (personalised search, own orders).")
    ] = None,
    top_k: Annotated[int, typer.Option(help="Search results.")] = 10,
) -> None:
    """Transcribe a clip and act on it as POST /voice does: a search (with the filters understood) or an
    assistant turn. Prints the transcript, the text acted on and the result as JSON."""
    from llm4retail.voice.service import VoiceAction, VoiceRequest

    if not audio.is_file():
        raise DataValidationError(f"no audio file at {audio}")
    try:
        chosen = VoiceAction(action)
    except ValueError as error:
        raise DataValidationError(f"--action must be one of {', '.join(VoiceAction)}, got {action!r}") from error
    if language is not None and language not in ("en", "zh"):
        raise DataValidationError(f"--language must be en or zh, got {language!r}")
    request = VoiceRequest(language=language, action=chosen, customer_id=customer, top_k=top_k)
    result = services(context).voice.understand(request, audio.read_bytes())
    echo_json(result.model_dump(mode="json"))


@voice_app.command("eval")
def evaluate(
    context: typer.Context,
    snr: Annotated[float | None, typer.Option(help="Add white noise at this signal-to-noise ratio (dB).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many queries per language.")] = None,
    suite: Annotated[
        Path | None, typer.Option(help="Also play this assistant suite (JSON lines) typed and spoken.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Speak the store's judged search queries with espeak-ng (synthetic speech: a worst case), transcribe
    them and search: WER/CER, NDCG@10 spoken vs typed per language, real-time factor per clip."""
    from llm4retail.container import Services
    from llm4retail.voice.evaluate import evaluate_voice

    report = evaluate_voice(services(context), snr_db=snr, limit=limit, suite=suite, container=Services)
    emit_report(context, report, as_json=as_json)
