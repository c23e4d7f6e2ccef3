"""The synthetic store's knowledge base: policy and help documents in English and Chinese.

Every concrete number is taken from `POLICIES`, so both languages state the same
values and the store's ground truth can list them.
"""

from __future__ import annotations

import pandas as pd

from llm4retail.data.schemas import Table
from llm4retail.data.synthetic.common import build_frame, object_column

POLICIES: dict[str, int | str] = {
    "return_days": 30,
    "refund_processing_days": 7,
    "exchange_days": 15,
    "free_shipping_threshold": 99,
    "standard_shipping_days": 5,
    "express_shipping_days": 2,
    "express_shipping_fee": 15,
    "cancellation_hours": 2,
    "warranty_months": 12,
    "extended_warranty_months": 24,
    "price_protection_days": 14,
    "gold_annual_spend": 2000,
    "platinum_annual_spend": 8000,
    "gold_discount_percent": 5,
    "platinum_discount_percent": 10,
    "privacy_request_days": 20,
    "support_hours": "9:00-21:00",
    "support_phone": "400-820-8820",
    "support_email": "help@demo-store.example",
}
"""Concrete policy values stated by the documents (amounts in the storefront's currency)."""

POLICY_TOPICS: dict[str, str] = {
    "return_days": "returns",
    "refund_processing_days": "refunds",
    "exchange_days": "exchanges",
    "free_shipping_threshold": "shipping",
    "standard_shipping_days": "shipping",
    "express_shipping_days": "shipping",
    "express_shipping_fee": "shipping",
    "cancellation_hours": "cancellation",
    "warranty_months": "warranty",
    "extended_warranty_months": "warranty",
    "price_protection_days": "price-protection",
    "gold_annual_spend": "membership",
    "platinum_annual_spend": "membership",
    "gold_discount_percent": "membership",
    "platinum_discount_percent": "membership",
    "privacy_request_days": "privacy",
    "support_hours": "contact",
    "support_phone": "contact",
    "support_email": "contact",
}
"""The document topic that states each policy value."""

TAGS: dict[str, list[str]] = {
    "returns": ["returns", "policy"],
    "refunds": ["refunds", "returns", "policy"],
    "exchanges": ["exchanges", "returns", "policy"],
    "shipping": ["shipping", "delivery", "policy"],
    "order-tracking": ["orders", "tracking", "shipping", "faq"],
    "cancellation": ["orders", "cancellation", "policy"],
    "warranty": ["warranty", "policy"],
    "payment": ["payment", "faq"],
    "membership": ["membership", "loyalty", "faq"],
    "price-protection": ["pricing", "policy"],
    "privacy": ["privacy", "policy"],
    "contact": ["contact", "support", "faq"],
}


