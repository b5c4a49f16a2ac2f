"""Chinese rules: "我喜欢吃火锅", "我不喜欢香菜", "我妹妹小红", "我在腾讯工作"."""

from __future__ import annotations

import re

from memory.profile import taxonomy
from memory.profile.extract.context import NoteContext
from memory.scripts import is_han
from memory.vocab import Polarity

RELATIONS = {
    "好朋友": "friend", "男朋友": "boyfriend", "女朋友": "girlfriend", "朋友": "friend",
    "妹妹": "sister", "姐姐": "sister", "哥哥": "brother", "弟弟": "brother", "妈妈": "mother",
    "母亲": "mother", "老妈": "mother", "爸爸": "father", "父亲": "father", "老爸": "father",
    "老婆": "wife", "妻子": "wife", "太太": "wife", "老公": "husband", "丈夫": "husband",
    "儿子": "son", "女儿": "daughter", "同事": "colleague", "老板": "boss", "领导": "manager",
    "经理": "manager", "上司": "manager", "室友": "roommate", "舍友": "roommate", "邻居": "neighbor",
    "表哥": "cousin", "表弟": "cousin", "表姐": "cousin", "表妹": "cousin", "堂哥": "cousin",
    "堂弟": "cousin", "堂姐": "cousin", "堂妹": "cousin", "爷爷": "grandfather", "奶奶": "grandmother",
    "外公": "grandfather", "外婆": "grandmother", "老师": "teacher", "同学": "classmate",
    "闺蜜": "best friend", "闺密": "best friend", "死党": "best friend", "发小": "childhood friend",
    "医生": "doctor", "爱人": "spouse", "父母": "parents", "爸妈": "parents", "妈": "mother", "爸": "father",
}
_REL = "|".join(sorted(RELATIONS, key=len, reverse=True))
# Relations that name a person even without "我" in front: "和同事老王".
_BARE_REL = "同事|朋友|同学|室友|舍友|邻居|老板|经理|领导|上司|老师|闺蜜|闺密|死党|发小"
# Without "我", a relation names the user's own only at work: "被领导批评了" is the user's manager.
_WORK_REL = {"同事", "老板", "经理", "领导", "上司"}
# After a bare relation a name must look like one: a common surname or 小/老/阿 ("同事老王").
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤小老阿")
# Things too generic to be a taste when asked for: "推荐一家餐厅".
_GENERIC = {"餐厅", "饭店", "地方", "书", "电影", "东西", "店", "菜", "歌", "酒店"}
# Characters that end a name: particles, verbs and adverbs that follow one ("小红下周来").
_NAME_STOP = set("的了在是和跟与也都很就还说要会想去来给让把被对从到最太今昨每这那不没有吃喝看做喜爱讨已又再才刚正能得着过们个呢吗吧啊呀，。！？、；：,.!? ")
_NOT_NAMES = {"明天", "今天", "昨天", "下周", "上周", "最近", "现在", "每天", "经常", "总是", "一直",
              "已经", "也是", "还是", "一起", "推荐", "非常", "特别", "比较", "下次", "周末", "晚上"}
_ADV = (r"(?:更|也|还|都|很|非常|特别|超级|超|最|真的|一直|挺|比较|蛮|就|还是|确实|本来|向来|从来|完全|实在|最近|现在|已经|"
        r"一向|好|太|有点|其实|平时|早上|上午|中午|下午|晚上|周末|每天|晚上)*")
