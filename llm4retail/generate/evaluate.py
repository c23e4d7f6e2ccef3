"""`llm4retail generate eval`: product copy in both languages and campaign messages, measured independently of
the writers' own checks: ungrounded numbers and attribute values (must be 0), key attributes mentioned,
language, length, time per item and which backend wrote each.
"""

from __future__ import annotations

import statistics
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from llm4retail.data.schemas import Table
from llm4retail.eval.report import EvalReport
from llm4retail.generate.campaign import BODY_LIMITS, SUBJECT_LIMITS
from llm4retail.generate.copywriter import LIMITS
from llm4retail.generate.facts import CatalogTerms, ProductFacts
from llm4retail.generate.glossary import value_in
from llm4retail.generate.schemas import CampaignMessage, Channel, ProductCopy
from llm4retail.llm.backends import BackendKind
from llm4retail.llm.grounding import check_grounding, check_values
from llm4retail.text.language import MIXED_TEXT_SHARE, Language, detect_language

if TYPE_CHECKING:
    from llm4retail.generate.service import GenerateService

COVERAGE_TARGET = 0.9


def mentioned_share(copy: ProductCopy, facts: ProductFacts) -> float:
    """Share of the product's key attributes (brand included) the copy states, in either wording."""
    values = facts.key_values(Language.ENGLISH)
    if not values:
        return 1.0
    text = copy.text().lower()
    found = sum(value.lower() in text or value_in(value, copy.language).lower() in text for value in values.values())
    return found / len(values)


def in_language(text: str, language: Language) -> bool:
    """The project's language detection agrees (Chinese: a tenth or more of the letters are Chinese)."""
    return detect_language(text, min_cjk_share=MIXED_TEXT_SHARE if language is Language.CHINESE else 0.0) is language


def ungrounded(text: str, products: Sequence[ProductFacts], *, terms: CatalogTerms) -> tuple[int, int]:
    """(numbers, attribute values) in `text` that none of the products' records hold."""
    facts = [
        line for p in products for line in (p.text, *p.fact_lines(Language.ENGLISH), *p.fact_lines(Language.CHINESE))
    ]
    numbers = sum(item.startswith("number") for item in check_grounding(text, facts).unsupported)
    allowed = set().union(*(p.allowed_values() | {v for _, v in terms.lexicon.stated(" ".join([p.text, *p.nouns.values()]))}
                            for p in products))  # fmt: skip
    return numbers, len(check_values(text, lexicon=terms.lexicon, allowed=allowed).unsupported)


def _copy_length_ok(copy: ProductCopy) -> bool:
    limits = LIMITS[copy.language]
    parts = [(copy.title, limits["title"]), (copy.description, limits["description"])]
    parts += [(bullet, limits["bullet"]) for bullet in copy.bullets]
    return all(low <= len(text) <= high for text, (low, high) in parts) and 3 <= len(copy.bullets) <= 5


def _message_length_ok(message: CampaignMessage) -> bool:
    low, high = BODY_LIMITS[message.language][message.channel]
    ok = low <= len(message.body) <= high
    if message.channel is Channel.EMAIL:
        low, high = SUBJECT_LIMITS[message.language]
        ok = ok and low <= len(message.subject) <= high
    return ok


