"""What a sentence asserts about its writer, before the preference rules read it.

Questions, hypotheticals, other people's beliefs about the user and quoted speech state no
preference of the user's: they are masked out (replaced by a clause break) or, for a quote,
rewritten so that its "I" is the speaker. A few shapes whose meaning is the reverse of their
surface ("I don't think I like X", "Not everyone likes X, but I do", "Mom thinks I love X, but I
really don't") are resolved here too. English and Chinese; pure functions over one sentence.
"""

from __future__ import annotations

import re
from typing import Callable

from memory.profile.extract.context import NoteContext
from memory.profile.extract.en_people import NAME, NON_NAMES, RELATIONS
from memory.profile.extract.items import cut_span
from memory.vocab import Polarity

BREAK = "; "  # what a masked clause becomes: a clause boundary the rules do not read across

# A rule reader: adds what one sentence says to a context (en.preferences or zh.preferences).
Reader = Callable[[str, NoteContext], None]

# --- English -----------------------------------------------------------------------------------
_QUESTION_OPENERS = re.compile(
    r"^(?i:do|does|did|am|is|are|was|were|would|will|should|shall|can|could|have|has|what|why|how|which|"
    r"who|whom|where|when|whether|isn't|aren't|don't|doesn't|wouldn't|shouldn't|suppose)\b")
# Rhetorical questions that do assert: "Am I the only one who can't stand cilantro?"
_RHETORICAL = re.compile(r"^(?i:am\s+I\s+the\s+only\s+one\s+who|is\s+it\s+just\s+me\s+or\s+do\s+I)\s+(?P<rest>.+?)\?*$")
# Requests to the assistant are asked as questions and do say what the user wants.
_REQUEST = re.compile(r"^(?i:(?:could|can|would|will)\s+you\b|how\s+(?:do|can|should|would|could)\s+(?:I|we)\s+"
                      r"(?:best\s+)?(?:make|cook|bake|prepare|grill|fry|roast|brew)\b|any\s+(?:tips|ideas|recipes)\b)")
_CLAUSE_BREAK = re.compile(r"[,;:]|\s[-–—]\s|\b(?:but|and|so)\b")
_IF_CLAUSE = re.compile(r"(?i:\b(?:even\s+)?(?:if|unless|supposing|suppose|what\s+if|imagine|in\s+case)\b"
                        r"|\bI\s+wonder\s+(?:if|whether)\b|\bwhether\b)[^,;.!?]*")
_MODAL_PREFERENCE = re.compile(r"(?i:\b(?:would|'d|might|may|could)\s+(?:probably\s+|maybe\s+|actually\s+|really\s+"
                               r"|definitely\s+)?(?:love|like|enjoy|hate|dislike|adore|prefer)\b)(?!\s+to\b)")
_SPECULATION = re.compile(r"(?i:\b(?:might|may)\s+(?:actually\s+|really\s+)?(?:love|like|enjoy|hate|dislike|adore)\b)")
_NEG_RAISING = re.compile(r"\bI\s+(?i:don't|do\s+not|dont)\s+(?i:think|believe)\s+(?:that\s+)?I(?:'d|\s+would)?\s+"
                          r"(?P<verb>(?i:like|love|enjoy))\b")
_NOT_ONLY = re.compile(r"(?i:\b(?:don't|do\s+not|dont)\s+(?:just|only)\s+)(?P<verb>(?i:like|love|enjoy))\b")
_NOT_THAT = re.compile(r"(?i:\b(?:it's|it\s+is|it\s+isn't|it\s+was)\s+not\s+that\b|\bnot\s+that\s+I\b)[^,;.!?]*")
_PREFER_TO = re.compile(r"(?P<head>\b(?i:prefer|prefers|preferred)\s+)(?P<x>[^,;.!?]+?)\s+to\s+"
                        r"(?P<y>\w+ing\b[^,;.!?]*)")
_QUANTIFIED = re.compile(
    r"(?i:\b(?:not\s+everyone|not\s+everybody|not\s+many\s+people|few\s+people|no\s+one|no-one|nobody)"
    r"(?:\s+(?:in|at|from|of)\s+[\w' ]+?)?)\s+(?P<verb>(?i:likes|loves|enjoys|hates|dislikes|can\s+stand))\s+"
    r"(?P<item>[^,;.!?]+?)(?P<me>,?\s+(?i:but|except|apart\s+from|other\s+than)\s+(?i:I\s+do|me|myself)\b|"
    r"\s+(?i:more|as\s+much)\s+(?i:than|as)\s+I\s+do\b)")
