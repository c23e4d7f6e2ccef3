"""Currency codes, the symbols and words shoppers type, and conversion at configured rates."""

from __future__ import annotations

import pytest

from llm4retail.config import get_settings
from llm4retail.data.currency import (
    RateTable,
    catalog_currency,
    check_currency,
    convert,
    currency_rates,
    parse_currency,
)
from llm4retail.errors import ConfigError, DataValidationError

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("¥", "CNY"), ("￥", "CNY"), ("元", "CNY"), ("块钱", "CNY"), ("RMB", "CNY"), ("yuan", "CNY"), ("人民币", "CNY"),
        ("$", "USD"), ("US$", "USD"), ("dollars", "USD"), ("美元", "USD"), ("€", "EUR"), ("Euros", "EUR"),
        ("欧元", "EUR"), ("eur", "EUR"), ("£", "GBP"), ("jpy", "JPY"), ("sek", "SEK"),
        ("pounds", None), ("", None), (None, None), ("xyz", None),
    ],
)  # fmt: skip
def test_symbols_words_and_codes_name_their_currency(text: str | None, code: str | None) -> None:
    assert parse_currency(text) == code


def test_check_currency_refuses_what_is_not_iso_4217() -> None:
    assert check_currency(" usd ") == "USD"
    with pytest.raises(DataValidationError, match="unknown currency 'dollar'"):
        check_currency("dollar")


def test_catalog_cells_missing_means_the_default() -> None:
    assert [catalog_currency(value) for value in (None, float("nan"), "", " cny ", "¥", "ZZZ")] == [
        None, None, None, "CNY", "CNY", "ZZZ",
    ]  # fmt: skip
    assert RateTable(default="EUR").resolve(None) == "EUR" and RateTable().resolve("CNY") == "CNY"


def test_convert_goes_through_the_base_currency() -> None:
    rates = RateTable(base="USD", rates={"CNY": 0.14, "EUR": 1.1})
    assert convert(500, "CNY", "USD", rates) == pytest.approx(70.0)
    assert convert(70, "USD", "CNY", rates) == pytest.approx(500.0)
    assert convert(100, "EUR", "CNY", rates) == pytest.approx(100 * 1.1 / 0.14)
    assert convert(42, "JPY", "JPY", rates) == 42
    assert rates.rate("JPY", "USD") is None
    with pytest.raises(ConfigError, match="no exchange rate between JPY and USD is configured"):
        convert(1000, "JPY", "USD", rates)


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ConfigError, match="positive number"):
        RateTable(rates={"CNY": 0.0})
    with pytest.raises(DataValidationError, match="unknown currency"):
        RateTable(default="XXY")


def test_settings_carry_default_base_and_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM4RETAIL_CURRENCY__DEFAULT", "cny")
    monkeypatch.setenv("LLM4RETAIL_CURRENCY__BASE", "CNY")
    monkeypatch.setenv("LLM4RETAIL_CURRENCY__RATES", '{"usd": 7.1}')
    rates = currency_rates(get_settings(data_dir="/tmp/currency-settings-test"))
    assert (rates.default, rates.base, rates.rates) == ("CNY", "CNY", {"USD": 7.1})
    assert convert(10, "USD", "CNY", rates) == pytest.approx(71.0)
    monkeypatch.setenv("LLM4RETAIL_CURRENCY__RATES", '{"CNY": -1}')
    with pytest.raises(ConfigError, match="currency.rates"):
        get_settings(data_dir="/tmp/currency-settings-test-2")