def _timing(prefix: str, seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {}
    ordered = sorted(seconds)
    return {f"{prefix}_seconds_mean": statistics.fmean(seconds), f"{prefix}_seconds_p50": ordered[len(ordered) // 2],
            f"{prefix}_seconds_p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]}  # fmt: skip


def sample_products(service: GenerateService, language: Language, count: int) -> list[str]:
    """`count` products spread over the catalog (a stable hash order), those of `language` first."""
    products = service.store.read_frame(Table.PRODUCTS, columns=["product_id", "title", "attributes"])

    def own(row: dict[str, Any]) -> bool:
        stated = (row["attributes"] or {}).get("language") if isinstance(row["attributes"], dict) else None
        return (stated or detect_language(str(row["title"]))) == language.value

    rows = sorted(
        products.to_dict("records"), key=lambda row: (not own(row), zlib.crc32(str(row["product_id"]).encode()))
    )
    return [str(row["product_id"]) for row in rows[:count]]


def _copy_metrics(
    service: GenerateService, language: Language, count: int, backend: BackendKind
) -> tuple[dict[str, float], Counter[str]]:
    ids = sample_products(service, language, count)
    facts = {f.product_id: f for f in service.facts(ids)}
    terms = service.terms()
    numbers = values = covered = language_ok = length_ok = 0
    shares, seconds, backends = [], [], Counter[str]()
    for copy in service.copy_many(ids, language=language, backend=backend):
        product = facts[copy.product_id]
        wrong_numbers, wrong_values = ungrounded(copy.text(), [product], terms=terms)
        numbers, values = numbers + wrong_numbers, values + wrong_values
        share = mentioned_share(copy, product)
        shares.append(share)
        covered += share >= COVERAGE_TARGET
        language_ok += in_language(copy.text(), language)
        length_ok += _copy_length_ok(copy)
        seconds.append(copy.seconds)
        backends[copy.backend] += 1
    n = max(len(shares), 1)
    prefix = f"copy_{language.value}"
    return {
        f"{prefix}_n": len(shares), f"{prefix}_ungrounded_numbers": numbers, f"{prefix}_ungrounded_values": values,
        f"{prefix}_key_attributes_mentioned_mean": statistics.fmean(shares) if shares else 0.0,
        f"{prefix}_key_attributes_mentioned_min": min(shares, default=0.0), f"{prefix}_products_at_least_90pct": covered / n,
        f"{prefix}_language_correct": language_ok / n, f"{prefix}_length_ok": length_ok / n, **_timing(prefix, seconds),
    }, backends  # fmt: skip


def _campaign_metrics(
    messages: Iterable[CampaignMessage], service: GenerateService
) -> tuple[dict[str, float], Counter[str]]:
    items = list(messages)
    facts = {f.product_id: f for f in service.facts(sorted({pid for m in items for pid in m.product_ids}))}
    terms = service.terms()
    numbers = values = prices_ok = language_ok = length_ok = 0
    for message in items:
        products = [facts[pid] for pid in message.product_ids]
        wrong_numbers, wrong_values = ungrounded(message.text(), products, terms=terms)
        numbers, values = numbers + wrong_numbers, values + wrong_values
        record_prices = {round(p.price or 0.0, 2) for p in products}
        stated = check_grounding(message.body, []).unsupported  # every number the body states
        prices_ok += record_prices <= {float(item.split()[1]) for item in stated if item.startswith("number")}
        language_ok += in_language(message.text(), message.language)
        length_ok += _message_length_ok(message)
    per_customer = Counter((message.customer_id, message.channel) for message in items)
    n = max(len(items), 1)
    return {
        "campaign_n": len(items), "campaign_customers": len({m.customer_id for m in items}),
        "campaign_two_variants_share": sum(count == 2 for count in per_customer.values()) / max(len(per_customer), 1),
        "campaign_ungrounded_numbers": numbers, "campaign_ungrounded_values": values, "campaign_prices_stated": prices_ok / n,
        "campaign_language_correct": language_ok / n, "campaign_length_ok": length_ok / n,
        "campaign_languages_zh_share": sum(m.language is Language.CHINESE for m in items) / n,
        **_timing("campaign", [m.seconds for m in items]),
    }, Counter(m.backend for m in items)  # fmt: skip


def evaluate_generation(service: GenerateService, *, products: int = 200, customers: int = 60,
                        channels: Sequence[Channel] = (Channel.EMAIL, Channel.SMS),
                        backend: BackendKind = BackendKind.AUTO) -> EvalReport:  # fmt: skip
    """Copy of `products` products in each language and two campaign variants for `customers` customers per channel.

    Raises:
        NotTrainedError: no customer-value model or recommender for the campaign part.
    """
    started = time.perf_counter()
    metrics: dict[str, float] = {}
    backends: Counter[str] = Counter()
    for language in Language:
        section = time.perf_counter()
        found, used = _copy_metrics(service, language, products, backend)
        # end to end: reading the records and reviews, writing, checking and this measuring
        found[f"copy_{language.value}_wall_seconds_per_item"] = (time.perf_counter() - section) / max(products, 1)
        metrics |= found
        backends += used
    section = time.perf_counter()
    messages = [
        m for channel in channels for m in service.campaign(None, channel=channel, limit=customers, backend=backend)
    ]
    found, used = _campaign_metrics(messages, service)
    found["campaign_wall_seconds_per_item"] = (time.perf_counter() - section) / max(len(messages), 1)
    metrics |= found
    backends += used
    n = int(metrics["copy_en_n"] + metrics["copy_zh_n"] + metrics["campaign_n"])
    return EvalReport(capability="generate", dataset=str(service.settings.data_dir), n=n,
                      seconds=time.perf_counter() - started, metrics=metrics,
                      extra={"backends": dict(backends), "channels": [c.value for c in channels]})  # fmt: skip
