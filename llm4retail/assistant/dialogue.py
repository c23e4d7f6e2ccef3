"""What the assistant does for each intent: which tools it calls and which facts it states.

Each handler turns one understood message into a `Draft` (facts, templated answer, and the
dialogue effects: a pending clarification, the order or product now under discussion, a
hand-off reason). Handlers never read another customer's records: orders come only from
`OrderTool`, which is scoped to the conversation's customer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llm4retail.assistant.cues import Cues
from llm4retail.assistant.intents import Intent
from llm4retail.assistant.knowledge import KnowledgeBase
from llm4retail.assistant.replies import Draft, Fact, order_fact, say, status_name
from llm4retail.assistant.slots import SlotExtractor, Slots
from llm4retail.assistant.state import DialogueState
from llm4retail.assistant.tools import CatalogTool, OrderTool, ReturnVerdict, return_eligibility

KB_MIN_SCORE = 0.3
OFF_TOPIC_KB_MIN_SCORE = 0.45
INTENT_TAGS: dict[Intent, tuple[str, ...]] = {
    Intent.ORDER_STATUS: ("orders", "tracking", "cancellation"),
    Intent.RETURN_EXCHANGE: ("returns", "exchanges"),
    Intent.REFUND: ("refunds",),
    Intent.SHIPPING: ("shipping", "delivery"),
    Intent.PAYMENT: ("payment",),
    Intent.ACCOUNT: ("membership", "privacy", "loyalty"),
    Intent.HUMAN_REQUEST: ("contact", "support"),
    Intent.COMPLAINT: ("returns", "refunds"),
}
_CANCEL = re.compile(r"cancel|取消|撤销|撤单", re.IGNORECASE)
_EXCHANGE = re.compile(r"exchange|swap|换", re.IGNORECASE)
_CONTACT = re.compile(r"phone|call|e-?mail|hours|number|电话|邮箱|邮件|联系方式|几点", re.IGNORECASE)
_THANKS = re.compile(r"thank|thx|谢", re.IGNORECASE)
_BYE = re.compile(r"\bbye\b|goodbye|see you|再见|拜拜", re.IGNORECASE)
IN_FLIGHT = ("pending", "paid", "shipped", "processing")
_RECENCY = (
    (re.compile(r"today|yesterday|今天|昨天|前天", re.IGNORECASE), 3),
    (re.compile(r"this week|last week|few days ago|days ago|这周|本周|上周|上星期|前几天|几天前", re.IGNORECASE), 14),
    (re.compile(r"last month|this month|weeks ago|上个月|这个月|本月", re.IGNORECASE), 45),
)


@dataclass
class Turn:
    """One understood message."""

    customer_id: str
    text: str
    language: str
    intent: Intent
    slots: Slots
    state: DialogueState
    as_of: dt.datetime
    cues: Cues = field(default_factory=Cues)


@dataclass
class Toolbox:
    """The tools and indexes handlers use."""

    orders: OrderTool
    catalog: CatalogTool
    knowledge: KnowledgeBase
    extractor: SlotExtractor
    product_ids: list[str]  # extractor title position -> product id

    def titles(self, order: dict[str, Any]) -> dict[str, str]:
        """Product titles of an order's lines."""
        ids = {str(line.get("product_id")) for line in order.get("lines") or []}
        return {pid: str(row["title"]) for pid in ids if (row := self.catalog.product(pid))}


def recency_days(text: str) -> int | None:
    """How far back "yesterday", "last week" or "上个月" reaches, in days (None without such words)."""
    for pattern, days in _RECENCY:
        if pattern.search(text):
            return days
    return None


def order_choice(turn: Turn, orders: list[dict[str, Any]]) -> Draft:
    """Ask which order, listing the customer's own recent orders."""
    lines = [
        say(turn.language, "order_line", order_id=o["order_id"], date=o["created_at"].date().isoformat(),
            status=status_name(o["status"], turn.language))
        for o in orders[:3]
    ]
    separator = "；" if turn.language == "zh" else "; "
    options = [str(o["order_id"]) for o in orders[:3]]
    return Draft(lead=say(turn.language, "which_order", orders=separator.join(lines)),
                 pending={"kind": "order", "intent": turn.intent.value, "options": options})


