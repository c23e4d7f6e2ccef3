"""A demo store with a lexical search index and the assistant's intent model, shared by the voice tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from llm4retail.config import get_settings
from llm4retail.container import Services
from llm4retail.data.demo import init_demo_store
from llm4retail.data.store import Store


@pytest.fixture(scope="session", autouse=True)
def _espeak() -> None:
    """The voice tests speak with espeak-ng (a Debian package `.ci/run` installs); without it they fail."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("the voice tests need espeak-ng: apt-get install -y espeak-ng")


@pytest.fixture(scope="module")
def voice_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Services over the demo store (seed 42) with search (lexical, no reranker) and the assistant trained."""
    data_dir = tmp_path_factory.mktemp("voice")
    settings = get_settings(data_dir=data_dir)
    store = Store.from_settings(settings)
    init_demo_store(store, data_dir=data_dir)
    services = Services(settings, store=store)
    services.search.train(semantic=False, reranker=False)
    services.assistant.train()
    yield services
    services.close()
