"""Run a conversation suite through the assistant and score it (`llm4retail assistant eval`)."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm4retail.assistant.assistant import Assistant
from llm4retail.assistant.suite import StoreView, fill, load_suite, percentile, placeholder_values
from llm4retail.config import Settings
from llm4retail.data.schemas import Table
from llm4retail.data.store import Store
from llm4retail.eval import EvalReport, classification_metrics
from llm4retail.llm.backends import BackendKind
from llm4retail.llm.grounding import read_claims

if TYPE_CHECKING:
    from llm4retail.container import Services

logger = logging.getLogger(__name__)
SLOT_KEYS = ("order_id", "tracking_code", "product", "size", "colour", "price_limit")
Hear = Callable[[str, str], str]  # (text, language) -> what the assistant reads instead (voice eval: spoken, heard)


def _same(expected: Any, predicted: Any) -> bool:
    if expected is None or predicted is None:
        return False
    try:
        return abs(float(expected) - float(predicted)) < 1e-6
    except (TypeError, ValueError):
        return str(expected).strip().lower() == str(predicted).strip().lower()




class SuiteScore:
    """Counters of one suite run."""

    def __init__(self) -> None:
        self.intents: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.slot_counts = {"tp": 0, "fp": 0, "fn": 0}
        self.handoff = {"tp": 0, "fp": 0, "fn": 0}
        self.latencies: list[float] = []
        self.model_latencies: list[float] = []  # turns where the model was asked to phrase the answer
        self.first_pieces: list[float] = []  # streamed runs: ms until the first piece of a model-phrased answer
        self.fabricated = 0
        self.leaks = 0
        self.model_answers = 0
        self.grounded_answers = 0
        self.whole_answers = 0  # model answers sent as the model wrote them: no clause refused, nothing appended
        self.fallbacks: Counter[str] = Counter()  # why a model answer was cut or completed by the template
        self.successes = 0
        self.failures: list[dict[str, Any]] = []

    def slots(self, expected: dict[str, Any], predicted: dict[str, Any]) -> None:
        """Count slot matches on one turn."""
        for key in SLOT_KEYS:
            want, got = expected.get(key), predicted.get(key)
            if want is not None and _same(want, got):
                self.slot_counts["tp"] += 1
                continue
            self.slot_counts["fn"] += want is not None
            self.slot_counts["fp"] += got is not None

    def metrics(self) -> dict[str, float]:
        """The suite's figures."""
        def ratio(a: float, b: float) -> float:
            return a / b if b else float("nan")

        tp, fp, fn = (self.slot_counts[k] for k in ("tp", "fp", "fn"))
        precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
        out = {
            "task_success": ratio(self.successes, self.successes + len(self.failures)),
            "fabricated_facts": float(self.fabricated), "leaks": float(self.leaks),
            "handoff_precision": ratio(self.handoff["tp"], self.handoff["tp"] + self.handoff["fp"]),
            "handoff_recall": ratio(self.handoff["tp"], self.handoff["tp"] + self.handoff["fn"]),
            "latency_p50_ms": percentile(self.latencies, 50), "latency_p95_ms": percentile(self.latencies, 95),
            "latency_mean_ms": sum(self.latencies) / len(self.latencies) if self.latencies else float("nan"),
            "model_turn_latency_p50_ms": percentile(self.model_latencies, 50),
            "model_turn_latency_p95_ms": percentile(self.model_latencies, 95),
            "slot_precision": precision, "slot_recall": recall,
            "slot_f1": ratio(2 * precision * recall, precision + recall) if tp else 0.0,
            "model_answers": float(self.model_answers),
            "grounding_rate": ratio(self.grounded_answers, self.model_answers),
            "whole_model_answer_rate": ratio(self.whole_answers, self.model_answers),
        }
        if self.first_pieces:
            out |= {"first_piece_p50_ms": percentile(self.first_pieces, 50),
                    "first_piece_p95_ms": percentile(self.first_pieces, 95)}
        for language, pairs in sorted(self.intents.items()):
            scores = classification_metrics([p[0] for p in pairs], [p[1] for p in pairs])
            out[f"intent_accuracy_{language}"] = scores["accuracy"]
            out[f"intent_macro_f1_{language}"] = scores["macro_f1"]
        return out