def resolve_order(turn: Turn, tools: Toolbox, *, prefer: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any] | Draft:
    """The order the message is about, or a draft that asks (or says it is not on the account)."""
    slots, customer = turn.slots, turn.customer_id
    if slots.order_id:
        found = tools.orders.lookup(customer, slots.order_id)
        return found or Draft(lead=say(turn.language, "order_not_found", order_id=slots.order_id))
    if slots.tracking_code:
        found = tools.orders.by_tracking(customer, slots.tracking_code)
        return found or Draft(lead=say(turn.language, "order_not_found", order_id=slots.tracking_code))
    orders = tools.orders.orders_of(customer)
    if not orders:
        return Draft(lead=say(turn.language, "no_orders"))
    if slots.product:
        wanted = {tools.product_ids[p] for p in tools.extractor.product_positions(slots.product)}
        holding = [o for o in orders if {str(line.get("product_id")) for line in o.get("lines") or []} & wanted]
        if holding:
            return holding[0]
    if turn.state.order_id and (kept := tools.orders.lookup(customer, turn.state.order_id)):
        return kept
    candidates = [o for o in orders if prefer(o)] if prefer else orders
    recent = recency_days(turn.text)
    if recent is not None:
        since = turn.as_of - dt.timedelta(days=recent)
        candidates = [o for o in candidates if o["created_at"] >= since] or candidates
    if len(candidates) == 1:
        return candidates[0]
    if len(orders) == 1:
        return orders[0]
    return order_choice(turn, candidates or orders)


def handle_order_status(turn: Turn, tools: Toolbox) -> Draft:
    """Status, dates, total and tracking of one of the customer's orders; cancellation if asked."""
    order = resolve_order(turn, tools, prefer=lambda o: o["status"] in IN_FLIGHT)
    if isinstance(order, Draft):
        return order
    draft = Draft(facts=[order_fact(order, titles=tools.titles(order), language=turn.language)],
                  phrase_with_llm=True, order_id=str(order["order_id"]))
    if _CANCEL.search(turn.text):
        key = "can_cancel" if order["status"] in ("pending", "paid") else "cannot_cancel"
        draft.tail = say(turn.language, key, order_id=order["order_id"])
        draft.phrase_with_llm = False
        draft.facts += knowledge_facts(turn, tools, tags=("cancellation",), query="cancel order 取消订单", top_k=1)
    return draft


def handle_return(turn: Turn, tools: Toolbox) -> Draft:
    """Return or exchange eligibility from the policy window and the order's date and status."""
    exchange = bool(_EXCHANGE.search(turn.text)) and not re.search(r"refund|退款|退货|return", turn.text, re.IGNORECASE)
    policy = tools.knowledge.policy_number("exchange_days" if exchange else "return_days", language=turn.language)
    order = resolve_order(turn, tools, prefer=lambda o: o["status"] == "delivered")
    if policy is None:
        return order if isinstance(order, Draft) and order.pending else knowledge_answer(turn, tools)
    if isinstance(order, Draft):
        order.facts.append(Fact(policy.doc_id, policy.title, policy.sentence))
        return order
    stated = order_fact(order, titles=tools.titles(order), language=turn.language)
    facts = [stated, Fact(policy.doc_id, policy.title, policy.sentence), _verdict_fact(turn, tools, order, policy, stated)]
    return Draft(facts=facts, order_id=str(order["order_id"]))


def _verdict_fact(turn: Turn, tools: Toolbox, order: dict[str, Any], policy: Any, stated: Fact) -> Fact:
    """Whether `order` is inside the `policy` window (counted up to the longest delivery time), as a fact."""
    delivery = tools.knowledge.policy_number("delivery_days", language=turn.language)
    verdict = return_eligibility(order, window_days=policy.value, as_of=turn.as_of,
                                 max_delivery_days=delivery.value if delivery else 0)
    return Fact(stated.source, stated.title, _verdict_text(turn.language, verdict, str(order["order_id"])))


