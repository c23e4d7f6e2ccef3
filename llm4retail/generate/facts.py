"""What generated text may say about a product: its record, its key attributes and what its reviewers praise.

`ProductFacts` is read once per product from the store; `CatalogTerms` once per catalog (the attribute
values every product of the store has, in both languages, and the Chinese product nouns), for the
attribute-value check and for wording copy in either language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from llm4retail.generate.glossary import VALUES_ZH, english_noun, label_of, learn_chinese_nouns, value_in
from llm4retail.llm.grounding import ValueLexicon
from llm4retail.text.language import Language, detect_language

# Attributes that are not selling points: bookkeeping (stock levels, ids) and the record's own language.
NOT_KEY_ATTRIBUTES = frozenset({"language", "stock", "sku", "ean", "gtin", "mpn", "name", "image", "url"})
# Values too common as ordinary words to be checked as attribute values when they are not the record's.
COMMON_WORDS = frozenset({"original", "standard", "light", "dark", "long", "wide", "single", "double", "mini", "king",
                          "small", "medium", "large", "milk", "honey", "down", "s", "m", "l", "xl", "matte"})  # fmt: skip
MIN_PRAISE_MENTIONS = 1
MIN_PRAISE_SHARE = 0.7


@dataclass
class ProductFacts:
    """One product as generated text may describe it.

    Attributes:
        product_id: the product.
        title: the catalog title.
        brand: the brand, or None.
        category: the category path ("Home > Storage > Storage Baskets"), or "".
        language: the record's own language (its `language` attribute, else its title's).
        attributes: the key attributes (selling points), key -> value as stored.
        price: the catalog price, or None.
        currency: the price's ISO code, or None.
        praised: review aspects most reviewers who mention them praise ("quality", "value"), most mentioned first.
        nouns: the product noun per language ("storage basket", "收纳筐").
        text: the record's own text (title, description, attributes), which every claim may come from.
    """

    product_id: str
    title: str
    brand: str | None
    category: str
    language: Language
    attributes: dict[str, str]
    price: float | None
    currency: str | None
    praised: list[str] = field(default_factory=list)
    nouns: dict[Language, str] = field(default_factory=dict)
    text: str = ""

    def key_values(self, language: Language) -> dict[str, str]:
        """The key attributes as copy in `language` writes them (brand first when there is one)."""
        values = {"brand": self.brand} if self.brand else {}
        return values | {key: value_in(value, language) for key, value in self.attributes.items()}

    def allowed_values(self) -> set[str]:
        """Canonical values the record holds (for the attribute-value check)."""
        return {_canonical(value) for value in [*self.attributes.values(), self.brand or ""] if value}

    def fact_lines(self, language: Language) -> list[str]:
        """The facts a writer gets and the grounding check reads, one per line."""
        lines = [f"title: {self.title}", f"product: {self.nouns.get(language, self.nouns[Language.ENGLISH])}"]
        if self.category:
            lines.append(f"category: {self.category}")
        lines += [f"{label_of(key, language)}: {value}" for key, value in self.key_values(language).items()]
        if self.price is not None:
            lines.append(f"price: {self.price:.2f} {self.currency or ''}".rstrip())
        if self.praised:
            lines.append("reviewers praise: " + ", ".join(self.praised))
        return lines


def _canonical(value: str) -> str:
    """One name per value concept: spelling variants with one translation are one value ("grey", "gray": "灰色")."""
    text = re.sub(r"\s+", " ", str(value).strip().lower())
    return VALUES_ZH.get(text, text).lower()


def _clean(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def key_attributes(attributes: Any) -> dict[str, str]:
    """The selling-point attributes of a record's `attributes` object (bookkeeping keys and empty values left out)."""
    if not isinstance(attributes, Mapping):
        return {}
    out = {}
    for key, value in attributes.items():
        text = _clean(value)
        if (
            text is None
            or str(key).lower() in NOT_KEY_ATTRIBUTES
            or str(key).startswith("_")
            or isinstance(value, bool)
        ):
            continue
        if isinstance(value, dict | list):
            continue
        out[str(key)] = text
    return out


def praised_aspects(breakdown: Sequence[Mapping[str, Any]]) -> list[str]:
    """Aspects that reviewers praise: mentioned, and positive in most opinionated mentions
    (`llm4retail.reviews.summary.aspect_breakdown` rows)."""
    return [str(row["aspect"]) for row in breakdown
            if row.get("positive", 0) >= MIN_PRAISE_MENTIONS and (row.get("positive_share") or 0) >= MIN_PRAISE_SHARE]  # fmt: skip


class CatalogTerms:
    """The store's attribute vocabulary in both languages and its Chinese product nouns.

    Args:
        products: the products table (product_id, title, category, brand, attributes).
    """

    def __init__(self, products: pd.DataFrame) -> None:
        phrases: dict[str, str] = {}
        titles_zh: dict[str, list[str]] = {}
        columns = {name: products[name] if name in products.columns else [None] * len(products)
                   for name in ("title", "category", "brand", "attributes")}  # fmt: skip
        for title, category, brand, attributes in zip(*columns.values(), strict=True):
            for value in key_attributes(attributes).values():
                self._add(phrases, value)
            if _clean(brand):
                phrases[_canonical(brand)] = _canonical(brand)
            if _clean(title) and _clean(category) and detect_language(str(title)) is Language.CHINESE:
                titles_zh.setdefault(str(category), []).append(str(title))
        for value in VALUES_ZH:  # the glossary's values, so that a colour no product has is still caught
            self._add(phrases, value)
        self.lexicon = ValueLexicon(phrases)
        self.nouns_zh = learn_chinese_nouns(titles_zh)

    @staticmethod
    def _add(phrases: dict[str, str], value: str) -> None:
        plain = re.sub(r"\s+", " ", value.strip().lower())
        canonical = _canonical(value)
        # Numbers are the number check's; everyday words are checked only as the record's own values.
        if re.search(r"\d", plain) or plain in COMMON_WORDS or len(plain) < 2:
            return
        phrases[plain] = canonical
        phrases[canonical] = canonical  # its Chinese name, for a value in the glossary

    def nouns(self, category: str) -> dict[Language, str]:
        """The product noun of a category in each language."""
        return {Language.ENGLISH: english_noun(category) if category else "product",
                Language.CHINESE: self.nouns_zh.get(category, "商品")}  # fmt: skip


def product_facts(record: Mapping[str, Any], *, terms: CatalogTerms, praised: Sequence[str] = ()) -> ProductFacts:
    """The facts of one product record (a products row)."""
    attributes = record.get("attributes") if isinstance(record.get("attributes"), Mapping) else {}
    title = _clean(record.get("title")) or str(record["product_id"])
    stated = _clean(attributes.get("language"))
    language = Language(stated) if stated in {lang.value for lang in Language} else detect_language(title)
    category = _clean(record.get("category")) or ""
    price = record.get("price")
    price = float(price) if price is not None and not (isinstance(price, float) and math.isnan(price)) else None
    keys = key_attributes(attributes)
    text = " ".join(filter(None, [title, _clean(record.get("description")), category, *keys.values()]))
    return ProductFacts(
        product_id=str(record["product_id"]),
        title=title,
        brand=_clean(record.get("brand")),
        category=category,
        language=language,
        attributes=keys,
        price=price,
        currency=_clean(record.get("currency")),
        praised=list(praised),
        nouns=terms.nouns(category),
        text=text,
    )
