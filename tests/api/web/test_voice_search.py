"""The search box's microphone in a real browser: Chromium's fake microphone plays espeak-ng's "running shoes",
the clip goes to POST /voice, and the recognised words are searched the usual way.

Chromium takes the fake microphone's sound from `--use-file-for-fake-audio-capture` (a 16-bit PCM WAV, played in
a loop); `--use-fake-ui-for-media-stream` answers the permission prompt with yes.
"""

from __future__ import annotations

import io
import json
import shutil
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.web.conftest import Page

pytestmark = pytest.mark.slow

HEARD_TIMEOUT_MS = 90_000  # the first clip also unpacks and loads the Whisper model


def _speech_file(directory: Path, text: str) -> Path:
    """`text` spoken slowly by espeak-ng with 3 s of silence after it (Chromium plays the file in a loop and the
    test records 3 s: one utterance), rewritten as a plain 16-bit PCM WAV."""
    from llm4retail.voice.speech import speak

    with wave.open(io.BytesIO(speak(text, "en", rate=130))) as reader:  # espeak's streamed header has no real sizes
        rate, width, channels = reader.getframerate(), reader.getsampwidth(), reader.getnchannels()
        frames = reader.readframes(reader.getnframes())
    assert width == 2, "espeak-ng writes 16-bit samples"
    path = directory / "running-shoes.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(frames + b"\0" * (3 * rate * width * channels))
    return path