def _verdict_text(language: str, eligibility: Any, order_id: str) -> str:
    days, window, deadline = eligibility.days_since_order, eligibility.window_days, eligibility.deadline.isoformat()
    texts = {
        "en": {
            ReturnVerdict.ELIGIBLE: f"Order {order_id} was placed {days} days ago, within the {window}-day window, so it can be returned; start the return in My Orders (at least until {deadline}).",
            ReturnVerdict.DEPENDS_ON_DELIVERY: f"Order {order_id} was placed {days} days ago; the {window} days count from delivery, so it depends on the delivery date.",
            ReturnVerdict.EXPIRED: f"Order {order_id} was placed {days} days ago, past the {window}-day window, so it can no longer be returned.",
            ReturnVerdict.NOT_DELIVERED: f"Order {order_id} has not been delivered yet; the {window} days start at delivery.",
            ReturnVerdict.ALREADY_RETURNED: f"Order {order_id} has already been returned.",
            ReturnVerdict.CANCELLED: f"Order {order_id} was cancelled, so there is nothing to return.",
        },
        "zh": {
            ReturnVerdict.ELIGIBLE: f"订单{order_id}下单{days}天，在{window}天期限内，可以申请退换，请在“我的订单”中发起（至少可到{deadline}）。",
            ReturnVerdict.DEPENDS_ON_DELIVERY: f"订单{order_id}下单{days}天；{window}天从签收日起算，需根据签收日期确定。",
            ReturnVerdict.EXPIRED: f"订单{order_id}下单已{days}天，超过{window}天期限，无法再申请退换。",
            ReturnVerdict.NOT_DELIVERED: f"订单{order_id}尚未签收，{window}天期限从签收日起算。",
            ReturnVerdict.ALREADY_RETURNED: f"订单{order_id}已经退货。",
            ReturnVerdict.CANCELLED: f"订单{order_id}已取消，无需退货。",
        },
    }
    return texts[language][eligibility.verdict]


def handle_refund(turn: Turn, tools: Toolbox) -> Draft:
    """Refund timing from the policy, with the order when one is named or under discussion."""
    draft = knowledge_answer(turn, tools)
    policy = tools.knowledge.policy_number("refund_days", language=turn.language)
    if policy is not None and all(fact.text != policy.sentence for fact in draft.facts):
        draft.facts.insert(0, Fact(policy.doc_id, policy.title, policy.sentence))
        draft.understood = True
    if turn.slots.order_id or turn.slots.tracking_code or turn.state.order_id:
        order = resolve_order(turn, tools)
        if isinstance(order, Draft):
            return order
        draft.facts.insert(0, order_fact(order, titles=tools.titles(order), language=turn.language))
        draft.order_id = str(order["order_id"])
    return draft


def knowledge_facts(turn: Turn, tools: Toolbox, *, tags: tuple[str, ...], query: str = "", top_k: int = 1, min_score: float = KB_MIN_SCORE) -> list[Fact]:
    """The best help-centre passages for the message."""
    passages = tools.knowledge.search(f"{turn.text} {query}".strip(), top_k=top_k, language=turn.language, tags=tags)
    return [Fact(p.doc_id, p.title, " ".join(p.sentences), p.url) for p in passages if p.score >= min_score]


def knowledge_answer(turn: Turn, tools: Toolbox, *, min_score: float = KB_MIN_SCORE) -> Draft:
    """An extractive answer from the help centre, or an honest "I don't know"."""
    facts = knowledge_facts(turn, tools, tags=INTENT_TAGS.get(turn.intent, ()), min_score=min_score)
    if not facts:
        return Draft(lead=say(turn.language, "no_answer"), understood=False)
    return Draft(facts=facts)


def handle_help(turn: Turn, tools: Toolbox) -> Draft:
    """Shipping, payment and account questions; an order named in them is looked up too."""
    draft = knowledge_answer(turn, tools)
    if turn.slots.order_id:
        order = resolve_order(turn, tools)
        if isinstance(order, Draft):
            return order
        if not draft.understood:  # no help-centre passage, but the order itself answers ("o000641到了吗")
            draft = Draft()
        draft.facts.insert(0, order_fact(order, titles=tools.titles(order), language=turn.language))
        draft.order_id = str(order["order_id"])
    return draft


