"""Campaign messages: per customer, two variants (A/B) of an email or a short push/SMS text naming the products
recommended for them with their catalog prices, in the customer's language, checked like product copy.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Sequence

from llm4retail.errors import LLMUnavailableError
from llm4retail.generate.checks import grounding_problems, language_problem, length_problems
from llm4retail.generate.facts import CatalogTerms, ProductFacts
from llm4retail.generate.schemas import CampaignMessage, Channel
from llm4retail.generate.templates import title_of
from llm4retail.llm.backends import AnswerBackend
from llm4retail.text.language import Language

logger = logging.getLogger(__name__)

VARIANTS = ("A", "B")
PRODUCTS_PER_MESSAGE = {Channel.EMAIL: 2, Channel.PUSH: 1, Channel.SMS: 1}
# (min, max) characters of the body (and of an email's subject); an SMS in Chinese is one 70-character segment.
BODY_LIMITS = {
    Language.ENGLISH: {Channel.EMAIL: (40, 1200), Channel.PUSH: (15, 178), Channel.SMS: (15, 160)},
    Language.CHINESE: {Channel.EMAIL: (20, 600), Channel.PUSH: (8, 90), Channel.SMS: (8, 70)},
}
SUBJECT_LIMITS = {Language.ENGLISH: (8, 90), Language.CHINESE: (4, 45)}
SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}
# RFM segment -> the message's mood (no promise: the record holds no discount, stock or shipping offer).
MOODS = {"champions": "thanks", "loyal_customers": "thanks", "vip": "thanks", "at_risk": "winback",
         "cannot_lose_them": "winback", "hibernating": "winback", "about_to_sleep": "winback", "need_attention": "winback",
         "new_customers": "welcome", "promising": "welcome", "potential_loyalists": "welcome", "prospects": "welcome", "new": "welcome"}  # fmt: skip
_MOOD_LINES = {
    Language.ENGLISH: {"thanks": "Thank you for shopping with us so often.",
                       "winback": "It has been a while, so we picked a few things you may like.",
                       "welcome": "Thanks for getting to know our store.", "default": "We picked these with you in mind."},
    Language.CHINESE: {"thanks": "感谢您一直以来的支持。", "winback": "好久不见，我们为您挑了几件可能喜欢的商品。",
                       "welcome": "感谢您关注本店。", "default": "这些是我们为您用心挑选的。"},
}  # fmt: skip
_SHORT_LEADS = {
    Language.ENGLISH: {"thanks": "Thanks for shopping with us! For you:", "winback": "We miss you! For you:",
                       "welcome": "Welcome! For you:", "default": "Chosen for you:"},
    Language.CHINESE: {"thanks": "感谢支持！为您推荐：", "winback": "好久不见！为您推荐：", "welcome": "欢迎光临！为您推荐：",
                       "default": "为您推荐："},
}  # fmt: skip
_JSON = re.compile(r"\{.*\}", re.DOTALL)


def format_price(price: float, currency: str | None) -> str:
    """ "$117.99", "¥259.00", "1,299.00 SEK"."""
    symbol = SYMBOLS.get((currency or "").upper())
    return f"{symbol}{price:,.2f}" if symbol else f"{price:,.2f} {currency or ''}".rstrip()


def product_name(facts: ProductFacts, language: Language) -> str:
    """The record's title when it is in `language`, else a title in `language` from its values."""
    return facts.title if facts.language is language else title_of(facts, language)


def _lines(products: Sequence[ProductFacts], language: Language) -> list[tuple[str, str]]:
    return [(product_name(p, language), format_price(p.price or 0.0, p.currency)) for p in products]


def template_message(products: Sequence[ProductFacts], *, channel: Channel, variant: str, language: Language,
                     segment: str | None) -> tuple[str, str]:  # fmt: skip
    """(subject, body) of one variant: A leads with the products, B with the customer's segment mood."""
    zh = language is Language.CHINESE
    mood = _MOOD_LINES[language][MOODS.get(segment or "", "default")]
    named = _lines(products, language)
    first, price = named[0]
    if channel is not Channel.EMAIL:
        if variant == "A":
            return "", f"为你精选：{first}，{price}。" if zh else f"Picked for you: {first}, {price}."
        lead = _SHORT_LEADS[language][MOODS.get(segment or "", "default")]
        return "", f"{lead}{first}，{price}。" if zh else f"{lead} {first}, {price}."
    if variant == "A":
        subject = f"为你精选：{first}" if zh else f"Picked for you: {first}"
        intro = (
            "您好！\n\n根据您的浏览和购买记录，我们为您挑选了："
            if zh
            else "Hello,\n\nBased on what you browsed and bought, we picked:"
        )
        listing = "\n".join(f"- {name}，{cost}" if zh else f"- {name}: {cost}" for name, cost in named)
        outro = "\n\n欢迎进店看看。" if zh else "\n\nTake a look whenever you like."
        return subject, f"{intro}\n{listing}\n\n{mood}{outro}"
    nouns = [p.nouns[language] for p in products]
    subject = f"{nouns[0]}等好物，为您而选" if zh else f"{nouns[0][:1].upper()}{nouns[0][1:]} and more, chosen for you"
    sentences = [f"{name}售价{cost}" if zh else f"{name} is {cost}" for name, cost in named]
    listing = "；".join(sentences) + "。" if zh else "; ".join(sentences) + "."
    body = (
        f"您好！{mood}\n\n{listing}\n\n有空来店里逛逛吧。"
        if zh
        else f"Hi there,\n\n{mood}\n\n{listing}\n\nCome and have a look."
    )
    return subject, body