def english_documents(values: dict[str, int | str]) -> dict[str, tuple[str, str]]:
    """Topic -> (title, text) of the English help centre."""
    policy = values
    return {
        "returns": ("Return policy", f"You can return most items within {policy['return_days']} days of delivery for a full refund. Items must be unused, in their original packaging and with all tags attached. Final-sale items, opened cosmetics, food and personalised products cannot be returned. Start a return from My Orders, print the prepaid label and drop the parcel at any courier point. Return shipping is free when the item is faulty or we sent the wrong item."),
        "refunds": ("Refunds", f"Once your return arrives at our warehouse we inspect it within 2 business days. Approved refunds are issued to the original payment method within {policy['refund_processing_days']} business days. Shipping fees are refunded only when the item was faulty or wrong. If you paid with a gift card, the refund goes back to the gift card."),
        "exchanges": ("Exchanges", f"Need another size or colour? You can exchange an item within {policy['exchange_days']} days of delivery, as long as it is unused and in its original packaging. Exchanges are free of charge; if the new item costs more, you pay the difference, and if it costs less, we refund the difference. Each order can be exchanged once."),
        "shipping": ("Shipping and delivery", f"Standard shipping takes up to {policy['standard_shipping_days']} business days and is free on orders of {policy['free_shipping_threshold']} or more (USD on the English store, CNY on the Chinese store). Express shipping delivers within {policy['express_shipping_days']} business days for a flat fee of {policy['express_shipping_fee']}. Orders placed before 4 pm ship the same day. We currently ship to the US, Canada, the UK, Australia, Germany, Singapore, mainland China, Hong Kong and Taiwan."),
        "order-tracking": ("Tracking your order", "You receive a tracking code by email as soon as your order ships. US and international parcels use UPS codes starting with 1Z; parcels within China use SF Express codes starting with SF. Open My Orders and select the order to see its status: pending, paid, shipped, delivered, cancelled or returned. Tracking information can take up to 24 hours to appear after shipping."),
        "cancellation": ("Cancelling an order", f"You can cancel an order free of charge within {policy['cancellation_hours']} hours of placing it, or at any time before it ships. Open My Orders and choose Cancel order. Once an order has shipped it can no longer be cancelled, but you can return it after delivery. Refunds for cancelled orders follow our refund policy."),
        "warranty": ("Warranty", f"All electronics and appliances come with a {policy['warranty_months']}-month manufacturer warranty that covers defects in materials and workmanship. Platinum members get an extended {policy['extended_warranty_months']}-month warranty. The warranty does not cover accidental damage, misuse or normal wear. To make a claim, contact support with your order number and a photo or video of the problem."),
        "payment": ("Payment methods", "We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Alipay, WeChat Pay and UnionPay. Your card is charged when the order is placed. Payments are protected with 3-D Secure and we never store your full card number. Orders with unusual payment activity may be held for a manual security review."),
        "membership": ("Membership tiers", f"Every customer starts as a Silver member and earns one point per unit of currency spent. Spend {policy['gold_annual_spend']} in a year to become a Gold member with {policy['gold_discount_percent']}% off every order. Spend {policy['platinum_annual_spend']} in a year to become a Platinum member with {policy['platinum_discount_percent']}% off every order, free express shipping and priority support. Tiers are reviewed every year on your membership anniversary."),
        "price-protection": ("Price protection", f"If the price of an item you bought drops within {policy['price_protection_days']} days of your purchase, we refund the difference. Contact support or use the Price protection button in My Orders. Price protection does not apply to flash sales, clearance items or prices from other retailers."),
        "privacy": ("Privacy policy", f"We collect only the data needed to process your orders, improve our service and, if you agree, send you offers. We never sell your personal data. You can ask for a copy of your data or ask us to delete it at any time; we answer every request within {policy['privacy_request_days']} days. Payment data is handled by certified payment providers."),
        "contact": ("Contact us and human support", f"Our support team is available every day from {policy['support_hours']} (China Standard Time). Call {policy['support_phone']}, email {policy['support_email']} or use live chat. If our assistant cannot solve your problem, type 'talk to a human' to reach an agent. We answer emails within one business day."),
    }