def handle_human(turn: Turn, tools: Toolbox) -> Draft:
    """Contact details when asked for them; otherwise a hand-off."""
    if _CONTACT.search(turn.text):
        facts = knowledge_facts(turn, tools, tags=("contact", "support"), query="contact support phone email 联系客服")
        if facts:
            return Draft(lead=say(turn.language, "contact"), facts=facts)
    return Draft(lead=say(turn.language, "handoff"), handoff_reason="explicit_request")


def handle_complaint(turn: Turn, tools: Toolbox) -> Draft:
    """An apology, the order in question when there is one, and the ways forward."""
    draft = Draft(lead=say(turn.language, "complaint"), tail=say(turn.language, "complaint_next"))
    if turn.slots.order_id or turn.state.order_id:
        order = resolve_order(turn, tools)
        if isinstance(order, dict):
            draft.facts.append(order_fact(order, titles=tools.titles(order), language=turn.language))
            draft.order_id = str(order["order_id"])
    return draft


def handle_chit_chat(turn: Turn, tools: Toolbox) -> Draft:
    """Greetings, thanks and goodbyes."""
    key = "bye" if _BYE.search(turn.text) else "thanks" if _THANKS.search(turn.text) else "greeting"
    return Draft(lead=say(turn.language, key))


def handle_other(turn: Turn, tools: Toolbox) -> Draft:
    """Off-topic messages get a polite bounded reply, unless the help centre clearly answers them."""
    facts = knowledge_facts(turn, tools, tags=(), min_score=OFF_TOPIC_KB_MIN_SCORE)
    return Draft(facts=facts) if facts else Draft(lead=say(turn.language, "off_topic"))


def handle_legal(turn: Turn, tools: Toolbox) -> Draft:
    """Legal action, a chargeback or a regulator: an apology, the order in question, and a person takes over."""
    draft = handle_complaint(turn, tools)
    draft.tail = say(turn.language, "legal")
    draft.handoff_reason = "legal_threat"
    return draft


def handle_policy_claim(turn: Turn, tools: Toolbox) -> Draft:
    """A policy that does not exist ("full refund anytime"): the real one, plainly, and for an order
    whether it is inside the window and by how many days."""
    policy = tools.knowledge.policy_number("return_days", language=turn.language)
    if policy is None:
        return knowledge_answer(turn, tools)
    draft = Draft(lead=say(turn.language, "policy_claim"), facts=[Fact(policy.doc_id, policy.title, policy.sentence)])
    if turn.slots.order_id or turn.slots.tracking_code or turn.state.order_id:
        order = resolve_order(turn, tools, prefer=lambda o: o["status"] == "delivered")
        if isinstance(order, dict):
            stated = order_fact(order, titles=tools.titles(order), language=turn.language)
            draft.facts += [stated, _verdict_fact(turn, tools, order, policy, stated)]
            draft.order_id = str(order["order_id"])
    return draft


def handle_damaged(turn: Turn, tools: Toolbox) -> Draft:
    """An item that arrived broken: an apology, the order, what the returns policy says about faulty items,
    and the offer of a person."""
    draft = Draft(lead=say(turn.language, "damaged"), tail=say(turn.language, "offer_person"))
    orders = tools.orders.orders_of(turn.customer_id)
    if turn.slots.order_id or turn.slots.tracking_code or turn.state.order_id or len(orders) == 1:
        order = resolve_order(turn, tools, prefer=lambda o: o["status"] == "delivered")
        if isinstance(order, Draft):
            return order
        draft.facts.append(order_fact(order, titles=tools.titles(order), language=turn.language))
        draft.order_id = str(order["order_id"])
    draft.facts += knowledge_facts(turn, tools, tags=("returns", "warranty"), query="faulty damaged item 质量问题", top_k=1)
    return draft


def handle_unsupported(turn: Turn, tools: Toolbox, *, key: str) -> Draft:
    """A request the assistant cannot carry out here (an invoice, a discount code that failed): the order
    when one is named, and an honest offer of a person instead of a help-centre passage about something else."""
    draft = Draft(lead=say(turn.language, key), tail=say(turn.language, "offer_person"))
    if turn.slots.order_id or turn.slots.tracking_code:
        order = resolve_order(turn, tools)
        if isinstance(order, Draft):
            return order
        draft.facts.append(order_fact(order, titles=tools.titles(order), language=turn.language))
        draft.order_id = str(order["order_id"])
    return draft
