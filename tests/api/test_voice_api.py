"""`POST /voice`: real espeak-ng speech in, transcript and search hits (or an assistant turn) out."""

from __future__ import annotations

import io
import shutil
import wave

import numpy as np
import pytest
from fastapi.testclient import TestClient

from llm4retail.voice.speech import speak


@pytest.fixture(scope="module")
def client(demo_client: TestClient) -> TestClient:
    if shutil.which("espeak-ng") is None:
        pytest.fail("the voice tests need espeak-ng: apt-get install -y espeak-ng")
    demo_client.app.state.services.search.train(semantic=False, reranker=False)
    return demo_client


def _post(client: TestClient, audio: bytes, **params: str) -> object:
    return client.post("/voice", content=audio, params=params, headers={"Content-Type": "audio/wav"})


def test_english_clip_finds_the_spoken_product_type(client: TestClient) -> None:
    response = _post(client, speak("running shoes", "en"), language="en", action="search")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "running" in body["transcript"].lower() and body["language"] == "en" and body["action"] == "search"
    assert sum("running shoe" in hit["title"].lower() for hit in body["search"]["hits"][:5]) >= 3
    assert body["real_time_factor"] > 0 and body["audio_seconds"] > 0.5


def test_chinese_clip_finds_the_spoken_product_type(client: TestClient) -> None:
    response = _post(client, speak("我想买一个沙发", "zh"), language="zh", action="search")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "zh" and "沙发" in body["text"]
    assert all("沙发" in hit["title"] for hit in body["search"]["hits"][:3])


def _silence(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(np.zeros(int(16_000 * seconds), dtype=np.int16).tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    ("audio", "status", "message"),
    [(b"", 422, "empty"), (b"<html>not a sound</html>", 422, "not audio"), (_silence(31), 413, "at most 30 s")],
)
def test_bad_audio_gets_a_clear_4xx(client: TestClient, audio: bytes, status: int, message: str) -> None:
    response = _post(client, audio, language="en")
    assert response.status_code == status and message in response.text


def test_bad_parameters_and_other_customers(client: TestClient) -> None:
    assert _post(client, speak("sofa", "en"), language="fr").status_code == 422
    assert _post(client, speak("sofa", "en"), action="dance").status_code == 422
    assert _post(client, speak("sofa", "en"), customer_id="c00001").status_code == 401  # anonymous naming a customer
