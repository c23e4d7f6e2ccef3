"""Dictionary matching (the baseline) and rules: colour/material lexicons and learned number-unit patterns.

- `DictionaryExtractor`: every value seen in training is a dictionary entry; the
  longest entry found in a text is its value (numbers: the first number of the
  text that was seen as a value).
- `RuleExtractor`: a bilingual colour and material lexicon for attributes whose
  training values are mostly colours or materials, and, for numeric attributes,
  patterns "number + unit" with a scale factor (e.g. `1.8 m` -> 1.8 for a cable
  length in metres, `17"` -> 43.2 for a display diagonal in cm) kept when they
  were right on the training products.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any, Self

import numpy as np
import pandas as pd

from llm4retail.artifacts import ModelState, register_model
from llm4retail.catalog.base import AttributeExtractor, Extraction, check_inputs
from llm4retail.catalog.values import AttributeSpec, as_number, normalise, same_value, tokens

MAX_ENTRY_TOKENS = 6
COLOURS = {
    "black": "Black", "white": "White", "grey": "Grey", "gray": "Grey", "silver": "Silver", "blue": "Blue",
    "red": "Red", "green": "Green", "yellow": "Yellow", "orange": "Orange", "purple": "Purple", "pink": "Pink",
    "brown": "Brown", "gold": "Gold", "beige": "Beige", "cyan": "Cyan", "magenta": "Magenta", "transparent": "Transparent",
    "multicolour": "Multicolour", "multicolor": "Multicolour", "ivory": "Ivory", "navy": "Navy",
    "黑色": "Black", "白色": "White", "灰色": "Grey", "银色": "Silver", "蓝色": "Blue", "红色": "Red", "绿色": "Green",
    "黄色": "Yellow", "橙色": "Orange", "紫色": "Purple", "粉色": "Pink", "棕色": "Brown", "金色": "Gold", "米色": "Beige",
}
MATERIALS = {
    "plastic": "Plastic", "paper": "Paper", "nylon": "Nylon", "polyester": "Polyester", "aluminium": "Aluminium",
    "aluminum": "Aluminium", "steel": "Steel", "stainless steel": "Stainless steel", "leather": "Leather",
    "cotton": "Cotton", "glass": "Glass", "wood": "Wood", "rubber": "Rubber", "silicone": "Silicone", "pvc": "PVC",
    "neoprene": "Neoprene", "polycarbonate": "Polycarbonate", "metal": "Metal", "abs": "ABS", "copper": "Copper",
    "塑料": "Plastic", "纸": "Paper", "尼龙": "Nylon", "涤纶": "Polyester", "铝": "Aluminium", "不锈钢": "Stainless steel",
    "皮革": "Leather", "真皮": "Leather", "棉": "Cotton", "纯棉": "Cotton", "玻璃": "Glass", "木": "Wood", "实木": "Wood",
    "橡胶": "Rubber", "硅胶": "Silicone", "金属": "Metal", "铜": "Copper",
}
LEXICON_SHARE = 0.5  # an attribute uses a lexicon when half of its training values are lexicon words
UNIT = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*(\"|”|''|[a-zA-Zµ]{1,5}|pc\(s\)|[\u3400-\u9fff])?")
FACTORS = (1.0, 10.0, 100.0, 1000.0, 0.1, 0.01, 0.001, 2.54, 25.4, 0.0254, 30.48, 0.3048, 453.592, 28.3495, 1024.0)
MIN_PATTERN_SUPPORT = 5
MIN_PATTERN_PRECISION = 0.5


def _key(token_texts: list[str]) -> str:
    return "\x1f".join(token.lower() for token in token_texts)


def lexicon_value(text: str, lexicon: dict[str, str]) -> str | None:
    """The value of the lexicon word found earliest in `text` (whole words for Latin script)."""
    lowered = text.lower()
    best: tuple[int, str] | None = None
    for word, value in lexicon.items():
        pattern = re.escape(word) if re.match(r"[\u3400-\u9fff]", word) else rf"\b{re.escape(word)}\b"
        found = re.search(pattern, lowered)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), value)
    return best[1] if best else None


def unit_mentions(text: str) -> list[tuple[float, str]]:
    """(number, unit) pairs of a text; unit is '' when none follows."""
    out = []
    for match in UNIT.finditer(text):
        number = as_number(match.group(1).replace(",", "."))
        if number is not None:
            out.append((number, (match.group(2) or "").lower().replace("”", '"').replace("''", '"')))
    return out


@register_model("dictionary")
class DictionaryExtractor(AttributeExtractor):
    """The baseline: values seen in training, matched in the text (longest match wins)."""

    def __init__(self) -> None:
        self.entries_: dict[str, dict[str, str]] = {}  # attribute -> token key -> value
        self.numbers_: dict[str, np.ndarray] = {}

    def fit(self, texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> Self:
        """Collects the training values of each attribute."""
        check_inputs(texts, truth, specs)
        self.specs_ = list(specs)
        for spec in specs:
            values = truth[spec.key].dropna()
            if spec.numeric:
                self.numbers_[spec.key] = np.unique([as_number(v) for v in values if as_number(v) is not None])
                continue
            counts = Counter(str(v) for v in values)
            entries: dict[str, str] = {}
            for value, _ in counts.most_common():  # most frequent spelling first
                words = [token for token, _, _ in tokens(value)]
                if 0 < len(words) <= MAX_ENTRY_TOKENS:
                    entries.setdefault(_key(words), value)
            self.entries_[spec.key] = entries
        return self

    def extract(self, texts: list[str]) -> list[Extraction]:
        """The longest dictionary entry of each attribute in each text."""
        specs = self._fitted_specs()
        out: list[Extraction] = []
        for text in texts:
            words = [token for token, _, _ in tokens(text)]
            found: Extraction = {}
            for spec in specs:
                value = self._match_number(text, spec.key) if spec.numeric else self._match_text(words, spec.key)
                if value is not None:
                    found[spec.key] = value
            out.append(found)
        return out

    def _match_text(self, words: list[str], key: str) -> str | None:
        entries = self.entries_.get(key, {})
        for length in range(min(MAX_ENTRY_TOKENS, len(words)), 0, -1):
            for start in range(len(words) - length + 1):
                value = entries.get(_key(words[start : start + length]))
                if value is not None:
                    return value
        return None

    def _match_number(self, text: str, key: str) -> float | None:
        known = self.numbers_.get(key)
        if known is None or not len(known):
            return None
        for number, _ in unit_mentions(text):
            position = np.searchsorted(known, number)
            for candidate in known[max(0, position - 1) : position + 1]:
                if same_value(number, candidate, numeric=True):
                    return float(candidate)
        return None

    def _state(self) -> ModelState:
        entries = {key: [list(entries), list(entries.values())] for key, entries in self.entries_.items()}
        return ModelState(arrays={f"numbers/{key}": values for key, values in self.numbers_.items()},
                          facts={"specs": self.spec_facts(), "entries": entries})  # fmt: skip

    def _restore(self, state: ModelState) -> None:
        self.specs_ = self.specs_from_facts(state.facts)
        self.entries_ = {key: dict(zip(keys, values, strict=True)) for key, (keys, values) in state.facts["entries"].items()}
        self.numbers_ = {name.split("/", 1)[1]: array for name, array in state.arrays.items() if name.startswith("numbers/")}


@register_model("rules")
class RuleExtractor(AttributeExtractor):
    """Lexicon rules for colour/material attributes and learned number-unit patterns for numeric ones."""

    def __init__(self) -> None:
        self.lexicons_: dict[str, str] = {}  # attribute -> "colour" | "material"
        self.patterns_: dict[str, list[tuple[str, float]]] = {}  # attribute -> [(unit, factor)] best first

    def fit(self, texts: list[str], truth: pd.DataFrame, specs: list[AttributeSpec]) -> Self:
        """Decides which lexicon each text attribute uses and learns the unit patterns of numeric ones."""
        check_inputs(texts, truth, specs)
        self.specs_ = list(specs)
        mentions = [unit_mentions(text) for text in texts]
        for spec in specs:
            present = truth[spec.key].notna().to_numpy()
            values = truth[spec.key][present]
            if not spec.numeric:
                for name, lexicon in (("colour", COLOURS), ("material", MATERIALS)):
                    share = values.map(lambda v, lex=lexicon: normalise(v) in {normalise(w) for w in lex}).mean()
                    if share >= LEXICON_SHARE:
                        self.lexicons_[spec.key] = name
                        break
                continue
            self.patterns_[spec.key] = self._learn_patterns([mentions[i] for i in np.flatnonzero(present)], values.tolist())
        return self

    @staticmethod
    def _learn_patterns(mentions: list[list[tuple[float, str]]], values: list[Any]) -> list[tuple[str, float]]:
        """(unit, factor) pairs whose first occurrence in a text gave the true value often enough."""
        tried: dict[tuple[str, float], list[int]] = defaultdict(lambda: [0, 0])  # [hits, uses]
        for pairs, value in zip(mentions, values, strict=True):
            target = as_number(value)
            if target is None:
                continue
            first: dict[str, float] = {}
            for number, unit in pairs:
                first.setdefault(unit, number)
            for unit, number in first.items():
                for factor in FACTORS:
                    counts = tried[(unit, factor)]
                    counts[1] += 1
                    counts[0] += same_value(number * factor, target, numeric=True)
        kept = [
            (hits / uses, unit, factor)
            for (unit, factor), (hits, uses) in tried.items()
            if hits >= MIN_PATTERN_SUPPORT and hits / uses >= MIN_PATTERN_PRECISION
        ]
        kept.sort(reverse=True)
        patterns: list[tuple[str, float]] = []
        for _, unit, factor in kept:
            if unit not in {u for u, _ in patterns}:  # one factor per unit: the most precise
                patterns.append((unit, factor))
        return patterns

    def extract(self, texts: list[str]) -> list[Extraction]:
        """Lexicon and unit-pattern values of each text."""
        specs = self._fitted_specs()
        out: list[Extraction] = []
        for text in texts:
            found: Extraction = {}
            mentions = None
            for spec in specs:
                if spec.key in self.lexicons_:
                    lexicon = COLOURS if self.lexicons_[spec.key] == "colour" else MATERIALS
                    value = lexicon_value(text, lexicon)
                    if value is not None:
                        found[spec.key] = value
                elif self.patterns_.get(spec.key):
                    mentions = mentions if mentions is not None else unit_mentions(text)
                    value = self._apply_patterns(mentions, self.patterns_[spec.key])
                    if value is not None:
                        found[spec.key] = value
            out.append(found)
        return out

    @staticmethod
    def _apply_patterns(mentions: list[tuple[float, str]], patterns: list[tuple[str, float]]) -> float | None:
        for unit, factor in patterns:
            for number, found_unit in mentions:
                if found_unit == unit:
                    return round(number * factor, 6)
        return None

    def _state(self) -> ModelState:
        patterns = {k: [list(p) for p in v] for k, v in self.patterns_.items()}
        return ModelState(facts={"specs": self.spec_facts(), "lexicons": self.lexicons_, "patterns": patterns})

    def _restore(self, state: ModelState) -> None:
        facts = state.facts
        self.specs_ = self.specs_from_facts(facts)
        self.lexicons_ = dict(facts["lexicons"])
        self.patterns_ = {k: [(str(u), float(f)) for u, f in v] for k, v in facts["patterns"].items()}
