"""Benchmark: how much recall at 1% false-positive rate a payments file allows, across model families.

`llm4retail eval risk` reports one supervised detector. This script asks whether a
different learner would rank the test frauds better: on the same 70/30 time split
and the same feature matrix (`RiskModel`'s feature choice), it fits our detector and
several other families (logistic regression, k-nearest neighbours, random forest,
extra trees, an RBF SVM), and their log-odds / rank blends with our detector. It
then gives an optimistic reference that no deployable model can beat: LightGBM
scored by 10-fold *random* cross-validation over the whole file, i.e. trained on
90% of all payments including later ones, evaluated on the test rows only.

For every score it prints `roc_auc`, `pr_auc`, `recall_at_1pct_fpr` on the test rows,
the validation figures (the last 20% of the training window) for the models that have
them, and for our detector the number of test frauds that score below the score of
the legitimate payment at the 1% false-positive budget (the frauds out of reach).

Prints one JSON object.

Usage:
    python bench/risk_ceiling.py [--payments FILE] [--seeds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
from scipy.special import logit  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from llm4retail.data.importer import read_table  # noqa: E402
from llm4retail.data.schemas import Table  # noqa: E402
from llm4retail.eval import recall_at_fpr  # noqa: E402
from llm4retail.risk.model import RiskModel, labels_of, time_ordered  # noqa: E402
from llm4retail.risk.supervised import VALIDATION_SHARE, GradientBoostingDetector  # noqa: E402

DEFAULT_PAYMENTS = Path(__file__).resolve().parents[2] / "shared/datasets/fraud_creditcard/" \
    "creditcard_all_frauds_plus_1230_normals.csv.gz"
FPR = 0.01


def metrics(truth: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return {"roc_auc": round(float(roc_auc_score(truth, scores)), 4),
            "pr_auc": round(float(average_precision_score(truth, scores)), 4),
            "recall_at_1pct_fpr": round(recall_at_fpr(truth, scores, fpr=FPR), 4)}


def out_of_reach(truth: np.ndarray, scores: np.ndarray) -> int:
    """Frauds scoring at or below the legitimate payment that the 1% budget can no longer flag."""
    allowed = int(np.floor(FPR * (truth == 0).sum()))
    legit = np.sort(scores[truth == 0])[::-1]
    return int((scores[truth == 1] <= legit[allowed]).sum())


def families() -> dict[str, Callable[[], Any]]:
    return {
        "logistic_regression": lambda: make_pipeline(StandardScaler(), LogisticRegression(C=0.01, max_iter=2000)),
        "knn_15": lambda: make_pipeline(StandardScaler(), KNeighborsClassifier(15, weights="distance")),
        "random_forest": lambda: RandomForestClassifier(500, min_samples_leaf=2, n_jobs=2, random_state=0),
        "extra_trees": lambda: ExtraTreesClassifier(500, min_samples_leaf=2, n_jobs=2, random_state=0),
        "svm_rbf": lambda: make_pipeline(StandardScaler(), SVC(C=1.0, probability=True, random_state=0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=Path, default=DEFAULT_PAYMENTS)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    payments = time_ordered(read_table(args.payments, Table.PAYMENTS)[0])
    labels = labels_of(payments)
    if labels is None:
        raise SystemExit("the payments need a 0/1 label on every row")
    cut = int(round(len(payments) * 0.7))
    model = RiskModel().fit(payments.iloc[:cut])
    matrix = np.nan_to_num(model.matrices(payments)[0])
    train, test = slice(None, cut), slice(cut, None)
    y_train, y_test = labels[train], labels[test]
    valid_cut = int(round(cut * (1.0 - VALIDATION_SHARE)))
    y_valid = y_train[valid_cut:]
    report: dict[str, Any] = {"payments": str(args.payments), "n_train": cut, "n_test": len(payments) - cut,
                              "frauds_test": int(y_test.sum()), "features": model.spec_.columns, "models": {}}

    ours: list[tuple[np.ndarray, np.ndarray]] = []
    for seed in range(args.seeds):
        detector = GradientBoostingDetector(seed=seed).fit(matrix[train], y_train, feature_names=model.spec_.columns)
        validation, scores = detector.validation_[0], detector.score(matrix[test])
        ours.append((validation, scores))
        report["models"][f"ours_seed{seed}"] = {"validation": metrics(y_valid, validation), "test": metrics(y_test, scores),
                                                "test_frauds_out_of_reach": out_of_reach(y_test, scores)}
    our_valid, our_test = ours[0]
    for name, make in families().items():
        valid = make().fit(matrix[:valid_cut], y_train[:valid_cut]).predict_proba(matrix[valid_cut:cut])[:, 1]
        scores = make().fit(matrix[train], y_train).predict_proba(matrix[test])[:, 1]
        report["models"][name] = {"validation": metrics(y_valid, valid), "test": metrics(y_test, scores),
                                  "test_frauds_out_of_reach": out_of_reach(y_test, scores)}
        for weight in (0.3, 0.5):
            rank_valid = (1 - weight) * rankdata(our_valid) + weight * rankdata(valid)
            rank_test = (1 - weight) * rankdata(our_test) + weight * rankdata(scores)
            report["models"][f"ours+{name}_rank{weight}"] = {"validation": metrics(y_valid, rank_valid),
                                                             "test": metrics(y_test, rank_test)}
            if name == "logistic_regression":
                clip = lambda values: logit(np.clip(values, 1e-9, 1 - 1e-9))  # noqa: E731
                odds_valid = (1 - weight) * clip(our_valid) + weight * clip(valid)
                odds_test = (1 - weight) * clip(our_test) + weight * clip(scores)
                report["models"][f"ours+{name}_logodds{weight}"] = {"validation": metrics(y_valid, odds_valid),
                                                                    "test": metrics(y_test, odds_test)}
    # Optimistic reference: random 10-fold CV over the whole file (trains on later payments too).
    booster = lgb.LGBMClassifier(n_estimators=200, num_leaves=15, learning_rate=0.05, subsample=0.8, subsample_freq=1,
                                 colsample_bytree=0.5, verbose=-1, n_jobs=1)
    folds = StratifiedKFold(10, shuffle=True, random_state=0)
    crossed = cross_val_predict(booster, matrix, labels, cv=folds, method="predict_proba")[:, 1]
    report["optimistic_random_cv_lightgbm"] = {"test_rows": metrics(y_test, crossed[test]),
                                               "test_frauds_out_of_reach": out_of_reach(y_test, crossed[test]),
                                               "whole_file": metrics(labels, crossed)}
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
