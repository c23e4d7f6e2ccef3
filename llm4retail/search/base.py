"""The base of every trained search model: the index (`SearchEngine`) and its learned `Reranker`.

Both save and load through the shared model contract (`llm4retail.artifacts.Artifact`); the
served index lives in `<data-dir>/models/search/vNNNN` (`llm4retail search train`).
"""

from __future__ import annotations

from llm4retail.artifacts import Artifact


class SearchModel(Artifact):
    """A trained search model: names the capability and the command that retrains it."""

    capability = "search"
    train_command = "llm4retail search train"
