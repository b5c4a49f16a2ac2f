"""A small topic tree: fine tags roll up to coarse categories; a category covers its members.

The same tree answers two questions: which coarse topic a phrase belongs to ("medium-rare steak"
→ steak → meat → food) and what a negation reaches ("I don't eat meat anymore" reaches steak).
"""

from __future__ import annotations

import re
from functools import lru_cache

from memory.profile.extract.items import CJK, item_key
from memory.profile.schema import COARSE_CATEGORIES

# "parent: child, child, ..." (indented lines continue the line above); every chain must end
# in a coarse category.
TREE = """
food: meat, seafood, dairy, vegetables, fruit, dessert, dishes, spicy food, nuts, grains, eggs,
    cooking, recipe, breakfast, lunch, dinner, brunch, baking, restaurant, snacks, 美食, 做菜, 做饭, 菜
meat: steak, beef, pork, bacon, ham, chicken, lamb, sausage, burger, turkey, duck, veal, ribs,
    brisket, meatballs, salami, pepperoni, fried chicken, 牛肉, 猪肉, 羊肉, 鸡肉, 培根, 香肠, 红烧肉, 烤鸭, 牛排, 鸭
seafood: fish, salmon, tuna, shrimp, prawns, shellfish, crab, lobster, oysters, clams, mussels,
    squid, sashimi, 鱼, 虾, 螃蟹, 生蚝
dairy: butter, cheese, milk, cream, yogurt, 奶酪, 牛奶, 黄油, 奶油
vegetables: mushrooms, onions, garlic, cilantro, broccoli, spinach, tomatoes, olives, peppers, kale,
    carrots, potatoes, eggplant, tofu, salad, 香菜, 蘑菇, 洋葱, 大蒜, 茄子, 豆腐
fruit: figs, apples, bananas, strawberries, mango, oranges, grapes, berries, lemon, avocado, 苹果,
    香蕉, 草莓
dessert: cake, cheesecake, brownies, cookies, chocolate, dark chocolate, milk chocolate, ice cream,
    desserts, pastry, pie, sweets, candy, sugar, pancakes, 蛋糕, 甜点, 冰淇淋, 巧克力
dishes: risotto, pasta, pizza, pizza dough, curry, ramen, noodles, soup, sandwich, tacos, dumplings,
    hot pot, sushi, nigiri, shakshuka, bread, sourdough, rice, stew, bbq, barbecue, 火锅, 川菜, 日料,
    烧烤, 面条, 饺子, 米饭, 拉面, 寿司
spicy food: spicy, chili, hot sauce, 麻辣, 辣椒
nuts: peanuts, almonds, walnuts, cashews, 花生, 坚果
grains: gluten, wheat, oats, flour
drink: coffee, tea, alcohol, juice, smoothie, soda, 饮料, 奶茶
coffee: espresso, latte, cappuccino
tea: matcha, green tea, 绿茶
alcohol: wine, beer, whisky, whiskey, cocktails, sake, 啤酒, 白酒, 红酒
sport: basketball, football, tennis, running, swimming, cycling, hiking, yoga, gym, climbing,
    skiing, golf, baseball, badminton, table tennis, volleyball, workout, sports, 运动, 游泳, 篮球,
    足球, 羽毛球, 健身, 爬山, 徒步, 骑行, 乒乓球
basketball: nba, 篮球赛
nba: lakers, warriors, celtics, lebron
football: soccer, premier league, world cup, arsenal, liverpool
running: marathon, runs, jogging, treadmill, 跑步, 马拉松
health: sleep, diet, allergy, doctor, knee, headache, therapy, meditation, vegetarian, vegan,
    weight, 过敏, 睡眠, 体检, 医生, 减肥
work: meeting, meetings, manager, boss, roadmap, project, deadline, job, office, colleague, team
    lead, promotion, interview, data analyst, developer, 加班, 会议, 开会, 工作, 上班, 项目, 同事, 老板
tech: python, java, javascript, rust, programming, coding, scripts, software, machine learning,
    ai, computer, laptop, phone, recommender system, 编程, 代码, 电脑, 推荐系统
travel: trip, flight, hotel, vacation, travel, beach, old towns, alps, mountains, 旅行, 旅游, 出差
music: jazz, rock, pop, classical music, hip hop, guitar, piano, concert, music, loud music, 音乐,
    吉他, 钢琴, 演唱会
rock: indie rock, punk, metal
reading: book, books, novel, novels, book club, reading, poetry, 读书, 小说, 书
film: movies, films, comedy, documentary, tv shows, series, 电影, 电视剧
movies: horror movies, sci-fi, action movies, 科幻电影
family: family, parents, kids, children, sister, brother, mom, dad, wife, husband, son, daughter,
    birthday, wedding, 家人, 妹妹, 姐姐, 妈妈, 爸爸, 孩子
finance: budget, savings, investing, stocks, taxes, rent, mortgage, salary, 理财, 股票, 预算
education: class, course, exam, school, university, studying, homework, 学习, 考试, 课程
hobby: board games, video games, gardening, photography, painting, knitting, drawing, 游戏, 摄影, 画画
pets: dog, cat, puppy, kitten, 狗, 猫
"""

