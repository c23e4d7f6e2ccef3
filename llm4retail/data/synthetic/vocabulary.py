"""Bilingual vocabulary of the synthetic catalog: the category tree, brands and attribute values.

Terms are written `"english|中文"`; a term without `|` reads the same in both
languages (sizes such as `M` or `500ml`).
"""

from __future__ import annotations

from dataclasses import dataclass

Term = tuple[str, str]
"""An (English, Chinese) pair."""


def parse_terms(spec: str) -> tuple[Term, ...]:
    """Parse `"grey|灰色,M"` into `(("grey", "灰色"), ("M", "M"))`."""
    terms = []
    for item in spec.split(","):
        english, _, chinese = item.strip().partition("|")
        terms.append((english, chinese or english))
    return tuple(terms)


@dataclass(frozen=True)
class ProductType:
    """A leaf of the category tree: one kind of product.

    Attributes:
        name: English singular, lower case ("sofa").
        plural: leaf name in the category path ("Sofas").
        name_zh: Chinese name ("沙发").
        median_price: typical price in USD.
        seconds: values of the category's second attribute (material, formula or origin).
        measures: values of the size/capacity attribute.
        firsts: values of the first attribute when they differ from the category default.
    """

    name: str
    plural: str
    name_zh: str
    median_price: float
    seconds: tuple[Term, ...]
    measures: tuple[Term, ...]
    firsts: tuple[Term, ...] = ()


@dataclass(frozen=True)
class SubCategory:
    """A middle level of the category tree."""

    name: str
    types: tuple[ProductType, ...]


@dataclass(frozen=True)
class TopCategory:
    """A top-level category with its attribute keys, vocabulary and brands.

    Attributes:
        name: English name, first part of the category path.
        first_key: attribute key of the first attribute ("colour", "scent", "flavour").
        second_key: attribute key of the second attribute ("material", "formula", "origin").
        measure_key: attribute key of the size attribute ("size", "capacity", "spec", "weight").
        firsts: default values of the first attribute.
        adjectives: adjectives used in titles.
        selling_points: one-sentence product claims for descriptions.
        brands: brand names that sell in this category.
        subcategories: the middle level.
    """

    name: str
    first_key: str
    second_key: str
    measure_key: str
    firsts: tuple[Term, ...]
    adjectives: tuple[Term, ...]
    selling_points: tuple[Term, ...]
    brands: tuple[str, ...]
    subcategories: tuple[SubCategory, ...]


def _type(name: str, plural: str, name_zh: str, price: float, seconds: str, measures: str, firsts: str = "") -> ProductType:
    return ProductType(
        name=name,
        plural=plural,
        name_zh=name_zh,
        median_price=price,
        seconds=parse_terms(seconds),
        measures=parse_terms(measures),
        firsts=parse_terms(firsts) if firsts else (),
    )


COLOURS = parse_terms(
    "black|黑色,white|白色,grey|灰色,beige|米色,navy|藏青色,blue|蓝色,red|红色,"
    "green|绿色,pink|粉色,brown|棕色,yellow|黄色,purple|紫色,silver|银色,khaki|卡其色"
)
SCENTS = parse_terms("rose|玫瑰,lavender|薰衣草,citrus|柑橘,green tea|绿茶,unscented|无香,jasmine|茉莉")
CLOTHING_SIZES = "S,M,L,XL"
SHOE_SIZES = "38,39,40,41,42,43,44"
KIDS_SIZES = "100cm,110cm,120cm,130cm"
THREE_SIZES = "small|小号,medium|中号,large|大号"

