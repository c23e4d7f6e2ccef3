"""Rolling-origin backtest of every forecaster and of the validation-chosen one (`llm4retail forecast eval`).

The last `folds` windows of `horizon` dates of every series are held out, one
origin after the other. Each model is fitted once per origin on everything before
it. For each test fold the model is chosen, and its intervals calibrated, on the
`validation_windows` windows just before that fold's origin, i.e. on the
training window only. Scores count observed cells only: closed days and dates
without a row are reported as counts, forecast as zero (closed) and never scored.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from llm4retail.errors import ConfigError
from llm4retail.eval.forecasting import smape, wape
from llm4retail.eval.report import EvalReport, Timer
from llm4retail.forecast.auto import DEFAULT_BUDGET_SECONDS
from llm4retail.forecast.base import ForecastModel
from llm4retail.forecast.conformal import ConformalIntervals
from llm4retail.forecast.panel import Panel
from llm4retail.forecast.windows import WindowForecast, affordable_models, choose, forecast_windows, origins_before

logger = logging.getLogger(__name__)

LEVEL = 90


@dataclass
class _Pool:
    """Scored cells of one model (or of the chosen sequence) over all folds."""

    mase: list[np.ndarray] = field(default_factory=list)
    truth: list[np.ndarray] = field(default_factory=list)
    point: list[np.ndarray] = field(default_factory=list)
    inside: list[np.ndarray] = field(default_factory=list)
    fit_seconds: list[float] = field(default_factory=list)
    predict_seconds: list[float] = field(default_factory=list)

    def add(self, panel: Panel, window: WindowForecast, intervals: ConformalIntervals) -> float:
        held_out = panel.window(window.origin, window.origin + window.point.shape[1])
        observed = held_out.observed
        lower, upper = intervals.interval(window.point, window.scale(panel), level=LEVEL, open_days=held_out.open)
        per_series = window.mase(panel)
        self.mase.append(per_series)
        self.truth.append(held_out.y[observed])
        self.point.append(window.point[observed])
        self.inside.append((held_out.y[observed] >= lower[observed]) & (held_out.y[observed] <= upper[observed]))
        self.fit_seconds.append(window.fit_seconds)
        self.predict_seconds.append(window.predict_seconds)
        return float(np.nanmean(per_series)) if np.isfinite(per_series).any() else float("nan")

    def metrics(self) -> dict[str, float]:
        truth, point = np.concatenate(self.truth), np.concatenate(self.point)
        mase = np.concatenate(self.mase)
        return {
            "mase": float(np.nanmean(mase)) if np.isfinite(mase).any() else float("nan"),
            "smape": smape(truth, point) if truth.size else float("nan"),
            "wape": wape(truth, point) if truth.size else float("nan"),
            "coverage_90": float(np.concatenate(self.inside).mean()) if truth.size else float("nan"),
            "fit_seconds": float(np.mean(self.fit_seconds)),
            "predict_seconds": float(np.mean(self.predict_seconds)),
        }


def evaluate_forecasters(
    panel: Panel,
    *,
    horizon: int,
    folds: int = 3,
    dataset: str = "sales",
    models: list[ForecastModel] | None = None,
    validation_windows: int = 1,
    time_budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    threads: int = 1,
    ray: str | None = None,
) -> EvalReport:
    """Backtest every affordable model on `folds` rolling origins and the per-fold validation choice.

    Args:
        panel: all sales.
        horizon: dates held out per fold.
        folds: rolling origins, `horizon` apart, the last ending at the panel's end.
        dataset: name for the report.
        models: candidates (default all).
        validation_windows: windows before each fold's origin that choose the model and calibrate intervals.
        time_budget_seconds: the most projected seconds a local model may take over all fits.
        threads: threads of the global model.
        ray: compute the (model, origin) windows as parallel Ray tasks (`local`, `auto` or an address).

    Returns:
        The report: the chosen sequence's scores as metrics, per-model scores in `models`,
        the most often chosen model as `best`, and `chosen` with the per-fold choices.

    Raises:
        ConfigError: If horizon or folds are below 1.
        DataValidationError: If the panel is too short for the folds.
    """
    if horizon < 1 or folds < 1 or validation_windows < 1:
        raise ConfigError(f"horizon, folds and validation_windows must be >= 1; got {horizon}, {folds}, {validation_windows}")
    candidates = list(models) if models else list(ForecastModel)
    with Timer() as timer:
        origins = origins_before(panel, horizon=horizon, n_windows=folds + validation_windows)
        affordable = affordable_models(
            candidates, panel.window(0, origins[0]), n_fits=len(origins),
            budget_seconds=time_budget_seconds,
        )
        windows = forecast_windows(affordable.kept, panel, origins=origins, horizon=horizon, threads=threads, ray=ray)
        pools = {model: _Pool() for model in windows}
        chosen_pool, per_fold = _Pool(), []
        for fold in range(folds):
            test = validation_windows + fold
            validation = slice(fold, test)
            scores, fold_mase, calibrations = {}, {}, {}
            for model, items in windows.items():
                scores[model] = _validation_score(panel, items[validation])
                calibrations[model] = _calibrate(panel, items[validation])
                fold_mase[model] = pools[model].add(panel, items[test], calibrations[model])
            chosen = choose(scores)
            chosen_pool.add(panel, windows[chosen][test], calibrations[chosen])
            per_fold.append({
                "fold": fold + 1, "test_start": panel.dates[origins[test]].date().isoformat(), "model": chosen.value,
                "validation_mase": scores[chosen], "mase": fold_mase[chosen],
            })
            logger.info("forecast backtest fold %d: chose %s (validation MASE %.4f)", fold + 1, chosen.value, scores[chosen])
    return _report(panel, pools, chosen_pool, per_fold, affordable.skipped, origins[validation_windows:],
                   horizon=horizon, dataset=dataset, seconds=timer.seconds)


def _validation_score(panel: Panel, items: list[WindowForecast]) -> float:
    values = np.concatenate([item.mase(panel) for item in items])
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def _calibrate(panel: Panel, items: list[WindowForecast]) -> ConformalIntervals:
    normalised = np.hstack([item.residuals(panel) / item.scale(panel)[:, None] for item in items])
    return ConformalIntervals.calibrate(normalised, np.ones(panel.n_series), levels=(LEVEL,))


def _report(
    panel: Panel, pools: dict[ForecastModel, _Pool], chosen_pool: _Pool, per_fold: list[dict[str, object]],
    skipped: dict[str, str], test_origins: list[int], *, horizon: int, dataset: str, seconds: float,
) -> EvalReport:
    models = {model.value: pool.metrics() for model, pool in pools.items()}
    chosen_metrics = chosen_pool.metrics()
    best = Counter(str(item["model"]) for item in per_fold).most_common(1)[0][0]
    naive = models.get(ForecastModel.SEASONAL_NAIVE.value, {}).get("mase", float("nan"))
    held_out = panel.window(test_origins[0], test_origins[-1] + horizon)
    counts = {
        "scored_points": int(held_out.observed.sum()),
        "closed_points_not_scored": int((held_out.present & ~held_out.open).sum()),
        "missing_points_not_scored": int((~held_out.present).sum()),
    }
    chosen = {"model": best, **chosen_metrics, "mase_vs_seasonal_naive": chosen_metrics["mase"] / naive if naive else None,
              "per_fold": per_fold}
    return EvalReport(
        capability="forecast",
        dataset=dataset,
        n=panel.n_series,
        seconds=seconds,
        metrics={key: chosen_metrics[key] for key in ("mase", "smape", "wape", "coverage_90")},
        models=models,
        best=best,
        extra={
            "chosen": chosen, "horizon": horizon, "folds": len(per_fold), "frequency": panel.frequency.value,
            "season": panel.season, "skipped_models": skipped, "points": counts,
        },
    )
