"""Visible long work: a status line on stderr while a command runs, fed by the library's log messages.

Every command that can run long (imports, training, evaluations, batch scoring) shows, on a
terminal, a spinner with the elapsed time and the latest step the library logged ("training
search", "fitting ease", "fold 2/3"); elsewhere (CI, pipes) it prints the step lines with their
times on stderr. `-q` silences both; nothing is ever written to stdout, so `--json` output stays
one clean JSON object.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

INTERACTIVE = frozenset({"chat"})  # commands that read the terminal: no status line over their prompt
SHOW_DONE_AFTER_SECONDS = 2.0  # a quick command leaves no "done" line behind
STEP_LOGGERS = ("llm4retail",)


class _StepHandler(logging.Handler):
    """Turns INFO log records of the library into status updates."""

    def __init__(self, show: Callable[[str], None]) -> None:
        super().__init__(level=logging.INFO)
        self.show = show

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.show(record.getMessage())
        except Exception:  # a display problem must never break the command
            self.handleError(record)


@contextmanager
def activity(description: str, *, quiet: bool) -> Iterator[None]:
    """Shows `description`, the elapsed time and the library's latest step until the block ends."""
    if quiet:
        yield
        return
    console = Console(stderr=True)
    started = time.perf_counter()
    logger = logging.getLogger(STEP_LOGGERS[0])
    previous_level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)  # steps reach the status line; other handlers keep their own levels
    if console.is_terminal:
        with console.status(description) as status:

            def show(message: str) -> None:
                status.update(f"{description} [{time.perf_counter() - started:.0f} s] {message[:100]}")

            handler = _StepHandler(show)
            logger.addHandler(handler)
            try:
                yield
            finally:
                logger.removeHandler(handler)
                logger.setLevel(previous_level)
        if time.perf_counter() - started > SHOW_DONE_AFTER_SECONDS:
            console.print(f"{description}: done in {time.perf_counter() - started:.1f} s", style="dim")
        return

    def line(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    handler = _StepHandler(line)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
    if time.perf_counter() - started > SHOW_DONE_AFTER_SECONDS:
        line(f"{description}: done")
