"""Synthetic bilingual product catalog with latent quality and popularity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.common import (
    CNY_PER_USD,
    CURRENCY_BY_LANGUAGE,
    SECONDS_PER_DAY,
    build_frame,
    format_ids,
    object_column,
    reference_seconds,
    seconds_to_datetimes,
)
from llm4retail.data.synthetic.vocabulary import CATEGORY_TREE, ProductType, Term, TopCategory

CHINESE_SHARE = 0.4
AVAILABLE_SHARE = 0.95
CATALOG_DAYS = 730
POPULARITY_EXPONENT = 0.7  # Zipf-like: the k-th most popular product weighs k^-0.7

FIRST_PHRASES = {
    "colour": ("in {value}", "{value}配色"),
    "scent": ("with a {value} scent", "{value}香型"),
    "flavour": ("with {value} flavour", "{value}口味"),
}
SECOND_PHRASES = {
    "material": ("made of {value}", "采用{value}材质"),
    "formula": ("with a {value} formula", "{value}配方"),
    "origin": ("sourced from {value}", "产自{value}"),
}
MEASURE_PHRASES = {
    "size": ("Size: {value}.", "尺寸：{value}。"),
    "capacity": ("Capacity: {value}.", "容量：{value}。"),
    "spec": ("Specification: {value}.", "规格：{value}。"),
    "weight": ("Net weight: {value}.", "净含量：{value}。"),
}


class ProductTerms(NamedTuple):
    """The words a product's title and description are built from."""

    adjective: Term | None
    first: Term
    second: Term
    measure: Term


@dataclass(frozen=True)
class Leaf:
    """One product type with its place in the tree."""

    top: int
    subcategory: int
    product_type: ProductType
    path: str


@dataclass
class Catalog:
    """The products frame plus the latent per-product facts the other tables need.

    Arrays are indexed by product position (row of `frame`).
    """

    frame: pd.DataFrame
    leaves: list[Leaf]
    brands: list[str]
    leaf: np.ndarray
    top: np.ndarray
    brand: np.ndarray
    is_chinese: np.ndarray
    price: np.ndarray
    relative_price: np.ndarray
    quality: np.ndarray
    popularity: np.ndarray
    available: np.ndarray
    terms: list[ProductTerms]

    @property
    def ids(self) -> np.ndarray:
        """Product identifiers as an object array."""
        return self.frame["product_id"].to_numpy(dtype=object)

    def top_category(self, index: int) -> TopCategory:
        """The top-level category of product `index`."""
        return CATEGORY_TREE[int(self.top[index])]

    def type_name(self, index: int, *, chinese: bool) -> str:
        """The product-type noun of product `index` in one language."""
        product_type = self.leaves[int(self.leaf[index])].product_type
        return product_type.name_zh if chinese else product_type.name

    def short_name(self, index: int, *, chinese: bool) -> str:
        """A short human name such as "grey fabric sofa" or "灰色布艺沙发"."""
        language = 1 if chinese else 0
        terms = self.terms[index]
        parts = (terms.first[language], terms.second[language], self.type_name(index, chinese=chinese))
        return "".join(parts) if chinese else " ".join(parts)


def flatten_tree() -> list[Leaf]:
    """Every product type of `CATEGORY_TREE` with its category path."""
    leaves = []
    subcategory_index = 0
    for top_index, top in enumerate(CATEGORY_TREE):
        for subcategory in top.subcategories:
            for product_type in subcategory.types:
                path = f"{top.name} > {subcategory.name} > {product_type.plural}"
                leaves.append(Leaf(top_index, subcategory_index, product_type, path))
            subcategory_index += 1
    return leaves


def assign_brand_coverage(*, rng: np.random.Generator) -> tuple[list[str], list[list[int]]]:
    """Tie each brand to one to three subcategories of its top-level category.

    Returns:
        Brand names, and for every subcategory (global index) the brands that sell in it.
    """
    brands: list[str] = []
    coverage: list[list[int]] = []
    for top in CATEGORY_TREE:
        first_subcategory = len(coverage)
        coverage.extend([] for _ in top.subcategories)
        for name in top.brands:
            brand_index = len(brands)
            brands.append(name)
            n_covered = int(rng.integers(1, min(3, len(top.subcategories)) + 1))
            for offset in rng.choice(len(top.subcategories), size=n_covered, replace=False):
                coverage[first_subcategory + int(offset)].append(brand_index)
        for offset in range(len(top.subcategories)):
            if not coverage[first_subcategory + offset]:
                coverage[first_subcategory + offset].append(len(brands) - 1 - int(rng.integers(len(top.brands))))
    return brands, coverage


def choose_leaves(*, n_products: int, n_leaves: int, rng: np.random.Generator) -> np.ndarray:
    """Product type of each product: every type at least once when there is room."""
    weights = rng.gamma(3.0, size=n_leaves)
    guaranteed = np.arange(min(n_products, n_leaves))
    extra = rng.choice(n_leaves, size=n_products - guaranteed.size, p=weights / weights.sum())
    return rng.permutation(np.concatenate([guaranteed, extra]))