@pytest.fixture(scope="module")
def microphone_browser(browser: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Chromium (the same Playwright as `browser`) whose microphone says "running shoes", allowed without asking."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("the voice search test speaks with espeak-ng: apt-get install -y espeak-ng")
    sound = _speech_file(tmp_path_factory.mktemp("voice-web"), "running shoes")
    launched = browser.browser_type.launch(  # type: ignore[attr-defined]
        executable_path=_chromium(),
        args=["--no-sandbox", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-audio-capture={sound}"],
    )  # fmt: skip
    yield launched
    launched.close()


def _chromium() -> str:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable is not None
    return executable


def _search_box(tab: object) -> object:
    return tab.get_by_role("searchbox", name="Search products")  # type: ignore[attr-defined]


def test_the_microphone_button_is_a_named_toggle_and_hidden_without_mediarecorder(page: Page, browser, site) -> None:
    tab = page.open("/")
    button = tab.get_by_role("button", name="Search by voice")
    assert button.is_visible()
    assert button.get_attribute("aria-pressed") == "false"
    assert tab.locator("#voice").evaluate("element => element.tagName") == "BUTTON"
    tab.locator("#q").focus()
    tab.keyboard.press("Tab")  # the search box, then the microphone
    assert tab.evaluate("document.activeElement.id") == "voice"
    zh = page.open("/?lang=zh")
    assert zh.get_by_role("button", name="语音搜索").is_visible()
    assert page.errors == []

    phone = Page(browser, site, width=390)
    phone_tab = phone.open("/?q=sofa")
    box, mic = phone_tab.locator("#q").bounding_box(), phone_tab.locator("#voice").bounding_box()
    assert mic["x"] + mic["width"] <= 390 and mic["height"] >= 40  # on screen, and big enough to tap
    assert abs(mic["y"] - box["y"]) < 10  # beside the search box
    phone.screenshot("storefront-voice-phone")
    phone.tab.close()

    old = Page(browser, site)  # a browser that cannot record: no button at all
    old.tab.add_init_script("delete window.MediaRecorder")
    assert old.open("/").locator("#voice").is_hidden()
    assert old.errors == []
    old.tab.close()


def test_speaking_running_shoes_searches_for_them(microphone_browser, site) -> None:
    page = Page(microphone_browser, site)
    tab = page.open("/")
    sent: list[dict[str, str]] = []
    tab.on("request", lambda request: "/voice" in request.url and sent.append({"url": request.url, **request.headers}))
    button = tab.get_by_role("button", name="Search by voice")
    button.click()
    stop = tab.get_by_role("button", name="Stop recording and search")
    assert stop.get_attribute("aria-pressed") == "true"
    assert "Listening" in tab.locator("#voice-status").inner_text()
    tab.wait_for_timeout(3000)
    stop.click()
    heard = tab.locator("#voice-status[data-kind=heard]")
    heard.wait_for(timeout=HEARD_TIMEOUT_MS)
    assert "running" in heard.inner_text().lower() and heard.inner_text().startswith("Heard: ")
    assert "running" in _search_box(tab).input_value().lower()
    tab.wait_for_url("**/?q=*", timeout=30_000)  # the results came the usual way: htmx, with the address
    tab.wait_for_load_state("networkidle")
    assert "spoken=1" in tab.url  # searched as a transcript: fused with the phonetic match
    titles = [title.lower() for title in tab.locator(".hits .card h3").all_inner_texts()]
    assert titles and sum("running shoes" in title for title in titles) >= len(titles) // 2, titles
    assert "action=search" in sent[0]["url"] and "language=en" in sent[0]["url"]
    assert sent[0]["content-type"] in ("audio/webm", "audio/ogg")
    assert button.get_attribute("aria-pressed") == "false"
    page.screenshot("storefront-voice-search")
    assert page.errors == []
    page.tab.close()


def test_an_error_from_voice_is_shown_and_the_button_comes_back(microphone_browser, site) -> None:
    page = Page(microphone_browser, site)
    tab = page.open("/?q=sofa")
    answer = {"error": "this feature needs an extra: pip install 'llm4retail[voice]'"}
    tab.route("**/voice?*", lambda route: route.fulfill(status=503, content_type="application/json",
                                                        body=json.dumps(answer)))  # fmt: skip
    tab.get_by_role("button", name="Search by voice").click()
    tab.wait_for_timeout(500)
    tab.get_by_role("button", name="Stop recording and search").click()
    error = tab.locator("#voice-status[data-kind=error]")
    error.wait_for()
    assert "Voice search is not available" in error.inner_text()
    assert _search_box(tab).input_value() == "sofa"  # the typed search stays
    button = tab.get_by_role("button", name="Search by voice")
    assert button.get_attribute("aria-pressed") == "false" and button.get_attribute("aria-disabled") is None
    assert [error for error in page.errors if "503" not in error] == []
    page.tab.close()


def test_a_chinese_page_asks_for_chinese_and_searches_the_answer(microphone_browser, site) -> None:
    page = Page(microphone_browser, site)
    tab = page.open("/?lang=zh")
    asked: list[str] = []

    def answer(route: object) -> None:
        asked.append(route.request.url)  # type: ignore[attr-defined]
        route.fulfill(
            status=200,
            content_type="application/json",  # type: ignore[attr-defined]
            body=json.dumps({"transcript": "沙發", "text": "沙发", "language": "zh", "action": "search"}),
        )

    tab.route("**/voice?*", answer)
    tab.get_by_role("button", name="语音搜索").click()
    tab.wait_for_timeout(500)
    tab.get_by_role("button", name="停止录音并搜索").click()
    tab.locator("#voice-status[data-kind=heard]").wait_for()
    assert tab.locator("#voice-status").inner_text() == "听到：沙發"
    assert tab.locator("#q").input_value() == "沙发"
    tab.wait_for_url("**/?q=*")
    tab.wait_for_load_state("networkidle")
    assert tab.locator(".hits .card").count() > 0 and "spoken=1" in tab.url
    tab.locator("#q").fill("沙发 红色")  # typed again: an ordinary search
    tab.wait_for_url(lambda url: "%E7%BA%A2%E8%89%B2" in url)  # 红色
    assert "spoken" not in tab.url
    assert "language=zh" in asked[0] and "action=search" in asked[0]
    assert page.errors == []
    page.tab.close()


@pytest.mark.parametrize(("status", "shown"), [(413, "too long"), (422, "could not be read as audio")])
def test_a_clip_too_long_or_not_audio_says_so(microphone_browser, site, status: int, shown: str) -> None:
    page = Page(microphone_browser, site)
    tab = page.open("/")
    tab.route("**/voice?*", lambda route: route.fulfill(status=status, content_type="application/json",
                                                        body=json.dumps({"error": "no"})))  # fmt: skip
    tab.get_by_role("button", name="Search by voice").click()
    tab.wait_for_timeout(300)
    tab.get_by_role("button", name="Stop recording and search").click()
    assert shown in tab.locator("#voice-status[data-kind=error]").inner_text()
    page.tab.close()


def test_a_blocked_microphone_says_how_to_allow_it(page: Page) -> None:
    page.tab.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'))"
    )
    tab = page.open("/")
    tab.get_by_role("button", name="Search by voice").click()
    error = tab.locator("#voice-status[data-kind=error]")
    assert "microphone is blocked" in error.inner_text()
    assert tab.get_by_role("button", name="Search by voice").get_attribute("aria-pressed") == "false"
    assert page.errors == []
