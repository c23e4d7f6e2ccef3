"""Real speech (espeak-ng) through Whisper, the catalog repair and the store's search and assistant."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import ConfigError, DataValidationError, PayloadTooLargeError
from llm4retail.voice.evaluate import evaluate_voice
from llm4retail.voice.normalise import normalise_transcript
from llm4retail.voice.service import VoiceAction, VoiceRequest
from llm4retail.voice.speech import speak, with_noise
from llm4retail.voice.transcribe import WHISPER_SHA256, model_folder


def _titles(result_search: dict) -> list[str]:
    return [hit.title if hasattr(hit, "title") else hit["title"] for hit in result_search["hits"]]


def test_english_speech_searches_the_spoken_product_type(voice_services: Services) -> None:
    result = voice_services.voice.understand(VoiceRequest(language="en", action=VoiceAction.SEARCH),
                                             speak("running shoes", "en"))  # fmt: skip
    assert "running" in result.transcript.lower()
    assert result.language == "en" and result.action is VoiceAction.SEARCH
    titles = _titles(result.search)
    assert titles and sum("running shoe" in title.lower() for title in titles[:5]) >= 3
    assert 0 < result.real_time_factor < 5


def test_chinese_speech_is_simplified_repaired_and_searched(voice_services: Services) -> None:
    result = voice_services.voice.understand(VoiceRequest(language="zh", action=VoiceAction.SEARCH),
                                             speak("我想买一个沙发", "zh"))  # fmt: skip
    assert result.language == "zh"
    # heard as 我想買一個砂髮: traditional characters and a homophone, simplified and repaired to the catalog's word
    assert "沙发" not in result.transcript and "沙发" in result.text and "買" not in result.text
    titles = _titles(result.search)
    assert titles and all("沙发" in title for title in titles[:3])


def test_spoken_price_becomes_a_filter(voice_services: Services) -> None:
    result = voice_services.voice.understand(VoiceRequest(language="en", action=VoiceAction.SEARCH),
                                             speak("a sofa under five hundred dollars", "en"))  # fmt: skip
    assert result.search["understood"]["price"] == {"min": None, "max": 500.0, "currency": "USD"}
    assert all(hit.price <= 500 for hit in result.search["hits"] if hit.currency == "USD")
    # Chinese numerals stay words for the query parser (espeak's Mandarin numbers are rarely heard right)
    understood = voice_services.voice.search(normalise_transcript("沙發，五百塊以內。", "zh")).understood
    assert understood["price"] == {"min": None, "max": 500.0, "currency": "CNY"}


def test_auto_sends_an_order_question_to_the_assistant(voice_services: Services) -> None:
    result = voice_services.voice.understand(VoiceRequest(language="en"), speak("where is my order", "en"))
    assert result.action is VoiceAction.ASSISTANT and result.intent == "order_status"
    assert result.reply is not None and result.reply["intent"] == "order_status" and result.reply["text"]


def test_silence_is_an_empty_transcript_and_no_action(voice_services: Services) -> None:
    result = voice_services.voice.understand(VoiceRequest(language="en"), _wav(np.zeros(16_000, dtype=np.int16)))
    assert result.transcript == "" and result.search is None and result.reply is None


def _wav(samples: np.ndarray, rate: int = 16_000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.astype(np.int16).tobytes())
    return out.getvalue()


@pytest.mark.parametrize(
    ("audio", "error", "message"),
    [
        (b"", DataValidationError, "empty"),
        (b"this is text, not a sound", DataValidationError, "not audio"),
        (_wav(np.zeros(16_000 * 31, dtype=np.int16)), PayloadTooLargeError, "at most 30 s"),
    ],
)
def test_bad_audio_is_refused_clearly(voice_services: Services, audio: bytes, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        voice_services.voice.understand(VoiceRequest(language="en"), audio)


def test_noise_lowers_the_signal_to_noise_ratio() -> None:
    clean = speak("red sofa", "en")
    noisy = with_noise(clean, snr_db=0, seed=1)
    read = [np.frombuffer(wave.open(io.BytesIO(clip)).readframes(10**7), dtype=np.int16).astype(float)
            for clip in (clean, noisy)]  # fmt: skip
    noise = read[1] - read[0]
    assert len(noisy) == len(clean)
    assert 10 * np.log10(np.mean(read[0] ** 2) / np.mean(noise**2)) == pytest.approx(0, abs=0.5)


def test_the_assembled_model_is_checked(tmp_path: Path) -> None:
    folder = model_folder(tmp_path)
    assert (folder / "model.bin").stat().st_size > 100_000_000 and not list(folder.glob("*.partial"))
    assert model_folder(tmp_path) == folder  # assembled once
    with pytest.raises(ConfigError, match="no model.bin"):
        model_folder(tmp_path, explicit=tmp_path / "elsewhere")
    assert len(WHISPER_SHA256) == 64


def test_eval_voice_reports_spoken_and_typed(voice_services: Services) -> None:
    report = evaluate_voice(voice_services, limit=3)
    metrics = report.metrics
    assert report.n == 6 and metrics["en_queries"] == 3 and metrics["zh_queries"] == 3
    for language, error in (("en", "wer"), ("zh", "cer")):
        assert 0 <= metrics[f"{language}_{error}"] <= 2
        assert 0 < metrics[f"{language}_ndcg@10_typed"] <= 1
        assert 0 <= metrics[f"{language}_ndcg@10_spoken"] <= 1
    assert 0 < metrics["rtf_p50"] and report.extra["samples"]["zh"][0]["heard"] is not None


def test_a_customers_language_is_forced_when_the_request_names_none(voice_services: Services) -> None:
    customers = voice_services.store.read_frame(Table.CUSTOMERS)
    chinese = next(row["customer_id"] for row in customers.to_dict("records")
                   if row["attributes"].get("preferred_language") == "zh")  # fmt: skip
    clip = speak("我想买一个沙发", "zh")
    forced = voice_services.voice.understand(VoiceRequest(customer_id=chinese, action=VoiceAction.SEARCH), clip)
    assert forced.language == "zh" and forced.language_probability is None  # given, not detected
    detected = voice_services.voice.understand(VoiceRequest(action=VoiceAction.SEARCH), clip)
    assert detected.language_probability is not None
