"""Product copy: key attributes stated, both languages, varied, and a model draft with an unsupported fact refused."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from llm4retail.container import Services
from llm4retail.data.schemas import Table
from llm4retail.errors import NotFoundError
from llm4retail.generate.copywriter import CopyWriter
from llm4retail.generate.evaluate import in_language, mentioned_share, ungrounded
from llm4retail.generate.facts import ProductFacts
from llm4retail.generate.schemas import Tone
from llm4retail.llm.backends import AnswerBackend, BackendKind
from llm4retail.text.language import CJK, Language

pytestmark = pytest.mark.unit


class ScriptedBackend(AnswerBackend):
    """A model that answers with prepared replies (the test double of the backend; the checks are under test)."""

    name = "scripted"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.calls = 0

    def generate(self, messages: list[dict[str, str]], *, max_tokens: int = 160) -> str:
        self.calls += 1
        return self.replies[min(self.calls, len(self.replies)) - 1]


def _product(services: Services, *, language: str, keys: tuple[str, ...] = ("colour", "material")) -> ProductFacts:
    products = services.store.read_frame(Table.PRODUCTS)
    for record in products.to_dict("records"):
        attributes = record["attributes"]
        if attributes.get("language") == language and all(key in attributes for key in keys) and record["price"]:
            return services.generate.facts([record["product_id"]])[0]
    raise AssertionError(f"the demo store has no {language} product with {keys}")


def _reply(title: str, description: str, bullets: list[str]) -> str:
    return json.dumps({"title": title, "description": description, "bullets": bullets}, ensure_ascii=False)


@pytest.mark.parametrize("language", list(Language))
def test_template_copy_states_every_key_attribute_and_only_the_records_facts(
    services: Services, language: Language
) -> None:
    ids = services.store.read_frame(Table.PRODUCTS, columns=["product_id"])["product_id"].tolist()
    facts = {f.product_id: f for f in services.generate.facts(ids)}
    terms = services.generate.terms()
    copies = list(services.generate.copy_many(ids, language=language, backend=BackendKind.TEMPLATE))

    assert len(copies) == len(ids)
    for copy in copies:
        assert mentioned_share(copy, facts[copy.product_id]) == 1.0, copy
        assert ungrounded(copy.text(), [facts[copy.product_id]], terms=terms) == (0, 0), copy
        assert in_language(copy.text(), language), copy
        assert 3 <= len(copy.bullets) <= 5 and copy.backend == "template"
    if language is Language.ENGLISH:
        assert not any(CJK.search(copy.text()) for copy in copies)
    # Varied: a category's copy is not one sentence repeated.
    openings = Counter(copy.description.split("，")[0].split(",")[0][:12] for copy in copies)
    assert len(openings) > 20


def test_chinese_copy_of_an_english_record_is_chinese(services: Services) -> None:
    product = _product(services, language="en")
    copy = services.generate.copy(product.product_id, language=Language.CHINESE, tone=Tone.PREMIUM)

    assert in_language(copy.text(), Language.CHINESE) and copy.language is Language.CHINESE
    assert mentioned_share(copy, product) == 1.0


def test_a_draft_with_a_wrong_price_is_refused_and_the_template_answers(services: Services) -> None:
    product = _product(services, language="en")
    price = f"{product.price + 10:.2f}"
    colour = product.attributes["colour"]
    wrong = _reply(f"{product.brand} {colour} {product.nouns[Language.ENGLISH]}",
                   f"A {colour} {product.nouns[Language.ENGLISH]} from {product.brand}, now only {price}.",
                   [f"Colour: {colour}", f"Brand: {product.brand}", f"Price: {price}"])  # fmt: skip
    backend = ScriptedBackend(wrong)

    copy = CopyWriter(services.generate.terms(), backend=backend, attempts=2).write(product, Language.ENGLISH)

    assert backend.calls == 2  # regenerated once, then the template
    assert copy.backend == "template" and price not in copy.text()
    assert len(copy.rejected) == 2 and f"number {price.rstrip('0').rstrip('.')}" in copy.rejected[0]


@pytest.mark.parametrize(
    ("sentence", "problem"),
    [
        ("It also comes in a red version.", "value"),
        ("Free shipping on every order.", "claim free shipping"),
        ("Reviewers love its fast delivery.", "praise"),
    ],
)
def test_drafts_with_other_values_claims_or_praise_are_refused(services: Services, sentence: str, problem: str) -> None:
    product = _product(services, language="en")
    if product.attributes["colour"] == "red":
        sentence = sentence.replace("red", "green")
    noun = product.nouns[Language.ENGLISH]
    draft = _reply(f"{product.brand} {noun}", f"A {noun} from {product.brand}. {sentence}",
                   [f"Brand: {product.brand}", f"Colour: {product.attributes['colour']}", f"Material: {product.attributes['material']}"])  # fmt: skip
    copy = CopyWriter(services.generate.terms(), backend=ScriptedBackend(draft), attempts=1).write(
        product, Language.ENGLISH
    )

    assert copy.backend == "template"
    assert problem in copy.rejected[0]


def test_a_grounded_draft_is_returned(services: Services) -> None:
    product = _product(services, language="zh")
    colour, material = (product.key_values(Language.CHINESE)[key] for key in ("colour", "material"))
    noun = product.nouns[Language.CHINESE]
    draft = _reply(f"{product.brand} {colour}{material}{noun}", f"{product.brand}这款{noun}，{colour}配色，{material}材质，简洁好搭。",
                   [f"品牌：{product.brand}", f"颜色：{colour}", f"材质：{material}"])  # fmt: skip

    copy = CopyWriter(services.generate.terms(), backend=ScriptedBackend(draft)).write(product, Language.CHINESE)

    assert copy.backend == "scripted" and copy.attempts == 1 and not copy.rejected


def test_unknown_product_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError, match="no-such-product"):
        services.generate.copy("no-such-product")