_VERBS = [  # (verb, polarity or None for "stopped liking", confidence, retracts older likes)
    ("不再喜欢|不再爱", None, 0.0, True),
    ("不再吃|不再喝|再也不吃|再也不喝|戒掉了|戒了|已经不吃|已经不喝", Polarity.DISLIKE, 0.8, True),
    ("不太喜欢|不怎么喜欢|不是很喜欢|不大喜欢|不喜欢|不太爱|不爱|讨厌|受不了|忍受不了|不能吃|吃不了|不敢吃|"
     "不太能吃|不怎么能吃|不太吃|不怎么吃|不吃|不喝|不碰|反感|厌恶|怕", Polarity.DISLIKE, 0.8, False),
    ("想学|想试试|想尝尝|想做|想吃|在学|开始学|学着", Polarity.LIKE, 0.6, False),
    ("热爱|迷上了|迷上|爱上了|钟爱|偏爱|喜欢|爱", Polarity.LIKE, 0.85, False),
]
_OBJ_VERB = "(?:吃|喝|看|听|玩|打|做|弹|学|用|穿|去)?"
# The words after a verb run to the clause end, or to "也/还/又" starting a second verb: "不吃香菜也不吃葱".
_END = r"(?:(?!也|还|又|而且|但)[^，。！？；,.!?;])*"
_CUT = re.compile(r"因为|但是|可是|不过|所以|而且|然后|的时候|尤其|特别是|，")
_PARTICLES = "了啊呀呢吧哦啦嘛"
_TRIM = _PARTICLES + "的"
_TIME = "最近|今天|现在|这周|这几天|平时|一直|其实"
# A count or kind in front of the thing: "一个", "几本", "这种", "各种".
_MEASURE = r"^(?:各种|一下|[一两几三四五这那每]?(?:个|道|本|部|首|家|款|种|些|点|份|杯|碗|张|位|次))"


def _name_at(text: str, pos: int) -> str | None:
    """A Chinese given name starting at `pos`, if one plausibly does ("小红下周…" → "小红")."""
    if pos >= len(text) or text[pos] in _NAME_STOP or text[pos:pos + 2] in _NOT_NAMES:
        return None
    limit = 2 if text[pos] in "小老阿" else 3
    end = pos + 1
    while end < min(len(text), pos + limit) and text[end] not in _NAME_STOP and text[end:end + 2] not in _NOT_NAMES:
        end += 1
    name = text[pos:end]
    return name if len(name) >= 2 and is_han(name) else None


def people(sentence: str, ctx: NoteContext) -> None:
    """Add the people and organisations one Chinese sentence names to `ctx`."""
    for m in re.finditer(r"我(?:现在|目前)?在(?P<org>[^，。！？\s在]{2,12}?)(?P<what>工作|上班|实习|任职|上学|读书|念书|读研|读博)", sentence):
        relation = "employer" if m.group("what") in ("工作", "上班", "实习", "任职") else "school"
        ctx.add_person(m.group("org"), relation, kind="organisation")
    for m in re.finditer(rf"我的?(?P<rel>{_REL})|(?<![我的])(?P<bare>{_BARE_REL})", sentence):
        rel = m.group("rel") or m.group("bare")
        name = _name_at(sentence, m.end())
        if m.group("bare") and name and name[0] not in _SURNAMES:
            name = None
        # Unnamed, a bare relation is the user's at work, or when doing something with them.
        company = m.start() > 0 and sentence[m.start() - 1] in "和跟与陪被给同帮"
        if m.group("bare") and not name and rel not in _WORK_REL and not company:
            continue
        ctx.add_person(name, RELATIONS[rel])


def _subject_holder(subject: str, ctx: NoteContext) -> str | None | bool:
    """None for the user, a holder for someone else, False when the subject is not a person."""
    if subject == "我":
        return None
    if subject in ("她", "他", "她们", "他们"):
        return ctx.last_person or False
    m = re.match(rf"我的?(?P<rel>{_REL})", subject)
    if m:
        name = _name_at(subject, m.end())
        return ctx.add_person(name, RELATIONS[m.group("rel")])
    return ctx.add_person(subject, None)


def _items(rest: str) -> list[str]:
    """Cut the words after a verb at the clause end and split "火锅和烧烤"."""
    head = _CUT.split(rest, maxsplit=1)[0]
    head = re.sub(_MEASURE, "", head).rstrip(_TRIM)
    return [p.strip(_TRIM) for p in re.split(r"和|跟|与|、|还有|以及", head) if p.strip(_TRIM)]


