"""ISO 4217 currency codes in circulation (the list the payment validators accept)."""

from __future__ import annotations

from llm4retail.errors import DataValidationError

# Active ISO 4217 alphabetic codes (fund codes and precious metals left out on purpose:
# a shop does not take payments in them).
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


def check_currency(code: str) -> str:
    """Returns the upper-case ISO 4217 code.

    Args:
        code: a currency code such as "usd" or "EUR".

    Raises:
        DataValidationError: the code is not an ISO 4217 currency in circulation.
    """
    normalised = code.strip().upper()
    if normalised not in ISO_4217:
        raise DataValidationError(
            f"unknown currency '{code}': expected an ISO 4217 code such as USD, EUR or CNY"
        )
    return normalised
