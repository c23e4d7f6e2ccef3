"""Word lists for query understanding: colours, sizes, units, price words (English and Chinese).

Keys are lower case with single spaces; values are the canonical forms that `ParsedQuery` reports.
"""

from __future__ import annotations

COLOURS: dict[str, str] = {
    # English
    "red": "red", "crimson": "red", "scarlet": "red", "orange": "orange", "yellow": "yellow",
    "green": "green", "olive": "green", "lime": "green", "blue": "blue", "light blue": "blue",
    "sky blue": "blue", "royal blue": "blue", "navy": "navy", "navy blue": "navy", "dark blue": "navy",
    "purple": "purple", "violet": "purple", "lavender": "purple", "pink": "pink", "brown": "brown",
    "beige": "beige", "tan": "beige", "khaki": "khaki", "black": "black", "white": "white",
    "ivory": "white", "grey": "grey", "gray": "grey", "charcoal": "grey", "silver": "silver",
    "gold": "gold", "golden": "gold", "burgundy": "burgundy", "maroon": "burgundy", "wine red": "burgundy",
    "teal": "teal", "turquoise": "teal", "cyan": "teal",
    # Chinese, several characters
    "红色": "red", "大红": "red", "酒红": "burgundy", "酒红色": "burgundy", "橙色": "orange", "橘色": "orange",
    "橘黄": "orange", "黄色": "yellow", "绿色": "green", "军绿": "green", "墨绿": "green", "蓝色": "blue",
    "天蓝": "blue", "浅蓝": "blue", "宝蓝": "blue", "藏青": "navy", "藏青色": "navy", "藏蓝": "navy",
    "海军蓝": "navy", "深蓝": "navy", "紫色": "purple", "粉色": "pink", "粉红": "pink", "粉红色": "pink",
    "棕色": "brown", "咖啡色": "brown", "褐色": "brown", "米色": "beige", "米白": "beige", "米白色": "beige",
    "卡其": "khaki", "卡其色": "khaki", "黑色": "black", "白色": "white", "灰色": "grey", "深灰": "grey",
    "浅灰": "grey", "银色": "silver", "金色": "gold", "青色": "teal",
    # Chinese, one character (see NOT_COLOURS_ZH for words that merely contain one)
    "红": "red", "橙": "orange", "黄": "yellow", "绿": "green", "蓝": "blue", "紫": "purple",
    "棕": "brown", "黑": "black", "白": "white", "灰": "grey",
}  # fmt: skip

# Chinese words that contain a one-character colour but do not name a colour
# (蓝牙 is Bluetooth, 红外 infrared, 美白 whitening ...); they are hidden before colours are matched.
NOT_COLOURS_ZH: tuple[str, ...] = (
    "蓝牙", "蓝莓", "白菜", "白酒", "白糖", "白醋", "白葡萄", "白开水", "白炽", "白板", "白领", "蛋白", "明白",
    "空白", "美白", "黄油", "黄瓜", "黄金", "黄豆", "红酒", "红包", "红枣", "红薯", "红茶", "红外", "网红", "口红",
    "黑莓", "黑客", "黑胡椒", "黑芝麻", "绿茶", "绿豆", "绿植", "紫外", "紫菜", "橙子", "橙汁", "灰尘", "石灰",
    "烟灰", "棕榈",
)  # fmt: skip

# Size words that stand alone in a query.
SIZE_WORDS: dict[str, str] = {
    "xxs": "xxs", "xs": "xs", "xl": "xl", "xxl": "xxl", "xxxl": "xxxl", "2xl": "xxl", "3xl": "xxxl",
    "4xl": "4xl", "5xl": "5xl", "x-large": "xl", "xx-large": "xxl", "xxx-large": "xxxl",
    "extra large": "xl", "extra small": "xs", "x-small": "xs", "small": "small", "medium": "medium",
    "large": "large", "one size": "one size",
    "california king size": "california king", "king size": "king", "queen size": "queen",
    "twin size": "twin", "king-size": "king", "queen-size": "queen",
    "大号": "large", "中号": "medium", "小号": "small", "加大号": "xl", "加大码": "xl", "特大号": "xxl",
    "均码": "one size",
}  # fmt: skip

# Letter sizes that count only after "size" or before 码 ("size m", "L码").
SIZE_LETTERS: dict[str, str] = {
    "s": "s", "m": "m", "l": "l",
    **{word: size for word, size in SIZE_WORDS.items() if word.isascii() and "size" not in word},
}  # fmt: skip