HOME = TopCategory(
    name="Home",
    first_key="colour",
    second_key="material",
    measure_key="size",
    firsts=COLOURS,
    adjectives=parse_terms("modern|现代,Nordic|北欧风,minimalist|简约,classic|经典,cosy|温馨"),
    selling_points=parse_terms("Easy to clean and built to last.|易于清洁，经久耐用。,Fits small apartments.|适合小户型。"),
    brands=("Nordhaus", "Casa Lumo", "Pinecrest Home", "Maison Verre", "Hearthly"),
    subcategories=(
        SubCategory("Furniture", (
            _type("sofa", "Sofas", "沙发", 600, "fabric|布艺,leather|真皮,velvet|丝绒,linen|亚麻", "2-seat|双人位,3-seat|三人位,L-shape|L型"),
            _type("armchair", "Armchairs", "单人椅", 180, "fabric|布艺,leather|真皮,velvet|丝绒,rattan|藤编", "standard|标准款,wide|加宽款"),
            _type("dining table", "Dining Tables", "餐桌", 300, "solid wood|实木,marble|大理石,glass|玻璃", "4-seat|四人座,6-seat|六人座"),
        )),
        SubCategory("Bedding", (
            _type("duvet", "Duvets", "被子", 90, "cotton|纯棉,silk|真丝,down|羽绒", "single|单人,double|双人,king|特大"),
            _type("pillow", "Pillows", "枕头", 30, "cotton|纯棉,memory foam|记忆棉,down|羽绒", "standard|标准,large|加大"),
            _type("bed sheet set", "Bed Sheets", "床单套件", 50, "cotton|纯棉,linen|亚麻,silk|真丝", "single|单人,double|双人,king|特大"),
        )),
        SubCategory("Decor", (
            _type("table lamp", "Lamps", "台灯", 55, "ceramic|陶瓷,metal|金属,glass|玻璃", THREE_SIZES),
            _type("rug", "Rugs", "地毯", 120, "wool|羊毛,jute|黄麻,cotton|纯棉", "120x170cm,160x230cm,200x300cm"),
            _type("vase", "Vases", "花瓶", 35, "ceramic|陶瓷,glass|玻璃", THREE_SIZES),
        )),
        SubCategory("Storage", (
            _type("bookshelf", "Bookshelves", "书架", 110, "solid wood|实木,metal|金属,bamboo|竹制", "3-tier|三层,5-tier|五层"),
            _type("storage basket", "Storage Baskets", "收纳筐", 22, "rattan|藤编,cotton|纯棉,jute|黄麻", THREE_SIZES),
        )),
    ),
)

KITCHEN = TopCategory(
    name="Kitchen",
    first_key="colour",
    second_key="material",
    measure_key="capacity",
    firsts=COLOURS,
    adjectives=parse_terms("professional|专业,compact|小巧,classic|经典,smart|智能,lightweight|轻便"),
    selling_points=parse_terms("Dishwasher safe.|可放入洗碗机。,Heats evenly and quickly.|受热均匀，升温快。"),
    brands=("Kitchara", "Ferro & Co", "Cuoco", "Steamly", "Bambu Table"),
    subcategories=(
        SubCategory("Cookware", (
            _type("frying pan", "Frying Pans", "煎锅", 40, "cast iron|铸铁,stainless steel|不锈钢,ceramic|陶瓷", "24cm,28cm,32cm"),
            _type("stock pot", "Stock Pots", "汤锅", 60, "stainless steel|不锈钢,cast iron|铸铁", "3L,5L,8L"),
            _type("wok", "Woks", "炒锅", 50, "cast iron|铸铁,carbon steel|碳钢", "30cm,32cm,34cm"),
        )),
        SubCategory("Appliances", (
            _type("electric kettle", "Kettles", "电热水壶", 45, "stainless steel|不锈钢,glass|玻璃", "1.5L,1.7L"),
            _type("rice cooker", "Rice Cookers", "电饭煲", 90, "stainless steel|不锈钢,ceramic|陶瓷", "3L,4L,5L"),
            _type("blender", "Blenders", "破壁机", 80, "glass|玻璃,plastic|塑料", "1L,1.5L,2L"),
        )),
        SubCategory("Tableware", (
            _type("mug", "Mugs", "马克杯", 15, "ceramic|陶瓷,glass|玻璃,stainless steel|不锈钢", "350ml,450ml"),
            _type("dinner plate set", "Plates", "餐盘套装", 35, "ceramic|陶瓷,porcelain|骨瓷", "4 pcs|4件,6 pcs|6件"),
        )),
        SubCategory("Food Storage", (
            _type("food container", "Food Containers", "保鲜盒", 20, "glass|玻璃,plastic|塑料", "500ml,1L,2L"),
            _type("water bottle", "Water Bottles", "水杯", 20, "stainless steel|不锈钢,plastic|塑料,glass|玻璃", "500ml,750ml,1L"),
        )),
    ),
)

