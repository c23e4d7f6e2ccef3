"""Audio uploads: decoded (wav, webm/opus, ogg, mp3, m4a: whatever FFmpeg's PyAV reads) to 16 kHz mono
float32, with size and duration limits and clear errors for what is no speech clip."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from llm4retail.errors import DataValidationError, MissingExtraError, PayloadTooLargeError

SAMPLE_RATE = 16_000
MAX_SECONDS = 30.0  # one spoken query or request; Whisper reads 30-second windows
MAX_BYTES = 10 * 1024 * 1024
SILENCE_RMS = 1e-4  # below this the clip holds no speech (digital silence, or a muted microphone)
FORMATS = "wav, webm/opus, ogg, mp3, m4a"


@dataclass(frozen=True)
class Clip:
    """A decoded clip: 16 kHz mono samples in [-1, 1]."""

    samples: np.ndarray

    @property
    def seconds(self) -> float:
        """Duration."""
        return len(self.samples) / SAMPLE_RATE

    @property
    def silent(self) -> bool:
        """No signal at all (a clip of zeros)."""
        return not len(self.samples) or float(np.sqrt(np.mean(np.square(self.samples)))) < SILENCE_RMS


def decode_clip(data: bytes, *, max_seconds: float = MAX_SECONDS, max_bytes: int = MAX_BYTES) -> Clip:
    """`data` decoded to 16 kHz mono.

    Raises:
        DataValidationError: empty, or not audio in a known format.
        PayloadTooLargeError: more than `max_bytes`, or longer than `max_seconds`.
        MissingExtraError: the `voice` extra (faster-whisper, PyAV) is not installed.
    """
    if not data:
        raise DataValidationError(f"the audio is empty: send a clip ({FORMATS}) as the request body")
    if len(data) > max_bytes:
        raise PayloadTooLargeError(f"the audio is {len(data):,} bytes; at most {max_bytes:,} are accepted")
    try:
        import av
        from faster_whisper.audio import decode_audio
    except ImportError as error:
        raise MissingExtraError("speech recognition needs faster-whisper: pip install 'llm4retail[voice]'") from error
    try:
        samples = decode_audio(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, ValueError, IndexError, StopIteration) as error:
        raise DataValidationError(f"the body is not audio in a known format ({FORMATS}): {error}") from error
    clip = Clip(np.asarray(samples, dtype=np.float32))
    if not len(clip.samples):
        raise DataValidationError(f"the audio holds no sound (0 samples); send a clip ({FORMATS})")
    if clip.seconds > max_seconds:
        raise PayloadTooLargeError(f"the audio lasts {clip.seconds:.1f} s; at most {max_seconds:.0f} s are accepted")
    return clip
