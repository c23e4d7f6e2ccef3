"""Product questions and product search: catalog facts, colour variants, search and recommendations."""

from __future__ import annotations

from typing import Any

from llm4retail.assistant.cues import GIFT
from llm4retail.assistant.dialogue import Toolbox, Turn
from llm4retail.assistant.replies import Draft, Fact, listing_fact, product_fact, say
from llm4retail.assistant.tools import CURRENCY_BY_LANGUAGE
from llm4retail.search.lexicon import COLOURS

MAX_LISTED = 3


def _colour_of(product: dict[str, Any]) -> str | None:
    value = (product.get("attributes") or {}).get("colour")
    return COLOURS.get(str(value).lower(), str(value).lower()) if value else None


def resolve_product(turn: Turn, tools: Toolbox) -> dict[str, Any] | None:
    """The product the message names (a catalog span, ranked by search), else the one under discussion."""
    slots = turn.slots
    if slots.product:
        candidates = [tools.product_ids[p] for p in sorted(tools.extractor.product_positions(slots.product))]
        rows = [row for pid in candidates if (row := tools.catalog.product(pid))]
        if slots.brands:
            rows = [row for row in rows if str(row.get("brand")) in slots.brands] or rows
        if rows:
            ranked = {pid: rank for rank, pid in enumerate(
                row["product_id"] for row in tools.catalog.search(turn.text, price_max=None, currency=None, top_k=20)
            )}
            rows.sort(key=lambda row: (ranked.get(row["product_id"], len(ranked)), row.get("available") is False, len(str(row["title"]))))
            return rows[0]
    if turn.state.product_id:
        return tools.catalog.product(turn.state.product_id)
    return None


def handle_product_question(turn: Turn, tools: Toolbox) -> Draft:
    """Price, stock and attributes from the catalog; other colours of the same product when asked."""
    product = resolve_product(turn, tools)
    if product is None:
        return Draft(lead=say(turn.language, "which_product"), understood=False,
                     pending={"kind": "product", "intent": turn.intent.value})
    draft = Draft(facts=[product_fact(product, language=turn.language)], phrase_with_llm=True,
                  product_id=str(product["product_id"]))
    wanted = turn.slots.colour
    if wanted and wanted != _colour_of(product):
        variants = [row for row in tools.catalog.variants(str(product["product_id"])) if _colour_of(row) == wanted]
        if variants:
            draft.facts += [product_fact(row, language=turn.language) for row in variants[:MAX_LISTED]]
        else:
            name = product["title"]
            draft.facts.append(Fact(f"product:{product['product_id']}", str(name),
                                    say(turn.language, "variant_missing", product=name, colour=wanted)))
    return draft


def handle_product_search(turn: Turn, tools: Toolbox) -> Draft:
    """Search the catalog (within the price limit); gifts and empty searches get personal recommendations."""
    currency = CURRENCY_BY_LANGUAGE.get(turn.language)
    price_max = turn.slots.price_limit
    found: list[dict[str, Any]] = []
    if not GIFT.search(turn.text):
        found = tools.catalog.search(turn.text, price_max=price_max, currency=currency, top_k=MAX_LISTED)
    if found:
        title = "Search results" if turn.language == "en" else "搜索结果"
        # A listing led by the product the shopper named puts that product under discussion ("还有货吗" next).
        named = resolve_product(turn, tools) if turn.slots.product else None
        lead_id = str(named["product_id"]) if named and named["product_id"] == found[0]["product_id"] else None
        return Draft(lead=say(turn.language, "results"), phrase_with_llm=True, product_id=lead_id,
                     facts=[listing_fact(found, language=turn.language, source="search", title=title)])
    picks = tools.catalog.recommend(turn.customer_id, price_max=price_max, currency=currency, top_k=MAX_LISTED)
    if not picks:
        return Draft(lead=say(turn.language, "no_results"))
    title = "Recommendations" if turn.language == "en" else "推荐商品"
    return Draft(lead=say(turn.language, "recommendations"), phrase_with_llm=True,
                 facts=[listing_fact(picks, language=turn.language, source="recommendations", title=title)])
