"""TEST-ONLY shim: a search service with the final interface of the search migration (issue 16).

DELETE AFTER THE SEARCH BRANCH IS MERGED. The search capability is migrated in parallel; its final
service is built by the container as `SearchService(settings, store, *, services=None, semantic=True)`,
`train()` builds and saves the index, and `engine()` returns the loaded engine or raises
`NotTrainedError`. On this branch the old `SearchService(store, *, data_dir, semantic, llm)` is still
in place and the container cannot build it, so the assistant's tests install this wrapper instead:

- `install_search(services)` puts one into a container (`services._services["search"]`);
- `LEXICAL_SEARCH` is a `SERVICE_CLASSES` entry for containers the test does not hold (the CLI's),
  to be patched with `monkeypatch.setitem(SERVICE_CLASSES, "search", LEXICAL_SEARCH)`.

After the merge: drop the install calls (or install `SearchService(settings, store, services=services,
semantic=False)` for speed) and the `SERVICE_CLASSES` patches, and delete this file.
"""

from __future__ import annotations

from typing import Any

from llm4retail.config import Settings
from llm4retail.container import Services
from llm4retail.data.store import Store
from llm4retail.errors import NotTrainedError
from llm4retail.search.engine import SearchEngine
from llm4retail.search.service import SearchService as LegacySearchService

LEXICAL_SEARCH = "tests.assistant.search_shim:LexicalSearchService"


class SearchService:
    """The final search-service interface over the old `SearchService` (index in `<data-dir>/search`)."""

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None, semantic: bool = True) -> None:
        self.settings, self.store, self.services = settings, store, services
        self.legacy = LegacySearchService(store, data_dir=settings.data_dir, semantic=semantic)

    def train(self) -> dict[str, Any]:
        """Builds the index from the store's products and events and saves it."""
        return {"products": self.legacy.rebuild().size}

    def engine(self) -> SearchEngine:
        """The loaded engine.

        Raises:
            NotTrainedError: no index is saved (run `llm4retail search train`).
        """
        if not self.legacy.loaded and not (self.legacy.directory / "meta.json").is_file():
            raise NotTrainedError("no search index is trained yet; run `llm4retail search train`")
        return self.legacy.engine()

    def products_changed(self, rows: Any) -> None:
        self.legacy.products_changed(rows)

    def products_deleted(self, keys: Any) -> None:
        self.legacy.products_deleted(keys)


class LexicalSearchService(SearchService):
    """The shim without the embedding channel (fast), as the assistant's tests always searched."""

    def __init__(self, settings: Settings, store: Store, *, services: Services | None = None, semantic: bool = False) -> None:
        super().__init__(settings, store, services=services, semantic=semantic)


def install_search(services: Services, *, semantic: bool = False) -> SearchService:
    """Puts a shim search service into `services` (lexical by default, for speed) and returns it."""
    shim = SearchService(services.settings, services.store, services=services, semantic=semantic)
    services._services["search"] = shim  # type: ignore[assignment]
    return shim