FASHION = TopCategory(
    name="Fashion",
    first_key="colour",
    second_key="material",
    measure_key="size",
    firsts=COLOURS,
    adjectives=parse_terms("casual|休闲,slim-fit|修身,oversized|宽松,elegant|优雅,vintage|复古"),
    selling_points=parse_terms("Soft on the skin and easy to wash.|亲肤柔软，易于洗涤。,A versatile piece for every season.|百搭单品，四季可穿。"),
    brands=("Urban Thread", "Velora", "Linea Studio", "Maple & Moss", "Crescent"),
    subcategories=(
        SubCategory("Women", (
            _type("dress", "Dresses", "连衣裙", 60, "cotton|纯棉,silk|真丝,linen|亚麻,chiffon|雪纺", CLOTHING_SIZES),
            _type("skirt", "Skirts", "半身裙", 45, "cotton|纯棉,denim|牛仔,chiffon|雪纺", CLOTHING_SIZES),
        )),
        SubCategory("Men", (
            _type("shirt", "Shirts", "衬衫", 40, "cotton|纯棉,linen|亚麻,silk|真丝", CLOTHING_SIZES),
            _type("jeans", "Jeans", "牛仔裤", 55, "denim|牛仔,stretch denim|弹力牛仔", "28,30,32,34,36"),
        )),
        SubCategory("Outerwear", (
            _type("jacket", "Jackets", "夹克", 110, "denim|牛仔,leather|真皮,nylon|尼龙", CLOTHING_SIZES),
            _type("coat", "Coats", "大衣", 180, "wool|羊毛,cashmere|羊绒,down|羽绒", CLOTHING_SIZES),
        )),
        SubCategory("Shoes", (
            _type("sneakers", "Sneakers", "运动鞋", 85, "leather|真皮,canvas|帆布,mesh|网面", SHOE_SIZES),
            _type("boots", "Boots", "靴子", 120, "leather|真皮,suede|麂皮", SHOE_SIZES),
        )),
        SubCategory("Accessories", (
            _type("handbag", "Handbags", "手提包", 90, "leather|真皮,canvas|帆布,nylon|尼龙", "mini|迷你,medium|中号,large|大号"),
            _type("scarf", "Scarves", "围巾", 30, "wool|羊毛,cashmere|羊绒,silk|真丝", "one size|均码"),
        )),
    ),
)

ELECTRONICS = TopCategory(
    name="Electronics",
    first_key="colour",
    second_key="material",
    measure_key="spec",
    firsts=COLOURS,
    adjectives=parse_terms("portable|便携,smart|智能,ultra-thin|超薄,professional|专业,compact|小巧"),
    selling_points=parse_terms("Comes with a 12-month warranty.|享12个月质保。,Works with iOS and Android.|兼容iOS和安卓。"),
    brands=("Voltix", "Soundwave Labs", "Keyforge", "Nimbus Tech", "Brightcell"),
    subcategories=(
        SubCategory("Phone Accessories", (
            _type("charger", "Chargers", "充电器", 25, "plastic|塑料,aluminium|铝合金", "20W,33W,65W"),
            _type("phone case", "Phone Cases", "手机壳", 15, "silicone|硅胶,leather|真皮,TPU", "6.1 inch|6.1英寸,6.7 inch|6.7英寸"),
        )),
        SubCategory("Audio", (
            _type("headphones", "Headphones", "耳机", 120, "plastic|塑料,aluminium|铝合金,leather|真皮", "over-ear|头戴式,in-ear|入耳式"),
            _type("bluetooth speaker", "Speakers", "蓝牙音箱", 80, "fabric|布艺,aluminium|铝合金,plastic|塑料", "10W,20W,40W"),
        )),
        SubCategory("Computer Accessories", (
            _type("keyboard", "Keyboards", "键盘", 70, "aluminium|铝合金,plastic|塑料", "68 keys|68键,87 keys|87键,104 keys|104键"),
            _type("mouse", "Mice", "鼠标", 35, "plastic|塑料,aluminium|铝合金", "standard|标准款,ergonomic|人体工学"),
        )),
        SubCategory("Power & Storage", (
            _type("power bank", "Power Banks", "充电宝", 35, "aluminium|铝合金,plastic|塑料", "10000mAh,20000mAh"),
            _type("usb flash drive", "USB Drives", "U盘", 18, "metal|金属,plastic|塑料", "64GB,128GB,256GB"),
        )),
    ),
)

