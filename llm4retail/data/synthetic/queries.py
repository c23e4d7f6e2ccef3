"""A search evaluation set derived from the catalog: queries and graded judgements.

Each query is built from a seed product (type plus some of its attributes, its
brand or a price limit) and judged against products of the same storefront
(language): grade 2 when the type and every constraint match, 1 for the same type
otherwise, 0 for sampled products of other types (some from the same category).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.catalog import Catalog
from llm4retail.data.synthetic.common import build_frame, format_ids, object_column

N_QUERIES = 200
MAX_EXACT = 10
MAX_PARTIAL = 10
N_SAME_CATEGORY_NEGATIVES = 5
N_RANDOM_NEGATIVES = 3
MIN_JUDGED = 5
TEMPLATES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "en": (
        ("{first} {second} {type}", ("first", "second")),
        ("{first} {type}", ("first",)),
        ("{brand} {type}", ("brand",)),
        ("{type} under {limit}", ("price",)),
        ("{first} {type} under {limit}", ("first", "price")),
        ("{second} {type} {measure}", ("second", "measure")),
        ("{adjective} {type}", ("adjective",)),
    ),
    "zh": (
        ("{first} {type}", ("first",)),
        ("{second}{type}", ("second",)),
        ("{brand} {type}", ("brand",)),
        ("{limit}元以内 {type}", ("price",)),
        ("{type} {limit}元以下", ("price",)),
        ("{first}{second}{type}", ("first", "second")),
        ("{type} {measure}", ("measure",)),
        ("{adjective}{type}", ("adjective",)),
    ),
}


@dataclass
class ProductFacets:
    """Comparable facets of every product, for judging."""

    first: np.ndarray
    second: np.ndarray
    measure: np.ndarray
    adjective: np.ndarray
    brand: np.ndarray
    price: np.ndarray


def product_facets(catalog: Catalog) -> ProductFacets:
    """English facet values of every product (language independent)."""
    return ProductFacets(
        first=object_column(terms.first[0] for terms in catalog.terms),
        second=object_column(terms.second[0] for terms in catalog.terms),
        measure=object_column(terms.measure[0] for terms in catalog.terms),
        adjective=object_column(terms.adjective[0] if terms.adjective else "" for terms in catalog.terms),
        brand=catalog.brand,
        price=catalog.price,
    )


def price_limit(price: float, draw: float) -> int:
    """A round limit a little above `price` (1, 2, 3 or 5 times a power of ten)."""
    target = price * (1.05 + 0.5 * draw)
    power = 10 ** int(np.floor(np.log10(max(target, 1.0))))
    for step in (1, 2, 3, 5, 10):
        if step * power >= target:
            return step * power
    return 10 * power


def compose_query(*, catalog: Catalog, seed: int, template: str, limit: int) -> str:
    """The query text of `template` filled from product `seed`."""
    chinese = bool(catalog.is_chinese[seed])
    language = 1 if chinese else 0
    terms = catalog.terms[seed]
    text = template.format(
        first=terms.first[language],
        second=terms.second[language],
        type=catalog.type_name(seed, chinese=chinese),
        brand=catalog.brands[int(catalog.brand[seed])],
        measure=terms.measure[language],
        adjective=terms.adjective[language] if terms.adjective else "",
        limit=limit,
    )
    return text if chinese else text.lower()


def judge(
    *, catalog: Catalog, facets: ProductFacets, seed: int, constraints: tuple[str, ...], limit: int,
    rng: np.random.Generator,
) -> list[tuple[int, int]]:
    """(product, grade) pairs for one query."""
    pool = np.flatnonzero(catalog.is_chinese == catalog.is_chinese[seed])
    same_type = pool[catalog.leaf[pool] == catalog.leaf[seed]]
    exact_mask = np.ones(same_type.size, dtype=bool)
    for constraint in constraints:
        if constraint == "price":
            exact_mask &= facets.price[same_type] <= limit
        else:
            values = getattr(facets, constraint)
            exact_mask &= values[same_type] == values[seed]
    exact = [seed] + list(rng.permutation(same_type[exact_mask & (same_type != seed)])[: MAX_EXACT - 1])
    partial = list(rng.permutation(same_type[~exact_mask])[:MAX_PARTIAL])
    other_type = pool[catalog.leaf[pool] != catalog.leaf[seed]]
    same_category = other_type[catalog.top[other_type] == catalog.top[seed]]
    negatives = list(rng.permutation(same_category)[:N_SAME_CATEGORY_NEGATIVES])
    n_random = max(N_RANDOM_NEGATIVES, MIN_JUDGED - len(exact) - len(partial) - len(negatives))
    remaining = np.setdiff1d(other_type, negatives)
    negatives += list(rng.permutation(remaining)[:n_random])
    graded = [(exact, 2), (partial, 1), (negatives, 0)]
    return [(int(product), grade) for products, grade in graded for product in products]


def generate_queries(
    *, catalog: Catalog, rng: np.random.Generator, n_queries: int = N_QUERIES
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw the queries and their judgements.

    Args:
        catalog: the catalog.
        rng: random generator of the queries stream.
        n_queries: number of distinct queries aimed for.

    Returns:
        The queries frame and the judgements frame.
    """
    facets = product_facets(catalog)
    weights = np.sqrt(catalog.popularity) * catalog.available
    seen: dict[str, list[tuple[int, int]]] = {}
    rows: list[tuple[str, str, str]] = []
    for _ in range(20 * n_queries):
        if len(rows) >= n_queries:
            break
        seed = int(rng.choice(catalog.price.size, p=weights / weights.sum()))
        language = "zh" if catalog.is_chinese[seed] else "en"
        template, constraints = TEMPLATES[language][int(rng.integers(len(TEMPLATES[language])))]
        if "adjective" in constraints and catalog.terms[seed].adjective is None:
            continue
        limit = price_limit(float(catalog.price[seed]), float(rng.random()))
        text = compose_query(catalog=catalog, seed=seed, template=template, limit=limit)
        if text in seen:
            continue
        seen[text] = judge(catalog=catalog, facets=facets, seed=seed, constraints=constraints, limit=limit, rng=rng)
        rows.append((text, catalog.top_category(seed).name, language))
    query_ids = format_ids(prefix="q", count=len(rows), width=4)
    queries = build_frame(Table.QUERIES, {
        "query_id": query_ids,
        "query": object_column(text for text, _, _ in rows),
        "query_class": object_column(query_class for _, query_class, _ in rows),
        "language": object_column(language for _, _, language in rows),
    })
    judged = [
        (query_id, product, grade) for query_id, (text, _, _) in zip(query_ids, rows) for product, grade in seen[text]
    ]
    judgements = build_frame(Table.JUDGEMENTS, {
        "query_id": object_column(query_id for query_id, _, _ in judged),
        "product_id": catalog.ids[np.array([product for _, product, _ in judged], dtype=np.int64)],
        "grade": np.array([grade for _, _, grade in judged], dtype=np.int64),
    })
    return queries, judgements
