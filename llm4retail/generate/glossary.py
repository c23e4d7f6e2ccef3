"""Bilingual wording of product facts: attribute values, attribute names, review aspects and product nouns.

Attribute values are stored once (usually in English, as the data contract's importers write them); copy in
the other language needs their translation. A built-in retail glossary covers the common values (colours,
materials, sizes, scents, flavours, origins); product nouns (the category leaf) are learned from the store's
own Chinese titles, so that a store's wording wins over ours. A value without a translation is written as it
is stored (model numbers, "500ml", "20W" read the same in both languages).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from llm4retail.text.language import CJK, Language

# English value (lower case) -> Chinese.
VALUES_ZH: dict[str, str] = {
    # colours
    "black": "黑色", "white": "白色", "grey": "灰色", "gray": "灰色", "silver": "银色", "gold": "金色",
    "blue": "蓝色", "navy": "藏青色", "red": "红色", "green": "绿色", "yellow": "黄色", "orange": "橙色",
    "purple": "紫色", "pink": "粉色", "brown": "棕色", "beige": "米色", "khaki": "卡其色", "ivory": "象牙白",
    "burgundy": "酒红色", "teal": "青色", "cream": "奶油色", "transparent": "透明", "multicolour": "多色",
    # materials
    "cotton": "纯棉", "linen": "亚麻", "silk": "真丝", "wool": "羊毛", "cashmere": "羊绒", "down": "羽绒",
    "leather": "真皮", "suede": "麂皮", "denim": "牛仔布", "stretch denim": "弹力牛仔布", "canvas": "帆布",
    "polyester": "涤纶", "nylon": "尼龙", "chiffon": "雪纺", "velvet": "丝绒", "knit": "针织", "fabric": "布艺",
    "mesh": "网面", "jute": "黄麻", "rattan": "藤编", "bamboo": "竹制", "wood": "木质", "solid wood": "实木",
    "marble": "大理石", "glass": "玻璃", "ceramic": "陶瓷", "porcelain": "瓷", "plastic": "塑料", "paper": "纸质",
    "metal": "金属", "steel": "钢制", "stainless steel": "不锈钢", "carbon steel": "碳钢", "cast iron": "铸铁",
    "aluminium": "铝合金", "aluminum": "铝合金", "carbon fibre": "碳纤维", "silicone": "硅胶", "rubber": "橡胶",
    "memory foam": "记忆棉", "copper": "铜", "tpu": "TPU", "ppsu": "PPSU", "nbr": "NBR", "abs": "ABS",
    # sizes and formats
    "small": "小号", "medium": "中号", "large": "大号", "mini": "迷你", "standard": "标准款", "wide": "加宽款",
    "long": "长款", "single": "单人", "double": "双人", "king": "特大", "queen": "大床", "one size": "均码",
    "l-shape": "L型", "2-seat": "双人位", "3-seat": "三人位", "4-seat": "四人座", "6-seat": "六人座",
    "2-person": "双人", "4-person": "四人", "3-tier": "三层", "5-tier": "五层", "ergonomic": "人体工学",
    "in-ear": "入耳式", "over-ear": "头戴式",
    # scents, flavours, formulas
    "rose": "玫瑰", "lavender": "薰衣草", "citrus": "柑橘", "green tea": "绿茶", "unscented": "无香", "jasmine": "茉莉",
    "original": "原味", "milk": "牛奶", "dark": "黑巧", "hazelnut": "榛子", "salted": "盐焗", "honey": "蜂蜜",
    "light": "清香", "dark roast": "深烘", "medium roast": "中烘", "light roast": "浅烘", "extra virgin": "特级初榨",
    "acacia": "洋槐", "wildflower": "百花", "longan": "龙眼", "eau de toilette": "淡香水", "eau de parfum": "香水",
    "hyaluronic acid": "玻尿酸", "shea butter": "乳木果", "plant-based": "植物配方", "ceramide": "神经酰胺",
    "amino acid": "氨基酸", "niacinamide": "烟酰胺", "matte": "哑光", "satin": "缎光", "dewy": "水润",
    "vitamin c": "维生素C", "argan oil": "摩洛哥坚果油",
    # origins
    "switzerland": "瑞士", "belgium": "比利时", "italy": "意大利", "spain": "西班牙", "greece": "希腊",
    "colombia": "哥伦比亚", "ethiopia": "埃塞俄比亚", "new zealand": "新西兰", "california": "加州", "yunnan": "云南",
    "fujian": "福建", "zhejiang": "浙江", "xinjiang": "新疆", "japan": "日本", "france": "法国", "germany": "德国",
    "china": "中国", "brazil": "巴西", "kenya": "肯尼亚", "vietnam": "越南",
}  # fmt: skip

# Attribute key -> (English label, Chinese label); other keys read as their own name.
LABELS: dict[str, tuple[str, str]] = {
    "colour": ("Colour", "颜色"), "color": ("Colour", "颜色"), "material": ("Material", "材质"),
    "size": ("Size", "尺码"), "capacity": ("Capacity", "容量"), "spec": ("Specification", "规格"),
    "weight": ("Net weight", "净含量"), "scent": ("Scent", "香型"), "flavour": ("Flavour", "口味"),
    "flavor": ("Flavour", "口味"), "formula": ("Formula", "配方"), "origin": ("Origin", "产地"),
    "brand": ("Brand", "品牌"), "category": ("Category", "品类"),
}  # fmt: skip

# Review aspects (llm4retail.reviews.aspects.Aspect values) -> (English, Chinese).
ASPECTS: dict[str, tuple[str, str]] = {
    "quality": ("quality", "质量"), "value": ("value for money", "性价比"), "shipping": ("delivery", "物流配送"),
    "service": ("service", "服务"), "size": ("fit", "尺码"), "appearance": ("look", "外观"),
    "function": ("performance", "使用效果"),
}  # fmt: skip

_SINGULAR = ((re.compile(r"(?i)(ss|sh|ch|x)es$"), r"\1"), (re.compile(r"(?i)ies$"), "y"),
             (re.compile(r"(?i)(?<=[lr])ves$"), "f"), (re.compile(r"(?i)(?<!s)s$"), ""))  # fmt: skip
_IRREGULAR = {"mice": "mouse", "knives": "knife", "feet": "foot", "teeth": "tooth", "children": "child", "men": "man",
              "women": "woman", "geese": "goose"}  # fmt: skip
_PLURAL_ONLY = {"jeans", "pajamas", "pyjamas", "leggings", "glasses", "shorts", "trousers", "sunglasses", "scissors"}
# Chinese modifiers beside the noun in titles (besides the values above), removed before nouns are learned.
MODIFIERS_ZH = ("牛仔", "弹力", "加厚", "天然", "经典", "简约", "时尚", "套装", "款")
_MIN_TITLES = 2
_NOUN_SHARE = 0.75  # a Chinese noun is in three quarters of the category's Chinese titles ...
_NOUN_ELSEWHERE = 0.05  # ... and in hardly any other category's
_MAX_NOUN_CHARACTERS = 6


def value_in(value: str, language: Language) -> str:
    """How copy in `language` writes an attribute value."""
    if language is Language.CHINESE and not CJK.search(value):
        return VALUES_ZH.get(value.strip().lower(), value)
    return value


def label_of(key: str, language: Language) -> str:
    """The attribute's name in `language` ("colour" -> "Colour" / "颜色")."""
    plain = re.sub(r"^attr_[tnb]_", "", key)
    english, chinese = LABELS.get(plain.lower(), (plain.replace("_", " ").capitalize(), plain.replace("_", " ")))
    return chinese if language is Language.CHINESE else english


