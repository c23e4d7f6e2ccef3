"""Safety of the conversation: personal data masked before it is stored, abusive messages
recognised, and a lexicon sentiment score for frustration (English and Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"(?<![\w])(?:\d[ -]?){12,18}\d(?![\w])")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+?86[- ]?)?1[3-9]\d{9}"  # mainland mobile
    r"|\+\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}"  # international
    r"|\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4})(?![\w])"  # North American
)
_CHINESE_ID = re.compile(r"(?<![\w])\d{17}[\dXx](?![\w])")

ABUSE_EN = (
    "fuck", "fucking", "fucked", "shit", "idiot", "stupid bot", "stupid", "moron", "dumb", "bitch", "asshole", "bastard", "shut up",
    "useless piece", "retard", "screw you", "go to hell",
)
ABUSE_ZH = ("傻逼", "傻b", "sb", "白痴", "废物", "去死", "妈的", "他妈", "操你", "脑残", "滚蛋", "蠢货", "智障", "闭嘴", "王八蛋")
STRONG_NEGATIVE_EN = (
    "worst", "furious", "unacceptable", "ridiculous", "disgusting", "scam", "fraud", "rip-off", "ripoff", "outraged",
    "never again", "never buy", "terrible", "horrible", "awful", "pathetic", "livid", "sick of", "fed up", "lawyer",
    "sue you", "report you", "so angry", "extremely disappointed",
)
STRONG_NEGATIVE_ZH = (
    "气死", "太差劲", "差劲", "骗子", "骗人", "投诉你们", "再也不", "垃圾", "恶心", "太离谱", "忍无可忍", "受够了",
    "坑人", "欺骗", "曝光", "律师", "起诉", "非常生气", "很生气", "太失望", "愤怒", "最差", "黑店",
)
MILD_NEGATIVE_EN = ("disappointed", "unhappy", "annoyed", "bad", "broken", "damaged", "late", "slow", "wrong", "poor", "not happy", "upset")
MILD_NEGATIVE_ZH = ("失望", "不满意", "生气", "坏了", "破损", "太慢", "发错", "质量差", "不好", "烦", "着急")
INTENSIFIERS_EN = ("very", "so", "really", "extremely", "totally", "absolutely")
INTENSIFIERS_ZH = ("太", "非常", "特别", "极其", "真的", "超级")


@dataclass(frozen=True)
class Sentiment:
    """A lexicon reading of one message.

    Attributes:
        score: 0 for neutral, more negative for stronger frustration (about -1 per strong cue).
        abusive: the message insults or swears.
    """

    score: float
    abusive: bool

    @property
    def strongly_negative(self) -> bool:
        """Anger that a person should take over (two strong cues, or one with emphasis)."""
        return self.score <= -2.0


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mask_pii(text: str, *, keep: Iterable[str] = ()) -> str:
    """`text` with e-mail addresses, card numbers, phone numbers and ID numbers masked.

    Args:
        text: a message.
        keep: public values to leave as they are (the shop's own support phone and e-mail).

    Returns:
        The masked text: `[email]`, `[card ****1234]`, `[phone]`, `[id number]`.
    """
    public = {value for value in keep if value}

    def email(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0) in public else "[email]"

    def card(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and _luhn_valid(digits):
            return f"[card ****{digits[-4:]}]"
        return match.group(0)

    def phone(match: re.Match[str]) -> str:
        return match.group(0) if match.group(0).strip() in public else "[phone]"

    text = _EMAIL.sub(email, text)
    text = _CHINESE_ID.sub("[id number]", text)
    text = _CARD.sub(card, text)
    return _PHONE.sub(phone, text)


_KINSHIP = re.compile(r"(?:妈妈|姑妈|姨妈|舅妈|干妈|老妈|奶妈|后妈)(?=的)")


def _count(text: str, words: Iterable[str], *, latin: bool) -> int:
    """Occurrences of the words; Latin words (in either list) only as whole words ("usb" holds no "sb")."""
    if not latin:
        text = _KINSHIP.sub("亲", text)  # 妈妈的礼物 holds no 妈的
    return sum(
        len(re.findall(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text)) if latin or word.isascii() else text.count(word)
        for word in words
    )


def read_sentiment(text: str) -> Sentiment:
    """Lexicon sentiment and abuse of one message (English and Chinese word lists)."""
    lower = text.lower()
    abusive = _count(lower, ABUSE_EN, latin=True) + _count(lower, ABUSE_ZH, latin=False) > 0
    strong = _count(lower, STRONG_NEGATIVE_EN, latin=True) + _count(text, STRONG_NEGATIVE_ZH, latin=False)
    mild = _count(lower, MILD_NEGATIVE_EN, latin=True) + _count(text, MILD_NEGATIVE_ZH, latin=False)
    emphasis = _count(lower, INTENSIFIERS_EN, latin=True) + _count(text, INTENSIFIERS_ZH, latin=False)
    emphasis += text.count("!") + text.count("！") >= 2
    letters = [char for char in text if char.isascii() and char.isalpha()]
    emphasis += len(letters) >= 8 and sum(char.isupper() for char in letters) > 0.7 * len(letters)
    score = -(1.0 * strong + 0.4 * mild)
    if strong and emphasis:
        score -= 1.0
    if abusive:
        score -= 1.0
    return Sentiment(score=score, abusive=abusive)
