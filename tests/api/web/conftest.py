"""A real server (uvicorn in a thread) over a trained demo store, and Debian's Chromium driven by Playwright.

`playwright install` cannot download browsers here: the tests launch the system Chromium
(`apt-get install -y chromium`, which `.ci/run` does). Screenshots go to `test-artifacts/web/`
(or `$LLM4RETAIL_TEST_ARTIFACTS/web/`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from llm4retail.access.roles import KeyRole
from llm4retail.api.app import create_app
from llm4retail.config import ModelSettings, get_settings
from llm4retail.data.demo import init_demo_store
from llm4retail.data.store import Store
from llm4retail.eval.history import save_report
from llm4retail.forecast import ForecastModel

ROOT = Path(__file__).resolve().parents[3]
STAFF_KEY: dict[str, str] = {}  # a staff API key of the site, for the console tests
ARTIFACTS = Path(os.environ.get("LLM4RETAIL_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="package")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a server over the demo store with search, recommendations and reviews trained."""
    data_dir = tmp_path_factory.mktemp("web-demo")
    settings = get_settings(data_dir=data_dir, models=ModelSettings(train_on_start=False))
    store = Store.from_settings(settings)
    init_demo_store(store, data_dir=data_dir)
    app = create_app(settings, store=store)
    services = app.state.services
    for service in (services.search, services.recommend, services.reviews, services.assistant, services.pricing,
                    services.marketing, services.risk):
        service.train_on_start()  # the quick defaults `serve` trains
    services.forecast.train(models=[ForecastModel.SEASONAL_NAIVE, ForecastModel.TSB])  # fast candidates, for the charts
    save_report(services.risk.evaluate(), data_dir / "evals")  # what `llm4retail risk eval` records, for its page
    _key, STAFF_KEY["key"] = services.access.keys.create(name="web tests", role=KeyRole.STAFF)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    yield base
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("the browser tests need Chromium: apt-get install -y chromium (.ci/run installs it)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


class Page:
    """A browser tab that records console errors and page errors, and writes screenshots."""

    def __init__(self, browser: object, base: str, *, width: int = 1280) -> None:
        self.base = base
        self.tab = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        self.errors: list[str] = []
        self.tab.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        self.tab.on("response", lambda answer: answer.status >= 400 and self.errors.append(f"{answer.status} {answer.url}"))

    def open(self, path: str) -> object:
        response = self.tab.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return self.tab

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.tab.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser: object, site: str) -> Iterator[Page]:
    tab = Page(browser, site)
    yield tab
    tab.tab.close()