_SAY = (r"(?:said|says|told\s+(?:me|us)|wrote|writes|texted(?:\s+me)?|messaged(?:\s+me)?|replied|announced|"
        r"yelled|insisted|admitted)")
_DIRECT_QUOTE = re.compile(rf"^(?P<speaker>[\w' ]{{1,40}}?)\s+{_SAY}\s*[:,]\s*[\"“'‘]?(?P<quote>.+?)[\"”'’]?\W*$")
_BELIEF_VERB = (r"(?:think|thinks|thought|believe|believes|believed|assume|assumes|assumed|figure|figures|"
                r"figured|guess|guesses|imagine|imagines|expect|expects|suspect|suspects|says|said|claim|"
                r"claims|claimed|insist|insists|insisted|keeps?\s+saying|(?:is|are|was|were)\s+(?:convinced|sure))")
_BELIEF = re.compile(rf"(?P<subject>\b[\w']+)(?:\s+(?:always|still|probably|really|totally|somehow|just|all))?"
                     rf"\s+{_BELIEF_VERB}\s+(?:that\s+)?(?P<clause>I(?:'m|'d|\s)[^,;.!?]*)")
_DENIAL = re.compile(r"\bI\s+(?i:never|didn't|did\s+not)\s+(?i:said|say|claimed|claim)\s+(?:that\s+)?"
                     r"(?P<clause>I(?:'m|'d|\s)[^,;.!?]*)")
_BUT_NOT = re.compile(r"(?i:\b(?:but|yet|though)\s+)?\bI\s+(?i:(?:really|actually|honestly|just)\s+)*"
                      r"(?i:don't|do\s+not|dont)\W*$")


def english(sentence: str, ctx: NoteContext, read: Reader) -> str:
    """The part of an English sentence that states the writer's own preferences; the rest masked.

    Ellipses it resolves ("…, but I do", "…, but I really don't") are added to `ctx` directly.
    """
    rhetorical = _RHETORICAL.match(sentence)
    if rhetorical:
        sentence = "I " + rhetorical.group("rest")
    elif sentence.rstrip().endswith("?"):
        sentence = _drop_question(sentence)
    quote = _DIRECT_QUOTE.match(sentence)
    if quote:
        return _reported(quote.group("speaker"), quote.group("quote"))
    sentence = _NEG_RAISING.sub(lambda m: f"I don't {m.group('verb')}", sentence)
    sentence = _NOT_ONLY.sub(lambda m: m.group("verb"), sentence)
    sentence = _PREFER_TO.sub(lambda m: f"{m.group('head')}{m.group('x')}", sentence)
    sentence = _NOT_THAT.sub(BREAK, sentence)
    for m in _QUANTIFIED.finditer(sentence):
        polarity = Polarity.DISLIKE if m.group("verb").lower() in ("hates", "dislikes") else Polarity.LIKE
        for item in cut_span(m.group("item")).items:
            ctx.add_preference(item, polarity.value, 0.7, None)
    sentence = _QUANTIFIED.sub(BREAK, sentence)
    sentence = _beliefs(sentence, ctx, read)
    if _IF_CLAUSE.search(sentence):
        sentence = _MODAL_PREFERENCE.sub(BREAK, _IF_CLAUSE.sub(BREAK, sentence))
    return _SPECULATION.sub(BREAK, sentence)


def _drop_question(sentence: str) -> str:
    """A question keeps only what comes before it: "I love Asimov, is his later work good?"."""
    if _REQUEST.match(sentence.strip()):
        return sentence
    if _QUESTION_OPENERS.match(sentence.strip()):
        return ""
    parts = list(_CLAUSE_BREAK.finditer(sentence))
    return sentence[:parts[-1].start()] if parts else ""


def _reported(speaker: str, quote: str) -> str:
    """A direct quote as the speaker's own statement: 'Anna wrote: "I can't stand jazz"'."""
    if not re.match(r"I\b", quote):
        return ""  # "The waiter said, 'You'll love the tiramisu'": nobody's preference
    quote = re.sub(r"\bI(?:'m|\s+am)\b", f"{speaker} is", quote)
    return re.sub(r"\bI\b", speaker, quote)


