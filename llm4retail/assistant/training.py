"""Training data for the assistant's intent model: the project's bilingual seed set, augmented
with slot values from the store's catalog, plus labelled utterances (the store's `utterances`
table or a public set such as Bitext) mapped onto the assistant's intents.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from importlib import resources
from string import Formatter

import numpy as np
import pandas as pd

from llm4retail.assistant.classifier import FeatureSet, IntentClassifier
from llm4retail.assistant.intents import to_assistant_intents

logger = logging.getLogger(__name__)

SEED_FILE = "seeds.csv"
AUGMENTED_COPIES = 6
SOURCE_CAP_PER_INTENT = 300  # labelled rows kept per original intent (Bitext has up to 4,366)
PREFIXES = {
    "en": ("", "", "", "hi, ", "hello, ", "excuse me, ", "quick question: ", "please "),
    "zh": ("", "", "", "你好，", "您好，", "请问", "亲，", "麻烦问一下，", "在吗，"),
}
SUFFIXES = {"en": ("", "", "?", " please", " thanks"), "zh": ("", "", "？", "呢", "啊", "，谢谢")}
_CJK_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_SIZE_SUFFIX = re.compile(r"\s+(?:\d+(?:\.\d+)?\w*|[xsml]{1,3})$", re.IGNORECASE)


@dataclass
class SlotFillers:
    """Values the seed placeholders ({order_id}, {product}, {colour}, {size}, {price}) are filled with."""

    order_ids: list[str] = field(default_factory=lambda: ["o000123", "o004521", "10234", "A7731"])
    products: dict[str, list[str]] = field(default_factory=lambda: {
        "en": ["sofa", "running shoes", "grey fabric sofa", "wireless headphones", "denim jacket", "face cream"],
        "zh": ["沙发", "跑鞋", "灰色布艺沙发", "蓝牙耳机", "牛仔外套", "保湿面霜"],
    })
    colours: dict[str, list[str]] = field(default_factory=lambda: {
        "en": ["red", "grey", "black", "white", "navy", "pink"], "zh": ["红色", "灰色", "黑色", "白色", "藏青色", "粉色"],
    })
    sizes: dict[str, list[str]] = field(default_factory=lambda: {
        "en": ["XL", "size 42", "large", "small", "medium"], "zh": ["42码", "大号", "XL", "小号", "中号"],
    })
    prices: dict[str, list[str]] = field(default_factory=lambda: {
        "en": ["50", "100", "200", "30"], "zh": ["100", "200", "500", "1000"],
    })

    @classmethod
    def from_catalog(cls, products: pd.DataFrame, orders: pd.DataFrame | None = None, *, limit: int = 300) -> SlotFillers:
        """Fillers drawn from a store: product names per language and real order ids."""
        fillers = cls()
        names: dict[str, list[str]] = {"en": [], "zh": []}
        for title, brand in zip(products["title"].astype(str), products.get("brand", pd.Series([None] * len(products)))):
            chinese = _CJK_RUN.findall(title)
            if chinese:
                names["zh"].append(max(chinese, key=len))
                continue
            name = title.replace(str(brand), "").strip() if isinstance(brand, str) else title
            name = _SIZE_SUFFIX.sub("", name).strip().lower()
            words = name.split()
            if words:
                names["en"].append(" ".join(words[-3:]))
        for language, values in names.items():
            if values:
                fillers.products[language] = sorted(set(values))[:limit]
        if orders is not None and len(orders):
            fillers.order_ids = orders["order_id"].astype(str).head(limit).tolist()
        return fillers

    def draw(self, language: str, rng: np.random.Generator) -> dict[str, str]:
        """One random value per slot."""

        def pick(values: list[str]) -> str:
            return values[int(rng.integers(len(values)))]

        return {
            "order_id": pick(self.order_ids), "product": pick(self.products[language]),
            "colour": pick(self.colours[language]), "size": pick(self.sizes[language]),
            "price": pick(self.prices[language]),
        }


def load_seeds() -> pd.DataFrame:
    """The project's bilingual seed utterances (`text` with {slot} placeholders, `intent`, `language`)."""
    with resources.files("llm4retail.assistant.resources").joinpath(SEED_FILE).open(encoding="utf-8") as handle:
        return pd.read_csv(handle, dtype=str)