def run_conversation(assistant: Assistant, view: StoreView, conversation: dict[str, Any], *, index: int, score: SuiteScore,
                     hear: Hear | None = None, stream: bool = False) -> list[dict[str, Any]]:
    """Play one conversation; returns its transcript with the problems found. With `hear`, each user turn is
    what `hear(text, language)` returns (the turn spoken and transcribed: `llm4retail voice eval`); with
    `stream`, each answer is streamed (as `POST /chat` with `stream: true`) and the wait for its first piece timed."""
    customer, values = placeholder_values(view, conversation, index=index)
    started = assistant.start(customer_id=customer)
    truth, others = view.truth(customer), view.other_identifiers(customer)
    language = conversation.get("customer", {}).get("language", "en")
    transcript, problems = [], []
    for turn in conversation["turns"]:
        text, expect = fill(turn["user"], values), fill(turn.get("expect", {}), values)
        pieces = _PieceClock()
        on_delta = pieces if stream else None
        result = assistant.reply(started.conversation_id, (hear(text, language) if hear else text) or "…", on_delta=on_delta)
        score.latencies.append(result.latency_ms)
        if result.llm in ("model", "fallback"):
            score.model_latencies.append(result.latency_ms)
            if pieces.first_ms is not None:
                score.first_pieces.append(pieces.first_ms)
        if "intent" in expect:
            score.intents[language].append((expect["intent"], result.intent))
        if "slots" in expect:
            score.slots(expect["slots"], result.slots)
        expected_handoff, got_handoff = bool(expect.get("handoff", False)), result.handoff is not None
        score.handoff["tp"] += expected_handoff and got_handoff
        score.handoff["fp"] += got_handoff and not expected_handoff
        score.handoff["fn"] += expected_handoff and not got_handoff
        if result.grounded is not None:
            score.model_answers += 1
            score.grounded_answers += bool(result.grounded)
            score.whole_answers += bool(result.grounded) and result.fallback is None
            for reason in (result.fallback or "").split("; "):
                if reason:  # what was left out is worth seeing; an ungrounded claim is counted by kind
                    score.fallbacks[reason if reason.startswith("incomplete") else reason.split(":")[0]] += 1
        claims = read_claims(result.text)
        invented = [f"{n:g}" for n in claims.numbers - truth.numbers] + [str(d) for d in claims.dates - truth.dates]
        invented += view.wrong_statuses(result.text, customer) + sorted(claims.identifiers - truth.identifiers)
        leaked = sorted(claims.identifiers & others) + [o for o in others if len(o) >= 6 and o in result.text.lower()][:3]
        score.fabricated += len(invented)
        score.leaks += bool(leaked)
        missing = [m for m in expect.get("mentions", []) if str(m).lower() not in result.text.lower()]
        if "products_within" in expect:
            missing += view.products_over(result.text, float(expect["products_within"]))
        forbidden = [m for m in expect.get("not_mentions", []) if str(m).lower() in result.text.lower()]
        if missing or forbidden or invented or leaked or expected_handoff != got_handoff:
            problems.append({"user": text, "reply": result.text, "missing": missing, "forbidden": forbidden,
                             "invented": invented, "leaked": leaked, "handoff": [expected_handoff, got_handoff]})
        transcript.append({"user": text, "reply": result.text, "intent": result.intent, "handoff": got_handoff})
    if problems:
        score.failures.append({"id": conversation["id"], "problems": problems})
    else:
        score.successes += 1
    return transcript


class _PieceClock:
    """An `on_delta` callback that notes when the first piece of an answer arrived."""

    def __init__(self) -> None:
        self.began = time.perf_counter()
        self.first_ms: float | None = None

    def __call__(self, _piece: str) -> None:
        if self.first_ms is None:
            self.first_ms = (time.perf_counter() - self.began) * 1000