BEAUTY = TopCategory(
    name="Beauty",
    first_key="scent",
    second_key="formula",
    measure_key="capacity",
    firsts=SCENTS,
    adjectives=parse_terms("gentle|温和,hydrating|保湿,natural|天然,long-lasting|持久,lightweight|轻盈"),
    selling_points=parse_terms("Dermatologist tested.|经皮肤科测试。,Suitable for sensitive skin.|敏感肌适用。"),
    brands=("Lumiera", "Petal & Pure", "Aqualis", "Rosemont", "Dewy Lab"),
    subcategories=(
        SubCategory("Skincare", (
            _type("face cream", "Face Creams", "面霜", 35, "hyaluronic acid|玻尿酸,niacinamide|烟酰胺,ceramide|神经酰胺", "30ml,50ml"),
            _type("serum", "Serums", "精华液", 45, "vitamin C|维C,hyaluronic acid|玻尿酸,niacinamide|烟酰胺", "30ml,50ml"),
            _type("cleanser", "Cleansers", "洁面乳", 18, "amino acid|氨基酸,ceramide|神经酰胺", "100ml,150ml"),
        )),
        SubCategory("Makeup", (
            _type("lipstick", "Lipsticks", "口红", 22, "matte|哑光,satin|缎光", "3.5g"),
            _type("foundation", "Foundations", "粉底液", 35, "matte|哑光,dewy|水光", "30ml"),
        )),
        SubCategory("Hair Care", (
            _type("shampoo", "Shampoos", "洗发水", 12, "plant-based|植物,amino acid|氨基酸", "400ml,750ml"),
            _type("conditioner", "Conditioners", "护发素", 12, "plant-based|植物,argan oil|摩洛哥坚果油", "400ml,750ml"),
        )),
        SubCategory("Fragrance & Body", (
            _type("perfume", "Perfumes", "香水", 70, "eau de parfum|浓香,eau de toilette|淡香", "30ml,50ml,100ml"),
            _type("body lotion", "Body Lotions", "身体乳", 16, "shea butter|乳木果,ceramide|神经酰胺", "200ml,400ml"),
        )),
    ),
)

SPORTS = TopCategory(
    name="Sports & Outdoors",
    first_key="colour",
    second_key="material",
    measure_key="size",
    firsts=COLOURS,
    adjectives=parse_terms("lightweight|轻量,breathable|透气,waterproof|防水,professional|专业,non-slip|防滑"),
    selling_points=parse_terms("Tested for outdoor use.|经户外实测。,Folds small for travel.|折叠后小巧便携。"),
    brands=("Northpeak", "Stridewell", "Zenfit", "Trailhaven", "Velocita"),
    subcategories=(
        SubCategory("Fitness", (
            _type("yoga mat", "Yoga Mats", "瑜伽垫", 30, "TPE,natural rubber|天然橡胶,NBR", "6mm,8mm,10mm"),
            _type("dumbbell set", "Dumbbells", "哑铃", 45, "cast iron|铸铁,rubber-coated|包胶", "5kg,10kg,20kg"),
        )),
        SubCategory("Camping", (
            _type("tent", "Tents", "帐篷", 180, "nylon|尼龙,polyester|涤纶,canvas|帆布", "2-person|双人,4-person|四人"),
            _type("sleeping bag", "Sleeping Bags", "睡袋", 80, "down|羽绒,polyester|涤纶", "standard|标准款,long|加长款"),
        )),
        SubCategory("Cycling", (
            _type("bike helmet", "Bike Helmets", "骑行头盔", 60, "polycarbonate|聚碳酸酯,carbon fibre|碳纤维", "S,M,L"),
            _type("bike light", "Bike Lights", "自行车灯", 25, "aluminium|铝合金,plastic|塑料", "400 lumens|400流明,800 lumens|800流明"),
        )),
        SubCategory("Sportswear", (
            _type("running shoes", "Running Shoes", "跑步鞋", 95, "mesh|网面,knit|针织", SHOE_SIZES),
            _type("leggings", "Leggings", "紧身裤", 40, "nylon|尼龙,spandex|氨纶,cotton|纯棉", CLOTHING_SIZES),
        )),
    ),
)