def fill(template: str, values: dict[str, str]) -> str:
    """A seed with its placeholders replaced."""
    names = {name for _, name, _, _ in Formatter().parse(template) if name}
    return template.format(**{name: values[name] for name in names}) if names else template


def augment(seeds: pd.DataFrame, *, fillers: SlotFillers, copies: int = AUGMENTED_COPIES, seed: int = 0) -> pd.DataFrame:
    """Each seed once as written (placeholders filled) plus `copies` variants with other slot
    values, greetings and endings; duplicates removed."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, str, str]] = []
    for number, (template, intent, language) in enumerate(seeds[["text", "intent", "language"]].itertuples(index=False)):
        group = f"seed:{number}"
        rows.append((fill(template, fillers.draw(language, rng)), intent, language, group))
        for _ in range(copies):
            text = fill(template, fillers.draw(language, rng))
            prefix = PREFIXES[language][int(rng.integers(len(PREFIXES[language])))]
            suffix = SUFFIXES[language][int(rng.integers(len(SUFFIXES[language])))]
            rows.append((prefix + text + suffix, intent, language, group))
    frame = pd.DataFrame(rows, columns=["text", "intent", "language", "group"])
    return frame.drop_duplicates("text").reset_index(drop=True)


def cap_per_intent(frame: pd.DataFrame, *, cap: int, seed: int = 0) -> pd.DataFrame:
    """At most `cap` rows of each original label (keeps training fast on large public sets)."""
    shuffled = frame.sample(frac=1.0, random_state=seed)
    return shuffled.groupby("intent", sort=False).head(cap).reset_index(drop=True)


def build_training_set(
    labelled: pd.DataFrame | None = None,
    *,
    fillers: SlotFillers | None = None,
    use_seeds: bool = True,
    augment_seeds: bool = True,
    cap: int | None = SOURCE_CAP_PER_INTENT,
    seed: int = 0,
) -> pd.DataFrame:
    """Seeds (augmented or not) plus labelled utterances mapped onto the assistant's intents.

    Args:
        labelled: utterances (`text`, `intent`) with Bitext or assistant labels; others are dropped.
        fillers: placeholder values (from the store's catalog when available).
        use_seeds: include the project's seed set.
        augment_seeds: add slot and phrasing variants of each seed.
        cap: rows kept per original label of `labelled` (None keeps all).
        seed: random seed of sampling and augmentation.

    Returns:
        `text`, `intent`, `language` and `group` (variants of one seed share it), de-duplicated on text.
    """
    parts: list[pd.DataFrame] = []
    if use_seeds:
        seeds = load_seeds()
        fillers = fillers or SlotFillers()
        parts.append(augment(seeds, fillers=fillers, seed=seed) if augment_seeds else augment(seeds, fillers=fillers, copies=0, seed=seed))
    if labelled is not None and len(labelled):
        source = cap_per_intent(labelled[["text", "intent"]], cap=cap, seed=seed) if cap else labelled
        mapped = to_assistant_intents(source)
        mapped["group"] = [f"row:{index}" for index in range(len(mapped))]
        parts.append(mapped)
    if not parts:
        return pd.DataFrame(columns=["text", "intent", "language", "group"])
    return pd.concat(parts, ignore_index=True).drop_duplicates("text").reset_index(drop=True)


def train_intent_model(
    frame: pd.DataFrame, *, features: FeatureSet = FeatureSet.COMBINED, seed: int = 0
) -> IntentClassifier:
    """Fit the calibrated classifier on a training set from `build_training_set`."""
    logger.info("training the intent model on %d utterances (%s)", len(frame), features.value)
    groups = frame["group"].tolist() if "group" in frame.columns else None
    return IntentClassifier(features=features, seed=seed).fit(frame["text"].tolist(), frame["intent"].tolist(), groups=groups)
