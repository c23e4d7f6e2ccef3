"""Cues in a message that the intent model cannot see: what it refers back to, and requests that need
their own flow.

The intent model reads one message alone. Shoppers lean on the conversation ("when did I place it?",
"the other one", "还有货吗") and say things that belong to no intent but must be handled with care (a
lawyer, a chargeback, a policy that does not exist, a broken item, an invoice). These cues are read by
word patterns in English and Chinese, written independently of the training templates, and decide
before the intent model where the dialogue state makes the meaning plain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE

# Asking about the order under discussion: when it was placed, what it cost, what was in it, where it is.
ORDER_FOLLOW_UP = re.compile(
    r"\b(?:when (?:did|was|were) (?:i|it|they|that|this)\b.*\b(?:order|place|placed|buy|bought|purchase|ship|shipped|sent)"
    r"|how much (?:did|was|were) (?:it|that|this|they|the order)|what did (?:it|that|this|i) (?:cost|come to)"
    r"|(?:the |its )?(?:total|amount|cost|price) (?:of|for) (?:it|that|this)|what (?:was|is|'s) in (?:it|that|this|there)"
    r"|what did i (?:order|buy|get)|which items?|(?:where|how) is (?:it|that one)|has it (?:shipped|arrived|been sent)"
    r"|tracking (?:number|code) (?:for|of) (?:it|that))"
    r"|什么时候下的单|哪天下的单|什么时候买的|哪天买的|下单时间|下单日期|花了多少|多少钱|金额|总价|一共多少|买了什么|买了些什么|"
    r"里面(?:都)?(?:有|是)|有哪些(?:东西|商品)|到哪了|发货了吗|物流单号",
    _I,
)
# A question about one of an order's facts (its money, its date, its contents): about the order under
# discussion when the message names no product or order of its own.
ORDER_FACT = re.compile(
    r"\b(?:cost|costs|price|paid|pay|total|charged?|amount|when|date|day|bought|ordered|purchased|contents?|items?)\b"
    r"|多少|钱|付|金额|总价|价格|什么时候|哪天|几号|日期|买了|买的|啥|什么东西|哪些东西|商品",
    _I,
)
# Words that point back at something already said ("that one", "它", "当时").
REFERENCE = re.compile(r"\b(?:it|that|this|those|these|them|there)\b|它|那|这|当时|那时", _I)
# "the other one" / "另一个": the order of the conversation's customer that is not under discussion.
OTHER_ONE = re.compile(
    r"\b(?:the|my|your) other (?:one|order|purchase|parcel|package)s?\b|\banother one\b"
    r"|另(?:外)?(?:一|那)?(?:个|单|笔)|还有(?:一|那)(?:个|单|笔)(?:订单)?(?:呢|吗)",
    _I,
)
# Asking about an attribute of the product under discussion: stock, colours, sizes, materials.
PRODUCT_ATTRIBUTE = re.compile(
    r"\b(?:does it|do they|is it|are they|can i get it|do you have it|does that|is that one)\b"
    r"|\b(?:stock|available|availability|colou?rs?|sizes?|shades?|materials?|made of|dimensions?|bigger|smaller|larger)\b"
    r"|(?<![发到收退换送订])货(?!到)|库存|颜色|色的|尺码|尺寸|大号|小号|中号|号的|码的|材质|款式|规格|它(?:是|有|能|可以)|这款|那款",
    _I,
)
# Legal action, chargebacks and regulators: a complaint a person must take.
LEGAL = re.compile(
    r"\b(?:lawyer|attorney|solicitor|sue|suing|lawsuit|legal action|small claims|(?:to|in|see you in) court|court case|"
    r"charge ?back|dispute the (?:charge|payment|transaction)|revers(?:e|ing) the (?:charge|payment|transaction)|"
    r"(?:credit )?card (?:company|issuer)|(?:report|reporting) (?:you|this|your)|better business bureau|bbb|consumer "
    r"(?:protection|rights|affairs)|trading standards|ftc|ombudsman|regulator|attorney general)\b"
    r"|律师|起诉|法院|打官司|告你们|告到|拒付|撤销(?:这笔)?付款|12315|消协|消费者协会|工商局?|市场监管|监管部门|举报你们|投诉到",
    _I,
)
# A policy the shopper asserts that no store has: refunds at any time, lifetime returns.
POLICY_CLAIM = re.compile(
    r"\b(?:any ?time|no questions asked|forever|lifetime|unlimited|whenever i (?:want|like)|at any point"
    r"|no matter (?:how long|when)|regardless of (?:how long|when))\b"
    r"|随时|无理由(?:随时)?|永久|终身|无限期|想退就退|(?:什么|任何)时候都(?:能|可以)|不管(?:多久|什么时候)|无论(?:多久|什么时候)",
    _I,
)
GIFT = re.compile(r"gift|present|birthday|礼物|送人|送给|送爸|送妈|送女|送男|送老|送同", re.IGNORECASE)
_REFUND_WORDS = re.compile(r"refund|return|exchange|money back|退|换货", _I)
DAMAGED = re.compile(
    r"\b(?:arrived|came|was|is|it's|its) (?:broken|damaged|cracked|smashed|defective|faulty|dented|torn)\b"
    r"|\b(?:broken|damaged|defective|faulty|cracked) (?:item|product|parcel|package|on arrival)\b|\bdoesn'?t work\b"
    r"|坏了|坏的|破损|损坏|摔碎|碎了|有质量问题|质量有问题|不能用了|用不了了",
    _I,
)
INVOICE = re.compile(r"\b(?:invoice|receipt|vat|tax document)s?\b|发票|收据|报销凭证", _I)
DISCOUNT = re.compile(
    r"\b(?:discount|promo|promotion|coupon|voucher|gift) ?(?:code|card)?s?\b.*\b(?:not|n't|invalid|expired|won't|doesn't|didn't|failed|error)"
    r"|\b(?:not|n't|invalid|expired|won't|doesn't|didn't) (?:work|apply|accept)\w*\b.*\b(?:discount|promo|coupon|voucher|code)\b"
    r"|(?:优惠券|优惠码|折扣码|券|红包).{0,8}(?:用不了|不能用|无效|失效|没用|没生效|不生效|用不上)",
    _I,
)
# A closing: thanks and goodbyes, "never mind", nothing else of substance.
_CLOSING_WORDS = re.compile(
    r"\b(?:ok(?:ay)?|alright|all right|fine|well|oh|no worries|never ?mind|nevermind|forget it|anyway|anyways|though|"
    r"then|thanks?|thank you|thx|ty|cheers|bye|goodbye|see you|have a (?:good|nice) (?:day|one)|so much|very much|"
    r"for (?:your|the) (?:help|time)|you|i guess|no|that's all|that is all)\b"
    r"|好吧|好的|好|行吧|行|那|算了|不用了|没事了?|没关系|那就这样吧?|就这样|谢谢你?|谢啦|多谢|感谢|辛苦了|再见|拜拜|您|你|"
    r"了|吧|啊|啦|呀|哦|嘛|呢|哈|嗯",
    _I,
)
_CLOSING_CORE = re.compile(r"thank|thx|\bty\b|cheers|bye|goodbye|never ?mind|forget it|谢|再见|拜拜|算了|不用了", _I)
_LEFTOVER = re.compile(r"[\w\u3400-\u9fff]")


@dataclass(frozen=True)
class Cues:
    """What one message signals beyond its intent (all False for most messages)."""

    closing: bool = False
    legal: bool = False
    policy_claim: bool = False
    damaged: bool = False
    invoice: bool = False
    discount: bool = False
    order_follow_up: bool = False
    order_fact: bool = False
    reference: bool = False
    other_one: bool = False
    product_attribute: bool = False
    gift: bool = False


def read_cues(text: str) -> Cues:
    """The cues of one message (any language)."""
    return Cues(
        closing=is_closing(text),
        legal=bool(LEGAL.search(text)),
        policy_claim=bool(POLICY_CLAIM.search(text) and _REFUND_WORDS.search(text)),
        damaged=bool(DAMAGED.search(text)),
        invoice=bool(INVOICE.search(text)),
        discount=bool(DISCOUNT.search(text)),
        order_follow_up=bool(ORDER_FOLLOW_UP.search(text)),
        order_fact=bool(ORDER_FACT.search(text)),
        reference=bool(REFERENCE.search(text)),
        other_one=bool(OTHER_ONE.search(text)),
        product_attribute=bool(PRODUCT_ATTRIBUTE.search(text)),
        gift=bool(GIFT.search(text)),
    )


def is_closing(text: str) -> bool:
    """Thanks, goodbye or "never mind" and nothing else ("ok thanks anyway", "算了，谢谢"): never a request."""
    if not _CLOSING_CORE.search(text):
        return False
    return not _LEFTOVER.search(_CLOSING_WORDS.sub(" ", text))
