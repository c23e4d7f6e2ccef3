"""When to hand a conversation to a person, and what the person receives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from llm4retail.assistant.intents import Intent
from llm4retail.assistant.safety import Sentiment
from llm4retail.assistant.state import DialogueState

_EXPLICIT = re.compile(
    r"\b(?:human|real person|a person|someone real|live agent|human agent|representative|operator|supervisor|manager)\b"
    r"|转人工|人工客服|人工服务|真人|找人工|接人工|^\s*人工\s*$|主管|工作人员",
    re.IGNORECASE,
)
_NOT_UNDERSTOOD = re.compile(
    r"(?:you (?:don'?t|do not|didn'?t) understand|not what i (?:asked|meant)|that'?s not (?:it|what)|useless bot|wrong answer)"
    r"|听不懂|不是这个意思|答非所问|没用的机器人|你不懂|不是问这个",
    re.IGNORECASE,
)


class HandoffReason(StrEnum):
    """Why a person takes over."""

    EXPLICIT_REQUEST = "explicit_request"
    REPEATED_MISUNDERSTANDING = "repeated_misunderstanding"
    NEGATIVE_SENTIMENT = "negative_sentiment"
    LOW_CONFIDENCE = "low_confidence"


@dataclass(frozen=True)
class HandoffPolicy:
    """Thresholds of the hand-off rules.

    Attributes:
        clarify_below: calibrated confidence under which the assistant asks instead of acting.
        misunderstanding_limit: consecutive misunderstood turns that trigger a hand-off.
        human_intent_confidence: confidence of the human-request intent that counts as an explicit request.
    """

    clarify_below: float = 0.4
    misunderstanding_limit: int = 2
    human_intent_confidence: float = 0.6

    def explicit(self, text: str, intent: Intent, confidence: float) -> bool:
        """The shopper asks for a person (by words, or by the intent model with high confidence)."""
        return bool(_EXPLICIT.search(text)) or (intent is Intent.HUMAN_REQUEST and confidence >= self.human_intent_confidence)

    def complains_of_misunderstanding(self, text: str) -> bool:
        """The shopper says the assistant got it wrong."""
        return bool(_NOT_UNDERSTOOD.search(text))

    def decide(self, *, sentiment: Sentiment, state: DialogueState, low_confidence: bool) -> HandoffReason | None:
        """A reason to hand off after this turn's understanding, or None.

        `state.misunderstandings` already counts this turn when it was not understood.
        """
        if sentiment.strongly_negative:
            return HandoffReason.NEGATIVE_SENTIMENT
        if state.misunderstandings >= self.misunderstanding_limit:
            return HandoffReason.LOW_CONFIDENCE if low_confidence else HandoffReason.REPEATED_MISUNDERSTANDING
        return None


def summarise(*, customer_id: str, reason: str, state: DialogueState, transcript: list[dict[str, Any]], language: str | None) -> str:
    """A short note for the person taking over: who, why, what is under discussion, the last request."""
    last_user = next((m["text"] for m in reversed(transcript) if m["role"] == "user"), "")
    topics = ", ".join(dict.fromkeys(state.intents)) or "none"
    parts = [f"Customer {customer_id} ({language or 'unknown language'}); hand-off reason: {reason.replace('_', ' ')}."]
    parts.append(f"Topics so far: {topics}.")
    if state.order_id:
        parts.append(f"Order under discussion: {state.order_id}.")
    if state.product_id:
        parts.append(f"Product under discussion: {state.product_id}.")
    parts.append(f"Last message: \"{last_user[:200]}\" ({len(transcript)} messages in the transcript).")
    return " ".join(parts)
