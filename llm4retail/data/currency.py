"""Currencies: ISO 4217 codes, the symbols and words shoppers type for them, and conversion at configured rates.

Rates are configuration (`currency.rates` in `Settings`), never fetched: a shop states the rates it
wants its search to use. Between two currencies without a configured rate nothing is converted, and
callers say so rather than guess.

Example:
    >>> parse_currency("元"), parse_currency("$"), parse_currency("euros")
    ('CNY', 'USD', 'EUR')
    >>> rates = RateTable(base="USD", rates={"CNY": 0.14, "EUR": 1.08})
    >>> round(convert(500, "CNY", "USD", rates), 2)
    70.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from llm4retail.config import Settings
from llm4retail.errors import ConfigError, DataValidationError

# Active ISO 4217 alphabetic codes (fund codes and precious metals left out on purpose:
# a shop does not price in them).
ISO_4217 = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
    GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
    LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
    NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD
    XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)

# What shoppers type for a currency, lower case. "¥" is read as the yuan (the storefronts this
# project targets price in CNY; a yen shop writes 円 or JPY). "pound(s)" is left out: it is a weight.
CURRENCY_WORDS: dict[str, str] = {
    "$": "USD", "us$": "USD", "dollar": "USD", "dollars": "USD", "bucks": "USD", "美元": "USD", "美金": "USD",
    "¥": "CNY", "￥": "CNY", "元": "CNY", "元钱": "CNY", "块": "CNY", "块钱": "CNY", "rmb": "CNY", "yuan": "CNY",
    "人民币": "CNY", "€": "EUR", "euro": "EUR", "euros": "EUR", "欧元": "EUR", "£": "GBP", "英镑": "GBP",
    "円": "JPY", "日元": "JPY", "港元": "HKD", "港币": "HKD", "hk$": "HKD",
}  # fmt: skip

# The currency a query in a language means when it names none (used only when the catalog has it).
CURRENCY_OF_LANGUAGE: dict[str, str] = {"zh": "CNY"}


def check_currency(code: str) -> str:
    """Returns the upper-case ISO 4217 code.

    Args:
        code: a currency code such as "usd" or "EUR".

    Raises:
        DataValidationError: the code is not an ISO 4217 currency in circulation.
    """
    normalised = str(code).strip().upper()
    if normalised not in ISO_4217:
        raise DataValidationError(f"unknown currency '{code}': expected an ISO 4217 code such as USD, EUR or CNY")
    return normalised


def parse_currency(text: str | None) -> str | None:
    """The ISO code of a currency symbol, word or code ("¥", "元", "dollars", "eur"); None when it names none."""
    if text is None:
        return None
    key = " ".join(str(text).lower().split())
    if key in CURRENCY_WORDS:
        return CURRENCY_WORDS[key]
    upper = key.upper()
    return upper if upper in ISO_4217 else None


def catalog_currency(value: object) -> str | None:
    """A product's `currency` cell as an ISO code: None when missing or blank (the store's default applies).

    A symbol or word ("¥", "dollars") becomes its code; anything else is kept as written, upper case
    (the store accepted it; it simply has no configured rate to any other currency).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() in ("", "<NA>", "nan"):
        return None
    return parse_currency(str(value)) or str(value).strip().upper()


@dataclass(frozen=True)
class RateTable:
    """Exchange rates a shop configured, and the currency of products that name none.

    Attributes:
        default: the currency of a product without one (a store imported without a `currency` column).
        base: the currency the rates are quoted in.
        rates: currency -> how many units of `base` one unit of it is worth (`{"CNY": 0.14}` with base USD).
    """

    default: str = "USD"
    base: str = "USD"
    rates: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "default", check_currency(self.default))
        object.__setattr__(self, "base", check_currency(self.base))
        checked: dict[str, float] = {}
        for code, rate in self.rates.items():
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate <= 0:
                raise ConfigError(f"currency rate of {code} must be a positive number, got {rate!r}")
            checked[check_currency(code)] = float(rate)
        object.__setattr__(self, "rates", checked)

    def resolve(self, code: str | None) -> str:
        """The currency of a product: its own, else the default."""
        return code or self.default

    def rate(self, source: str, target: str) -> float | None:
        """Units of `target` per unit of `source`; None when no configured rate links them."""
        if source == target:
            return 1.0
        to_base = {**self.rates, self.base: 1.0}
        if source not in to_base or target not in to_base:
            return None
        return to_base[source] / to_base[target]


def with_currency(row: dict[str, object], *, rates: RateTable) -> dict[str, object]:
    """A product row whose `currency` is never blank: its own (as an ISO code where it is a symbol), else the default."""
    return {**row, "currency": rates.resolve(catalog_currency(row.get("currency")))}


def convert(amount: float, source: str, target: str, rates: RateTable) -> float:
    """`amount` in `source` expressed in `target` at the configured rates.

    Raises:
        ConfigError: no rate is configured between the two currencies.
    """
    rate = rates.rate(check_currency(source), check_currency(target))
    if rate is None:
        raise ConfigError(
            f"no exchange rate between {source} and {target} is configured: set currency.rates "
            f"(units of the base currency {rates.base} per unit), e.g. LLM4RETAIL_CURRENCY__RATES='{{\"{source}\": 0.14}}'"
        )
    return amount * rate


def currency_rates(settings: Settings) -> RateTable:
    """The configured default currency and rates (`settings.currency`).

    Raises:
        ConfigError: a configured code is not an ISO 4217 currency.
    """
    try:
        return RateTable(default=settings.currency.default, base=settings.currency.base, rates=settings.currency.rates)
    except DataValidationError as error:
        raise ConfigError(f"invalid currency setting: {error}") from error
