"""Currency-aware price filters and facets.

A price bound has a currency: the one the request names (`currency=`), else the one the query
names ("500元以下" CNY, "under $50" USD), else the one its language implies when the catalog
prices in it (a Chinese query: CNY), else the catalog's only currency, else the configured default.
Products priced in another currency are compared at the configured rates (`currency.rates`);
where no rate links the two currencies they are left out of a price-filtered result, and the
response's `understood.price_filter` names them, so a shopper is never shown a silent mix.

Example:
    >>> column = CurrencyColumn().appended(["USD", "CNY", None])
    >>> price = resolve_price_filter(SearchFilters(price_max=50, currency="USD"), None,
    ...                              column=column, alive=np.ones(3, bool), rates=RateTable())
    >>> price.mask(np.array([40.0, 40.0, 40.0]), column, rates=RateTable()).tolist()
    [True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from llm4retail.data.currency import CURRENCY_OF_LANGUAGE, RateTable
from llm4retail.search.query import ParsedQuery
from llm4retail.search.results import SearchFilters


class CurrencySource(str, Enum):
    """Where the currency of a price filter came from."""

    REQUEST = "request"  # the `currency` field of the request
    QUERY = "query"  # a symbol or word in the query ("元", "$", "euros")
    LANGUAGE = "language"  # the query's language ("zh": CNY), when the catalog prices in it
    CATALOG = "catalog"  # the catalog's only currency
    DEFAULT = "default"  # the configured `currency.default`


class CurrencyColumn:
    """Each index slot's currency as a small integer (None, the store default, is a value of its own).

    Immutable like the index's other per-slot arrays: `appended` returns a new column, so a reader
    holding the old one (a copy-on-write snapshot of the slots) never sees it change length.
    """

    def __init__(self, names: tuple[str | None, ...] = (), ids: np.ndarray | None = None) -> None:
        self.names = names
        self.ids = np.zeros(0, dtype=np.int32) if ids is None else ids

    def appended(self, codes: Sequence[str | None]) -> CurrencyColumn:
        """A column with the currencies of new slots added, in slot order."""
        names = self.names + tuple(dict.fromkeys(code for code in codes if code not in self.names))
        id_of = {name: index for index, name in enumerate(names)}
        new = np.fromiter((id_of[code] for code in codes), dtype=np.int32, count=len(codes))
        return CurrencyColumn(names, np.concatenate([self.ids, new]))

    def resolved(self, slots: np.ndarray, rates: RateTable) -> list[str]:
        """The currency of each of `slots` (the default for products that name none)."""
        return [rates.resolve(self.names[i]) for i in self.ids[slots]]

    def live(self, alive: np.ndarray) -> list[str | None]:
        """Distinct currencies of live slots (None: the store default)."""
        present = np.bincount(self.ids[alive], minlength=len(self.names)) > 0
        return [name for name, used in zip(self.names, present, strict=True) if used]


@dataclass(frozen=True)
class PriceFilter:
    """A price filter in one currency and how the catalog's other currencies were treated.

    Attributes:
        minimum: lowest price, inclusive, or None.
        maximum: highest price, inclusive, or None.
        currency: the ISO code of the bounds.
        source: where that currency came from.
        converted: other catalog currencies compared at the configured rates.
        excluded: other catalog currencies left out (no configured rate to `currency`).
    """

    minimum: float | None
    maximum: float | None
    currency: str
    source: CurrencySource
    converted: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    def mask(self, prices: np.ndarray, column: CurrencyColumn, *, rates: RateTable) -> np.ndarray:
        """Which slots' prices, in this filter's currency, lie within the bounds (no price or no rate: False)."""
        factors = np.array(
            [np.nan if (rate := rates.rate(rates.resolve(name), self.currency)) is None else rate for name in column.names],
            dtype=np.float64,
        )
        in_currency = prices * factors[column.ids] if len(factors) else prices
        inside = ~np.isnan(in_currency)
        if self.minimum is not None:
            inside &= in_currency >= self.minimum - 1e-9
        if self.maximum is not None:
            inside &= in_currency <= self.maximum + 1e-9
        return inside

    def describe(self, rates: RateTable) -> dict[str, Any]:
        """What the response shows: bounds, currency, its source, and which currencies were converted or left out."""
        note = None
        if self.excluded:
            note = (f"only prices in {self.currency}" + (f" (and {', '.join(self.converted)} converted)" if self.converted else "")
                    + f" are filtered: no exchange rate to {', '.join(self.excluded)} is configured (currency.rates)")  # fmt: skip
        elif self.converted:
            note = f"prices in {', '.join(self.converted)} converted to {self.currency} at the configured rates"
        return {
            "min": self.minimum, "max": self.maximum, "currency": self.currency, "currency_source": self.source.value,
            "converted": bool(self.converted),
            "rates": {code: rates.rate(code, self.currency) for code in self.converted},
            "excluded_currencies": list(self.excluded), "note": note,
        }  # fmt: skip


def resolve_price_filter(
    filters: SearchFilters | None, parsed: ParsedQuery | None, *, column: CurrencyColumn, alive: np.ndarray,
    rates: RateTable,
) -> PriceFilter | None:
    """The price filter of one search: explicit bounds win over bounds read from the query, bound by bound.

    Args:
        filters: the request's filters (`price_min`, `price_max`, `currency`).
        parsed: the understood query (its `price`, with the currency it named, and its language).
        column: the index's currency per slot.
        alive: which slots are live (the catalog's currencies are theirs).
        rates: configured default currency and exchange rates.

    Returns:
        None when neither the request nor the query bounds the price.
    """
    filters = filters or SearchFilters()
    query_price = parsed.price if parsed is not None else None
    low = filters.price_min if filters.price_min is not None else (query_price.minimum if query_price else None)
    high = filters.price_max if filters.price_max is not None else (query_price.maximum if query_price else None)
    if low is None and high is None:
        return None
    catalog = sorted({rates.resolve(code) for code in column.live(alive)})
    language_currency = CURRENCY_OF_LANGUAGE.get(str(parsed.language)) if parsed is not None else None
    if filters.currency:
        currency, source = filters.currency, CurrencySource.REQUEST
    elif query_price is not None and query_price.currency:
        currency, source = query_price.currency, CurrencySource.QUERY
    elif language_currency in catalog:
        currency, source = str(language_currency), CurrencySource.LANGUAGE
    elif len(catalog) == 1:
        currency, source = catalog[0], CurrencySource.CATALOG
    else:
        currency, source = rates.default, CurrencySource.DEFAULT
    others = [code for code in catalog if code != currency]
    return PriceFilter(
        minimum=low, maximum=high, currency=currency, source=source,
        converted=tuple(code for code in others if rates.rate(code, currency) is not None),
        excluded=tuple(code for code in others if rates.rate(code, currency) is None),
    )  # fmt: skip