KIDS = TopCategory(
    name="Toys & Kids",
    first_key="colour",
    second_key="material",
    measure_key="size",
    firsts=COLOURS,
    adjectives=parse_terms("educational|益智,cute|可爱,safe|安全,colourful|多彩,classic|经典"),
    selling_points=parse_terms("Made from child-safe materials.|采用儿童安全材料。,Recommended for ages 3 and up.|适合3岁以上儿童。"),
    brands=("Tiny Tribe", "Bloomkid", "Playforge", "Little Ark", "Sprout & Co"),
    subcategories=(
        SubCategory("Toys", (
            _type("building blocks", "Building Blocks", "积木", 45, "plastic|塑料,wood|木质", "200 pcs|200颗粒,500 pcs|500颗粒,1000 pcs|1000颗粒"),
            _type("plush toy", "Plush Toys", "毛绒玩具", 20, "cotton|纯棉,polyester|涤纶", "30cm,50cm,80cm"),
            _type("puzzle", "Puzzles", "拼图", 18, "paper|纸质,wood|木质", "500 pcs|500片,1000 pcs|1000片"),
        )),
        SubCategory("Baby Gear", (
            _type("stroller", "Strollers", "婴儿车", 250, "aluminium|铝合金,steel|钢制", "compact|折叠款,standard|标准款"),
            _type("baby bottle", "Baby Bottles", "奶瓶", 15, "glass|玻璃,silicone|硅胶,PPSU", "160ml,240ml"),
        )),
        SubCategory("Kids Clothing", (
            _type("kids t-shirt", "Kids T-Shirts", "儿童T恤", 14, "cotton|纯棉", KIDS_SIZES),
            _type("kids pajamas", "Kids Pajamas", "儿童睡衣", 22, "cotton|纯棉,bamboo fibre|竹纤维", KIDS_SIZES),
        )),
    ),
)

GROCERY = TopCategory(
    name="Food & Grocery",
    first_key="flavour",
    second_key="origin",
    measure_key="weight",
    firsts=parse_terms("original|原味"),
    adjectives=parse_terms("organic|有机,premium|特级,classic|经典,natural|天然,handpicked|精选"),
    selling_points=parse_terms("Store in a cool, dry place.|请置于阴凉干燥处。,Freshly packed every week.|每周新鲜包装。"),
    brands=("Harvest Lane", "Golden Leaf", "Mountain Brew", "Sweetmeadow", "Olivia Grove"),
    subcategories=(
        SubCategory("Tea & Coffee", (
            _type("green tea", "Green Tea", "绿茶", 20, "Yunnan|云南,Zhejiang|浙江,Fujian|福建", "100g,250g", "original|原味,jasmine|茉莉"),
            _type("coffee beans", "Coffee Beans", "咖啡豆", 18, "Ethiopia|埃塞俄比亚,Colombia|哥伦比亚,Yunnan|云南", "250g,500g,1kg", "dark roast|深烘,medium roast|中烘"),
        )),
        SubCategory("Snacks", (
            _type("mixed nuts", "Nuts", "坚果", 12, "California|加州,Xinjiang|新疆", "250g,500g", "original|原味,salted|盐焗,honey|蜂蜜"),
            _type("chocolate", "Chocolate", "巧克力", 8, "Belgium|比利时,Switzerland|瑞士", "100g,200g", "dark|黑,milk|牛奶,hazelnut|榛子"),
        )),
        SubCategory("Pantry", (
            _type("olive oil", "Olive Oils", "橄榄油", 15, "Spain|西班牙,Italy|意大利,Greece|希腊", "500ml,1L", "extra virgin|特级初榨,light|清淡"),
            _type("honey", "Honey", "蜂蜜", 14, "New Zealand|新西兰,Yunnan|云南", "250g,500g", "acacia|洋槐,wildflower|百花,longan|龙眼"),
        )),
    ),
)

CATEGORY_TREE: tuple[TopCategory, ...] = (HOME, KITCHEN, FASHION, ELECTRONICS, BEAUTY, SPORTS, KIDS, GROCERY)
"""The eight top-level categories of the synthetic store."""