def pick(values: tuple[Term, ...], draw: float) -> tuple[Term, int]:
    """The value at the uniform draw `draw` and its index."""
    index = min(int(draw * len(values)), len(values) - 1)
    return values[index], index


def display_price(*, price_usd: float, chinese: bool) -> float:
    """A shelf price: USD ending in .99, CNY ending in 9 (or .9 below 50)."""
    if not chinese:
        return max(0.99, round(price_usd) - 0.01)
    price_cny = price_usd * CNY_PER_USD
    if price_cny >= 50:
        return float(round(price_cny / 10) * 10 - 1)
    return max(4.9, round(price_cny) - 0.1)


def capitalise(text: str) -> str:
    """Upper-case the first letter of every word, leaving the rest alone ("vitamin C" -> "Vitamin C")."""
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def compose_title(
    *, brand: str, product_type: ProductType, terms: ProductTerms, chinese: bool, variant: float
) -> str:
    """A product title built from brand, adjective, attributes, type and size."""
    adjective, first, second, measure = terms
    if chinese:
        prefix = adjective[1] if adjective else ""
        if variant < 0.5:
            return f"{brand} {prefix}{second[1]}{product_type.name_zh} {measure[1]} {first[1]}"
        return f"{brand} {prefix}{first[1]}{second[1]}{product_type.name_zh} {measure[1]}"
    words = [adjective[0]] if adjective else []
    words += [first[0], second[0], product_type.name]
    return f"{brand} {capitalise(' '.join(words))} {measure[0]}"


def compose_description(
    *, brand: str, top: TopCategory, product_type: ProductType, terms: ProductTerms, chinese: bool, draws: np.ndarray
) -> str:
    """One to three sentences that restate the product's attributes."""
    adjective, first, second, measure = terms
    language = 1 if chinese else 0
    first_phrase = FIRST_PHRASES[top.first_key][language].format(value=first[language])
    second_phrase = SECOND_PHRASES[top.second_key][language].format(value=second[language])
    if chinese:
        prefix = adjective[1] if adjective else ""
        sentences = [f"{brand}{prefix}{product_type.name_zh}，{first_phrase}，{second_phrase}。"]
    else:
        described = f"{adjective[0]} {product_type.name}" if adjective else product_type.name
        article = "An" if described[0].lower() in "aeiou" else "A"
        sentences = [f"{article} {described} from {brand} {first_phrase}, {second_phrase}."]
    if draws[0] < 0.6:
        sentences.append(top.selling_points[int(draws[1] * len(top.selling_points))][language])
    if draws[2] < 0.7:
        sentences.append(MEASURE_PHRASES[top.measure_key][language].format(value=measure[language]))
    return ("" if chinese else " ").join(sentences)


def draw_terms(*, leaf: Leaf, draws: np.ndarray) -> tuple[ProductTerms, int]:
    """Adjective, attributes and size of one product from five uniform draws.

    Returns:
        The terms and the index of the size among the type's sizes.
    """
    top = CATEGORY_TREE[leaf.top]
    product_type = leaf.product_type
    adjective = pick(top.adjectives, draws[0])[0] if draws[1] < 0.7 else None
    first = pick(product_type.firsts or top.firsts, draws[2])[0]
    second = pick(product_type.seconds, draws[3])[0]
    measure, measure_index = pick(product_type.measures, draws[4])
    return ProductTerms(adjective, first, second, measure), measure_index


class ProductTexts(NamedTuple):
    """The words and texts of every product."""

    terms: list[ProductTerms]
    titles: list[str]
    descriptions: list[str]
    attributes: list[dict[str, str]]
    measure_index: np.ndarray


def product_texts(
    *, draws: np.ndarray, leaves: list[Leaf], leaf: np.ndarray, brands: list[str], brand: np.ndarray,
    is_chinese: np.ndarray,
) -> ProductTexts:
    """Terms, titles, descriptions, attribute dicts and size indices of every product."""
    texts = ProductTexts([], [], [], [], np.zeros(leaf.size, dtype=np.int64))
    for index in range(leaf.size):
        product_leaf = leaves[int(leaf[index])]
        top = CATEGORY_TREE[product_leaf.top]
        terms, texts.measure_index[index] = draw_terms(leaf=product_leaf, draws=draws[index, :5])
        chinese = bool(is_chinese[index])
        brand_name = brands[int(brand[index])]
        product_type = product_leaf.product_type
        texts.terms.append(terms)
        texts.titles.append(
            compose_title(brand=brand_name, product_type=product_type, terms=terms, chinese=chinese, variant=draws[index, 5])
        )
        texts.descriptions.append(
            compose_description(
                brand=brand_name, top=top, product_type=product_type, terms=terms, chinese=chinese,
                draws=draws[index, 6:9],
            )
        )
        texts.attributes.append({
            top.first_key: terms.first[0],
            top.second_key: terms.second[0],
            top.measure_key: terms.measure[0],
            "language": "zh" if chinese else "en",
        })
    return texts