def aspect_in(aspect: str, language: Language) -> str:
    """A review aspect in `language` ("value" -> "value for money" / "性价比")."""
    english, chinese = ASPECTS.get(aspect, (aspect, aspect))
    return chinese if language is Language.CHINESE else english


def english_noun(category: str) -> str:
    """The singular product noun of a category path's leaf ("Home > Storage > Storage Baskets" -> "storage basket")."""
    leaf = category.split(">")[-1].strip()
    words = leaf.split()
    if not words:
        return "product"
    last = words[-1].lower()
    if last in _IRREGULAR:
        last = _IRREGULAR[last]
    elif last not in _PLURAL_ONLY:
        for pattern, replacement in _SINGULAR:
            if pattern.search(last):
                last = pattern.sub(replacement, last)
                break
    return " ".join([*words[:-1], last]).lower()


def learn_chinese_nouns(titles_by_category: dict[str, list[str]]) -> dict[str, str]:
    """Category -> the Chinese product noun its Chinese titles share ("Storage Baskets" -> "收纳筐").

    The noun is the run of Chinese characters found in the most of a category's Chinese titles (at least three
    quarters; the longest of those found equally often) and in hardly any title of another category. Titles are
    read first without the values and modifiers around the noun ("黄色纯棉收纳筐" -> "收纳筐"), then, for
    categories whose noun contains a value ("蜂蜜" is also a flavour), as written. Categories with too few
    Chinese titles get none.
    """
    modifiers = re.compile(
        "|".join(sorted(map(re.escape, {*VALUES_ZH.values(), *MODIFIERS_ZH}), key=len, reverse=True))
    )
    cleaned = {
        category: [modifiers.sub(" ", title) for title in titles] for category, titles in titles_by_category.items()
    }
    return {**_shared_runs(titles_by_category), **_shared_runs(cleaned)}


def _shared_runs(titles_by_category: dict[str, list[str]]) -> dict[str, str]:
    runs = {category: [set(_substrings(title)) for title in titles] for category, titles in titles_by_category.items()}
    everywhere: Counter[str] = Counter()
    for sets in runs.values():
        for found in sets:
            everywhere.update(found)
    total = sum(len(sets) for sets in runs.values())
    nouns = {}
    for category, sets in runs.items():
        if len(sets) < _MIN_TITLES:
            continue
        here: Counter[str] = Counter()
        for found in sets:
            here.update(found)
        others = max(1, total - len(sets))
        fitting = [text for text, count in here.items()
                   if count >= _NOUN_SHARE * len(sets) and (everywhere[text] - count) <= _NOUN_ELSEWHERE * others]  # fmt: skip
        if fitting:
            nouns[category] = _undoubled(max(fitting, key=lambda text: (here[text], len(text))))
    return nouns


def _undoubled(noun: str) -> str:
    """A noun without the modifier every title repeats before it ("牛仔牛仔裤" -> "牛仔裤", "香香水" -> "香水")."""
    for size in (2, 1):
        for start in range(len(noun) - 2 * size + 1):
            if noun[start : start + size] == noun[start + size : start + 2 * size]:
                return noun[start + size :]
    return noun


def _substrings(title: str) -> Iterable[str]:
    """Every run of 2 to 6 consecutive characters with a Chinese one in a title ("T恤" counts, "500ml" not)."""
    for run in re.findall(r"[\u3400-\u9fffA-Za-z]*[\u3400-\u9fff][\u3400-\u9fffA-Za-z]*", title):
        for start in range(len(run)):
            for end in range(start + 2, min(len(run), start + _MAX_NOUN_CHARACTERS) + 1):
                if CJK.search(run[start:end]):
                    yield run[start:end]
