"""Synthetic bilingual customer-service utterances labelled with assistant intents.

Templates are filled from the store itself: real order ids and tracking codes,
product names, sizes, colours and brands, so that an assistant can be tested on
requests it could actually resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.catalog import Catalog
from llm4retail.data.synthetic.common import build_frame, format_ids, object_column
from llm4retail.data.synthetic.utterance_templates import INTENTS, PREFIXES, TEMPLATES
from llm4retail.data.synthetic.vocabulary import COLOURS

N_UTTERANCES = 600
CHINESE_SHARE = 0.5
PRICE_LIMITS = {"en": (30, 50, 100, 200, 300, 500), "zh": (100, 200, 300, 500, 1000, 2000)}
MAX_ATTEMPTS = 30
FALLBACK_TRACKING = {"en": "1Z999AA10123456784", "zh": "SF1234567890"}


@dataclass
class SlotSources:
    """Store values the slots are drawn from, prepared once."""

    order_ids: np.ndarray
    tracking: dict[bool, np.ndarray]
    products: dict[bool, np.ndarray]
    product_weights: dict[bool, np.ndarray]


def slot_sources(*, catalog: Catalog, orders: pd.DataFrame) -> SlotSources:
    """Order ids, tracking codes and product pools of both storefronts."""
    tracking = orders["tracking_code"].dropna().astype(str)
    products: dict[bool, np.ndarray] = {}
    weights: dict[bool, np.ndarray] = {}
    for chinese in (False, True):
        pool = np.flatnonzero(catalog.is_chinese == chinese)
        products[chinese] = pool if pool.size else np.arange(catalog.price.size)
        weights[chinese] = np.sqrt(catalog.popularity[products[chinese]])
        weights[chinese] /= weights[chinese].sum()
    return SlotSources(
        order_ids=orders["order_id"].to_numpy(dtype=object),
        tracking={
            chinese: tracking[tracking.str.startswith("SF" if chinese else "1Z")].to_numpy(dtype=object)
            for chinese in (False, True)
        },
        products=products,
        product_weights=weights,
    )


def fill_slots(*, catalog: Catalog, sources: SlotSources, chinese: bool, rng: np.random.Generator) -> dict[str, str]:
    """Slot values drawn from the store, in one language."""
    language = "zh" if chinese else "en"
    side = 1 if chinese else 0
    pool = sources.products[chinese]
    product = int(pool[rng.choice(pool.size, p=sources.product_weights[chinese])])
    tracking = sources.tracking[chinese]
    order_ids = sources.order_ids
    return {
        "order_id": str(order_ids[int(rng.integers(order_ids.size))]) if order_ids.size else "o000001",
        "tracking": str(tracking[int(rng.integers(tracking.size))]) if tracking.size else FALLBACK_TRACKING[language],
        "product": catalog.short_name(product, chinese=chinese),
        "type": catalog.type_name(product, chinese=chinese),
        "colour": COLOURS[int(rng.integers(len(COLOURS)))][side],
        "size": catalog.terms[product].measure[side],
        "price": str(PRICE_LIMITS[language][int(rng.integers(len(PRICE_LIMITS[language])))]),
        "brand": catalog.brands[int(catalog.brand[product])],
    }


def compose_utterance(
    *, intent: str, chinese: bool, slots: dict[str, str], rng: np.random.Generator
) -> tuple[str, dict[str, str]]:
    """One utterance of `intent`: a random template, filled, with a random greeting.

    Returns:
        The text and the slot values it mentions (e.g. {"order_id": "o000123"}).
    """
    language = "zh" if chinese else "en"
    templates = TEMPLATES[language][intent]
    template = templates[int(rng.integers(len(templates)))]
    used = {name: slots[name] for _, name, _, _ in Formatter().parse(template) if name}
    text = template.format(**slots)
    prefix = PREFIXES[language][int(rng.integers(len(PREFIXES[language])))]
    if not chinese and not prefix:
        text = text[:1].upper() + text[1:]
    return prefix + text, used


def generate_utterances(
    *, catalog: Catalog, orders: pd.DataFrame, rng: np.random.Generator, n_utterances: int = N_UTTERANCES
) -> pd.DataFrame:
    """Draw the utterances frame, balanced over intents, about half in Chinese.

    Args:
        catalog: the catalog (product names, sizes, brands).
        orders: the orders frame (order ids, tracking codes).
        rng: random generator of the utterances stream.
        n_utterances: number of utterances.

    Returns:
        The utterances frame; `category` is always None and `attributes` (when the
        contract has it) holds the slot values each text mentions.
    """
    intents = rng.permutation(np.resize(np.arange(len(INTENTS)), n_utterances))
    texts: list[str] = []
    mentioned: list[dict[str, str]] = []
    languages: list[str] = []
    seen: set[str] = set()
    sources = slot_sources(catalog=catalog, orders=orders)
    for intent_index in intents:
        chinese = bool(rng.random() < CHINESE_SHARE)
        for _ in range(MAX_ATTEMPTS):
            slots = fill_slots(catalog=catalog, sources=sources, chinese=chinese, rng=rng)
            text, used = compose_utterance(intent=INTENTS[int(intent_index)], chinese=chinese, slots=slots, rng=rng)
            if text not in seen:
                break
        seen.add(text)
        texts.append(text)
        mentioned.append({"slots": used})
        languages.append("zh" if chinese else "en")
    return build_frame(Table.UTTERANCES, {
        "utterance_id": format_ids(prefix="u", count=n_utterances, width=5),
        "text": object_column(texts),
        "intent": object_column(INTENTS[int(index)] for index in intents),
        "category": np.full(n_utterances, None, dtype=object),
        "language": object_column(languages),
    }, extras={"attributes": object_column(mentioned)})
