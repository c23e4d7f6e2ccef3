"""Bilingual review phrases: openers by star rating and aspect sentences by polarity.

`{item}` is replaced by the product-type noun ("sofa" / "沙发").
"""

from __future__ import annotations

ASPECTS = ("quality", "value", "shipping", "service", "size", "appearance", "function")

# OPENERS[language][rating - 1]: sentences that set the tone of a review with that rating.
OPENERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (
        ("Terrible purchase.", "Very disappointed with this {item}.", "Do not buy this {item}."),
        ("Not happy with this {item}.", "Below my expectations.", "Pretty disappointing overall."),
        ("It's okay, nothing special.", "An average {item}.", "Mixed feelings about this {item}."),
        ("Good {item}, I'm satisfied.", "Pretty happy with this one.", "Nice {item} overall."),
        ("Absolutely love this {item}!", "Excellent purchase!", "Best {item} I have bought."),
    ),
    "zh": (
        ("非常失望，不推荐购买。", "这个{item}太差了。", "踩雷了，后悔买了这个{item}。"),
        ("不太满意这个{item}。", "和预期差距比较大。", "整体有点失望。"),
        ("一般般吧，没什么特别的。", "中规中矩的{item}。", "这个{item}有好有坏。"),
        ("{item}不错，挺满意的。", "整体还可以，比较满意。", "这个{item}挺好的。"),
        ("非常喜欢这个{item}！", "超级满意，强烈推荐！", "买过最好的{item}！"),
    ),
}

# PHRASES[language][aspect] = (positive variants, negative variants)
PHRASES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "en": {
        "quality": (
            ("The quality is excellent and it feels solid.", "Well made, great craftsmanship.", "Materials feel premium."),
            ("The quality is poor and it feels cheap.", "It broke after a few days.", "Stitching came apart quickly."),
        ),
        "value": (
            ("Great value for the price.", "Worth every penny.", "Cheaper than other stores for the same quality."),
            ("Overpriced for what you get.", "Not worth the money.", "Way too expensive for this quality."),
        ),
        "shipping": (
            ("Delivery was fast.", "Arrived earlier than expected and well packed.", "Shipping was quick and the box was intact."),
            ("Delivery took forever.", "The package arrived damaged.", "Shipping was slow and tracking never updated."),
        ),
        "service": (
            ("Customer service was friendly and helpful.", "Support answered my question right away.", "The seller was very responsive."),
            ("Customer service never replied.", "Support was rude and unhelpful.", "The seller ignored my messages."),
        ),
        "size": (
            ("The size is exactly as described.", "Fits perfectly.", "Dimensions match the listing."),
            ("The size is much smaller than described.", "It does not fit at all.", "Dimensions are wrong compared to the listing."),
        ),
        "appearance": (
            ("Looks beautiful, the colour is just like the photos.", "Very stylish design.", "Looks even better in person."),
            ("The colour is nothing like the photos.", "Looks cheap in person.", "The design is ugly up close."),
        ),
        "function": (
            ("Works perfectly.", "Does exactly what I needed.", "Easy to use and works great."),
            ("Stopped working after a week.", "Does not work as advertised.", "Hard to use and works poorly."),
        ),
    },
    "zh": {
        "quality": (
            ("质量很好，做工扎实。", "做工精细，用料讲究。", "材质很有质感。"),
            ("质量很差，做工粗糙。", "用了几天就坏了。", "开线了，质量堪忧。"),
        ),
        "value": (
            ("性价比很高。", "物超所值。", "同样的质量比别家便宜。"),
            ("价格偏贵，不值这个价。", "性价比太低。", "这个质量卖这个价太坑了。"),
        ),
        "shipping": (
            ("物流很快。", "比预计早到，包装完好。", "发货迅速，快递小哥很给力。"),
            ("物流太慢了。", "收到时包装破损。", "发货慢，物流信息一直不更新。"),
        ),
        "service": (
            ("客服态度很好，很耐心。", "客服回复很及时。", "商家服务周到。"),
            ("客服一直不回复。", "客服态度很差。", "商家不理人。"),
        ),
        "size": (
            ("尺寸和描述一致。", "大小刚刚好。", "尺码很标准。"),
            ("尺寸比描述的小很多。", "大小完全不合适。", "尺码偏差太大。"),
        ),
        "appearance": (
            ("颜值很高，颜色和图片一样。", "外观很时尚。", "实物比图片还好看。"),
            ("颜色和图片差别很大。", "实物看起来很廉价。", "外观不好看。"),
        ),
        "function": (
            ("使用效果很好。", "完全满足我的需求。", "操作简单，很好用。"),
            ("用了一周就不能用了。", "效果和宣传的不一样。", "不好用，效果很差。"),
        ),
    },
}

# Probability that an aspect sentence is positive, by star rating (index rating - 1).
POSITIVE_PROBABILITY = (0.0, 0.15, 0.5, 0.85, 1.0)