def chinese_documents(values: dict[str, int | str]) -> dict[str, tuple[str, str]]:
    """Topic -> (title, text) of the Chinese help centre."""
    policy = values
    return {
        "returns": ("退货政策", f"大部分商品自签收之日起{policy['return_days']}天内可申请退货并全额退款。商品须未使用、保留原包装及全部吊牌。最终销售商品、已拆封的化妆品、食品及定制商品不支持退货。请在“我的订单”中发起退货，打印预付运单后交给任意快递网点。如商品有质量问题或发错货，退货运费由我们承担。"),
        "refunds": ("退款说明", f"退货商品到达仓库后，我们会在2个工作日内完成检验。审核通过后，退款将在{policy['refund_processing_days']}个工作日内原路退回。只有在商品有质量问题或发错货时才退还运费。使用礼品卡支付的订单，退款将退回礼品卡。"),
        "exchanges": ("换货政策", f"需要换尺码或颜色？自签收之日起{policy['exchange_days']}天内，商品未使用且保留原包装即可换货。换货免费；新商品价格更高时需补差价，价格更低时我们退还差价。每个订单可换货一次。"),
        "shipping": ("配送说明", f"普通快递最长{policy['standard_shipping_days']}个工作日送达，订单满{policy['free_shipping_threshold']}元（英文站为美元）免运费。加急快递{policy['express_shipping_days']}个工作日内送达，运费统一为{policy['express_shipping_fee']}元。下午4点前下单当天发货。目前配送至中国大陆、香港、台湾、新加坡、美国、加拿大、英国、澳大利亚和德国。"),
        "order-tracking": ("订单物流查询", "订单发货后，您会收到包含物流单号的通知。中国境内包裹使用以SF开头的顺丰单号，国际包裹使用以1Z开头的UPS单号。在“我的订单”中选择订单即可查看状态：待付款、已付款、已发货、已签收、已取消或已退货。发货后物流信息最多需要24小时才会更新。"),
        "cancellation": ("取消订单", f"下单后{policy['cancellation_hours']}小时内或发货前均可免费取消订单。请在“我的订单”中点击“取消订单”。订单发货后无法取消，但您可以在签收后申请退货。取消订单的退款按照退款说明处理。"),
        "warranty": ("保修政策", f"所有电子产品和家电均享受{policy['warranty_months']}个月厂家保修，涵盖材料和工艺缺陷。铂金会员享受延长至{policy['extended_warranty_months']}个月的保修。意外损坏、使用不当及正常磨损不在保修范围内。申请保修请联系客服并提供订单号及问题照片或视频。"),
        "payment": ("支付方式", "我们支持支付宝、微信支付、银联、Visa、Mastercard、American Express、PayPal和Apple Pay。下单时即完成扣款。支付全程采用3-D Secure安全验证，我们不会保存您的完整卡号。存在异常支付行为的订单可能会被暂缓处理并进行人工安全审核。"),
        "membership": ("会员等级", f"所有顾客注册即为白银会员，每消费1元积1分。一年内累计消费满{policy['gold_annual_spend']}元升级为黄金会员，每笔订单享{policy['gold_discount_percent']}%折扣。一年内累计消费满{policy['platinum_annual_spend']}元升级为铂金会员，每笔订单享{policy['platinum_discount_percent']}%折扣，并享受免费加急配送和优先客服。会员等级在每年会员周年日重新评定。"),
        "price-protection": ("价格保护", f"购买后{policy['price_protection_days']}天内如商品降价，我们将退还差价。请联系客服或在“我的订单”中点击“价格保护”申请。秒杀、清仓商品以及其他商家的价格不适用价格保护。"),
        "privacy": ("隐私政策", f"我们只收集处理订单、改进服务以及经您同意后发送优惠信息所需的数据，绝不出售您的个人信息。您可以随时申请获取或删除您的数据，我们会在{policy['privacy_request_days']}天内答复每一项申请。支付数据由经过认证的支付服务商处理。"),
        "contact": ("联系我们与人工客服", f"客服团队每天{policy['support_hours']}（北京时间）在线。请拨打{policy['support_phone']}、发送邮件至{policy['support_email']}或使用在线聊天。如果智能助手无法解决您的问题，输入“转人工”即可联系人工客服。邮件会在一个工作日内回复。"),
    }


def generate_documents(*, policies: dict[str, int | str] | None = None) -> pd.DataFrame:
    """The knowledge-base documents, one per topic and language.

    Args:
        policies: policy values to state; `POLICIES` when None.

    Returns:
        The documents frame; ids look like `kb-returns-en` and `kb-returns-zh`.
    """
    values = dict(POLICIES if policies is None else policies)
    rows = []
    for language, documents in (("en", english_documents(values)), ("zh", chinese_documents(values))):
        prefix = "" if language == "en" else "/zh"
        for topic, (title, text) in documents.items():
            rows.append((f"kb-{topic}-{language}", title, text, f"{prefix}/help/{topic}", list(TAGS[topic]), language))
    columns = list(zip(*rows))
    return build_frame(Table.DOCUMENTS, {
        "doc_id": object_column(columns[0]),
        "title": object_column(columns[1]),
        "text": object_column(columns[2]),
        "url": object_column(columns[3]),
        "tags": object_column(columns[4]),
        "language": object_column(columns[5]),
    })