def run_suite(assistant: Assistant, view: StoreView, conversations: list[dict[str, Any]], *, dataset: str, backend: str,
              hear: Hear | None = None, stream: bool = False) -> EvalReport:
    """Every conversation of the suite, scored."""
    started = time.perf_counter()
    score = SuiteScore()
    for index, conversation in enumerate(conversations):
        run_conversation(assistant, view, conversation, index=index, score=score, hear=hear, stream=stream)
    return EvalReport(
        capability="assistant", dataset=dataset, n=len(conversations), seconds=time.perf_counter() - started,
        metrics=score.metrics(),
        extra={"turns": len(score.latencies), "model_turns": len(score.model_latencies), "streamed": stream,
               "model_fallbacks": dict(score.fallbacks.most_common()),
               "backend": backend, "as_of": view.as_of.isoformat(), "failures": score.failures},
    )


def store_clock(store: Store) -> dt.datetime:
    """The store's own "now": its newest order (keeps a suite's dates stable over the years)."""
    orders = store.read_frame(Table.ORDERS, columns=["created_at"])
    return orders["created_at"].max().to_pydatetime() if len(orders) else dt.datetime(2000, 1, 1)


def evaluate_assistant(
    suite: Path, *, settings: Settings, container: Callable[..., Services], use_store: bool = False,
    backend: BackendKind = BackendKind.AUTO, demo_seed: int = 42, hear: Hear | None = None, stream: bool = False,
) -> EvalReport:
    """Run a suite through a `Services` container's assistant; today is the store's newest order.

    Args:
        suite: the conversation suite (JSON lines).
        settings: the one `Settings` (`settings.llm` for the answer backend).
        container: builds the service container, called as `container(settings, store=store)`
            (`llm4retail.container.Services`; the assistant package sits below the container).
        use_store: run on the configured store with its trained models (the intent model, the
            search index and the recommendations: see `llm4retail assistant train`); else on a fresh
            demo store (seed `demo_seed`) in a scratch folder, where they are trained first.
        backend: who phrases the answers.
        demo_seed: seed of the fresh demo store.
        hear: what each user turn becomes before the assistant reads it (spoken and transcribed), if set.
        stream: stream each answer (checked sentence by sentence) and report the wait for its first piece.

    Raises:
        NotTrainedError: with `use_store`, the store has no trained intent model, search index or
            recommendations (the message names the command to run).
    """
    from llm4retail.data.demo import init_demo_store

    conversations = load_suite(suite)
    with tempfile.TemporaryDirectory(prefix="llm4retail-suite-") as scratch:
        if use_store:
            services = container(settings, store=Store.from_settings(settings))
        else:
            work = Path(scratch)
            store = Store(f"sqlite:///{work / 'demo.sqlite'}")
            init_demo_store(store, data_dir=work, seed=demo_seed)
            services = container(settings.model_copy(update={"data_dir": work}), store=store)
        try:
            if not use_store:
                train_suite_models(services)
            as_of = store_clock(services.store)
            services.assistant.configure(backend=backend, clock=lambda: as_of)
            assistant = services.assistant.assistant()
            assistant.warm_up()
            policy = assistant.tools.knowledge.policy_number("return_days", language="en")
            view = StoreView.from_store(services.store, as_of=as_of, return_days=policy.value if policy else None)
            return run_suite(assistant, view, conversations, dataset=str(suite),
                             backend=assistant.backend.name if assistant.backend else "template", hear=hear, stream=stream)
        finally:
            services.close()


def train_suite_models(services: Services) -> None:
    """What the assistant uses, trained on a fresh store: the intent model (seeds and the store's
    utterances, default features), the search index ranked zero-shot (no reranker, as the suite was measured
    before the model store) and the default recommendations (item neighbours)."""
    services.assistant.train()
    services.search.train(reranker=False)
    services.recommend.train_on_start()
