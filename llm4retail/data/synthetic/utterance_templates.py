"""Bilingual customer-service utterance templates, one set per assistant intent.

Slots: {order_id}, {product}, {type}, {colour}, {size}, {price}, {brand}, {tracking}.
"""

from __future__ import annotations

INTENTS = (
    "order_status", "return_exchange", "refund", "shipping", "payment", "account",
    "product_question", "product_search", "complaint", "human_request", "chit_chat", "other",
)

PREFIXES = {
    "en": ("", "", "", "Hi, ", "Hello, ", "Hey, ", "Excuse me, ", "Quick question: "),
    "zh": ("", "", "", "你好，", "您好，", "请问", "麻烦问一下，", "亲，"),
}

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "order_status": (
            "where is my order {order_id}?", "what's the status of order {order_id}", "has my order {order_id} shipped yet?",
            "my order {order_id} still hasn't arrived", "can you track {tracking} for me?", "when will order {order_id} be delivered?",
            "I ordered the {product} last week, where is it?", "order {order_id} says processing for days, what's going on?",
        ),
        "return_exchange": (
            "I want to return the {product}", "how do I exchange the {type} for the {size} version?", "can I return order {order_id}?",
            "the {type} doesn't fit, can I swap it for the {size} one?", "I'd like to exchange my {product} for the {colour} one",
            "how many days do I have to return the {type}?", "can I send back an item from order {order_id}?",
        ),
        "refund": (
            "when will I get my refund for order {order_id}?", "I returned the {type} but no refund yet", "how long does a refund take?",
            "please refund order {order_id}", "my refund for the {product} hasn't arrived", "will the refund go back to my card?",
            "I was charged twice for order {order_id}, I want my money back",
        ),
        "shipping": (
            "how much is shipping to Canada?", "do you offer express delivery?", "is shipping free over {price}?",
            "how long does delivery take?", "do you ship the {type} to Singapore?", "can I change the delivery address for {order_id}?",
            "which courier do you use?",
        ),
        "payment": (
            "can I pay with PayPal?", "my card was declined when buying the {product}", "do you accept Alipay?",
            "why was my payment for {order_id} rejected?", "can I pay in instalments?", "is Apple Pay supported?",
            "I see a charge I don't recognise",
        ),
        "account": (
            "how do I reset my password?", "I can't log in to my account", "how do I change my email address?",
            "please delete my account", "how do I become a gold member?", "how many points do I have?",
            "I want to unsubscribe from the newsletter",
        ),
        "product_question": (
            "is the {product} waterproof?", "what material is the {product} made of?", "does the {type} come in {colour}?",
            "is the {product} available in {size}?", "how big is the {product}?", "does the {brand} {type} have a warranty?",
            "is the {product} in stock?", "what's the difference between the {size} and the larger one?",
        ),
        "product_search": (
            "show me {colour} {type} options under {price}", "I'm looking for a {type}", "do you have a {colour} {type}?",
            "find me a cheap {type}", "any {brand} {type} on sale?", "recommend a {type} under {price}",
            "I need a {size} {type}", "looking for a gift, maybe a {type}",
        ),
        "complaint": (
            "the {product} arrived broken", "this is the worst service ever", "the {type} is completely different from the photos",
            "order {order_id} came with a missing item", "I'm very unhappy with the {product}", "the courier was rude and left the box in the rain",
            "the quality of the {type} is terrible",
        ),
        "human_request": (
            "I want to talk to a human", "can I speak to a real person?", "transfer me to an agent please",
            "let me talk to customer service", "get me a human, the bot doesn't understand", "is there a phone number I can call?",
            "connect me with support staff",
        ),
        "chit_chat": (
            "hello", "good morning!", "how are you today?", "thanks a lot!", "you're very helpful", "are you a robot?",
            "have a nice day", "bye",
        ),
        "other": (
            "are you hiring?", "do you have a physical store?", "can I sell my products on your site?", "what's the weather like today?",
            "do you have a student discount?", "who founded this company?", "can I get an invoice for my company?",
        ),
    },
    "zh": {
        "order_status": (
            "我的订单{order_id}到哪了？", "订单{order_id}现在是什么状态", "{order_id}发货了吗", "订单{order_id}怎么还没到",
            "帮我查一下物流单号{tracking}", "订单{order_id}什么时候能送到", "上周买的{product}怎么还没收到", "订单{order_id}一直显示处理中",
        ),
        "return_exchange": (
            "我想退掉这个{product}", "{type}可以换成{size}的吗", "订单{order_id}可以退货吗", "{type}不合适，能换{size}吗",
            "我想把{product}换成{colour}的", "{type}多少天内可以退", "订单{order_id}里的商品能退回去吗",
        ),
        "refund": (
            "订单{order_id}的退款什么时候到账", "{type}已经退回去了还没收到退款", "退款要多久", "请给订单{order_id}退款",
            "{product}的退款一直没到", "退款会退回原支付方式吗", "订单{order_id}被扣了两次钱，请退款",
        ),
        "shipping": (
            "寄到上海运费多少", "有加急快递吗", "满{price}元包邮吗", "一般几天能到", "{type}能寄到香港吗",
            "订单{order_id}可以改收货地址吗", "你们用什么快递",
        ),
        "payment": (
            "可以用微信支付吗", "买{product}的时候付款失败了", "支持支付宝吗", "订单{order_id}为什么支付不成功",
            "可以分期付款吗", "能用信用卡吗", "账单上有一笔我不认识的扣款",
        ),
        "account": (
            "怎么重置密码", "我登录不了账号", "怎么修改手机号", "请注销我的账号", "怎么升级黄金会员", "我有多少积分",
            "不想再收到推送短信了",
        ),
        "product_question": (
            "{product}防水吗", "{product}是什么材质的", "{type}有{colour}的吗", "{product}有{size}规格的吗", "{product}尺寸多大",
            "{brand}的{type}保修吗", "{product}还有货吗", "{size}和大一号的区别是什么",
        ),
        "product_search": (
            "有没有{price}元以内的{colour}{type}", "我想买个{type}", "有{colour}的{type}吗", "推荐一款便宜的{type}",
            "{brand}的{type}有打折吗", "帮我找个{price}元以下的{type}", "想要{size}的{type}", "想买个{type}送人",
        ),
        "complaint": (
            "收到的{product}是坏的", "你们的服务太差了", "{type}和图片完全不一样", "订单{order_id}少发了一件",
            "对{product}非常不满意", "快递员态度很差", "{type}质量太差了",
        ),
        "human_request": (
            "转人工", "我要找人工客服", "能不能让真人来回答", "帮我转接客服", "机器人听不懂，找个人来", "有客服电话吗", "人工服务",
        ),
        "chit_chat": (
            "你好", "早上好", "在吗", "谢谢你", "你真棒", "你是机器人吗", "祝你开心", "再见",
        ),
        "other": (
            "你们招人吗", "有线下门店吗", "我能在你们平台开店吗", "今天天气怎么样", "有学生优惠吗", "你们公司是谁创办的",
            "可以开公司发票吗",
        ),
    },
}