def preferences(sentence: str, ctx: NoteContext) -> None:
    """Add the preferences stated in one Chinese sentence to `ctx`, in reading order."""
    ctx.sentence_holder = None
    known = "|".join(re.escape(p.name) for p in ctx.people if p.name and taxonomy.CJK.search(p.name))
    # An empty subject continues the clause before ("我喜欢X，不喜欢Y", "…香菜也不吃葱"); at the
    # start of a note's sentence it is the writer ("最近在学做面包").
    subject = (rf"(?P<subj>我的?(?:{_REL})[\u4e00-\u9fff]{{0,3}}?|我(?!们)|她们|他们|她|他"
               rf"{'|' + known if known else ''}|(?<=[，,])(?:但是|但|可是|不过|而且)?|也|还|又|^(?:{_TIME})?)")
    hits = []
    for verbs, polarity, confidence, retracts in _VERBS:
        for m in re.finditer(subject + _ADV + rf"(?P<verb>{verbs}){_OBJ_VERB}(?P<rest>{_END})", sentence):
            hits.append((m.start("verb"), m.end("verb"), m, polarity, confidence, retracts))
    taken: list[tuple[int, int]] = []
    # False: no subject seen yet; a sentence opening with "我" makes the writer the subject of
    # later subject-less clauses ("我对咖啡因很敏感，下午不喝咖啡").
    holder: str | None | bool = None if re.match(rf"我(?!们|的?(?:{_REL}))", sentence) else False
    for start, end, m, polarity, confidence, retracts in sorted(hits, key=lambda h: h[0]):
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        subj = m.group("subj")
        named = "" if re.fullmatch(rf"(?:{_TIME})?", subj) else subj.strip("但是可不过而且也还又")
        if named:
            holder = _subject_holder(subj, ctx)
        elif m.start() == 0 and holder is False:
            holder = None  # a sentence with no subject in a note is the writer's own
        if holder is False:
            continue
        stopped = retracts or (polarity == Polarity.DISLIKE and m.group("rest").rstrip("。！!").endswith("了"))
        rest = m.group("rest")
        favourite = re.match(r"的[^，。！？]{0,8}?是(?P<x>.+)", rest)
        if favourite:  # "我最喜欢的水果是芒果"
            rest = favourite.group("x")
        elif rest.startswith("的"):
            continue
        for item in _items(rest):
            if rest.rstrip(_PARTICLES).endswith("的") and _said_by(ctx, ctx.last_item, holder):
                item += ctx.last_item  # "想做一个全麦的": a wholemeal one of the bread just named
            if polarity:
                ctx.add_preference(item, polarity, confidence, holder)
            if holder is None and stopped:
                ctx.add_negation(item)
        _especially(sentence[m.end():], polarity, confidence, holder, ctx)
    _special(sentence, ctx, holder)
    _implicit(sentence, ctx, holder)


# Preferences said without a liking word: "跑步让我很放松", "加班让我很累", "爬山是最好的放松".
_FEELING = re.compile(r"(?:^|[，,；;]|对我来说[，,]?)(?P<x>[^，,；;。！？我]{1,10}?)(?:真的|总是|总|都|也|还|最)*让我(?:觉得|感到)?"
                      r"(?:很|特别|非常|超级|超|好|挺|更)*(?P<feel>放松|开心|快乐|舒服|愉快|满足|平静|幸福|解压|"
                      r"累|烦|崩溃|头疼|头大|难受|焦虑|疲惫|抓狂|痛苦|心累|无聊)")
_LIKED_FEELINGS = {"放松", "开心", "快乐", "舒服", "愉快", "满足", "平静", "幸福", "解压"}
_BEST = re.compile(r"(?:^|[，,；;])(?P<x>[^，,；;。！？我]{1,10}?)是(?:我)?(?:最好的|我的最爱|最爱)(?:放松|享受|解压方式|消遣)?")
# "我宁愿在家看书也不想去逛街": the first is liked over the second.
_RATHER = re.compile(r"我?(?:宁愿|宁可)(?P<x>[^，,；;。！？]+?)也不(?:想|要|愿意|愿)?(?:去)?(?P<y>[^，,；;。！？]+)")


