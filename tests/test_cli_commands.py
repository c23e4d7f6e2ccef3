"""The command tree: new `<capability> <verb>` names, the hidden old names, Enum options, lazy loading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from llm4retail.cli import app
from llm4retail.cli.common import COMMANDS, default_to
from llm4retail.search.results import SearchResponse

pytestmark = pytest.mark.unit
runner = CliRunner()

NEW_VERBS = [
    ("search", ["query", "train", "eval"]),
    ("recommend", ["show", "train", "eval"]),
    ("risk", ["train", "eval", "score", "score-file"]),
    ("segments", ["list", "profile", "export", "eval-clv", "eval-purchase"]),
    ("forecast", ["predict", "eval"]),
    ("inventory", ["advise", "simulate"]),
    ("pricing", ["advise", "elasticities"]),
    ("assistant", ["train", "eval", "eval-intent", "chat", "handoffs", "resolve"]),
    ("reviews", ["train", "eval", "eval-aspects", "analyze", "summarize"]),
    ("catalog", ["train", "eval", "extract"]),
    ("generate", ["copy", "campaign", "eval"]),
    ("voice", ["understand", "eval"]),
    ("models", ["pretrain", "finetune", "compress"]),
]
OLD_NAMES = [
    ["train-search"],
    ["train-recommend"],
    ["chat"],
    *(["eval", name] for name in
      ("search", "recommend", "risk", "clv", "purchase", "forecast", "intent", "assistant", "sentiment", "attributes",
       "generate", "voice")),
]


def _help(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.replace("│", " ").split())


@pytest.mark.parametrize(("group", "verbs"), NEW_VERBS)
def test_every_capability_lists_its_verbs(group: str, verbs: list[str]) -> None:
    listed = _help(group)
    for verb in verbs:
        assert f" {verb} " in listed
        assert "Usage" in _help(group, verb)


@pytest.mark.parametrize("old", OLD_NAMES, ids=" ".join)
def test_old_names_still_run(old: list[str]) -> None:
    assert "Usage" in _help(*old)


def test_old_names_are_hidden_from_help() -> None:
    listed = _help()
    for name in ("train-search", "train-recommend", "chat", "eval"):
        assert f" {name} " not in listed
    for group, _ in NEW_VERBS:
        assert f" {group} " in listed


def test_old_and_new_names_run_the_same_function() -> None:
    from llm4retail.cli import evaluate, search

    assert evaluate.ALIASES["search"] is search.evaluate
    assert set(evaluate.ALIASES) == {old[1] for old in OLD_NAMES if old[0] == "eval"}


@pytest.mark.parametrize(
    "args",
    [
        ["assistant", "train", "--features", "bert"],
        ["chat", "--customer", "c1", "--backend", "gpt"],
        ["assistant", "eval", "--suite", "s.jsonl", "--backend", "gpt"],
        ["pricing", "advise", "p1", "--ending", ".95"],
        ["reviews", "eval", "--train", "r.csv", "--task", "sentiment"],
        ["models", "finetune", "--train", "r.csv", "--encoder", "bert"],
        ["segments", "export", "whales"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_enum_options_refuse_bad_values_with_exit_2(args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data-dir", str(tmp_path), *args])

    assert result.exit_code == 2, result.output
    assert "is not one of" in result.output


def test_comma_separated_models_are_checked() -> None:
    result = runner.invoke(app, ["forecast", "eval", "--sales", "s.csv", "--horizon", "7", "--models", "auto_ets,prophet"])

    assert result.exit_code == 2
    assert "unknown model 'prophet'" in result.output and "auto_ets" in result.output


class _FakeEngine:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def search(self, query: str, **options: Any) -> SearchResponse:
        self.calls.append((query, options["top_k"]))
        return SearchResponse(query=query, total=0, hits=[], facets={}, understood={"text": query})


@pytest.mark.parametrize(
    "args",
    [["search", "red sofa", "--top-k", "3"], ["search", "--top-k", "3", "red sofa"], ["search", "query", "red sofa", "--top-k", "3"]],
    ids=["old", "options-first", "new"],
)
def test_search_without_a_verb_is_search_query(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import llm4retail.search.service as service_module

    engine = _FakeEngine()
    monkeypatch.setattr(service_module.SearchService, "engine", lambda self: engine)

    result = runner.invoke(app, ["--data-dir", str(tmp_path), *args, "--json"])

    assert result.exit_code == 0, result.output
    assert engine.calls == [("red sofa", 3)]
    assert json.loads(result.stdout)["query"] == "red sofa"


def test_a_default_group_routes_an_unknown_first_token_to_its_default() -> None:
    group = typer.Typer(cls=default_to("run"))

    @group.command("run")
    def run(text: str, times: int = 1) -> None:
        typer.echo(f"run {text} x{times}")

    @group.command("other")
    def other() -> None:
        typer.echo("other")

    assert runner.invoke(group, ["hello", "--times", "2"]).output == "run hello x2\n"
    assert runner.invoke(group, ["--times", "2", "hello"]).output == "run hello x2\n"
    assert runner.invoke(group, ["other"]).output == "other\n"
    assert "run" in runner.invoke(group, ["--help"]).output


def test_defaulting_groups_still_show_their_help() -> None:
    for group, verb in (("search", "query"), ("recommend", "show"), ("forecast", "predict")):
        assert f" {verb} " in _help(group)


def test_help_text_of_each_group_comes_from_the_command_table() -> None:
    for group, _ in NEW_VERBS:
        assert COMMANDS[group].help.split(":")[0] in _help(group)


def test_running_one_command_does_not_import_the_others() -> None:
    code = (
        "import sys; from llm4retail.cli import main; sys.argv = ['llm4retail', 'search', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('llm4retail.cli.')), 'torch' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[1]
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout

    assert "['llm4retail.cli.common', 'llm4retail.cli.search'] False" in output
