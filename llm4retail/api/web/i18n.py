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
