"""Product copy without a language model: sentences assembled from the record's facts, in English or Chinese.

Every sentence states only record values (brand, attributes, product noun) and the aspects reviewers
praise; phrasings are chosen per product by a stable hash, so that a category's copy does not read as one
sentence repeated, and the same product always gets the same copy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import TypeVar

from llm4retail.generate.facts import ProductFacts
from llm4retail.generate.glossary import aspect_in, label_of, value_in
from llm4retail.generate.schemas import ProductCopy, Tone
from llm4retail.text.language import CJK, Language

Choice = TypeVar("Choice")
MAX_BULLETS = 5
MIN_BULLETS = 3
# Keys whose value sits in the product's name ("White Denim Jeans"), in this order.
NAME_KEYS = ("colour", "color", "material", "flavour", "flavor", "scent")
MEASURE_KEYS = ("size", "capacity", "spec", "weight")

_EN_PHRASE = {
    "colour": "in {v}", "color": "in {v}", "material": "made of {v}", "size": "in size {v}",
    "capacity": "with a capacity of {v}", "spec": "in the {v} version", "weight": "in a {v} pack",
    "scent": "with a {v} scent", "flavour": "with a {v} flavour", "flavor": "with a {v} flavour",
    "formula": "with a {v} formula", "origin": "from {v}",
}  # fmt: skip
_ZH_PHRASE = {
    "colour": "{v}配色", "color": "{v}配色", "material": "采用{v}材质", "size": "尺码为{v}", "capacity": "容量{v}",
    "spec": "规格为{v}", "weight": "净含量{v}", "scent": "{v}香调", "flavour": "{v}口味", "flavor": "{v}口味",
    "formula": "主打{v}", "origin": "产自{v}",
}  # fmt: skip
# {named}: the product noun with its name attributes ("black down coat"); {p1}: the other attributes.
_EN_OPENINGS = {
    Tone.NEUTRAL: ("This {named} from {brand} comes {p1}.", "{Brand} makes this {named}, which comes {p1}.",
                   "Meet the {named} from {brand}, {p1}."),
    Tone.FRIENDLY: ("Say hello to the {named} from {brand}, {p1}!", "Here is {a_named} from {brand} you will enjoy, {p1}.",
                    "Looking for a new {noun}? This {named} from {brand} comes {p1}."),
    Tone.PREMIUM: ("Crafted by {brand}, this {named} comes {p1}.", "A considered {named} from {brand}, presented {p1}.",
                   "{Brand} presents {a_named}, {p1}."),
}  # fmt: skip
_EN_PLAIN = {Tone.NEUTRAL: "This is {a_named} from {brand}.", Tone.FRIENDLY: "Say hello to the {named} from {brand}!",
             Tone.PREMIUM: "{Brand} presents {a_named}."}  # fmt: skip
_EN_MORE = ("It also comes {rest}.", "You can also count on it coming {rest}.", "Beyond that, it comes {rest}.")
_EN_PRAISE = ("Reviewers praise its {aspects}.", "In reviews, shoppers single out its {aspects}.",
              "Buyers who reviewed it praise its {aspects}.")  # fmt: skip
_EN_CLOSINGS = {
    Tone.NEUTRAL: ("A practical pick for {area}.", "A straightforward choice for {area}.", "An easy addition to {area}."),
    Tone.FRIENDLY: ("Add it to your cart and enjoy!", "A little upgrade for every day.", "Go on, treat yourself."),
    Tone.PREMIUM: ("Understated, and made to be enjoyed.", "A refined addition to {area}.",
                   "Chosen for those who notice the details."),
}  # fmt: skip
_ZH_OPENINGS = {
    Tone.NEUTRAL: ("{brand}这款{noun}，{p1}。", "这款{noun}来自{brand}，{p1}。", "{brand}推出的{noun}，{p1}。"),
    Tone.FRIENDLY: ("来看看{brand}这款{noun}吧：{p1}！", "想换新{noun}？{brand}这款{p1}。", "{brand}家的{noun}来啦，{p1}。"),
    Tone.PREMIUM: ("{brand}匠心出品的{noun}，{p1}。", "{brand}精选{noun}，{p1}。", "出自{brand}的{noun}，{p1}，细节考究。"),
}  # fmt: skip
_ZH_MORE = ("此外，{rest}。", "另外，{rest}。", "细节方面，{rest}。")
_ZH_PRAISE = (
    "买家评价中，{aspects}最受称赞。",
    "不少买家在评价里称赞它的{aspects}。",
    "从评价看，买家对{aspects}很满意。",
)
_ZH_CLOSINGS = {
    Tone.NEUTRAL: ("日常使用的实在之选。", "{area}好物，值得一看。", "适合日常使用。"),
    Tone.FRIENDLY: ("喜欢就把它带回家吧！", "给生活添一点小惊喜。", "心动不如行动，快加入购物车吧！"),
    Tone.PREMIUM: ("低调耐看，细节见真章。", "为讲究生活的你而选。", "为你的{area}添一份精致。"),
}  # fmt: skip
_EN_AREA = {"home": "your home", "kitchen": "your kitchen", "fashion": "your wardrobe", "beauty": "your beauty routine",
            "electronics": "your tech setup", "sports & outdoors": "your active days", "food & grocery": "your pantry",
            "toys & kids": "the little ones"}  # fmt: skip
_ZH_AREA = {"home": "家居", "kitchen": "厨房", "fashion": "穿搭", "beauty": "美妆", "electronics": "数码",
            "sports & outdoors": "运动户外", "food & grocery": "餐桌", "toys & kids": "母婴玩具"}  # fmt: skip


def _pick(options: Sequence[Choice], facts: ProductFacts, slot: str, tone: Tone) -> Choice:
    return options[zlib.crc32(f"{facts.product_id}|{slot}|{tone.value}".encode()) % len(options)]


def _phrase(key: str, value: str, language: Language) -> str:
    table = _ZH_PHRASE if language is Language.CHINESE else _EN_PHRASE
    default = "{k}{v}" if language is Language.CHINESE else "with {k} {v}"
    template = table.get(key.lower(), default)
    if language is Language.ENGLISH and key.lower() == "size" and not any(c.isdigit() for c in value) and len(value) > 3:
        template = "in {v}" if value.lower() == "one size" else "in the {v} size"  # "in the medium size"
    phrase = template.format(v=value, k=label_of(key, language).lower())
    return phrase.replace(f"a {value}", f"an {value}") if value[:1].lower() in "aeiou" else phrase


def _join(items: list[str], language: Language, *, words: bool = False) -> str:
    if language is Language.CHINESE:
        return ("和" if words else "，").join(items)
    # "with a rose scent, a niacinamide formula and a capacity of 50ml": one "with" for a run of them.
    items = [item.removeprefix("with ") if index and item.startswith("with ") and items[index - 1].startswith("with ")
             else item for index, item in enumerate(items)]  # fmt: skip
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _area(facts: ProductFacts, language: Language) -> str:
    top = facts.category.split(">")[0].strip() if facts.category else ""
    if language is Language.CHINESE:
        return _ZH_AREA.get(top.lower(), "生活")
    return _EN_AREA.get(top.lower(), "every day")


def title_of(facts: ProductFacts, language: Language) -> str:
    """Brand, the name attributes (colour, material ...), the product noun and its measure."""
    values = {key.lower(): value_in(value, language) for key, value in facts.attributes.items()}
    named = [values[key] for key in NAME_KEYS if key in values]
    measure = next((values[key] for key in MEASURE_KEYS if key in values), None)
    noun = facts.nouns[language]
    if language is Language.CHINESE:
        words = "".join(named) + noun
        return " ".join(filter(None, [facts.brand, words, measure]))
    words = " ".join(word[:1].upper() + word[1:] for word in " ".join([*named, noun]).split())
    if measure and "size" in values and (any(c.isdigit() for c in measure) or len(measure) <= 3):
        measure = f", {label_of('size', language)} {measure}"  # "Size 36", "Size XL"
    elif measure:
        measure = f", {measure[:1].upper()}{measure[1:]}" if "size" in values else f" {measure}"  # ", Large", " 500ml"
    return " ".join(filter(None, [facts.brand, words])) + (measure or "")


def _bullets(facts: ProductFacts, language: Language) -> list[str]:
    zh = language is Language.CHINESE
    separator = "：" if zh else ": "
    bullets = [f"{label_of(key, language)}{separator}{value}" for key, value in facts.key_values(language).items()]
    if facts.praised:
        aspects = _join([aspect_in(aspect, language) for aspect in facts.praised[:2]], language, words=True)
        bullets.append(
            f"买家好评：{aspects}" if language is Language.CHINESE else f"Praised by reviewers for its {aspects}"
        )
    if len(bullets) < MIN_BULLETS:
        bullets.append(f"{label_of('category', language)}{separator}{facts.nouns[language]}")
    if len(bullets) < MIN_BULLETS and facts.category and not (CJK.search(facts.category) and not zh):
        bullets.append(("所属分类：" if zh else "Found in: ") + facts.category.replace(" > ", " › "))
    while len(bullets) < MIN_BULLETS:
        bullets.append(facts.title)
    # More than five facts: the first five are bullets, the description still states the rest.
    return bullets[:MAX_BULLETS]


def template_copy(facts: ProductFacts, language: Language, tone: Tone = Tone.NEUTRAL) -> ProductCopy:
    """Title, description and 3-5 bullets of a product from its facts alone."""
    zh = language is Language.CHINESE
    values = facts.key_values(language)
    values.pop("brand", None)
    noun, brand = facts.nouns[language], facts.brand or ("本店" if zh else "our store")
    named_keys = [] if zh else [key for key in values if key.lower() in NAME_KEYS[:4]]  # colour, material
    named = " ".join([*(values[key] for key in named_keys), noun])
    phrases = [_phrase(key, value, language) for key, value in values.items() if key not in named_keys]
    first, rest = (phrases[:2], phrases[2:]) if zh else (phrases[:3], phrases[3:])
    article = "an" if named[:1].lower() in "aeiou" else "a"
    fields = {
        "noun": noun,
        "named": named,
        "a_named": f"{article} {named}",
        "brand": brand,
        "Brand": brand[:1].upper() + brand[1:],
    }
    if first:
        opening = _pick((_ZH_OPENINGS if zh else _EN_OPENINGS)[tone], facts, "open", tone)
        sentences = [opening.format(**fields, p1=_join(first, language))]
    else:
        sentences = [f"{brand}的{named}。" if zh else _EN_PLAIN[tone].format(**fields)]
    if rest:
        sentences.append(_pick(_ZH_MORE if zh else _EN_MORE, facts, "more", tone).format(rest=_join(rest, language)))
    if facts.praised:
        aspects = _join([aspect_in(aspect, language) for aspect in facts.praised[:2]], language, words=True)
        sentences.append(_pick(_ZH_PRAISE if zh else _EN_PRAISE, facts, "praise", tone).format(aspects=aspects))
    sentences.append(
        _pick((_ZH_CLOSINGS if zh else _EN_CLOSINGS)[tone], facts, "close", tone).format(area=_area(facts, language))
    )
    return ProductCopy(
        product_id=facts.product_id,
        language=language,
        tone=tone,
        title=title_of(facts, language),
        description=("" if zh else " ").join(sentences),
        bullets=_bullets(facts, language),
        backend="template",
        attempts=0,
    )
