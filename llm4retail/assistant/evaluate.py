"""`llm4retail assistant eval-intent`: train and score an intent classifier on any labelled utterance set.

The feature set (TF-IDF n-grams, sentence embeddings, or both) is chosen on a validation split
of the training data only; the chosen model is then refitted on all training data (with a
calibration hold-out for its temperature) and scored once on the test data.

The few-shot protocol (`shots=N`) trains on N utterances per intent, drawn with a fixed seed from the
training side of the same split, and tests on the whole test side: the case of a store that writes a
handful of examples for each of many close intents (Bitext's 27 fine-grained intents at 10 and 25).

The candidates are TF-IDF n-grams, the frozen sentence embeddings, both, and `setfit`: the encoder
fine-tuned contrastively on the training utterances (of each validation fold in turn) under a head
(`setfit_steps` optimiser steps; 0 leaves it out).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.assistant.embeddings import CachedEncoder
from llm4retail.errors import DataValidationError
from llm4retail.eval import EvalReport, classification_metrics
from llm4retail.text.language import detect_language

logger = logging.getLogger(__name__)
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.15
SPLIT_SEED = 0
SMALL_TRAIN = 3000  # utterances below which the choice is made by cross-validation
SMALL_FOLDS = 5
SETFIT_STEPS = 150  # the default of llm4retail.models.contrastive.ContrastiveConfig (torch loads only when used)


def stratified_split(frame: pd.DataFrame, *, fraction: float, seed: int = SPLIT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A fixed stratified split; intents with a single example stay on the first side."""
    counts = frame["intent"].value_counts()
    single = frame["intent"].isin(counts[counts < 2].index)
    rest = frame[~single]
    first, second = train_test_split(rest, test_size=fraction, stratify=rest["intent"], random_state=seed)
    return pd.concat([first, frame[single]]).reset_index(drop=True), second.reset_index(drop=True)


