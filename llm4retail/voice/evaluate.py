"""`llm4retail voice eval`: the store's judged search queries (and optionally an assistant suite), spoken.

Each judged query is spoken by espeak-ng (optionally with noise at a signal-to-noise ratio),
transcribed, normalised and repaired against the catalog and searched (fused with the phonetic match) as
`POST /voice` does; the
search's NDCG@10 on the spoken queries is compared with the same engine on the typed queries, per
language. Reported: word error rate (English) and character error rate (Chinese) of the raw
transcripts, NDCG@10 typed / spoken / spoken without the catalog repair, their ratio, and the
real-time factor of recognition per clip. Synthetic speech is a worst case for the recogniser (formant
synthesis, Mandarin read from pinyin): real voices transcribe better.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from llm4retail.data.schemas import Table
from llm4retail.errors import DataValidationError
from llm4retail.eval.report import EvalReport
from llm4retail.search.evaluate import block_metrics
from llm4retail.search.request import MAX_PAGE_SIZE, SearchRequest
from llm4retail.voice.speech import speak, with_noise

if TYPE_CHECKING:
    from llm4retail.container import Services
    from llm4retail.voice.service import VoiceService

LANGUAGES = ("en", "zh")


@dataclass
class _Language:
    typed: list[list[str]] = field(default_factory=list)
    spoken: list[list[str]] = field(default_factory=list)
    raw: list[list[str]] = field(default_factory=list)
    relevant: list[dict[str, float]] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    hypotheses: list[str] = field(default_factory=list)
    factors: list[float] = field(default_factory=list)
    samples: list[dict[str, str]] = field(default_factory=list)


def _error_rate(language: str, references: list[str], hypotheses: list[str]) -> float:
    """WER for English, CER (spaces ignored) for Chinese, of the normalised transcripts."""
    import jiwer

    from llm4retail.voice.normalise import normalise_transcript

    def clean(text: str) -> str:
        text = normalise_transcript(text, language).lower()
        return text.replace(" ", "") if language == "zh" else text

    pairs = [(clean(ref), clean(hyp)) for ref, hyp in zip(references, hypotheses, strict=True) if clean(ref)]
    if not pairs:
        return float("nan")
    refs, hyps = [ref for ref, _ in pairs], [hyp or "∅" for _, hyp in pairs]
    return float(jiwer.cer(refs, hyps) if language == "zh" else jiwer.wer(refs, hyps))


class Hearing:
    """Text spoken by espeak-ng and heard back by the voice service (the assistant suite's `hear` hook)."""

    def __init__(self, voice: VoiceService, *, snr_db: float | None, seed: int = 0) -> None:
        self.voice, self.snr_db, self.seed = voice, snr_db, seed
        self.factors: list[float] = []

    def clip(self, text: str, language: str) -> bytes:
        """WAV bytes of `text` spoken (with noise when `snr_db` is set)."""
        wav = speak(text, language)
        self.seed += 1
        return wav if self.snr_db is None else with_noise(wav, snr_db=self.snr_db, seed=self.seed)

    def __call__(self, text: str, language: str) -> tuple[str, str]:
        """(raw transcript, repaired text) of `text` spoken in `language`."""
        transcript, repaired = self.voice.transcribe(self.clip(text, language), language=language)
        if transcript.audio_seconds:
            self.factors.append(transcript.real_time_factor)
        return transcript.text, repaired


def _ranked(services: Services, text: str, *, spoken: bool = False) -> list[str]:
    if not text.strip():
        return []
    if spoken:
        response = services.voice.search(text, top_k=MAX_PAGE_SIZE)
    else:
        response = services.search.search(SearchRequest(query=text[:500], top_k=MAX_PAGE_SIZE))
    return [str(hit.product_id) for hit in response.hits]


def _factors(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    array = np.asarray(values)
    return {"rtf_p50": round(float(np.median(array)), 3), "rtf_p90": round(float(np.quantile(array, 0.9)), 3),
            "rtf_mean": round(float(array.mean()), 3), "faster_than_real_time": round(float((array < 1).mean()), 3)}  # fmt: skip


def evaluate_voice(
    services: Services,
    *,
    snr_db: float | None = None,
    limit: int | None = None,
    suite: Path | None = None,
    container: Callable[..., Services] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Spoken vs typed search on the store's judged queries (and task success on `suite`, spoken vs typed).

    Args:
        services: the store's services (a trained search index; the assistant's models for `suite`).
        snr_db: white noise at this signal-to-noise ratio (None: clean synthetic speech).
        limit: at most this many queries per language (None: all).
        suite: an assistant conversation suite (JSON lines) to play typed and spoken.
        container: builds the service container for the suite (`llm4retail.container.Services`; this package
            sits below the container).
        progress: called with (done, total) after each query.

    Raises:
        DataValidationError: the store has no judged queries in English or Chinese.
        NotTrainedError: no search index (or, with `suite`, no intent model).
    """
    started = time.perf_counter()
    queries = services.store.read_frame(Table.QUERIES)
    judgements = services.store.read_frame(Table.JUDGEMENTS)
    relevant: dict[str, dict[str, float]] = {}
    for query_id, product_id, grade in judgements[["query_id", "product_id", "grade"]].itertuples(index=False):
        if float(grade) > 0:
            relevant.setdefault(str(query_id), {})[str(product_id)] = float(grade)
    rows = _judged_rows(queries, relevant, limit=limit)
    hearing = Hearing(services.voice, snr_db=snr_db)
    by_language: dict[str, _Language] = {language: _Language() for language in LANGUAGES}
    for done, (query_id, text, language) in enumerate(rows, start=1):
        run = by_language[language]
        raw, repaired = hearing(text, language)
        from llm4retail.voice.normalise import normalise_transcript

        run.typed.append(_ranked(services, text))
        run.spoken.append(_ranked(services, repaired, spoken=True))
        run.raw.append(_ranked(services, normalise_transcript(raw, language)))  # no repair, no phonetic match
        run.relevant.append(relevant[query_id])
        run.references.append(text)
        run.hypotheses.append(raw)
        run.factors.append(hearing.factors[-1] if hearing.factors else 0.0)
        if len(run.samples) < 10:
            run.samples.append({"query": text, "heard": raw, "searched": repaired})
        if progress is not None:
            progress(done, len(rows))
    metrics: dict[str, float] = {}
    extra: dict[str, Any] = {"snr_db": snr_db, "speech": "espeak-ng (synthetic: a worst case)", "samples": {}}
    for language, run in by_language.items():
        if not run.relevant:
            continue
        typed = block_metrics(run.typed, run.relevant)["ndcg@10"]
        spoken = block_metrics(run.spoken, run.relevant)["ndcg@10"]
        raw_ndcg = block_metrics(run.raw, run.relevant)["ndcg@10"]
        error = "cer" if language == "zh" else "wer"
        metrics |= {f"{language}_queries": float(len(run.relevant)), f"{language}_{error}": round(_error_rate(language, run.references, run.hypotheses), 4),
                    f"{language}_ndcg@10_typed": round(typed, 4), f"{language}_ndcg@10_spoken": round(spoken, 4),
                    f"{language}_ndcg@10_spoken_unrepaired": round(raw_ndcg, 4),
                    f"{language}_spoken_over_typed": round(spoken / typed, 4) if typed else float("nan")}  # fmt: skip
        metrics |= {f"{language}_{name}": value for name, value in _factors(run.factors).items()}
        extra["samples"][language] = run.samples
    if suite is not None:
        if container is None:
            raise DataValidationError("playing an assistant suite needs the service container (container=Services)")
        metrics |= _suite_success(services, suite, hearing, container=container)
    metrics |= _factors(hearing.factors)
    return EvalReport(capability="voice", dataset=services.store.description, n=len(rows),
                      seconds=time.perf_counter() - started, metrics=metrics, extra=extra)  # fmt: skip


def _judged_rows(
    queries: Any, relevant: dict[str, dict[str, float]], *, limit: int | None
) -> list[tuple[str, str, str]]:
    from llm4retail.text.language import detect_language

    rows: list[tuple[str, str, str]] = []
    counts = dict.fromkeys(LANGUAGES, 0)
    for record in queries.to_dict("records"):
        query_id, text = str(record["query_id"]), str(record.get("query") or "")
        language = str(record.get("language") or "") or str(detect_language(text))
        if query_id not in relevant or not text.strip() or language not in counts:
            continue
        if limit is not None and counts[language] >= limit:
            continue
        counts[language] += 1
        rows.append((query_id, text, language))
    if not rows:
        raise DataValidationError("the store has no judged search queries in English or Chinese to speak")
    return rows


def _suite_success(
    services: Services, suite: Path, hearing: Hearing, *, container: Callable[..., Services]
) -> dict[str, float]:
    """Task success of the assistant suite with typed turns and with spoken turns."""
    from llm4retail.assistant.suite_runner import evaluate_assistant

    settings, Container = services.settings, container  # noqa: N806 (a class, named as one)
    typed = evaluate_assistant(suite, settings=settings, container=Container, use_store=True)
    spoken = evaluate_assistant(suite, settings=settings, container=Container, use_store=True,
                                hear=lambda text, language: hearing(text, language)[1])  # fmt: skip
    typed_success, spoken_success = typed.metrics["task_success"], spoken.metrics["task_success"]
    return {"assistant_task_success_typed": round(typed_success, 4), "assistant_task_success_spoken": round(spoken_success, 4),
            "assistant_spoken_over_typed": round(spoken_success / typed_success, 4) if typed_success else float("nan")}  # fmt: skip
