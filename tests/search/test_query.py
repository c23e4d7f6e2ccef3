"""Query understanding: prices, brands, colours, sizes and quantities in English and Chinese queries."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from llm4retail.errors import ConfigError, DataValidationError
from llm4retail.search.query import ParsedQuery, PriceRange, QueryParser, chinese_numeral_value

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
BRANDS = (
    "HP", "Epson", "StarTech.com", "Philips", "Philips AVENT", "TP-LINK", "Nike", "Vogel's", "Kingston Technology",
)  # fmt: skip

ENGLISH_PRICES = [
    ("laptop under 500", None, 500.0),
    ("shoes below $50", None, 50.0),
    ("less than 30", None, 30.0),
    ("cheaper than 20 usd", None, 20.0),
    ("up to 100 dollars", None, 100.0),
    ("max 80", None, 80.0),
    ("<= 40", None, 40.0),
    ("mouse < 40", None, 40.0),
    ("at most 60", None, 60.0),
    ("tv over 100", 100.0, None),
    ("above 50", 50.0, None),
    ("more than 20", 20.0, None),
    ("at least 30", 30.0, None),
    ("from 20", 20.0, None),
    (">= 10", 10.0, None),
    ("between 20 and 50", 20.0, 50.0),
    ("headphones 20-50", 20.0, 50.0),
    ("20 to 50 dollars", 20.0, 50.0),
    ("$20-$50", 20.0, 50.0),
    ("from $20 to $50", 20.0, 50.0),
    ("around 100", 80.0, 120.0),
    ("about $200", 160.0, 240.0),
    ("under $1,000", None, 1000.0),
    ("under 1.5k", None, 1500.0),
    ("over 20 under 50", 20.0, 50.0),
    ("UNDER 500", None, 500.0),
]
CHINESE_PRICES = [
    ("手机 500元以下", None, 500.0),
    ("100元以内", None, 100.0),
    ("不超过200元", None, 200.0),
    ("低于300", None, 300.0),
    ("200元以上", 200.0, None),
    ("高于50", 50.0, None),
    ("50到100元", 50.0, 100.0),
    ("50-100元", 50.0, 100.0),
    ("五百元以下", None, 500.0),
    ("两千元左右", 1600.0, 2400.0),
    ("一万五千元以内", None, 15000.0),
    ("一万五元以内", None, 15000.0),
    ("3万元以下", None, 30000.0),
    ("200块左右", 160.0, 240.0),
    ("¥300以下", None, 300.0),
    ("￥300以下", None, 300.0),
    ("１００元以内", None, 100.0),
    ("nike 跑步鞋 300元以内", None, 300.0),
    ("在50到100元之间的耳机", 50.0, 100.0),
    ("预算两千左右的手机", 1600.0, 2400.0),
    ("价格在100-200之间", 100.0, 200.0),
    # a bare amount next to a bound word; a comma before it that joins no thousands; a budget is a most
    ("送女朋友的礼物，300以内", None, 300.0),
    ("两百左右的礼物", 160.0, 240.0),
    ("不超过三百", None, 300.0),
    ("预算五百", None, 500.0),
    ("预算500的耳机", None, 500.0),
    ("gift for my dad, budget 50", None, 50.0),
    ("my budget is $80", None, 80.0),
    ("a present for a coworker, nothing over 30", None, 30.0),
    ("not over $50", None, 50.0),
    ("gift for my nephew, can't spend more than 25", None, 25.0),
]
NOT_PRICES = [
    "hp laptop 16gb",
    "2x4 lumber",
    "iphone 13",
    "nike shoes size 42",
    "bucket under 5 gal",
    "10-2 wire",
    "auger anchor kit model 542-960",
    "2 x 12-16 douglas fir",
    "toys for 3-5 years",
    "儿童玩具 3-6岁",
    "一起玩的玩具",
    "一次性手套",
    "十几岁的孩子",
    "1,200 sofa",
    "under counter light",
    "2 in 1 laptop",
    "8g内存",
    "nike air max 90",
    "iphone 13 pro max 256gb",
]
TEXTS = [
    ("儿童防水雨靴 100元以内", "儿童防水雨靴"),
    ("儿童防水雨靴100元以内", "儿童防水雨靴"),
    ("nike 跑步鞋 300元以内", "nike 跑步鞋"),
    ("100元以内的儿童雨靴", "儿童雨靴"),
    ("hp laptop 16gb under 1000", "hp laptop 16gb"),
    ("laptop, under $500", "laptop"),
    ("  red   dress \t size 42 ", "red dress size 42"),
    ("under 500", ""),
    ("预算两千左右的手机", "手机"),
    ("在50到100元之间的耳机", "耳机"),
    ("现在50元以下", "现在"),
    ("手机 价格在100-200之间", "手机"),
    ("laptop price under 800", "laptop"),
]
BRAND_CASES = [
    ("hp laptop", ("HP",)),
    ("HP LAPTOP", ("HP",)),
    ("hp笔记本", ("HP",)),
    ("chpump", ()),
    ("hpx printer", ()),
    ("philips avent bottle", ("Philips AVENT",)),
    ("philips shaver", ("Philips",)),
    ("tp link router", ("TP-LINK",)),
    ("tplink router", ("TP-LINK",)),
    ("startech usb cable", ("StarTech.com",)),
    ("vogels tv mount", ("Vogel's",)),
    ("kingston technology ram", ("Kingston Technology",)),
    ("epson or hp ink", ("Epson", "HP")),
    ("hp ink hp paper", ("HP",)),
    ("1/2 hp sump pump", ()),
]
COLOURS = [
    ("red dress", ("red",)),
    ("Gray sofa", ("grey",)),
    ("grey sofa", ("grey",)),
    ("navy blue jacket", ("navy",)),
    ("black and white sneakers", ("black", "white")),
    ("红色连衣裙", ("red",)),
    ("红连衣裙", ("red",)),
    ("灰色卫衣", ("grey",)),
    ("藏青外套", ("navy",)),
    ("米白色毛衣", ("beige",)),
    ("黑白T恤", ("black", "white")),
    ("粉色 nike 鞋", ("pink",)),
    ("蓝牙耳机", ()),
    ("白菜", ()),
    ("口红", ()),
    ("redmi phone", ()),
]
SIZES = [
    ("xl shirt", ("xl",)),
    ("t-shirt 2XL", ("xxl",)),
    ("nike shoes size 42", ("42",)),
    ("shoes size 10.5", ("10.5",)),
    ("size m hoodie", ("m",)),
    ("运动鞋 42码", ("42",)),
    ("L码卫衣", ("l",)),
    ("大号", ("large",)),
    ("中号", ("medium",)),
    ("小号", ("small",)),
    ("均码", ("one size",)),
    ("king size bed sheets", ("king",)),
    ("queen size mattress", ("queen",)),
    ("extra large dog bed", ("xl",)),
    ("sizes of showers", ()),
]
QUANTITIES = [
    ("16gb", ((16.0, "gb"),)),
    ("16 gb", ((16.0, "gb"),)),
    ("16GB", ((16.0, "gb"),)),
    ("1/2 in. pvc", ((0.5, "in"),)),
    ("1/2 inch pvc", ((0.5, "in"),)),
    ('1/2" pipe', ((0.5, "in"),)),
    ("27 inch monitor", ((27.0, "in"),)),
    ("3 1/2 in grinder", ((3.5, "in"),)),
    ("1-1/2 in. coupling", ((1.5, "in"),)),
    ("2 ft", ((2.0, "ft"),)),
    ("2 feet", ((2.0, "ft"),)),
    ("5 gal", ((5.0, "gal"),)),
    ("5 gallon bucket", ((5.0, "gal"),)),
    ("5-gal paint", ((5.0, "gal"),)),
    ("2tb ssd", ((2.0, "tb"),)),
    ("512 mb", ((512.0, "mb"),)),
    ("60w bulb", ((60.0, "w"),)),
    ("18v drill", ((18.0, "v"),)),
    ("5000mah power bank", ((5000.0, "mah"),)),
    ("2 l bottle", ((2.0, "l"),)),
    ("500 ml", ((500.0, "ml"),)),
    ("5 kg", ((5.0, "kg"),)),
    ("100 g", ((100.0, "g"),)),
    ("10 lbs", ((10.0, "lb"),)),
    ("12 oz", ((12.0, "oz"),)),
    ("30 cm", ((30.0, "cm"),)),
    ("8 mm", ((8.0, "mm"),)),
    ("usb cable 2m", ((2.0, "m"),)),
    ("25 cu. ft. fridge", ((25.0, "cu ft"),)),
    ("18v 4.0ah battery", ((18.0, "v"), (4.0, "ah"))),
    ("2升", ((2.0, "l"),)),
    ("500毫升", ((500.0, "ml"),)),
    ("100克", ((100.0, "g"),)),
    ("5千克", ((5.0, "kg"),)),
    ("两千克大米", ((2.0, "kg"),)),
    ("55寸电视", ((55.0, "in"),)),
    ("1.5米数据线", ((1.5, "m"),)),
    ("5g phone", ()),
    ("2x4", ()),
    ("2 in 1 laptop", ()),
    ("faucet pl801l", ()),
    ("一克拉钻戒", ()),
]
CHINESE_NUMERALS = [
    ("十", 10.0),
    ("十五", 15.0),
    ("五百", 500.0),
    ("三百五", 350.0),
    ("一百零五", 105.0),
    ("两千零五", 2005.0),
    ("一千二百三十四", 1234.0),
    ("一万五", 15000.0),
    ("两万三千", 23000.0),
    ("十万", 100000.0),
]


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    return QueryParser(brands=BRANDS)


@pytest.mark.unit
@pytest.mark.parametrize(("query", "minimum", "maximum"), ENGLISH_PRICES + CHINESE_PRICES)
def test_price_expressions(parser: QueryParser, query: str, minimum: float | None, maximum: float | None) -> None:
    price = parser.parse(query).price
    assert price is not None and (price.minimum, price.maximum) == (minimum, maximum)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("query", "currency"),
    [
        ("500元以下", "CNY"), ("¥200以内 耳机", "CNY"), ("100块钱左右", "CNY"), ("rmb 300 以下", "CNY"),
        ("under $50", "USD"), ("lamp under 50 dollars", "USD"), ("100美元以内", "USD"),
        ("€30-€60 shoes", "EUR"), ("under 40 euros", "EUR"), ("£20 to £30", "GBP"),
        ("sofa under 500", None), ("预算两千左右", None),  # no currency named: the search infers one
    ],
)  # fmt: skip
def test_price_phrases_carry_the_currency_they_name(parser: QueryParser, query: str, currency: str | None) -> None:
    price = parser.parse(query).price
    assert price is not None and price.currency == currency


@pytest.mark.unit
@pytest.mark.parametrize("query", NOT_PRICES)
def test_spec_numbers_are_not_prices(parser: QueryParser, query: str) -> None:
    assert parser.parse(query).price is None


@pytest.mark.unit
@pytest.mark.parametrize(("query", "text"), TEXTS)
def test_text_drops_only_price_phrases(parser: QueryParser, query: str, text: str) -> None:
    parsed = parser.parse(query)
    assert parsed.text == text
    assert parsed.original == query


@pytest.mark.unit
@pytest.mark.parametrize(("query", "brands"), BRAND_CASES)
def test_brands(parser: QueryParser, query: str, brands: tuple[str, ...]) -> None:
    assert parser.parse(query).brands == brands


@pytest.mark.unit
@pytest.mark.parametrize(("query", "colours"), COLOURS)
def test_colours(parser: QueryParser, query: str, colours: tuple[str, ...]) -> None:
    assert parser.parse(query).colours == colours


@pytest.mark.unit
@pytest.mark.parametrize(("query", "sizes"), SIZES)
def test_sizes(parser: QueryParser, query: str, sizes: tuple[str, ...]) -> None:
    assert parser.parse(query).sizes == sizes


@pytest.mark.unit
@pytest.mark.parametrize(("query", "quantities"), QUANTITIES)
def test_quantities(parser: QueryParser, query: str, quantities: tuple[tuple[float, str], ...]) -> None:
    assert parser.parse(query).quantities == quantities


@pytest.mark.unit
@pytest.mark.parametrize(("numeral", "value"), CHINESE_NUMERALS)
def test_chinese_numerals(numeral: str, value: float) -> None:
    assert chinese_numeral_value(numeral) == value


@pytest.mark.unit
def test_mixed_query_reads_every_constraint(parser: QueryParser) -> None:
    parsed = parser.parse("nike 红色 跑步鞋 42码 300元以内")
    assert parsed == ParsedQuery(
        original="nike 红色 跑步鞋 42码 300元以内",
        text="nike 红色 跑步鞋 42码",
        price=PriceRange(minimum=None, maximum=300.0, currency="CNY"),
        brands=("Nike",),
        colours=("red",),
        sizes=("42",),
        quantities=(),
        language="zh",
    )


@pytest.mark.unit
@pytest.mark.parametrize(("query", "language"), [("red dress", "en"), ("红色连衣裙", "zh"), ("nike 跑步鞋", "zh"), ("", "en")])
def test_language(parser: QueryParser, query: str, language: str) -> None:
    assert parser.parse(query).language == language


@pytest.mark.unit
@pytest.mark.parametrize("query", ["", "   ", "\n\t "])
def test_blank_query_has_no_constraints(parser: QueryParser, query: str) -> None:
    assert parser.parse(query) == ParsedQuery(
        original=query, text="", price=None, brands=(), colours=(), sizes=(), quantities=(), language="en"
    )


@pytest.mark.unit
def test_query_longer_than_max_length_is_refused() -> None:
    parser = QueryParser(max_length=10)
    assert parser.parse("a" * 10).text == "a" * 10
    with pytest.raises(DataValidationError, match=r"11 characters.*max_length=10"):
        parser.parse("a" * 11)
    with pytest.raises(DataValidationError, match=r"600 characters.*max_length=512"):
        QueryParser().parse("x" * 600)


@pytest.mark.unit
def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ConfigError, match="max_length must be a positive integer"):
        QueryParser(max_length=0)
    with pytest.raises(ConfigError, match="single string"):
        QueryParser(brands="HP")
    with pytest.raises(DataValidationError, match="brands must be strings"):
        QueryParser(brands=["HP", None])  # type: ignore[list-item]
    with pytest.raises(DataValidationError, match="query must be a string"):
        QueryParser().parse(None)  # type: ignore[arg-type]


@pytest.mark.unit
def test_parsed_query_is_frozen(parser: QueryParser) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        parser.parse("red dress").text = "blue"  # type: ignore[misc]


def _catalog_parser() -> QueryParser:
    path = DATASETS / "catalog_icecat" / "icecat_products_19k.jsonl.gz"
    if not path.is_file():
        pytest.fail(f"the Icecat catalog is expected at {path} (../shared beside the repo)", pytrace=False)
    brands = pd.read_json(path, lines=True)["brand"].dropna().unique().tolist()
    assert {"HP", "StarTech.com", "Epson"} <= set(brands)
    return QueryParser(brands=brands)


def _home_depot_queries() -> list[str]:
    path = DATASETS / "homedepot_search" / "queries.csv.gz"
    if not path.is_file():
        pytest.fail(f"the Home Depot queries are expected at {path} (../shared beside the repo)", pytrace=False)
    return pd.read_csv(path)["query"].astype(str).tolist()


@pytest.mark.integration
def test_real_catalog_brands_and_home_depot_queries(capsys: pytest.CaptureFixture[str]) -> None:
    parser = _catalog_parser()

    laptop = parser.parse("hp laptop 16gb under 1000")
    assert (laptop.brands, laptop.price, laptop.quantities) == (
        ("HP",),
        PriceRange(minimum=None, maximum=1000.0),
        ((16.0, "gb"),),
    )
    cable = parser.parse("startech usb c cable 2m")
    assert (cable.brands, cable.quantities, cable.price) == (("StarTech.com",), ((2.0, "m"),), None)
    ink = parser.parse("epson ink black between 20 and 40")
    assert (ink.brands, ink.colours, ink.price, ink.text) == (
        ("Epson",),
        ("black",),
        PriceRange(minimum=20.0, maximum=40.0),
        "epson ink black",
    )

    queries = _home_depot_queries()
    assert len(queries) == 11_795
    parsed = [parser.parse(query) for query in queries]
    priced = [query for query in parsed if query.price is not None]
    assert len(priced) < 0.02 * len(queries), [query.original for query in priced][:20]
    assert all(query.text for query in parsed if query.original.strip())
    assert sum(1 for query in parsed if query.quantities) > 1000  # "1/2 in.", "18v", "5 gal" are everywhere
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    "text",
    ["Stand mixer, 5 qt", "10lbred bag", "Light  Blue linen shirt", "蓝牙耳机 黑色", "shredder", "rose gold 500ml",
     "Red Hat enterprise", "no colour here", "", "GREY 2x4 stud", "墨绿色 L码 卫衣"],
)  # fmt: skip
def test_colours_alone_equal_the_colours_of_a_full_parse(text: str) -> None:
    parser = QueryParser()
    assert parser.colours(text) == parser.parse(text).colours