def message_problems(message: CampaignMessage, products: Sequence[ProductFacts], *, terms: CatalogTerms) -> list[str]:
    """Why a message may not be sent: ungrounded facts, a named product's price missing, language, length."""
    low, high = BODY_LIMITS[message.language][message.channel]
    parts = [("body", message.body, low, high)]
    if message.channel is Channel.EMAIL:
        parts.append(("subject", message.subject, *SUBJECT_LIMITS[message.language]))
    problems = length_problems(parts)
    wrong_language = language_problem(message.text(), message.language)
    problems += [wrong_language] if wrong_language else []
    problems += [f"price {price} missing" for price in message.prices if price not in message.body]
    segment = [f"segment: {message.segment}"] if message.segment else []
    return problems + grounding_problems(message.text(), products, terms=terms, extra_facts=segment)


def campaign_messages(messages: list[dict[str, str]], products: Sequence[ProductFacts], *, channel: Channel,
                      language: Language, variant: str) -> list[dict[str, str]]:  # fmt: skip
    """The chat that asks a model for one variant."""
    written = "Simplified Chinese" if language is Language.CHINESE else "English"
    shape = '{"subject": "...", "body": "..."}' if channel is Channel.EMAIL else '{"body": "one short sentence"}'
    facts = "\n".join(f"{name}: {price}" for name, price in _lines(products, language))
    style = "lead with the products" if variant == "A" else "lead with a personal line"
    system = (f"Write a {channel.value} marketing message in {written}; {style}. Name every product with exactly its "
              f"price as given; state nothing else as fact (no discounts, stock, shipping). Answer with JSON only: {shape}.")  # fmt: skip
    return [{"role": "system", "content": system}, *messages, {"role": "user", "content": facts}]


class CampaignWriter:
    """Writes the two checked variants of a customer's message.

    Args:
        terms: the store's vocabulary.
        backend: a language model, or None for the templates.
        attempts: model drafts per variant before the template.
    """

    def __init__(self, terms: CatalogTerms, *, backend: AnswerBackend | None = None, attempts: int = 2) -> None:
        self.terms, self.backend, self.attempts = terms, backend, attempts

    def write(self, customer_id: str, products: Sequence[ProductFacts], *, channel: Channel, language: Language,
              segment: str | None = None, purchase_probability: float | None = None) -> list[CampaignMessage]:  # fmt: skip
        """Variants A and B; a variant no draft (nor the template) passes is left out, and logged."""
        out = []
        prices = [price for _, price in _lines(products, language)]
        base = {"customer_id": customer_id, "segment": segment, "purchase_probability": purchase_probability,
                "channel": channel, "language": language, "product_ids": [p.product_id for p in products], "prices": prices}  # fmt: skip
        for variant in VARIANTS:
            started = time.perf_counter()
            message = self._drafted(base, products, variant) if self.backend is not None else None
            if message is None:
                subject, body = template_message(
                    products, channel=channel, variant=variant, language=language, segment=segment
                )
                message = CampaignMessage(**base, variant=variant, subject=subject, body=body, backend="template")
                problems = message_problems(message, products, terms=self.terms)
                if problems:
                    logger.warning("campaign message %s/%s left out: %s", customer_id, variant, "; ".join(problems))
                    continue
            out.append(message.model_copy(update={"seconds": time.perf_counter() - started}))
        return out

    def _drafted(self, base: dict, products: Sequence[ProductFacts], variant: str) -> CampaignMessage | None:
        assert self.backend is not None
        for _ in range(self.attempts):
            chat = campaign_messages([], products, channel=base["channel"], language=base["language"], variant=variant)
            try:
                reply = self.backend.generate(chat, max_tokens=300)
                match = _JSON.search(reply)
                data = json.loads(match.group(0) if match else reply)
                message = CampaignMessage(**base, variant=variant, subject=str(data.get("subject", "")).strip(),
                                          body=str(data["body"]).strip(), backend=self.backend.name)  # fmt: skip
            except (LLMUnavailableError, ValueError, KeyError, TypeError) as error:
                logger.info("campaign draft refused: %s", error)
                continue
            if not message_problems(message, products, terms=self.terms):
                return message
        return None