def _implicit(sentence: str, ctx: NoteContext, holder: str | None | bool) -> None:
    """Preferences said through their effect on the writer, or as a choice between two things."""
    if holder is not None and holder is not False:
        return
    for m in _FEELING.finditer(sentence):
        polarity = Polarity.LIKE if m.group("feel") in _LIKED_FEELINGS else Polarity.DISLIKE
        for item in _items(m.group("x")):
            ctx.add_preference(item, polarity, 0.7, None)
    for m in _BEST.finditer(sentence):
        for item in _items(m.group("x")):
            ctx.add_preference(item, Polarity.LIKE, 0.7, None)
    if re.search(r"我?(?:从来|一向|向来)?滴酒不沾", sentence):
        ctx.add_preference("酒", Polarity.DISLIKE, 0.9, None)
    for m in _RATHER.finditer(sentence):
        for item in _items(m.group("x")):
            ctx.add_preference(item, Polarity.LIKE, 0.7, None)
        for item in _items(m.group("y")):
            ctx.add_preference(item, Polarity.DISLIKE, 0.6, None)


def _said_by(ctx: NoteContext, item: str | None, holder: str | None) -> bool:
    """Whether `item` was last said by `holder` ("想做一个全麦的" continues the writer's own bread)."""
    said = ctx.preferences if holder is None else ctx.others
    return bool(item) and any(p.item == item and p.holder == holder for p in said)


def _especially(after: str, polarity: str | None, confidence: float, holder, ctx: NoteContext) -> None:
    """ "尤其是麻辣的" after a preference: the same feeling about that kind of the item."""
    m = re.match(r"[，,]?(?:尤其是|特别是|尤其)(?P<x>[^，。！？]+)", after)
    if not m or polarity is None:
        return
    kind = m.group("x").rstrip(_TRIM)
    item = kind + ctx.last_item if m.group("x").endswith("的") and ctx.last_item else kind
    ctx.add_preference(item, polarity, confidence, holder)


def _special(sentence: str, ctx: NoteContext, last_holder: str | None | bool) -> None:
    """Allergies, diets, requests for recipes, and "别放…" imperatives."""
    for m in re.finditer(r"(?P<subj>我|(?<=[，,])(?:但是|但|可是|不过|而且)?)(?:也|还)?对(?P<x>[^，。！？]{1,10}?)过敏", sentence):
        holder = None if m.group("subj") == "我" else last_holder
        if holder is not False:
            ctx.add_preference(m.group("x"), Polarity.DISLIKE, 0.95, holder, "过敏")
    if re.search(r"我(?:现在|已经)?(?:吃素|是素食者|是素食主义者)", sentence):
        ctx.add_preference("肉", Polarity.DISLIKE, 0.9, None, "吃素")
        ctx.add_negation("肉")
    beneficiary = re.search(rf"给(?P<who>我的?(?:{_REL})|我|[\u4e00-\u9fff]{{2,3}}?)(?:做|买|推荐|准备)", sentence)
    holder = None
    if beneficiary and beneficiary.group("who") != "我":
        holder = _subject_holder(beneficiary.group("who"), ctx)
    requests = [
        r"(?P<x>[^，。！？的]{1,12})的(?:做法|食谱|菜谱)",
        r"(?:教我|怎么|如何)(?:做|烧|煮|炒|烤|包)(?P<x>[^，。！？]{1,12})",
        r"(?P<x>[^，。！？]{1,12}?)(?:怎么做|怎么烧|怎么煮)",
        # Only a request to the assistant: "帮我推荐…", not "阿杰推荐了…".
        r"(?:^|帮我|给我|请你|请|你|能不能|可不可以|可以)推荐(?!了)(?P<x>[^，。！？]{1,12})",
    ]
    for pattern in requests:
        for m in re.finditer(pattern, sentence):
            x = re.sub(r"的(?:做法|食谱|菜谱).*$", "", m.group("x"))
            x = re.sub(r"^(?:帮我|给我|请|麻烦)?(?:推荐|找|分享|教我)?", "", x)
            for item in _items(x):
                if holder is not False and item not in _GENERIC and taxonomy.classify(item):
                    ctx.add_preference(item, Polarity.LIKE, 0.5, holder)
    for m in re.finditer(r"(?:不要|别|不用|请不要|请别|千万别)(?:给我)?(?:放|加|用)(?P<x>[^，。！？]+)|少放(?P<y>[^，。！？]+)", sentence):
        if ctx.sentence_holder:
            continue  # "妈妈不吃辣，少放辣椒": said for her, not a taste of the user's
        for item in _items(m.group("x") or m.group("y")):
            ctx.add_preference(item, Polarity.DISLIKE, 0.7, None)
