"""Attribute values: tokens, normalisation, comparison, and which attributes a catalog lets us evaluate."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

TOKEN = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+(?:[.\-/+][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")
NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)")
SKIPPED_KEYS = {"name", "ean"}  # identifiers the icecat adapter adds, not attributes to extract
NUMERIC_SHARE = 0.9
RELATIVE_TOLERANCE = 0.01
MAX_TEXT_CHARS = 600


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) of a product text: words with inner dots/hyphens kept ("RJ-45", "43.2"), CJK characters, symbols."""
    return [(match.group(), match.start(), match.end()) for match in TOKEN.finditer(text)]


def normalise(value: Any) -> str:
    """Lower-case text without spaces and punctuation except the decimal point, for exact comparison."""
    return re.sub(r"[^\w.]+", "", str(value).lower()).replace("_", "")


def as_number(value: Any) -> float | None:
    """The value as a float, or None."""
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def same_value(predicted: Any, truth: Any, *, numeric: bool) -> bool:
    """Equality of normalised text, or numbers within 1%."""
    if numeric:
        left, right = as_number(predicted), as_number(truth)
        return left is not None and right is not None and abs(left - right) <= RELATIVE_TOLERANCE * max(abs(right), 1e-9)
    return normalise(predicted) == normalise(truth) and normalise(truth) != ""


def product_text(title: Any, description: Any) -> str:
    """Title and the start of the description, the text extraction reads."""
    text = str(title or "")
    if isinstance(description, str) and description.strip():
        text += " . " + description[:MAX_TEXT_CHARS]
    return text


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute to extract: its key, whether it is numeric, how many products have it."""

    key: str
    numeric: bool
    count: int

    @property
    def label(self) -> str:
        """A readable name (icecat keys lose their `attr_t_`/`attr_n_` prefix)."""
        return re.sub(r"^attr_[tnb]_", "", self.key)


def attribute_table(products: pd.DataFrame) -> pd.DataFrame:
    """One column per attribute key (plus `brand` when present), one row per product; missing = None."""
    records = [attributes if isinstance(attributes, dict) else {} for attributes in products.get("attributes", [])]
    table = pd.DataFrame.from_records(records, index=products.index) if records else pd.DataFrame(index=products.index)
    table = table.drop(columns=[c for c in table.columns if c in SKIPPED_KEYS or str(c).startswith("attr_b_")])
    if "brand" in products.columns:
        table["brand"] = products["brand"]
    return table


def mention_rate(texts: Iterable[str], values: Iterable[Any], *, numeric: bool) -> float:
    """Share of products whose text contains their own value (as a number for numeric attributes)."""
    hits = total = 0
    for text, value in zip(texts, values, strict=True):
        total += 1
        if numeric:
            target = as_number(value)
            hits += target is not None and any(
                same_value(number.replace(",", "."), target, numeric=True) for number in NUMBER.findall(text)
            )
        else:
            hits += normalise(value) != "" and normalise(value) in normalise(text)
    return hits / total if total else 0.0


def choose_attributes(
    texts: list[str], table: pd.DataFrame, *, top: int = 10, min_mention: float = 0.3, min_count: int = 20
) -> list[AttributeSpec]:
    """The `top` most frequent attributes whose value the text states in at least `min_mention` of products.

    An attribute the text never states cannot be extracted by any method, so it
    would only measure the catalog's gaps. Computed on the training products.
    """
    counts = Counter({column: int(table[column].notna().sum()) for column in table.columns})
    chosen: list[AttributeSpec] = []
    for key, count in counts.most_common():
        if count < min_count or len(chosen) >= top:
            break
        present = table[key].notna()
        values = table.loc[present, key]
        numeric = key != "brand" and values.map(lambda v: as_number(v) is not None).mean() >= NUMERIC_SHARE
        sample = [text for text, keep in zip(texts, present, strict=True) if keep]
        if mention_rate(sample, values, numeric=numeric) >= min_mention:
            chosen.append(AttributeSpec(str(key), bool(numeric), count))
    return chosen