def _clean(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = {"text", "intent"} - set(frame.columns)
    if missing:
        raise DataValidationError(f"{name} needs the columns text and intent; missing {sorted(missing)}")
    out = frame[["text", "intent"]].dropna().astype(str)
    out = out[out["text"].str.strip() != ""]
    if out["intent"].nunique() < 2:
        raise DataValidationError(f"{name} has fewer than two intents; nothing to classify")
    return out.reset_index(drop=True)


def few_shot(frame: pd.DataFrame, *, shots: int, seed: int = SPLIT_SEED) -> pd.DataFrame:
    """At most `shots` utterances of each intent, drawn with a fixed seed.

    Raises:
        DataValidationError: `shots` is below 2 (one example per intent leaves nothing to validate on).
    """
    if shots < 2:
        raise DataValidationError(f"shots must be at least 2 utterances per intent, got {shots}")
    parts = [group.sample(n=min(shots, len(group)), random_state=seed) for _, group in frame.groupby("intent", sort=True)]
    return pd.concat(parts).reset_index(drop=True)


def evaluate_intents(
    train: pd.DataFrame, test: pd.DataFrame | None = None, *, dataset: str, shots: int | None = None,
    setfit_steps: int = SETFIT_STEPS,
) -> EvalReport:
    """Choose features on validation, refit, score on the test set.

    Args:
        train: labelled utterances (`text`, `intent`).
        test: held-out utterances; None = a fixed stratified 80/20 split of `train`.
        dataset: name shown in the report.
        shots: train on this many utterances per intent (the few-shot protocol); None = all.
        setfit_steps: contrastive fine-tuning steps of the `setfit` candidate; 0 leaves the candidate out.

    Returns:
        `accuracy`, `macro_f1`, `ece`, `train_seconds`, per-language accuracy/macro-F1 when the
        test set mixes languages, and each candidate's validation scores under `models` (with its test
        scores when refitted alike, for context: the choice is made on validation alone).
    """
    train = _clean(train, "the training file")
    if test is None:
        train, test = stratified_split(train, fraction=TEST_FRACTION)
    else:
        test = _clean(test, "the test file")
    if shots is not None:
        train = few_shot(train, shots=shots)
    started = time.perf_counter()
    if setfit_steps < 0:
        raise DataValidationError(f"setfit_steps must be 0 (no setfit candidate) or more, got {setfit_steps}")
    encoder = CachedEncoder()
    folds = _validation_folds(train)
    candidates: dict[str, dict[str, float]] = {}
    contrastive = {"steps": setfit_steps}

    def candidate(features: FeatureSet, **options: float) -> IntentClassifier:
        return IntentClassifier(features=features, embedder=encoder, contrastive=contrastive, **options)

    for features in [kind for kind in FeatureSet if setfit_steps or kind is not FeatureSet.SETFIT]:
        runs = []
        for fit_part, validation in folds:
            model = candidate(features, calibration_fraction=0.0)
            model.fit(fit_part["text"].tolist(), fit_part["intent"].tolist())
            runs.append(model.evaluate(validation["text"].tolist(), validation["intent"].tolist()))
        scores = {key: float(np.mean([run[key] for run in runs])) for key in runs[0]}
        candidates[features.value] = {"val_accuracy": scores["accuracy"], "val_macro_f1": scores["macro_f1"],
                                      "val_log_loss": scores["log_loss"]}  # fmt: skip
        logger.info("validation %s (%d folds): %s", features.value, len(folds), scores)
    # Ties in accuracy are common when validation is easy (a few shots each, all 1.0): the more confident
    # correct probabilities (lower log-loss) then decide.
    best = max(candidates, key=lambda name: (candidates[name]["val_macro_f1"], candidates[name]["val_accuracy"],
                                             -candidates[name]["val_log_loss"]))  # fmt: skip
    final = candidate(FeatureSet(best)).fit(train["text"].tolist(), train["intent"].tolist())
    train_seconds = time.perf_counter() - started
    metrics = final.evaluate(test["text"].tolist(), test["intent"].tolist()) | {"train_seconds": train_seconds}
    # For context only (the choice above saw validation alone): each other candidate refitted the same way.
    for name in candidates:
        model = final if name == best else candidate(FeatureSet(name)).fit(train["text"].tolist(), train["intent"].tolist())
        scores = metrics if name == best else model.evaluate(test["text"].tolist(), test["intent"].tolist())
        candidates[name] |= {"test_accuracy": scores["accuracy"], "test_macro_f1": scores["macro_f1"]}
    metrics |= _per_language(final, test)
    return EvalReport(
        capability="intent", dataset=dataset, n=len(test), seconds=time.perf_counter() - started, metrics=metrics,
        models=candidates, best=best,
        extra={"n_train": len(train), "n_intents": int(train["intent"].nunique()), "temperature": final.temperature_,
               "shots": shots, "setfit_steps": setfit_steps, "setfit_tuning": final.tuning_ or None},
    )


def _validation_folds(train: pd.DataFrame) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(fit, validation) pairs: one stratified split, or `SMALL_FOLDS`-fold stratified cross-validation when
    the training set is small (a few shots per intent leave a single split a handful of utterances, and one
    error then decides the choice)."""
    if len(train) >= SMALL_TRAIN or train["intent"].value_counts().min() < SMALL_FOLDS:
        return [stratified_split(train, fraction=VALIDATION_FRACTION)]
    splitter = StratifiedKFold(n_splits=SMALL_FOLDS, shuffle=True, random_state=SPLIT_SEED)
    return [(train.iloc[fit].reset_index(drop=True), train.iloc[held].reset_index(drop=True))
            for fit, held in splitter.split(train, train["intent"])]


def _per_language(model: IntentClassifier, test: pd.DataFrame) -> dict[str, float]:
    languages = np.array([detect_language(text).value for text in test["text"]])
    if len(set(languages)) < 2:
        return {}
    predicted = np.array(model.predict(test["text"].tolist()), dtype=object)
    out: dict[str, float] = {}
    for language in sorted(set(languages)):
        mask = languages == language
        scores = classification_metrics(test["intent"].to_numpy()[mask], predicted[mask])
        out[f"accuracy_{language}"] = scores["accuracy"]
        out[f"macro_f1_{language}"] = scores["macro_f1"]
    return out
