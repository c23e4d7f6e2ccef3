"""Trained models on disk: one save/load contract (`Artifact`) and one versioned store (`ModelStore`)."""

from llm4retail.artifacts.model import (
    Artifact,
    ArtifactMeta,
    ModelState,
    data_fingerprint,
    load_model,
    read_meta,
    register_model,
    registered_models,
)
from llm4retail.artifacts.store import ModelStore, ModelVersion, list_models

__all__ = [
    "Artifact",
    "ArtifactMeta",
    "ModelState",
    "ModelStore",
    "ModelVersion",
    "data_fingerprint",
    "list_models",
    "load_model",
    "read_meta",
    "register_model",
    "registered_models",
]