# Other words for a node: "我不吃肉了" and "no red meat" reach the whole meat category.
ALIASES = {"meats": "meat", "red meat": "meat", "肉": "meat", "荤": "meat", "seafoods": "seafood",
           "海鲜": "seafood", "dairy products": "dairy", "veggies": "vegetable", "蔬菜": "vegetable",
           "水果": "fruit", "sweet": "dessert", "sweets": "dessert", "甜食": "dessert",
           "辣": "spicy food", "booze": "alcohol", "drinking": "alcohol", "酒": "alcohol",
           "咖啡": "coffee", "茶": "tea"}


def _node(term: str) -> str:
    """The tree key a term names: a coarse category as is, an alias's target, or the item key."""
    if term in COARSE_CATEGORIES:
        return term
    return _aliases().get(item_key(term), item_key(term))


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """ALIASES by item key, so "Sweets" and "sweet" both find the dessert node."""
    return {item_key(alias): item_key(target) for alias, target in ALIASES.items()}


_DETERMINERS = {"a", "an", "the", "some", "my", "our", "his", "her", "their", "this", "that"}


@lru_cache(maxsize=1)
def _parents() -> dict[str, str]:
    """Child key → parent key, from TREE (the first parent named wins)."""
    parents: dict[str, str] = {}
    for line in re.sub(r"\n\s+", " ", TREE.strip()).splitlines():
        parent, _, children = line.partition(":")
        parent = parent.strip()
        parent_key = parent if parent in COARSE_CATEGORIES else item_key(parent)
        for child in children.split(","):
            key = item_key(child.strip())
            if key and key != parent_key and key not in parents:
                parents[key] = parent_key
    return parents


def path(term: str) -> list[str]:
    """The chain from a known term up to its coarse category, or [] for an unknown term."""
    key = _node(term)
    parents, chain = _parents(), []
    while key and key not in chain:
        chain.append(key)
        if key in COARSE_CATEGORIES:
            return chain
        key = parents.get(key)
    return []


def keyword_hits(text: str) -> list[tuple[int, int, str]]:
    """Known terms in `text` as (start, end, key), longest first where they overlap."""
    terms = set(_parents()) | set(_aliases()) | set(COARSE_CATEGORIES)
    hits: list[tuple[int, int, str]] = []
    for m in re.finditer(r"[A-Za-z][A-Za-z'-]*", text):
        hits.append((m.start(), m.end(), ""))
    words = [(s, e) for s, e, _ in hits]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            if i + n > len(words):
                continue
            start, end = words[i][0], words[i + n - 1][1]
            if n > 1 and text[start:words[i][1]].lower() in _DETERMINERS:
                continue  # "the Lakers" is found as "Lakers", said as the user wrote it
            key = item_key(text[start:end])
            if key in terms and key != "other":
                found.append((start, end, key))
                i += n - 1
                break
        i += 1
    taken = bytearray(len(text))  # positions inside a longer CJK term already found
    for term in sorted((t for t in terms if CJK.search(t)), key=len, reverse=True):
        for m in re.finditer(re.escape(term), text):
            if not taken[m.start()]:
                taken[m.start():m.end()] = b"\x01" * (m.end() - m.start())
                found.append((m.start(), m.end(), term))
    return sorted(found)


def classify(phrase: str) -> tuple[str, list[str]] | None:
    """The coarse category and roll-up path of a phrase, judged by its rightmost known term."""
    for _, _, key in sorted(keyword_hits(phrase), key=lambda h: (h[1], h[1] - h[0]), reverse=True):
        chain = path(key)
        if chain:
            return chain[-1], chain
    return None


def covers(item: str) -> list[str]:
    """Keys a negation of `item` reaches: the item and, for a category, all its members."""
    key = _node(item)
    parents = _parents()
    reached, frontier = {key, item_key(item)}, [key]
    while frontier:
        node = frontier.pop()
        for child, parent in parents.items():
            if parent == node and child not in reached:
                reached.add(child)
                frontier.append(child)
    reached |= {alias for alias, target in _aliases().items() if target in reached}
    return sorted(reached)


def is_covered(item: str, cover_keys: list[str]) -> bool:
    """Whether `item` mentions one of `cover_keys` ("crispy bacon" is covered by "bacon")."""
    key = item_key(item)
    if CJK.search(key):
        return any(c in key for c in cover_keys if CJK.search(c))
    words = [item_key(w) for w in key.split()]
    for c in cover_keys:
        parts = c.split()
        if parts and any(words[i:i + len(parts)] == parts for i in range(len(words))):
            return True
    return False