def _beliefs(sentence: str, ctx: NoteContext, read: Reader) -> str:
    """Mask what others think of the user ("Mom thinks I love broccoli"); what that belief was
    about stays the item "it" refers to, and "…, but I really don't" takes its opposite."""
    believed: list[tuple[str, str]] = []

    def mask(m: re.Match) -> str:
        subject = m.groupdict().get("subject") or ""
        if subject == "I":
            return m.group(0)  # "I think I like it": the writer's own, if hedged
        if re.fullmatch(NAME, subject) and subject.lower() not in NON_NAMES | set(RELATIONS):
            ctx.add_person(subject, None)  # "Lisa is convinced I adore cats": Lisa is someone
        scratch = NoteContext(note_date=ctx.note_date, people=list(ctx.people))
        read(m.group("clause"), scratch)
        believed.extend((p.item, p.polarity) for p in scratch.preferences)
        if scratch.preferences:
            ctx.last_item = scratch.preferences[-1].item
        return m.group(0)[:m.start("clause") - m.start()] + BREAK

    sentence = _DENIAL.sub(mask, _BELIEF.sub(mask, sentence))
    if not believed and _BUT_NOT.match(sentence.strip()):
        believed = ctx.believed  # "My parents think I enjoy X. I really don't."
    if believed and _BUT_NOT.search(sentence):
        for item, polarity in believed:
            ctx.add_preference(item, _opposite(polarity), 0.8, None)
        sentence = _BUT_NOT.sub(BREAK, sentence)
        believed = []
    ctx.believed = believed
    return sentence


def _opposite(polarity: str) -> str:
    return Polarity.DISLIKE.value if polarity == Polarity.LIKE.value else Polarity.LIKE.value


# --- Chinese -----------------------------------------------------------------------------------
_ZH_CLAUSE = re.compile(r"[^，,；;。！？!?]+[，,；;。！？!?]?")
_ZH_QUESTION = re.compile(r"[吗嘛呢][？?。]?$|[？?]$|(喜不喜欢|爱不爱|是不是|要不要|会不会|有没有)")
_ZH_HYPOTHETICAL = re.compile(r"(?:如果|要是|假如|假设|万一|若是|倘若|听说|据说)[^，,；;。！？!?]*|[^，,；;。！？!?]*就好了")
_ZH_NOT_THAT = re.compile(r"不是(?:说)?我?(?:不|没)[^，,；;。！？!?]*")
_ZH_QUOTE = re.compile(r"^(?P<speaker>[\u4e00-\u9fff]{1,6}?)(?:说|讲|写道|告诉我)[：:，,]\s*[“\"「]?(?P<quote>我.+)")
_ZH_BELIEF = re.compile(r"(?:总|都|一直|还|也|老|总是)?(?:觉得|以为|认为|说|坚信|相信)(?P<clause>我[^，,；;。！？!?]*)")
_ZH_BUT_NOT = re.compile(r"(?:其实|实际上|但)?我?(?:真的|其实|并)?不(?:喜欢|爱)(?:[。！!]|$)")


def chinese(sentence: str, ctx: NoteContext, read: Reader) -> str:
    """The part of a Chinese sentence that states the writer's own preferences; the rest masked."""
    quote = _ZH_QUOTE.match(sentence)
    if quote and not quote.group("speaker").startswith("我"):
        speaker = quote.group("speaker")
        if speaker not in ("他", "她", "他们", "她们"):
            ctx.add_person(speaker, None)
        return speaker + quote.group("quote")[1:]
    clauses = [c for c in _ZH_CLAUSE.findall(sentence)]
    kept = [BREAK if _ZH_QUESTION.search(c.rstrip("，,；;")) else c for c in clauses]
    sentence = "".join(kept)
    sentence = _ZH_HYPOTHETICAL.sub("；", sentence)
    sentence = _ZH_NOT_THAT.sub("；", sentence)
    return _zh_beliefs(sentence, ctx, read)


def _zh_beliefs(sentence: str, ctx: NoteContext, read: Reader) -> str:
    believed: list[tuple[str, str]] = []
    out, last = [], 0
    for m in _ZH_BELIEF.finditer(sentence):
        before = sentence[:m.start()].rstrip("也还都总")
        if before.endswith("我") and not before.endswith("没"):
            continue  # "我觉得我…": the writer's own
        scratch = NoteContext(note_date=ctx.note_date, people=list(ctx.people))
        read(m.group("clause"), scratch)
        believed.extend((p.item, p.polarity) for p in scratch.preferences)
        if scratch.preferences:
            ctx.last_item = scratch.preferences[-1].item
        out.append(sentence[last:m.start("clause")] + "；")
        last = m.end("clause")
    sentence = "".join(out) + sentence[last:]
    if believed and _ZH_BUT_NOT.search(sentence):
        for item, polarity in believed:
            ctx.add_preference(item, _opposite(polarity), 0.8, None)
        sentence = _ZH_BUT_NOT.sub("；", sentence)
    return sentence
