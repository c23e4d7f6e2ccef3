"""Bilingual wording of facts and templated answers.

Fact sentences state every value exactly as the store holds it (ISO dates, two-decimal prices),
so the grounding check can compare an LLM's answer with them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

STATUS_ZH = {
    "pending": "待付款", "paid": "已付款", "shipped": "已发货", "delivered": "已签收", "cancelled": "已取消",
    "returned": "已退货", "processing": "处理中", "in_transit": "运输中", "not_shipped": "未发货",
}  # fmt: skip
STATUS_EN = {"in_transit": "in transit", "not_shipped": "not shipped"}
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (简体中文)"}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "greeting": "Hello! I can help with your orders, returns, refunds, shipping, payments and products. What can I do for you?",
        "thanks": "You're welcome! Is there anything else I can help with?",
        "bye": "Thank you for shopping with us. Goodbye!",
        "off_topic": "Sorry, I can only help with questions about this shop: orders, returns, refunds, shipping, payments, your account and our products.",
        "abuse": "I understand you're frustrated, and I want to help. Let's keep the conversation respectful: tell me what happened with your order or product.",
        "clarify": "Sorry, I'm not sure I understood. Is your question about an order, a return or refund, shipping, payment, your account or a product?",
        "which_order": "Which order do you mean? Your most recent orders: {orders}.",
        "no_orders": "I can't find any orders on your account.",
        "order_not_found": "I couldn't find that order on your account. Please check the number, or ask me about your recent orders.",
        "which_product": "Which product do you mean? Please tell me its name.",
        "product_not_found": "I couldn't find that product in our catalog.",
        "no_results": "I couldn't find products matching that in our catalog.",
        "no_answer": "I don't have information about that in our help centre. I can pass your question to a colleague if you type 'human'.",
        "handoff": "I'm passing this conversation to a colleague, who will reply here shortly. They can see everything we've discussed.",
        "handed_off": "A colleague has your conversation and will reply here shortly.",
        "complaint": "I'm sorry about this experience.",
        "complaint_next": "I can help you start a return or refund, or pass this to a colleague if you type 'human'.",
        "contact": "You can reach our support team directly:",
        "results": "Here is what I found:",
        "recommendations": "You might like:",
        "order_line": "{order_id} ({date}, {status})",
        "can_cancel": "Order {order_id} has not shipped yet, so you can still cancel it free of charge in My Orders.",
        "cannot_cancel": "Order {order_id} has already left our warehouse, so it can no longer be cancelled; you can return it after delivery.",
        "variant_missing": "We don't have the {product} in {colour}.",
        "legal": "I've passed this to a colleague who can look into it properly; they can see this conversation.",
        "policy_claim": "That isn't our policy. This is what applies:",
        "damaged": "I'm sorry your item arrived damaged.",
        "invoice": "I can't issue invoices in this chat.",
        "discount": "I can't check or apply discount codes in this chat.",
        "offer_person": "A colleague can sort this out with you: type 'human' and I'll pass the conversation on.",
    },
    "zh": {
        "greeting": "您好！我可以帮您查询订单、退换货、退款、配送、支付和商品问题。请问有什么可以帮您？",
        "thanks": "不客气！还有其他可以帮您的吗？",
        "bye": "感谢您的光临，再见！",
        "off_topic": "抱歉，我只能回答与本店有关的问题：订单、退换货、退款、配送、支付、账户和商品。",
        "abuse": "理解您现在很着急，我很想帮您解决问题。请文明交流，告诉我订单或商品遇到了什么问题。",
        "clarify": "抱歉，我没有完全理解。请问您的问题是关于订单、退换货或退款、配送、支付、账户还是商品？",
        "which_order": "请问是哪一个订单？您最近的订单：{orders}。",
        "no_orders": "您的账户下没有找到订单。",
        "order_not_found": "您的账户下没有找到这个订单，请核对订单号，或让我查询您最近的订单。",
        "which_product": "请问是哪一款商品？请告诉我商品名称。",
        "product_not_found": "没有在商品目录中找到这款商品。",
        "no_results": "没有找到符合条件的商品。",
        "no_answer": "帮助中心里没有这方面的信息。如需人工帮助，请输入“转人工”。",
        "handoff": "已为您转接人工客服，同事会尽快在这里回复您，并能看到我们之前的全部对话。",
        "handed_off": "人工客服已接手您的对话，会尽快在这里回复您。",
        "complaint": "非常抱歉给您带来不好的体验。",
        "complaint_next": "我可以帮您办理退货或退款；如需人工处理，请输入“转人工”。",
        "contact": "您可以直接联系我们的客服团队：",
        "results": "为您找到以下商品：",
        "recommendations": "为您推荐：",
        "order_line": "{order_id}（{date}，{status}）",
        "can_cancel": "订单{order_id}尚未发货，您可以在“我的订单”中免费取消。",
        "cannot_cancel": "订单{order_id}已发出，无法取消；签收后可以申请退货。",
        "variant_missing": "{product}没有{colour}款。",
        "legal": "我已将此事转交给同事认真处理，他们可以看到这段对话。",
        "policy_claim": "我们没有这样的政策，实际适用的规定如下：",
        "damaged": "非常抱歉，您收到的商品有损坏。",
        "invoice": "我无法在对话中开具发票。",
        "discount": "我无法在对话中查询或使用优惠券。",
        "offer_person": "人工客服可以为您处理：输入“转人工”，我会把对话转给同事。",
    },
}  # fmt: skip


@dataclass(frozen=True)
class Fact:
    """One retrieved fact: a sentence stating store values, and the record it came from."""

    source: str  # citation id: "order:o000123", "product:p00012" or a document id
    title: str
    text: str
    url: str | None = None


@dataclass
class Draft:
    """What one turn will answer: facts, the templated answer, and dialogue effects."""

    facts: list[Fact] = field(default_factory=list)
    lead: str = ""  # sentence before the facts
    tail: str = ""  # sentence after the facts
    phrase_with_llm: bool = False  # order and product facts; policy answers stay extractive
    understood: bool = True  # the assistant could act on the message
    pending: dict[str, Any] | None = None
    handoff_reason: str | None = None
    order_id: str | None = None
    product_id: str | None = None

    def template(self) -> str:
        """The answer from the facts alone, each fact followed by its citation marker."""
        parts = [self.lead] if self.lead else []
        parts += [f"{fact.text} [{index}]" for index, fact in enumerate(self.facts, start=1)]
        if self.tail:
            parts.append(self.tail)
        return " ".join(part for part in parts if part)


def say(language: str, key: str, **values: Any) -> str:
    """A fixed sentence in the reply language."""
    return TEXT[language][key].format(**values)


def status_name(status: str | None, language: str) -> str:
    """An order or shipping status in the reply language."""
    value = str(status or "")
    return STATUS_ZH.get(value, value) if language == "zh" else STATUS_EN.get(value, value)


def money(amount: Any, currency: Any) -> str:
    """"1299.00 USD"."""
    return f"{float(amount):.2f} {currency or ''}".strip()


def day(value: dt.datetime | dt.date) -> str:
    """ISO date."""
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def order_fact(order: dict[str, Any], *, titles: dict[str, str], language: str) -> Fact:
    """The state of one order of the customer."""
    order_id = str(order["order_id"])
    lines = order.get("lines") or []
    items = ", ".join(
        f"{line.get('quantity', 1)} × {titles.get(str(line.get('product_id')), line.get('product_id'))}" for line in lines
    )
    status, shipping = order.get("status"), order.get("shipping_status")
    tracking, total = order.get("tracking_code"), order.get("total")
    if language == "zh":
        text = f"订单{order_id}于{day(order['created_at'])}下单，状态：{status_name(status, language)}"
        if shipping and shipping != status:
            text += f"（物流：{status_name(shipping, language)}）"
        if total is not None:
            text += f"，金额{money(total, order.get('currency'))}"
        if tracking:
            text += f"，物流单号{tracking}"
        text += f"。商品：{items}。" if items else "。"
        return Fact(f"order:{order_id}", f"订单{order_id}", text)
    text = f"Order {order_id} was placed on {day(order['created_at'])}; status: {status_name(status, language)}"
    if shipping and shipping != status:
        text += f" (shipping: {status_name(shipping, language)})"
    if total is not None:
        text += f"; total {money(total, order.get('currency'))}"
    if tracking:
        text += f"; tracking code {tracking}"
    text += f". Items: {items}." if items else "."
    return Fact(f"order:{order_id}", f"Order {order_id}", text)


def product_fact(product: dict[str, Any], *, language: str) -> Fact:
    """Price, availability and catalog attributes of one product."""
    attributes = {k: v for k, v in (product.get("attributes") or {}).items() if k != "language" and v not in (None, "")}
    available = product.get("available") is not False
    price = product.get("price")
    if language == "zh":
        text = f"{product['title']}（{product['product_id']}）"
        text += f"：价格{money(price, product.get('currency'))}" if price is not None else "：暂无价格"
        text += "，有货" if available else "，暂时缺货"
        if attributes:
            text += "；" + "，".join(f"{key}：{value}" for key, value in attributes.items())
        return Fact(f"product:{product['product_id']}", str(product["title"]), text + "。")
    text = f"{product['title']} ({product['product_id']})"
    text += f" costs {money(price, product.get('currency'))}" if price is not None else " has no listed price"
    text += " and is in stock" if available else " and is currently out of stock"
    if attributes:
        text += "; " + ", ".join(f"{key}: {value}" for key, value in attributes.items())
    return Fact(f"product:{product['product_id']}", str(product["title"]), text + ".")


def listing_fact(products: list[dict[str, Any]], *, language: str, source: str, title: str) -> Fact:
    """A short list of products with prices."""
    separator = "；" if language == "zh" else "; "
    items = separator.join(
        f"{row['title']}（{row['product_id']}）{money(row['price'], row.get('currency'))}" if language == "zh"
        else f"{row['title']} ({row['product_id']}) at {money(row['price'], row.get('currency'))}"
        for row in products if row.get("price") is not None
    )
    return Fact(source, title, items + ("。" if language == "zh" else "."))
