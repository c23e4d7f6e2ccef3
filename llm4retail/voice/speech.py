"""Synthetic speech for evaluation and tests: espeak-ng (Debian package `espeak-ng`), optionally with
noise at a given signal-to-noise ratio.

espeak-ng's Mandarin reads pinyin with tone numbers (`cmn-latn-pinyin`); its `zh` voice reads the tone
digits aloud. Chinese text is therefore written as pinyin first (pypinyin), with digits read as Chinese
numerals and common units as their Chinese names. Formant synthesis is far from a human voice: figures
measured on it are a worst case.

Example:
    >>> wav = speak("我想买一双红色跑鞋", "zh")   # WAV bytes, 22.05 kHz mono
    >>> noisy = with_noise(wav, snr_db=10, seed=0)
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # nosec B404: espeak-ng is run with an argument list, never through a shell
import wave

import numpy as np

from llm4retail.errors import MissingExtraError

VOICES = {"en": "en-us", "zh": "cmn-latn-pinyin"}
_DIGITS = "零一二三四五六七八九"
_UNITS = {"kg": "公斤", "g": "克", "ml": "毫升", "l": "升", "cm": "厘米", "mm": "毫米", "m": "米", "gb": "G", "tb": "T",
          "mah": "毫安时", "w": "瓦", "v": "伏"}  # fmt: skip
_NUMBER_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|mah|ml|cm|mm|gb|tb|g|l|m|w|v)?(?![a-z])", re.IGNORECASE)


def chinese_numeral(number: str) -> str:
    """Digits as a Chinese numeral read aloud: "750" -> "七百五十", "1.5" -> "一点五", "10" -> "十"."""
    whole, _, fraction = number.partition(".")
    value = int(whole)
    if value >= 100_000_000:
        spoken = "".join(_DIGITS[int(digit)] for digit in whole)
    elif value == 0:
        spoken = "零"
    else:
        spoken = _below_100_million(value)
    if fraction:
        spoken += "点" + "".join(_DIGITS[int(digit)] for digit in fraction)
    return spoken


def _below_10000(value: int) -> str:
    parts, zero = [], False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = value // unit % 10
        if digit:
            if zero:
                parts.append("零")
            parts.append(_DIGITS[digit] + name)
            zero = False
        elif parts:
            zero = True
    spoken = "".join(parts)
    return spoken[1:] if spoken.startswith("一十") else spoken


def _below_100_million(value: int) -> str:
    high, low = divmod(value, 10_000)
    if not high:
        return _below_10000(low)
    spoken = _below_10000(high) + "万"
    if low:
        spoken += ("零" if low < 1000 else "") + _below_10000(low)
    return spoken


def chinese_for_speech(text: str) -> str:
    """Chinese text with its numbers and units as words ("咖啡豆 1kg" -> "咖啡豆 一公斤")."""

    def spoken(match: re.Match[str]) -> str:
        unit = (match.group(2) or "").lower()
        return chinese_numeral(match.group(1)) + _UNITS.get(unit, unit)

    return _NUMBER_UNIT.sub(spoken, text)


def pinyin_for_speech(text: str) -> str:
    """Chinese text as pinyin with tone numbers, the input of espeak-ng's `cmn-latn-pinyin` voice."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(chinese_for_speech(text), style=Style.TONE3, neutral_tone_with_five=True)
    return " ".join(syllable.strip() for syllable in syllables if syllable.strip())


def speak(text: str, language: str, *, rate: int = 175) -> bytes:
    """`text` spoken by espeak-ng, as WAV bytes.

    Raises:
        MissingExtraError: espeak-ng is not installed (apt-get install espeak-ng).
        ValueError: a language other than en and zh.
    """
    if language not in VOICES:
        raise ValueError(f"speech is synthesised in {', '.join(VOICES)}, not {language!r}")
    program = shutil.which("espeak-ng")
    if program is None:
        raise MissingExtraError("synthetic speech needs espeak-ng: apt-get install espeak-ng")
    spoken = pinyin_for_speech(text) if language == "zh" else text
    result = subprocess.run([program, "-v", VOICES[language], "-s", str(rate), "--stdout", spoken],  # nosec B603
                            capture_output=True, check=True, timeout=60)  # fmt: skip
    return result.stdout


def with_noise(wav: bytes, *, snr_db: float, seed: int = 0) -> bytes:
    """`wav` with white Gaussian noise added at `snr_db` decibels below the speech's power."""
    with wave.open(io.BytesIO(wav)) as reader:
        params = reader.getparams()
        samples = np.frombuffer(reader.readframes(params.nframes), dtype=np.int16).astype(np.float64)
    power = float(np.mean(samples**2)) if len(samples) else 0.0
    noise = np.random.default_rng(seed).normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), len(samples))
    mixed = np.clip(samples + noise, -32768, 32767).astype(np.int16)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(mixed.tobytes())
    return out.getvalue()