def draw_prices(
    *, leaves: list[Leaf], leaf: np.ndarray, premium: np.ndarray, measure_index: np.ndarray, is_chinese: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-normal prices around each type's median, raised by the brand premium and the size.

    Args:
        leaves: the product types.
        leaf: product type of each product.
        premium: brand premium of each product.
        measure_index: size index of each product (larger sizes cost more).
        is_chinese: products sold in CNY.
        rng: random generator.

    Returns:
        Shelf prices in each product's currency, and prices relative to the type median.
    """
    median = np.array([leaves[index].product_type.median_price for index in leaf])
    price_usd = median * np.exp(rng.normal(0.0, 0.3, size=leaf.size)) * premium * (1.0 + 0.15 * measure_index)
    price = np.array([
        display_price(price_usd=value, chinese=bool(chinese)) for value, chinese in zip(price_usd, is_chinese)
    ])
    return price, price_usd / median


def draw_brands(
    *, leaves: list[Leaf], leaf: np.ndarray, coverage: list[list[int]], rng: np.random.Generator
) -> np.ndarray:
    """A brand per product among the brands that sell its subcategory."""
    brand = np.empty(leaf.size, dtype=np.int64)
    for index, draw in enumerate(rng.random(leaf.size)):
        candidates = coverage[leaves[int(leaf[index])].subcategory]
        brand[index] = candidates[int(draw * len(candidates))]
    return brand


def catalog_frame(
    *, texts: ProductTexts, leaves: list[Leaf], leaf: np.ndarray, brands: list[str], brand: np.ndarray,
    price: np.ndarray, is_chinese: np.ndarray, rng: np.random.Generator,
) -> pd.DataFrame:
    """The products frame; draws availability, creation dates and image paths."""
    n_products = leaf.size
    ids = format_ids(prefix="p", count=n_products, width=5)
    created = reference_seconds() - rng.integers(SECONDS_PER_DAY, CATALOG_DAYS * SECONDS_PER_DAY, size=n_products)
    has_image = rng.random(n_products) < 0.8
    return build_frame(Table.PRODUCTS, {
        "product_id": ids,
        "title": object_column(texts.titles),
        "description": object_column(texts.descriptions),
        "category": object_column(leaves[int(index)].path for index in leaf),
        "brand": object_column(brands[int(index)] for index in brand),
        "price": price.astype(float),
        "currency": object_column(CURRENCY_BY_LANGUAGE["zh" if chinese else "en"] for chinese in is_chinese),
        "attributes": object_column(texts.attributes),
        "image_url": object_column(
            f"/images/{product_id}.jpg" if image else None for product_id, image in zip(ids, has_image)
        ),
        "available": rng.random(n_products) < AVAILABLE_SHARE,
        "created_at": seconds_to_datetimes(created),
    })


def generate_catalog(*, n_products: int, rng: np.random.Generator) -> Catalog:
    """Draw the product catalog.

    Args:
        n_products: number of products.
        rng: random generator of the catalog stream.

    Returns:
        The catalog: products frame and latent facts.
    """
    leaves = flatten_tree()
    brands, coverage = assign_brand_coverage(rng=rng)
    brand_premium = np.exp(rng.normal(0.0, 0.25, size=len(brands)))
    brand_quality = 2.0 * np.log(brand_premium) + rng.normal(0.0, 0.5, size=len(brands))
    leaf = choose_leaves(n_products=n_products, n_leaves=len(leaves), rng=rng)
    brand = draw_brands(leaves=leaves, leaf=leaf, coverage=coverage, rng=rng)
    is_chinese = rng.random(n_products) < CHINESE_SHARE
    texts = product_texts(
        draws=rng.random((n_products, 9)), leaves=leaves, leaf=leaf, brands=brands, brand=brand, is_chinese=is_chinese
    )
    price, relative_price = draw_prices(
        leaves=leaves, leaf=leaf, premium=brand_premium[brand], measure_index=texts.measure_index,
        is_chinese=is_chinese, rng=rng,
    )
    quality = 0.5 * brand_quality[brand] + rng.normal(0.0, 0.8, size=n_products)
    popularity = (rng.permutation(n_products) + 1.0) ** -POPULARITY_EXPONENT * np.exp(0.25 * quality)
    frame = catalog_frame(
        texts=texts, leaves=leaves, leaf=leaf, brands=brands, brand=brand, price=price, is_chinese=is_chinese, rng=rng
    )
    return Catalog(
        frame=frame, leaves=leaves, brands=brands, leaf=leaf,
        top=np.array([leaves[int(index)].top for index in leaf], dtype=np.int64),
        brand=brand, is_chinese=is_chinese, price=price, relative_price=relative_price, quality=quality,
        popularity=popularity / popularity.sum(), available=frame["available"].to_numpy(), terms=texts.terms,
    )
