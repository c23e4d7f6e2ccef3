"""Cues the intent model cannot see: closings, legal threats, policy claims, references back (en and zh)."""

from __future__ import annotations

import pytest

from llm4retail.assistant.cues import is_closing, read_cues
from llm4retail.assistant.safety import read_sentiment


@pytest.mark.parametrize("text", [
    "thanks anyway", "ok never mind, thanks anyway", "forget it, thank you", "Thanks! Bye", "cheers",
    "算了，谢谢", "好吧不用了，谢谢你", "谢谢", "好的，再见", "那算了吧，谢啦", "好哦，谢谢呀",
])
def test_closings_are_recognised(text: str) -> None:
    assert is_closing(text)


@pytest.mark.parametrize("text", [
    "thanks, but where is my order?", "thank you, can I return order o000123?", "ok", "no", "谢谢，我的订单到哪了",
    "算了，我要退货", "好的",
])
def test_a_closing_with_a_request_or_without_thanks_is_no_closing(text: str) -> None:
    assert not is_closing(text)


@pytest.mark.parametrize("text", [
    "If this isn't refunded today I'm calling my lawyer", "I'm going to dispute the charge with my bank",
    "I will file a chargeback", "I'll report you to the Better Business Bureau", "see you in small claims court",
    "我要起诉你们", "再不处理我就打12315投诉", "我要让银行拒付", "我去消协投诉你们",
])
def test_legal_threats(text: str) -> None:
    assert read_cues(text).legal


@pytest.mark.parametrize("text", [
    "where is my order?", "I need to charge my phone", "is the court shoe in stock?", "这个法式面包多少钱",
])
def test_no_legal_threat_in_ordinary_messages(text: str) -> None:
    assert not read_cues(text).legal


def test_policy_claims_need_a_refund_or_return_word() -> None:
    assert read_cues("your site says full refund anytime").policy_claim
    assert read_cues("你们不是说随时都能全额退款吗").policy_claim
    assert read_cues("听说可以无理由退货").policy_claim
    assert not read_cues("can I call you anytime?").policy_claim
    assert not read_cues("随时可以发货吗").policy_claim
    assert read_cues("你们承诺终身退换的").policy_claim
    assert read_cues("I heard you give refunds no matter how long ago I bought it").policy_claim
    assert read_cues("你们不是说买了以后任何时候都能退吗").policy_claim and read_cues("不管多久都能退货吧").policy_claim
    assert not read_cues("no matter how long it takes, just send it").policy_claim  # no refund or return word


def test_references_back_and_everyday_requests() -> None:
    assert read_cues("when did I place it?").order_follow_up
    assert read_cues("那一单花了多少钱").order_follow_up
    assert read_cues("what about the other one?").other_one and read_cues("另一个呢？").other_one
    assert read_cues("还有一单呢").other_one and not read_cues("还有一个问题").other_one
    assert read_cues("does it come in grey?").product_attribute and read_cues("有没有大号的").product_attribute
    assert read_cues("还有货吗").product_attribute
    assert read_cues("my item arrived broken").damaged and read_cues("收到的东西是坏的").damaged
    assert read_cues("I need an invoice for order o1").invoice and read_cues("能开发票吗").invoice
    assert read_cues("my discount code didn't work").discount and read_cues("优惠券用不了怎么办").discount
    assert not read_cues("where is my order?").damaged
    # a question about an order's money, date or contents that points back
    assert read_cues("它总共付了多少").order_fact and read_cues("它总共付了多少").reference
    assert read_cues("remind me what I bought in that one").order_fact and read_cues("and my other order?").other_one
    # shipping words hold 货 but ask nothing about a product's stock
    assert not read_cues("发货了吗").product_attribute and read_cues("现在有现货吗").product_attribute


def test_kinship_words_and_latin_letters_are_no_abuse() -> None:
    assert not read_sentiment("送妈妈的礼物，两百左右").abusive
    assert not read_sentiment("给老妈的生日礼物").abusive
    assert not read_sentiment("I need a usb cable").abusive
    assert read_sentiment("他妈的什么破东西").abusive and read_sentiment("you sb").abusive
