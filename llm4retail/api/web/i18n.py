"""The pages' words in English and Chinese, and how a request picks its language.

Every label of the web pages comes from `LABELS` (a page never hard-codes text), so switching the language
switches the whole interface; product data (titles, reviews) stays as the store holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from starlette.requests import Request


class PageLanguage(StrEnum):
    """The languages the pages are written in."""

    EN = "en"
    ZH = "zh"


LANGUAGE_COOKIE = "lang"

LABELS: dict[str, dict[PageLanguage, str]] = {
    "store_name": {PageLanguage.EN: "LLMforRetail demo store", PageLanguage.ZH: "LLMforRetail 演示商店"},
    "skip_to_content": {PageLanguage.EN: "Skip to content", PageLanguage.ZH: "跳到正文"},
    "search": {PageLanguage.EN: "Search", PageLanguage.ZH: "搜索"},
    "search_label": {PageLanguage.EN: "Search products", PageLanguage.ZH: "搜索商品"},
    "search_placeholder": {PageLanguage.EN: "e.g. red sofa under 500", PageLanguage.ZH: "例如：500元以下的红色沙发"},
    "results": {PageLanguage.EN: "{total} results", PageLanguage.ZH: "共 {total} 个结果"},
    "no_results": {PageLanguage.EN: "Nothing matches every constraint.", PageLanguage.ZH: "没有同时满足所有条件的商品。"},
    "nearest": {PageLanguage.EN: "Nearest results without the filters:", PageLanguage.ZH: "去掉筛选条件后最接近的结果："},
    "understood": {PageLanguage.EN: "Understood as", PageLanguage.ZH: "理解为"},
    "corrected": {PageLanguage.EN: "spelling", PageLanguage.ZH: "拼写"},
    "price": {PageLanguage.EN: "Price", PageLanguage.ZH: "价格"},
    "colour": {PageLanguage.EN: "Colour", PageLanguage.ZH: "颜色"},
    "brand": {PageLanguage.EN: "Brand", PageLanguage.ZH: "品牌"},
    "category": {PageLanguage.EN: "Category", PageLanguage.ZH: "类目"},
    "available": {PageLanguage.EN: "Availability", PageLanguage.ZH: "库存"},
    "in_stock": {PageLanguage.EN: "In stock", PageLanguage.ZH: "有货"},
    "out_of_stock": {PageLanguage.EN: "Out of stock", PageLanguage.ZH: "缺货"},
    "true": {PageLanguage.EN: "In stock", PageLanguage.ZH: "有货"},
    "false": {PageLanguage.EN: "Out of stock", PageLanguage.ZH: "缺货"},
    "filters": {PageLanguage.EN: "Filters", PageLanguage.ZH: "筛选"},
    "remove_filter": {PageLanguage.EN: "Remove filter {name}", PageLanguage.ZH: "移除筛选 {name}"},
    "clear_filters": {PageLanguage.EN: "Clear all filters", PageLanguage.ZH: "清除全部筛选"},
    "previous": {PageLanguage.EN: "Previous", PageLanguage.ZH: "上一页"},
    "next": {PageLanguage.EN: "Next", PageLanguage.ZH: "下一页"},
    "page_of": {PageLanguage.EN: "Page {page} of {pages}", PageLanguage.ZH: "第 {page} / {pages} 页"},
    "pagination": {PageLanguage.EN: "Result pages", PageLanguage.ZH: "结果分页"},
    "similar": {PageLanguage.EN: "Similar items", PageLanguage.ZH: "相似商品"},
    "bought_together": {PageLanguage.EN: "Bought together", PageLanguage.ZH: "经常一起购买"},
    "reviews": {PageLanguage.EN: "Reviews", PageLanguage.ZH: "评价"},
    "positive_share": {PageLanguage.EN: "{share}% positive of {n} reviews", PageLanguage.ZH: "{n} 条评价中 {share}% 好评"},
    "no_reviews": {PageLanguage.EN: "No reviews yet.", PageLanguage.ZH: "暂无评价。"},
    "aspects": {PageLanguage.EN: "What reviewers talk about", PageLanguage.ZH: "评价关注点"},
    "attributes": {PageLanguage.EN: "Details", PageLanguage.ZH: "商品详情"},
    "not_ready": {PageLanguage.EN: "Not available yet: {reason}", PageLanguage.ZH: "暂不可用：{reason}"},
    "not_found": {PageLanguage.EN: "Not found", PageLanguage.ZH: "未找到"},
    "back_to_search": {PageLanguage.EN: "Back to search", PageLanguage.ZH: "返回搜索"},
    "language": {PageLanguage.EN: "Language", PageLanguage.ZH: "语言"},
    "other_language": {PageLanguage.EN: "中文", PageLanguage.ZH: "English"},
    "api_docs": {PageLanguage.EN: "API docs", PageLanguage.ZH: "API 文档"},
    "warming": {PageLanguage.EN: "The store is still warming up; results appear in a moment.",
                PageLanguage.ZH: "商店正在预热，稍后即可显示结果。"},
    "for_you": {PageLanguage.EN: "For you", PageLanguage.ZH: "为你推荐"},
    "for_you_title": {PageLanguage.EN: "For you, {who}", PageLanguage.ZH: "{who}，为你推荐"},
    "sign_in": {PageLanguage.EN: "Sign in", PageLanguage.ZH: "登录"},
    "sign_out": {PageLanguage.EN: "Sign out", PageLanguage.ZH: "退出登录"},
    "sign_in_as": {PageLanguage.EN: "Sign in as {who}", PageLanguage.ZH: "以 {who} 身份登录"},
    "demo_sign_in_intro": {PageLanguage.EN: "This is the demo store: pick a customer to shop as (no password).",
                           PageLanguage.ZH: "这是演示商店：选择一位顾客的身份购物（无需密码）。"},
    "demo_sign_in_off": {PageLanguage.EN: "Demo sign-in is only on for the demo store; the shop signs its customers in.",
                         PageLanguage.ZH: "演示登录仅在演示商店开放；顾客由商店自己的系统登录。"},
    "recommended": {PageLanguage.EN: "Recommended for you", PageLanguage.ZH: "为你推荐的商品"},
    "your_orders": {PageLanguage.EN: "Your orders ({n})", PageLanguage.ZH: "你的订单（{n}）"},
    "no_orders": {PageLanguage.EN: "No orders yet.", PageLanguage.ZH: "还没有订单。"},
    "order": {PageLanguage.EN: "Order", PageLanguage.ZH: "订单"},
    "date": {PageLanguage.EN: "Date", PageLanguage.ZH: "日期"},
    "status": {PageLanguage.EN: "Status", PageLanguage.ZH: "状态"},
    "total": {PageLanguage.EN: "Total", PageLanguage.ZH: "金额"},
    "chat_title": {PageLanguage.EN: "Ask us", PageLanguage.ZH: "在线客服"},
    "chat_label": {PageLanguage.EN: "Your message", PageLanguage.ZH: "你的消息"},
    "chat_placeholder": {PageLanguage.EN: "e.g. where is my order?", PageLanguage.ZH: "例如：我的订单到哪了？"},
    "chat_send": {PageLanguage.EN: "Send", PageLanguage.ZH: "发送"},
    "chat_you": {PageLanguage.EN: "You", PageLanguage.ZH: "你"},
    "chat_bot": {PageLanguage.EN: "Assistant", PageLanguage.ZH: "助手"},
    "chat_handoff": {PageLanguage.EN: "A colleague will take over this conversation here.",
                     PageLanguage.ZH: "人工客服将在这里接手本次对话。"},
    "chat_error": {PageLanguage.EN: "The assistant could not answer: {reason}", PageLanguage.ZH: "助手暂时无法回答：{reason}"},
    "chat_order": {PageLanguage.EN: "Order", PageLanguage.ZH: "订单"},
    "chat_sources": {PageLanguage.EN: "Sources", PageLanguage.ZH: "来源"},
    "console": {PageLanguage.EN: "Operator console", PageLanguage.ZH: "运营后台"},
    "console_sign_in": {PageLanguage.EN: "Operator console: sign in", PageLanguage.ZH: "运营后台：登录"},
    "console_key_hint": {PageLanguage.EN: "A staff or admin key from `llm4retail keys create --role staff`.",
                         PageLanguage.ZH: "使用 `llm4retail keys create --role staff` 创建的员工或管理员密钥。"},
    "api_key": {PageLanguage.EN: "API key", PageLanguage.ZH: "API 密钥"},
    "console_handoffs": {PageLanguage.EN: "Hand-off queue", PageLanguage.ZH: "转人工队列"},
    "signed_in_as": {PageLanguage.EN: "Signed in with key {who} ({role})", PageLanguage.ZH: "已用密钥 {who}（{role}）登录"},
    "show_resolved": {PageLanguage.EN: "Show resolved", PageLanguage.ZH: "查看已处理"},
    "show_open": {PageLanguage.EN: "Show open", PageLanguage.ZH: "查看待处理"},
    "read_conversation": {PageLanguage.EN: "Read the conversation", PageLanguage.ZH: "查看对话"},
    "transcript": {PageLanguage.EN: "Transcript", PageLanguage.ZH: "对话记录"},
    "resolution": {PageLanguage.EN: "Resolution note", PageLanguage.ZH: "处理说明"},
    "resolve": {PageLanguage.EN: "Resolve", PageLanguage.ZH: "标记为已处理"},
    "resolved_with": {PageLanguage.EN: "Resolved: {note}", PageLanguage.ZH: "已处理：{note}"},
    "no_handoffs": {PageLanguage.EN: "No hand-offs here.", PageLanguage.ZH: "这里没有转人工的对话。"},
    "conversation": {PageLanguage.EN: "Conversation", PageLanguage.ZH: "对话"},
    "detail_intent": {PageLanguage.EN: "Intent", PageLanguage.ZH: "意图"},
    "detail_confidence": {PageLanguage.EN: "Confidence", PageLanguage.ZH: "置信度"},
    "detail_grounded": {PageLanguage.EN: "Grounded", PageLanguage.ZH: "有据可查"},
    "detail_backend": {PageLanguage.EN: "Answered by", PageLanguage.ZH: "回答方式"},
    "detail_fallback": {PageLanguage.EN: "Fallback", PageLanguage.ZH: "降级原因"},
    "detail_handoff_reason": {PageLanguage.EN: "Hand-off reason", PageLanguage.ZH: "转人工原因"},
    "demand": {PageLanguage.EN: "Demand", PageLanguage.ZH: "需求预测"},
    "product_id": {PageLanguage.EN: "Product", PageLanguage.ZH: "商品"},
    "store_id": {PageLanguage.EN: "Store", PageLanguage.ZH: "门店"},
    "lead_time": {PageLanguage.EN: "Lead time (days)", PageLanguage.ZH: "到货周期（天）"},
    "show": {PageLanguage.EN: "Show", PageLanguage.ZH: "查看"},
    "history": {PageLanguage.EN: "Sold", PageLanguage.ZH: "历史销量"},
    "forecast": {PageLanguage.EN: "Forecast", PageLanguage.ZH: "预测"},
    "interval_90": {PageLanguage.EN: "90% interval", PageLanguage.ZH: "90% 区间"},
    "demand_chart_label": {PageLanguage.EN: "Units sold and forecast of {product}, with the 90% interval",
                           PageLanguage.ZH: "{product} 的历史销量与预测（含 90% 区间）"},
    "backtest": {PageLanguage.EN: "Chosen by backtest: {model}. Validation MASE (lower is better):",
                 PageLanguage.ZH: "按回测选择：{model}。验证集 MASE（越低越好）："},
    "daily_demand": {PageLanguage.EN: "Daily demand", PageLanguage.ZH: "日均需求"},
    "safety_stock": {PageLanguage.EN: "Safety stock", PageLanguage.ZH: "安全库存"},
    "reorder_point": {PageLanguage.EN: "Reorder point", PageLanguage.ZH: "再订货点"},
    "order_quantity": {PageLanguage.EN: "Order quantity", PageLanguage.ZH: "建议订货量"},
    "next_order": {PageLanguage.EN: "Next order", PageLanguage.ZH: "下次订货日"},
    "service_level": {PageLanguage.EN: "Service level", PageLanguage.ZH: "服务水平"},
    "replenishment_list": {PageLanguage.EN: "Replenishment list (next orders first)", PageLanguage.ZH: "补货清单（按下次订货日）"},
    "models": {PageLanguage.EN: "Models", PageLanguage.ZH: "模型"},
    "models_intro": {PageLanguage.EN: "Each capability's served version and the figures it was saved with. \"Train now\" trains with the quick defaults the server uses at start-up, in the background, and serves the new version when done (this worker; others at their next start).",
                     PageLanguage.ZH: "各能力当前使用的版本及保存时的指标。“立即训练”在后台以启动时的快速默认参数训练，完成后立即使用新版本（本进程；其他进程在下次启动时）。"},
    "capability": {PageLanguage.EN: "Capability", PageLanguage.ZH: "能力"},
    "version": {PageLanguage.EN: "Version", PageLanguage.ZH: "版本"},
    "saved_versions": {PageLanguage.EN: "Saved versions", PageLanguage.ZH: "已保存版本"},
    "figures": {PageLanguage.EN: "Figures of the served version", PageLanguage.ZH: "当前版本指标"},
    "train_now": {PageLanguage.EN: "Train now", PageLanguage.ZH: "立即训练"},
    "train_now_of": {PageLanguage.EN: "Train {capability} now", PageLanguage.ZH: "立即训练 {capability}"},
    "state_ready": {PageLanguage.EN: "ready", PageLanguage.ZH: "就绪"},
    "state_loading": {PageLanguage.EN: "loading", PageLanguage.ZH: "加载中"},
    "state_training": {PageLanguage.EN: "training…", PageLanguage.ZH: "训练中…"},
    "state_failed": {PageLanguage.EN: "failed", PageLanguage.ZH: "失败"},
    "state_not_trained": {PageLanguage.EN: "not trained", PageLanguage.ZH: "未训练"},
    "state_no_model": {PageLanguage.EN: "no model", PageLanguage.ZH: "无模型"},
    "conversations": {PageLanguage.EN: "Conversations", PageLanguage.ZH: "对话记录"},
    "customer": {PageLanguage.EN: "Customer", PageLanguage.ZH: "顾客"},
    "last_active": {PageLanguage.EN: "Last active", PageLanguage.ZH: "最近活动"},
    "no_conversations": {PageLanguage.EN: "No conversations.", PageLanguage.ZH: "没有对话。"},
    "pricing": {PageLanguage.EN: "Pricing", PageLanguage.ZH: "定价"},
    "max_change": {PageLanguage.EN: "Largest change", PageLanguage.ZH: "最大调价幅度"},
    "min_margin": {PageLanguage.EN: "Least margin", PageLanguage.ZH: "最低毛利率"},
    "profit_chart_label": {PageLanguage.EN: "Expected profit change of {product} against its price, with the 90% interval",
                           PageLanguage.ZH: "{product} 预期利润变化随价格的曲线（含 90% 区间）"},
    "profit_change": {PageLanguage.EN: "Profit change over {days} days", PageLanguage.ZH: "{days} 天利润变化"},
    "revenue_change": {PageLanguage.EN: "Revenue change over {days} days", PageLanguage.ZH: "{days} 天营收变化"},
    "current_price": {PageLanguage.EN: "Current price", PageLanguage.ZH: "当前价格"},
    "recommended_price": {PageLanguage.EN: "Recommended price", PageLanguage.ZH: "建议价格"},
    "elasticity": {PageLanguage.EN: "Price elasticity", PageLanguage.ZH: "价格弹性"},
    "category_mean": {PageLanguage.EN: "category mean", PageLanguage.ZH: "类目均值"},
    "binding": {PageLanguage.EN: "limited by {rule}", PageLanguage.ZH: "受限于 {rule}"},
    "units_per_day": {PageLanguage.EN: "Units a day (now → at the recommended price)", PageLanguage.ZH: "日销量（当前 → 建议价格下）"},
    "probability_up": {PageLanguage.EN: "{p}% chance profit rises", PageLanguage.ZH: "利润上升概率 {p}%"},
    "unit_cost": {PageLanguage.EN: "Unit cost", PageLanguage.ZH: "单位成本"},
    "elasticities": {PageLanguage.EN: "Elasticities", PageLanguage.ZH: "价格弹性一览"},
    "customers_nav": {PageLanguage.EN: "Customers", PageLanguage.ZH: "顾客分群"},
    "customers_title": {PageLanguage.EN: "Customer segments and audiences", PageLanguage.ZH: "顾客分群与营销人群"},
    "segment": {PageLanguage.EN: "Segment", PageLanguage.ZH: "分群"},
    "customers_n": {PageLanguage.EN: "Customers", PageLanguage.ZH: "顾客数"},
    "share": {PageLanguage.EN: "Share", PageLanguage.ZH: "占比"},
    "mean_clv": {PageLanguage.EN: "Mean 12-month value", PageLanguage.ZH: "平均12个月价值"},
    "expected_value": {PageLanguage.EN: "Expected value", PageLanguage.ZH: "预期总价值"},
    "churn": {PageLanguage.EN: "Churn probability", PageLanguage.ZH: "流失概率"},
    "purchase_probability": {PageLanguage.EN: "Purchase probability", PageLanguage.ZH: "购买概率"},
    "audience_builder": {PageLanguage.EN: "Audience builder", PageLanguage.ZH: "人群筛选"},
    "min_purchase_probability": {PageLanguage.EN: "Least purchase probability", PageLanguage.ZH: "最低购买概率"},
    "min_clv": {PageLanguage.EN: "Least 12-month value", PageLanguage.ZH: "最低12个月价值"},
    "audience_size": {PageLanguage.EN: "{n} customers in this audience", PageLanguage.ZH: "该人群共 {n} 位顾客"},
    "download_csv": {PageLanguage.EN: "Download CSV", PageLanguage.ZH: "下载 CSV"},
    "detail_sources": {PageLanguage.EN: "Sources and tool results", PageLanguage.ZH: "来源与工具结果"},
    "risk_nav": {PageLanguage.EN: "Risk", PageLanguage.ZH: "支付风控"},
    "risk_title": {PageLanguage.EN: "Payment review queue", PageLanguage.ZH: "支付审核队列"},
    "risk_intro": {
        PageLanguage.EN: "Payments the risk model sends to review or decline, highest score first",
        PageLanguage.ZH: "风控模型判为需审核或拒绝的支付，按风险分从高到低",
    },
    "show_unlabelled": {PageLanguage.EN: "Only unlabelled", PageLanguage.ZH: "只看未标注"},
    "show_all_flagged": {PageLanguage.EN: "All flagged", PageLanguage.ZH: "全部待审"},
    "payment": {PageLanguage.EN: "Payment", PageLanguage.ZH: "支付"},
    "amount": {PageLanguage.EN: "Amount", PageLanguage.ZH: "金额"},
    "score": {PageLanguage.EN: "Risk score", PageLanguage.ZH: "风险分"},
    "decision": {PageLanguage.EN: "Decision", PageLanguage.ZH: "决策"},
    "decision_review": {PageLanguage.EN: "review", PageLanguage.ZH: "人工审核"},
    "decision_decline": {PageLanguage.EN: "decline", PageLanguage.ZH: "拒绝"},
    "decision_approve": {PageLanguage.EN: "approve", PageLanguage.ZH: "通过"},
    "reasons": {PageLanguage.EN: "Reasons", PageLanguage.ZH: "原因"},
    "rules_fired": {PageLanguage.EN: "rules", PageLanguage.ZH: "触发规则"},
    "label": {PageLanguage.EN: "Label", PageLanguage.ZH: "标注"},
    "label_fraud": {PageLanguage.EN: "fraud", PageLanguage.ZH: "欺诈"},
    "label_legitimate": {PageLanguage.EN: "legitimate", PageLanguage.ZH: "正常"},
    "label_none": {PageLanguage.EN: "not labelled", PageLanguage.ZH: "未标注"},
    "verdict": {PageLanguage.EN: "Verdict", PageLanguage.ZH: "判定"},
    "mark_fraud": {PageLanguage.EN: "Fraud", PageLanguage.ZH: "欺诈"},
    "mark_legitimate": {PageLanguage.EN: "Legitimate", PageLanguage.ZH: "正常"},
    "no_flagged_payments": {PageLanguage.EN: "No payment is flagged.", PageLanguage.ZH: "没有待审核的支付。"},
    "labels_train_next": {
        PageLanguage.EN: "Labels are stored with the payment; the next risk training learns from them.",
        PageLanguage.ZH: "标注随支付记录保存，下次训练风控模型时使用。",
    },
}


def page_language(request: Request) -> PageLanguage:
    """The language of this page: `?lang=`, else the `lang` cookie, else the browser's Accept-Language."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in PageLanguage.__members__.values():
            return PageLanguage(candidate)
    accepted = request.headers.get("accept-language", "").lower()
    return PageLanguage.ZH if accepted.startswith("zh") else PageLanguage.EN


def translator(language: PageLanguage) -> Callable[..., str]:
    """`t(key, **values)`: the label in `language`, formatted; an unknown key raises KeyError (a test reads every template)."""

    def translate(key: str, **values: object) -> str:
        text = LABELS[key][language]
        return text.format(**values) if values else text

    return translate
