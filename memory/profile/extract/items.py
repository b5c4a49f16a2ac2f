"""Turning the words after "I love…" into a clean noun phrase, and keys for comparing items."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from memory.scripts import HAN_CHAR as CJK

MAX_REASON_CHARS = 200
PRONOUNS = {"it", "them", "they", "this", "that", "these", "those", "one", "ones"}
# Phrases that carry no preference on their own ("I love it here", "I'd like to know").
EMPTY_ITEMS = {
    "you", "anything", "everything", "something", "nothing", "stuff", "things", "thing", "what",
    "how", "when", "why", "time", "day", "way", "lot", "idea", "fun", "me", "him", "her", "us",
    "food", "know", "ask", "say", "see", "go", "do", "be", "get", "have", "try", "here", "there",
    "recipe", "recipes", "dish", "dishes", "meal", "meals", "restaurant", "place", "book", "idea",
    "worries", "problem", "rush", "thanks", "way", "one", "some", "any", "more", "less",
    "good", "great", "nice", "easy", "quick", "simple", "new", "healthy", "best", "favorite",
    "favourite", "hotel", "movie", "film", "song", "show", "app", "gift", "present",
}
# Words that are never an item by themselves ("the", "a lot").
FUNCTION_WORDS = {"the", "a", "an", "this", "that", "of", "to", "in", "on", "at", "lot", "bit", "and", "or"}
# "I don't like the taste": the taste of the thing just mentioned.
SENSES = {"taste", "smell", "texture", "flavor", "flavour", "look", "sound", "feel", "consistency"}
BAD_FIRST_WORDS = {
    "i", "i'm", "i'd", "i've", "i'll", "you", "your", "we", "he", "she", "his", "if", "when",
    "how", "what", "why", "whether", "is", "was", "are", "were", "be", "been", "to", "not",
    "no", "so", "and", "or", "but", "there", "here", "who", "which", "where", "let", "let's",
    "because", "about", "with", "of", "at", "in", "on", "for", "go", "say", "ask", "know",
}
IDIOMS = {
    "fish and chips", "mac and cheese", "salt and pepper", "rock and roll", "sweet and sour",
    "bread and butter", "rhythm and blues", "black and white", "hot and sour", "pros and cons",
    "peanut butter and jelly", "fish & chips", "r&b", "drum and bass", "bed and breakfast",
}

ADVERBS = (r"(?:really|truly|absolutely|just|also|totally|genuinely|simply|still|kind of|kinda|"
           r"sort of|definitely|honestly|actually|always|so|particularly|especially|much|"
           r"generally|usually|personally|even|seriously|very much|quite|pretty|rather|"
           r"certainly|deeply|secretly|now|already|mostly|more|do|"
           # "I've grown to like", "I've come to love": the feeling, arrived at.
           r"grown to|come to|learned to|learnt to|started to|begun to|began to)")
_LEAD = re.compile(
    r"^(?:a|an|the|this|that|these|those|some|any|my|our|your|more|most|lots of|a lot of|a bit of|a little|a few|"
    r"few|several|many|much|good|great|nice|decent|proper|real|really|very|super|extra|nicely|"
    r"perfectly|truly|pretty|quite|so|too|such|all|all kinds of|all sorts of|any kind of|"
    r"kind of|sort of|certain|other|different|new|old-fashioned|simple|easy|quick|tasty|"
    r"delicious|yummy|authentic|classic|healthy|favorite|favourite)\s+", re.I)
_VERB_LEAD = re.compile(
    r"^(?:to\s+)?(?:eat|eating|eats|drink|drinking|have|having|cook|cooking|make|making|bake|"
    r"baking|try|trying|play|playing|watch|watching|listen to|listening to|read|reading|do|doing|"
    r"go to|going to|go|going|get|getting|grill|grilling|taste|tasting|learn to play|"
    r"learning to play|learn|learning|visit|visiting|brew|brewing|order|ordering|hear|hearing|"
    r"see|seeing|fry|frying|roast|roasting|prepare|preparing|use|using)\s+", re.I)
_TRAIL = re.compile(
    r"\s+(?:(?:at|in|on|for|during|every|each|this|next|last|most|on the|in the|at the|for the|"
    r"over the|all)\s+(?:the\s+)?(?:(?:home|night|nights|work|school|weekends?|mornings?|evenings?|"
    r"afternoons?|breakfast|lunch|dinner|brunch|supper|dessert|winter|summer|spring|autumn|fall|"
    r"weekdays?|days?|week|month|year|time|times|holidays?|office|parties|party|christmas|"
    r"mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?)\b\s*){1,2}"
    r"|tonight|today|tomorrow|yesterday|now|anymore|any more|lately|these days|nowadays|again|"
    r"too|as well|a lot|so much|very much|at all|that much|either|though|please|first|the most|"
    r"the best|more and more|every day|everyday|always|sometimes|often|more|instead|really|"
    r"right now|any longer|no more|in general|myself|this time|by far|every single day|all day|"
    r"forever|all the time|entirely|completely|downtown|nearby|around here|in town|near me|"
    r"at home|to be honest|honestly|by mistake|by accident|on purpose|(?:at|in|on|by|around|for)\s+\d+\w*)$", re.I)
_CUT = re.compile(
    r"[;:.!?()\"\[\]—–]|\s-\s|\s+(?:but|though|although|because|cause|since|so|so that|when|"
    r"whenever|while|if|unless|until|as long as|rather than|instead of|more than|over|than|"
    r"compared to|versus|vs\.?|where|after|before|to me|especially|particularly|except|"
    r"apart from|and then|any tips|what|how|tastes?(?=\s+(?:like|good|bad|great|awful|weird|funny|of))|makes?|gives?|"
    r"(?:and|or)\s+(?:I|I'm|I've|I'd|we|she|he|they|it|it's|my|so|also|that|this|let's|let|"
    r"now|still|then|can|could|would|should|will|please|is|are)|"
    r"(?:I|we|you|he|she|they)\s+(?:\w+\s+)?(?:think|guess|suppose|know|said|say|mean|want|need|"
    r"should|will|can|could|would|am|'m|was|were|have|had))\b"
    r"|(?<!\bthat)(?<!\bwhich)(?<!\bwho)\s+(?:is|are|was|were)\b", re.I)
_BENEFICIARY = re.compile(
    r"\s+for\s+(?P<who>me|myself|us|him|her|them|the kids|the family|(?:my|our)\s+[a-z-]+"
    r"(?:\s+[A-Z][a-z]+)?|[A-Z][a-z]+(?:'s)?)\b")
_RELATIVE = re.compile(
    r"^(?P<n>.+?)\s+(?:that|which|who)\s+(?:is|are|'s|gets|get|turns out|comes out|come out)\s+"
    r"(?:(?:nicely|really|very|super|extra|perfectly|nice and|properly|truly|so|too|quite|pretty|"
    r"good and|actually|fully|well)\s+)*(?P<adj>[a-z][a-z-]*)$", re.I)
_PRONOUN_ADJ = re.compile(
    r"^(?P<p>it|them|they|these|those|this|that)\s+(?:(?:nicely|really|very|super|extra|perfectly|"
    r"nice and|properly|so|quite|pretty|more|a bit|a little)\s+)*(?P<adj>[a-z][a-z-]*)$", re.I)
_CONTAINER = re.compile(
    r"^(?:anything|something|everything|stuff|food|foods|dishes|meals|recipes|things|ones)\s+"
    r"(?:with|containing|that has|that have|that contains?|made with|made from|including)\s+(.+)$",
    re.I)
_CONTEXT_TAIL = re.compile(
    r"\s+(?:in|into|inside|from|of)\s+(?:the|my|your|our|his|her|their|this|that|these|those|"
    r"any|a|an|anything|everything|something|what)\b.*$", re.I)
_GENERIC_TAIL = re.compile(r"\s+(?:recipes?|ideas?|dishes|options?|suggestions?|stuff)$", re.I)


@dataclass
class Span:
    """Items cut from the words after a verb, and who they are for when the text says so."""

    items: list[str] = field(default_factory=list)
    beneficiary: str | None = None  # "me", "Emmy", "my daughter Lily", "her", ...
    reason: str | None = None


def _reason(rest: str) -> str | None:
    """A reason stated after the item: "because …", ", it tastes like soap", ", I'm allergic"."""
    m = re.search(r"\b(?:because|cause|since)\s+(.+)$", rest, re.I)
    if not m:
        m = re.search(r",\s*((?:it|it's|they|they're|that's|too|way too|makes me|gives me|"
                      r"I'm allergic|I am allergic)\b.*)$", rest, re.I)
    if not m:
        return None
    text = re.split(r"[.!?;]", m.group(1))[0].strip()[:MAX_REASON_CHARS]
    return "allergic" if re.match(r"I(?:'m| am) allergic$", text, re.I) else text


def _split_list(span: str) -> list[str]:
    """Split "swimming and cycling" and "a, b and c", keeping idioms like "mac and cheese"."""
    if span.lower() in IDIOMS:
        return [span]
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|&|/)\s+", span) if p.strip()]
    if len(parts) > 1 and any(" and " in idiom and idiom in span.lower() for idiom in IDIOMS):
        return [span]
    return parts


def _strip(item: str) -> str:
    """Peel determiners, intensifiers, leading verbs and trailing time/place words until stable."""
    previous = None
    while previous != item:
        previous = item
        item = _LEAD.sub("", item)
        rest = _VERB_LEAD.sub("", item)
        item = rest if rest.strip() else item
        item = _TRAIL.sub("", item).strip(" ,'\"")
    return item


def cut_span(rest: str) -> Span:
    """Clean the words that follow a preference verb into items, a beneficiary and a reason."""
    rest = rest.replace("’", "'").strip()
    span = Span()
    m = _CUT.search(" " + rest)  # the leading space lets the word boundaries match at the start
    head = rest[: max(m.start() - 1, 0)] if m else rest
    span.reason = _reason(rest)
    if "," in head and not re.search(r",\s*(?:\w+\s*,\s*)*(?:and|or)\s+\S+$", head):
        head = head.partition(",")[0]
    who = _BENEFICIARY.search(head)
    if who:
        span.beneficiary = who.group("who")
        head = head[: who.start()]
    head = re.split(r"\s+for\s+", head, maxsplit=1)[0]
    head = _CONTEXT_TAIL.sub("", _strip(head))
    rel = _RELATIVE.match(head)
    if rel:
        head = f"{rel.group('adj')} {_strip(rel.group('n'))}"
    head = re.split(r"\s+(?:that|which|who)\s+", head, maxsplit=1)[0]
    for part in _split_list(head):
        part = _strip(part)
        container = _CONTAINER.match(part)
        if container:
            part = _strip(container.group(1))
        if len(part.split()) > 1:
            part = _GENERIC_TAIL.sub("", part)
        pron = _PRONOUN_ADJ.match(part)
        if pron:
            part = f"{pron.group('adj')} {pron.group('p').lower()}"
        if is_plausible_item(part):
            span.items.append(part)
    return span


def is_plausible_item(item: str) -> bool:
    """Whether a cleaned phrase can stand as a preference item."""
    if not item or len(item) > 80:
        return False
    if CJK.search(item):
        return len(item) <= 20 and item not in {"你", "他", "她", "它", "我", "你们", "他们", "她们"}
    words = item.lower().split()
    if len(words) > 6 or words[0] in BAD_FIRST_WORDS or item.lower() in EMPTY_ITEMS:
        return False
    if all(w in FUNCTION_WORDS for w in words):
        return False
    return bool(re.search(r"[a-z]", item, re.I))


def resolve_pronoun(item: str, antecedent: str | None) -> str | None:
    """Replace a trailing pronoun ("it", "raw them") with the item it refers to, if known."""
    if item.lower() in SENSES or re.fullmatch(r"(?i)(?:%s) of (?:it|them)" % "|".join(SENSES), item):
        item = "it"
    words = item.split()
    if words[-1].lower() not in PRONOUNS:
        return item
    if antecedent is None:
        return None
    adjectives = [w for w in words[:-1] if w.lower() not in antecedent.lower().split()]
    return " ".join(adjectives + [antecedent])


def _singular(word: str) -> str:
    # A comparison key, not a dictionary form: "movies" and "movie" must meet, "tennis" must stay.
    for suffix, repl in (("ies", "y"), ("ie", "y"), ("oes", "o"), ("ches", "ch"), ("shes", "sh"),
                         ("xes", "x"), ("sses", "ss")):
        if word.endswith(suffix) and len(word) > len(suffix) + 1:
            return word[: -len(suffix)] + repl
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def item_key(item: str) -> str:
    """Comparison key of an item: lower case, no articles or hyphens, last word singular."""
    text = item.replace("’", "'").lower().replace("-", " ")
    text = re.sub(r"^(?:a|an|the|some|my)\s+", "", " ".join(text.split()))
    if CJK.search(text):
        return text.replace(" ", "")
    words = text.split()
    return " ".join(words[:-1] + [_singular(words[-1])]) if words else ""
