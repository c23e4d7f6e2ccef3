"""The old names `llm4retail eval <capability>`, hidden, kept for one release: each runs the same
function as `llm4retail <capability> eval`."""

from __future__ import annotations

import typer

from llm4retail.cli import (
    assistant,
    catalog,
    forecast,
    generate,
    recommend,
    reviews,
    risk,
    search,
    segments,
    voice,
)
from llm4retail.cli.common import COMMANDS

eval_app = typer.Typer(name="eval", help=COMMANDS["eval"].help, no_args_is_help=True, hidden=True)
commands = typer.Typer()
commands.add_typer(eval_app)

# old name -> the command it now is
ALIASES = {
    "search": search.evaluate,  # search eval
    "recommend": recommend.evaluate,  # recommend eval
    "risk": risk.evaluate,  # risk eval
    "clv": segments.evaluate_clv,  # segments eval-clv
    "purchase": segments.evaluate_purchase,  # segments eval-purchase
    "forecast": forecast.evaluate,  # forecast eval
    "intent": assistant.evaluate_intent,  # assistant eval-intent
    "assistant": assistant.evaluate,  # assistant eval
    "sentiment": reviews.evaluate,  # reviews eval
    "attributes": catalog.evaluate,  # catalog eval
    "generate": generate.evaluate,  # generate eval
    "voice": voice.evaluate,  # voice eval
}
for old_name, command in ALIASES.items():
    eval_app.command(old_name)(command)