UNITS: dict[str, str] = {
    # storage, power, electricity
    "tb": "tb", "terabyte": "tb", "terabytes": "tb", "gb": "gb", "gig": "gb", "gigs": "gb",
    "gigabyte": "gb", "gigabytes": "gb", "mb": "mb", "megabyte": "mb", "megabytes": "mb",
    "w": "w", "watt": "w", "watts": "w", "kw": "kw", "kilowatt": "kw", "kilowatts": "kw",
    "v": "v", "volt": "v", "volts": "v", "mah": "mah", "ah": "ah", "amp": "a", "amps": "a",
    "hp": "hp", "horsepower": "hp",
    # volume, mass
    "l": "l", "liter": "l", "liters": "l", "litre": "l", "litres": "l", "ml": "ml", "milliliter": "ml",
    "milliliters": "ml", "gal": "gal", "gal.": "gal", "gallon": "gal", "gallons": "gal", "qt": "qt",
    "quart": "qt", "quarts": "qt", "fl oz": "oz", "oz": "oz", "oz.": "oz", "ounce": "oz", "ounces": "oz",
    "kg": "kg", "kilogram": "kg", "kilograms": "kg", "g": "g", "gram": "g", "grams": "g",
    "lb": "lb", "lb.": "lb", "lbs": "lb", "lbs.": "lb", "pound": "lb", "pounds": "lb",
    # length
    "cm": "cm", "centimeter": "cm", "centimeters": "cm", "mm": "mm", "millimeter": "mm",
    "millimeters": "mm", "m": "m", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "in": "in", "in.": "in", "inch": "in", "inches": "in", '"': "in", "''": "in",
    "sq ft": "sq ft", "sq. ft.": "sq ft", "sq. ft": "sq ft", "square feet": "sq ft", "square foot": "sq ft",
    "cu ft": "cu ft", "cu. ft.": "cu ft", "cu. ft": "cu ft", "cubic feet": "cu ft", "cubic foot": "cu ft",
    "ft": "ft", "ft.": "ft", "foot": "ft", "feet": "ft", "'": "ft", "yd": "yd", "yard": "yd", "yards": "yd",
    # Chinese
    "毫升": "ml", "升": "l", "千克": "kg", "公斤": "kg", "克": "g", "磅": "lb", "盎司": "oz", "加仑": "gal",
    "厘米": "cm", "毫米": "mm", "米": "m", "英寸": "in", "寸": "in", "英尺": "ft", "千瓦": "kw", "瓦": "w",
    "伏": "v", "毫安时": "mah", "毫安": "mah",
}  # fmt: skip

# "5g phone" is a network generation, not five grams.
NETWORK_GENERATIONS: frozenset[str] = frozenset({"2g", "3g", "4g", "5g"})

CHINESE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CHINESE_MULTIPLIERS: dict[str, int] = {"十": 10, "百": 100, "千": 1000, "万": 10_000}

# Price words, as regular expressions: currency before and after an amount, and the phrases
# that bound a price from above, from below, or around a value (±AROUND_TOLERANCE).
# Each names a currency (`llm4retail.data.currency.CURRENCY_WORDS` reads it as an ISO code).
CURRENCY_BEFORE = r"(?:us\$|hk\$|[$¥￥€£]|usd|rmb|cny|eur|gbp)"
# Words that announce a price ("预算两千左右", "价格在100-200之间", "price under 800", "在50到100元之间").
PRICE_CONTEXT = (
    r"(?:(?:价格|价位|预算|(?<![a-z])(?:price|budget))\s*[:：]?\s*(?:在|为|是)?|(?<![\u3400-\u9fff])在)\s*"
)
CURRENCY_AFTER = (
    r"(?:dollars?|bucks|usd|rmb|yuan|cny|euros?|eur|gbp|[€£]|美元|美金|欧元|英镑|日元|港元|港币|人民币|元钱?|块钱?)"
)
# "air max 90", "pro max" and "power max 726" are model names, not price caps.
UPPER_BEFORE = (
    r"(?:(?<![a-z-])(?:under|below|less than|cheaper than|lower than|up to|no more than|not more than|at most|"
    r"(?:nothing|not|none|no) (?:over|above|more than|higher than)|"
    r"(?:can(?:'|no)?t|cannot|won'?t|don'?t want to) (?:spend|pay) (?:more than|over|above)|"
    r"(?<!air )(?<!pro )(?<!power )max(?:imum)?|within)|<=|≤|<|不超过|不高于|不到|低于|少于|小于|最多|最高)"
)
UPPER_AFTER = r"(?:以下|以内|之内|内(?!存))"  # 内存 is memory
LOWER_BEFORE = (
    r"(?:(?<![a-z-])(?:over|above|more than|greater than|at least|from|min(?:imum)?|starting at)|>=|≥|>|"
    r"高于|超过|大于|多于|至少|不低于|不少于|最低)"
)
LOWER_AFTER = r"(?:以上)"
BUDGET_BEFORE = r"(?:预算|(?<![a-z])budget(?:\s+(?:is|of))?)\s*[:：]?\s*(?:在|为|是|只有)?\s*"
AROUND_BEFORE = r"(?:(?<![a-z-])(?:around|about|approximately|approx\.?|roughly)|~|大约|大概|约)"
AROUND_AFTER = r"(?:左右|上下)"
# Counts and ages after a number mean it is no price ("3-6岁", "under 3 years", "2-4 people").
NOT_PRICE_AFTER = (
    r"(?:岁|个月|月|年|天|周|小时|分钟|人|件|个|只|片|层|位|次|张|"
    r"(?:years?|yrs?|months?|weeks?|days?|hours?|minutes?|mins?|people|persons?|pcs|pieces?|packs?|seats?|"
    r"players?|cups?|ports?|speeds?|tiers?|shelf|shelves|drawers?|doors?|rooms?|cars?)(?![a-z]))"
)
RANGE_JOIN = r"(?:-|–|—|~|～|to|到|至)"
AROUND_TOLERANCE = 0.2
