"""English rules for who likes what: "I love…", "Alice prefers…", "avoid … for me", "skip it"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from memory.profile import taxonomy
from memory.profile.extract.context import NoteContext
from memory.profile.extract.en_people import MOD, NAME, NON_NAMES, REL, RELATIONS, name_in
from memory.profile.extract.items import ADVERBS, cut_span
from memory.vocab import Polarity

# A third-person subject may be a pronoun or "my …", which NON_NAMES otherwise rejects.
NON_SUBJECTS = NON_NAMES - {"she", "he", "they", "my", "our"}
_ADV = rf"(?:(?i:{ADVERBS})\s+)*"
_ACT = (r"(?:cook|make|bake|try|eat|grill|learn(?:\s+to\s+(?:play|make|cook))?|play|taste|brew|"
        r"have|drink|read|watch|visit|prepare)")
_VERBS = [  # (verb, polarity or None for "stopped liking", confidence, retracts older likes)
    (r"no\s+longer\s+" + _ADV + r"(?:like|love|enjoy|care\s+for)s?", None, 0.0, True),
    (r"(?:stopped|quit|gave\s+up|give\s+up|have\s+given\s+up|'ve\s+given\s+up|cut\s+out)"
     r"(?:\s+(?:eating|drinking|having))?", Polarity.DISLIKE, 0.8, True),
    (r"no\s+longer\s+" + _ADV + r"(?:eat|drink|have)s?", Polarity.DISLIKE, 0.8, True),
    (r"(?:don't|dont|do\s+not|doesn't|does\s+not|didn't|did\s+not|never)\s+" + _ADV +
     r"(?:like|love|enjoy|care\s+for|fancy|dig)(?:s|d|ed)?", Polarity.DISLIKE, 0.8, False),
    (r"(?:don't|dont|do\s+not|doesn't|does\s+not|never|won't|will\s+not|can't|cannot|can\s+not|"
     r"couldn't)\s+" + _ADV + r"(?:eat|drink|have|touch|stomach|tolerate|handle)s?", Polarity.DISLIKE, 0.8, False),
    (r"(?:can't|cannot|can\s+not|couldn't)\s+" + _ADV + r"(?:stand|bear|deal\s+with|handle|do|take|get\s+into|"
     r"get\s+behind)", Polarity.DISLIKE, 0.9, False),
    (r"(?:refuse|refuses|refused)\s+to\s+(?:eat|drink|touch|try|wear|watch)", Polarity.DISLIKE, 0.85, False),
    (r"(?:hate|hates|hated|hating|detest|detests|detested|loathe|loathes|despise|despises)", Polarity.DISLIKE, 0.9, False),
    (r"(?:dislike|dislikes|disliked)", Polarity.DISLIKE, 0.8, False),
    (r"(?:(?:try|tries|tend|tends|want|wants|need|needs|prefer|prefers)\s+to\s+)?(?:avoid|avoids|avoided)",
     Polarity.DISLIKE, 0.8, False),
    (r"(?:stay|stays|stayed)\s+away\s+from|steers?\s+clear\s+of", Polarity.DISLIKE, 0.8, False),
    (r"(?:'d|\s+would)\s+rather\s+not(?:\s+(?:have|eat|drink|get))?", Polarity.DISLIKE, 0.7, False),
    (r"(?:'d|\s+would)\s+(?:love|like|prefer)\s+to\s+" + _ACT, Polarity.LIKE, 0.6, False),
    (r"(?:'d|\s+would)\s+(?:much\s+|far\s+)?(?:prefer|rather(?:\s+(?:have|go|do|eat|drink|get|watch|play|read))?|"
     r"pick|choose|go\s+for|opt\s+for)", Polarity.LIKE, 0.7, False),
    (r"(?:can't|cannot|can\s+not|couldn't)\s+live\s+without(?:\s+my)?", Polarity.LIKE, 0.85, False),
    (r"(?:get|gets|got)\s+(?:so\s+|really\s+)?(?:bored|stressed(?:\s+out)?|worn\s+out)\s+(?:at|by|with|of)",
     Polarity.DISLIKE, 0.7, False),
    (r"(?:want|wants|wanna|plan|plans|hope|hopes|'m\s+planning|am\s+planning|'m\s+trying|"
     r"am\s+trying|'m\s+going|am\s+going)\s+to\s+" + _ACT, Polarity.LIKE, 0.5, False),
    (r"(?:have|has)\s+a\s+soft\s+spot\s+for|can't\s+get\s+enough\s+of|never\s+get\s+tired\s+of",
     Polarity.LIKE, 0.9, False),
    (r"(?:love|loves|loved|loving|adore|adores|adored|could\s+eat|could\s+live\s+on)", Polarity.LIKE, 0.9, False),
    (r"(?:like|likes|liked|liking|enjoy|enjoys|enjoyed|enjoying|prefer|prefers|preferred|fancy|fancies|"
     r"digging)", Polarity.LIKE, 0.8, False),
]
_COPULA_VERBS = [  # after "I'm", "she is", or nothing in a subject-less note ("Big fan of …")
    (r"not\s+" + _ADV + r"(?:much\s+of\s+)?(?:a\s+)?(?:big\s+|huge\s+|great\s+)?(?:fan\s+of|into|keen\s+on|"
     r"fond\s+of|crazy\s+about|big\s+on|interested\s+in)", Polarity.DISLIKE, 0.8, False),
    (r"(?:allergic|intolerant)\s+to", Polarity.DISLIKE, 0.95, False),
    (r"(?:sick|tired)\s+of|avoiding", Polarity.DISLIKE, 0.7, False),
    (r"(?:a\s+)?(?:big\s+|huge\s+|massive\s+|great\s+)?fan\s+of|into|crazy\s+about|obsessed\s+with|"
     r"fond\s+of|keen\s+on|partial\s+to|hooked\s+on|addicted\s+to|passionate\s+about|big\s+on|"
     r"(?:really\s+|so\s+)?looking\s+forward\s+to", Polarity.LIKE, 0.85, False),
]
_FROM = r"\s+from\s+(?:the\s+)?[a-z]+"  # "Mark from accounting"
_OTHER = (rf"(?P<other>(?:[Mm]y|[Oo]ur)\s+(?:{MOD}\s+)?(?:{REL})(?:,?\s+{NAME})?|\b[Ss]he\b|\b[Hh]e\b|"
          rf"\b[Tt]hey\b|\b{NAME}(?:{_FROM})?),?")
_IMPERATIVE = re.compile(
    r"(?:^|[,;:]\s*|\b(?:and|so|but|then|also)\s+)(?i:(?:(?:please|pls|also|just|try\s+to|try\s+and|"
    r"can\s+you|could\s+you|would\s+you|kindly|remember\s+to)\s+)*)(?P<verb>(?i:avoid|skip|leave\s+out|hold|omit|"
    r"drop|cut\s+out|no\s+more|no|without|stop\s+(?:recommending|suggesting|sending|showing|giving\s+me)|"
    r"(?:don't|do\s+not)\s+(?:add|put|use|include|suggest|recommend|give\s+me|make|serve|cook\s+with)))"
    r"\s+(?P<rest>.+)")
_NEVER = re.compile(r"(?:^|,\s*)(?i:(?:please\s+)?never\s+(?:book|give|send|serve|suggest|recommend|make|get|order)"
                    r"(?:\s+(?:me|us))?(?:\s+(?:on|with|into))?)\s+(?P<rest>.+)")
_WITHOUT = re.compile(r"(?i:\b(?:meals|food|recipes|dishes|something|anything|one|it|them)\s+without)\s+(?P<rest>.+)")
_REQUESTS = [
    re.compile(r"(?i:\bhow\s+(?:can|do|should|would|could|to)\s+(?:I\s+|we\s+|you\s+|one\s+)?(?:best\s+)?"
               r"(?:make|cook|bake|prepare|grill|fry|roast|brew|whip\s+up))\s+(?P<rest>.+)"),
    re.compile(r"(?i:\brecipes?\s+(?:for|of))\s+(?P<rest>.+)"),
    re.compile(r"(?i:\b(?:teach|show)\s+me\s+(?:how\s+)?to\s+(?:make|cook|bake|prepare))\s+(?P<rest>.+)"),
    # "a vegetarian lasagna recipe": the item sits before the word.
    re.compile(r"(?i:\b(?:a|an|some|the|good|easy|quick)\s+)(?P<rest>[\w' -]+?)(?i:\s+recipes?\b)(?P<tail>.*)"),
]
_RECOMMEND = re.compile(r"(?i:\b(?:recommend|suggest)(?:\s+me)?)\s+(?P<rest>.+)")
_OBJECT = re.compile(
    r"(?i:\b(?:tried|had|ate|made|cooked|baked|bought|got|ordered|brought\s+over|brought|gave\s+(?:me|us|him|her)|"
    r"plays|played|watched|drank|found|grilled|picked\s+up|wants?|wanted|asked\s+for|craving|"
    r"is\s+craving|signed\s+up\s+for|booked|registered\s+for|enrolled\s+in|(?:re)?watching|"
    r"(?:re)?reading|listening\s+to|playing|recommending|recommended|suggesting|suggested|started|"
    r"began|took\s+up|taking|joined))\s+(?P<rest>.+)")
_LOOKING_FORWARD = re.compile(r"(?:^|,\s*|\bI(?:'m|\s+am)\s+)(?i:(?:really\s+|so\s+)?looking\s+forward\s+to)"
                              r"\s+(?P<rest>.+)")
_ESPECIALLY = re.compile(r"(?i:\b(?:especially|particularly|in\s+particular|above\s+all))\s+(?P<rest>.+)")
_NO_MORE = re.compile(r"(?i:\bno\s+more)\s+(?P<rest>.+)")
# At most six words before the predicate: bounded, so that matching stays linear.
_NP = r"(?<![^\s,;:.!?])(?P<np>[^\s,;:.!?]+(?:\s+[^\s,;:.!?]+){0,5}?)"
_PREDICATES = [  # the item comes first: "milk chocolate is too sweet for me"
    (re.compile(_NP + r"\s+(?i:is|are|was|were|'s|'re)\s+(?i:way\s+|just\s+|a\s+bit\s+|a\s+little\s+|far\s+|much\s+)?"
                r"(?i:too)\s+(?P<adj>[a-z]+)\s+(?i:for\s+me)"), Polarity.DISLIKE, 0.7),
    (re.compile(_NP + r"\s+(?i:is|are)(?:n't|\s+not)\s+(?i:really\s+|quite\s+)?(?i:for\s+me|my\s+thing|"
                r"my\s+cup\s+of\s+tea|my\s+jam)"), Polarity.DISLIKE, 0.8),
    (re.compile(_NP + r"\s+(?i:doesn't|don't|does\s+not|do\s+not)\s+(?i:agree\s+with\s+me)"), Polarity.DISLIKE, 0.8),
    (re.compile(_NP + r"\s+(?i:is|are|'s)\s+(?i:more\s+|really\s+|totally\s+)?my\s+(?i:absolute\s+|all-time\s+)?"
                r"(?i:fav(?:ou?rite)?|thing|jam|kind\s+of\s+thing)\b"), Polarity.LIKE, 0.9),
    # Preferences said without a liking word: "long walks keep me going", "meetings drain me".
    (re.compile(_NP + r"\s+(?i:(?:is|are)\s+what\s+)?(?i:always\s+|really\s+|just\s+)?(?i:(?:keeps?|kept)\s+me\s+"
                r"(?:going|sane|happy|grounded|motivated|alive)|(?:cheers?|cheered)\s+me\s+up|(?:relax(?:es)?|calms?)\s+me"
                r"|makes?\s+me\s+(?:so\s+|really\s+)?(?:happy|smile))\b"), Polarity.LIKE, 0.7),
    (re.compile(_NP + r"\s+(?i:is|are)\s+my\s+(?i:biggest\s+|greatest\s+|one\s+)?(?i:weakness|guilty\s+pleasure|"
                r"happy\s+place)\b"), Polarity.LIKE, 0.8),
    (re.compile(_NP + r"\s+(?i:always\s+|really\s+|just\s+)?(?i:(?:drains?|exhausts?|tires?)\s+me|stress(?:es)?\s+me\s+out|"
                r"wears?\s+me\s+out|makes?\s+me\s+(?:so\s+|really\s+)?(?:miserable|anxious|tired|sad|grumpy|cranky|sick))\b"),
     Polarity.DISLIKE, 0.7),
    (re.compile(_NP + r"\s+(?i:never\s+gets?\s+old|always\s+hits?\s+the\s+spot|makes?\s+my\s+day|"
                r"(?:is|are)\s+the\s+highlight\s+of\s+my)"), Polarity.LIKE, 0.7),
    (re.compile(_NP + r"\s+(?i:bores?|bored|annoys?|annoyed|drives?\s+me\s+(?:crazy|nuts|mad))\s+me\b"),
     Polarity.DISLIKE, 0.7),
    (re.compile(_NP + r"\s+(?i:is|are|was|were|'s)\s+(?i:so\s+|really\s+|just\s+|absolutely\s+|honestly\s+)?"
                r"(?i:great|amazing|awesome|the\s+best|delicious|fantastic|excellent|incredible|so\s+good|"
                r"underrated|perfect|wonderful|lovely|(?:so\s+)?much\s+fun|fun|relaxing)\b"), Polarity.LIKE, 0.6),
    (re.compile(_NP + r"\s+(?i:is|are|was|were|'s)\s+(?i:so\s+|really\s+|just\s+|absolutely\s+|honestly\s+)?"
                r"(?i:gross|disgusting|awful|terrible|overrated|the\s+worst|horrible|nasty|boring)\b"), Polarity.DISLIKE, 0.6),
]
# "I find networking events exhausting": the feeling comes after the item.
_FIND = re.compile(r"\bI\s+(?i:find|found)\s+(?P<np>[^,;.!?]+?)\s+(?i:so\s+|really\s+|pretty\s+|quite\s+|very\s+|"
                   r"incredibly\s+|super\s+|utterly\s+)?(?P<adj>(?i:exhausting|boring|tedious|draining|stressful|"
                   r"annoying|tiresome|overwhelming|dull|unbearable|relaxing|soothing|calming|fun|inspiring|"
                   r"energi[sz]ing|therapeutic|fascinating))\b")
_FIND_LIKES = {"relaxing", "soothing", "calming", "fun", "inspiring", "energising", "energizing", "therapeutic",
               "fascinating"}
# Terse notes: "Tea over coffee any day."; "Not interested." about what was just mentioned.
_TERSE = [
    (re.compile(r"^(?P<rest>[\w' -]+?)\s+(?i:over|rather\s+than|instead\s+of)\s+[\w' -]+?,?\s+"
                r"(?i:any\s+day|every\s+time|always|all\s+day)\W*$"), Polarity.LIKE, 0.7),
    (re.compile(r"^(?i:(?:I'm\s+|I\s+am\s+)?(?:not\s+interested|not\s+for\s+me|not\s+my\s+thing|no\s+thanks))"
                r"(?P<rest>)\W*$"), Polarity.DISLIKE, 0.6),
    (re.compile(r"(?:^|\bI(?:'m|\s+am)\s+)"
                r"(?i:(?:totally\s+|completely\s+|so\s+|now\s+)?(?:hooked|sold|in\s+love|obsessed))"
                r"(?P<rest>)\W*$"), Polarity.LIKE, 0.7),
]
_FAVOURITE = re.compile(r"(?i:\bmy\s+(?:absolute\s+|all-time\s+)?(?:fav(?:ou?rite)?s?|go-to)"
                        r"(?:\s+[a-z-]+){0,2}\s+(?:is|are))"
                        r"\s+(?P<rest>.+)")
# "I'm a cat person", "Not a morning person".
_PERSON_TYPE = re.compile(r"(?:\bI(?:'m|\s+am)\s+|^)(?P<neg>(?i:not)\s+)?"
                          r"(?i:(?:really|definitely|totally|such|more\s+of|"
                          r"much\s+more\s+of|kind\s+of)\s+)*(?i:an?)\s+(?P<rest>[a-z]+(?:\s+[a-z]+)?)\s+(?i:person)\b")
_DIETS_RE = r"(?:vegetarian|vegan|pescatarian)"
_DIET = re.compile(rf"(?:\bI|{_OTHER})(?:'m|'s|\s+am|\s+is|\s+are|'re)\s+"
                   rf"(?:(?:now|a|fully|strictly|mostly|going|also)\s+)*(?P<d1>{_DIETS_RE})\b|"
                   rf"^(?i:going|gone|went|now|trying)\s+(?P<d3>{_DIETS_RE})\b|"
                   rf"(?:\bI|{_OTHER.replace('other', 'other2')})\s+"
                   r"(?:went|became|have\s+gone|'ve\s+gone|has\s+gone|turned|"
                   r"have\s+become|'ve\s+become|has\s+become)\s+(?P<d2>vegetarian|vegan|pescatarian)")
DIETS = {"vegetarian": ["meat", "seafood"], "vegan": ["meat", "seafood", "dairy", "eggs"], "pescatarian": ["meat"]}
_INTOLERANT = re.compile(r"(?<![\w'])([a-z]{3,})[- ](intolerant|allergic)\b(?!\s+to)")
_NOT_ALLERGENS = {"are", "was", "were", "been", "being", "very", "really", "not", "also", "mildly", "severely",
                  "slightly", "extremely", "quite", "too", "super", "getting", "become", "became", "seriously"}
_ANYMORE = re.compile(r"(?i:\b(?:anymore|any\s+more|no\s+longer)\b)")


@dataclass
class _Hit:
    start: int
    end: int
    kind: str  # "user", "other", "imperative", "request", "recommend", "object", "especially"
    rest: str
    polarity: str | None = None
    confidence: float = 0.5
    retracts: bool = False
    subject: str | None = None


def _compile_verb_patterns() -> list[tuple[re.Pattern, str, str | None, float, bool]]:
    """(pattern, subject kind, polarity, confidence, retracts) for every subject form and verb."""
    forms = [(r"(?:\bI(?:'ve|\s+have|'m|\s+am)?(?:\s+been)?\b|^)\s*" + _ADV, _VERBS, "user"),
             (r"(?:\bI(?:'m|\s+am|\s+was|'ve\s+(?P<never>never\s+)?(?:always\s+)?been|"
              r"\s+have\s+(?P<never2>never\s+)?(?:always\s+)?been)\s+|^)" + _ADV, _COPULA_VERBS, "user"),
             (_OTHER + r"\s*" + _ADV, _VERBS, "other"),
             (_OTHER + r"(?:'s|\s+is|\s+are|'re|\s+was|\s+were)\s+" + _ADV, _COPULA_VERBS, "other")]
    # The verb starts a word (or is "'d …"): "Unlike my brother" is not "Un" + "like".
    return [(re.compile(subject + rf"(?P<verb>(?:(?<![A-Za-z])|(?='))(?i:{verb}))\s+(?P<rest>.+)"), kind, polarity, confidence,
             retracts)
            for subject, verbs, kind in forms for verb, polarity, confidence, retracts in verbs]


_VERB_PATTERNS = _compile_verb_patterns()


def _verb_hits(sentence: str) -> list[_Hit]:
    """Preference verbs with their subjects: the user's ("I", or none in a terse note) or others'."""
    hits = []
    for pattern, kind, polarity, confidence, retracts in _VERB_PATTERNS:
        for m in pattern.finditer(sentence):
            other = m.groupdict().get("other")
            if kind == "other" and other.split()[0].lower() in NON_SUBJECTS:
                continue
            never = m.groupdict().get("never") or m.groupdict().get("never2")
            stated = Polarity.DISLIKE if never and polarity == Polarity.LIKE else polarity  # "never been a fan of"
            hits.append(_Hit(m.start("verb"), m.end("verb"), kind, m.group("rest"), stated,
                             confidence, retracts, other))
    return hits


def _pattern_hits(sentence: str) -> list[_Hit]:
    """Imperatives, requests, "especially…", and objects that "it" may later refer to."""
    hits = [_Hit(m.start("verb"), m.end("verb"), "imperative", m.group("rest"), Polarity.DISLIKE, 0.7,
                 m.group("verb").lower().startswith("no more")) for m in _IMPERATIVE.finditer(sentence)
            if m.group("verb").lower() not in ("no", "without") or _addressed_to_me(m.group("rest"), m.start() == 0)]
    hits += [_Hit(m.start(), m.start("rest"), "imperative", m.group("rest"), Polarity.DISLIKE, 0.7, True)
             for m in _NO_MORE.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "imperative", m.group("rest"), Polarity.DISLIKE, 0.7)
             for m in [*_WITHOUT.finditer(sentence), *_NEVER.finditer(sentence)]]
    for pattern in _REQUESTS:
        hits += [_Hit(m.start(), m.start("rest"), "request", m.group("rest") + (m.groupdict().get("tail") or ""),
                      Polarity.LIKE, 0.5) for m in pattern.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "recommend", m.group("rest"), Polarity.LIKE, 0.5)
             for m in _RECOMMEND.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "user", m.group("rest"), Polarity.LIKE, 0.9)
             for m in _FAVOURITE.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "user", m.group("rest"),
                  Polarity.DISLIKE if m.group("neg") else Polarity.LIKE, 0.7)
             for m in _PERSON_TYPE.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "user", m.group("rest"), Polarity.LIKE, 0.7)
             for m in _LOOKING_FORWARD.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "especially", m.group("rest"))
             for m in _ESPECIALLY.finditer(sentence)]
    hits += [_Hit(m.start(), m.start("rest"), "object", m.group("rest"))
             for m in _OBJECT.finditer(sentence)]
    return hits


def _addressed_to_me(rest: str, opens_sentence: bool) -> bool:
    """Whether a bare "no X" is a request about the user's food ("No onions, please", "no nuts
    for me") rather than someone else's instructions ("no swimming in the canal" for the dog)."""
    clause = re.split(r"[,;.!?]", rest, maxsplit=1)[0]
    polite = re.search(r"(?i)\b(?:please|for\s+me|thanks|thank\s+you)\b", rest)
    return bool(polite) or (opens_sentence and len(clause.split()) <= 2)


def _holder_of(subject: str, ctx: NoteContext) -> str | None:
    """The holder named by a third-person subject: "my sister Ana" → Ana, "she" → the last person."""
    subject = re.sub(_FROM + "$", "", subject.rstrip(","))
    if subject.lower() in {"she", "he", "they"}:
        return ctx.last_person
    m = re.match(rf"(?:[Mm]y|[Oo]ur)\s+(?:{MOD}\s+)?(?P<rel>{REL}),?\s*(?P<name>{NAME})?$", subject)
    if m:
        return ctx.add_person(m.group("name"), RELATIONS[m.group("rel").lower()])
    relation = RELATIONS.get(subject.lower())
    if relation:  # "Dad prefers fish": a relation used as a name
        return ctx.add_person(None, relation)
    if subject.lower() in ctx.organisations or taxonomy.path(subject):
        return None
    return ctx.add_person(subject, None)


def _beneficiary_holder(who: str | None, ctx: NoteContext) -> str | None | bool:
    """The holder a "… for X" phrase names; None = the user, False = nobody in particular."""
    if who and re.match(r"(?:my|our)\s", who):
        return _holder_of(who, ctx)
    if who and who[0].isupper():
        name = who.removesuffix("'s")
        name = name_in(name, ctx)
        return ctx.add_person(name, None) if name else None
    return ctx.holder_for(who)


def _apply(hit: _Hit, sentence: str, ctx: NoteContext, previous: _Hit | None) -> _Hit | None:
    """Turn one hit into preferences in `ctx`; return it when later "especially" may inherit it."""
    span = cut_span(hit.rest)
    if hit.kind == "object":
        if span.items:
            ctx.last_item = span.items[-1]
        return None
    holder: str | None | bool = None
    if hit.kind == "other":
        holder = _holder_of(hit.subject, ctx)
        if holder is None:
            return None
    elif hit.kind in ("imperative", "request", "recommend"):
        holder = _beneficiary_holder(span.beneficiary, ctx)
        if hit.kind == "imperative" and span.beneficiary is None and ctx.sentence_holder:
            return None  # "He hates mushrooms, so no risotto": said for him, not a taste of the user's
    elif hit.kind == "especially":
        if previous is None:
            return None
        hit.polarity, hit.confidence, hit.subject = previous.polarity, previous.confidence, previous.subject
        holder = None if previous.kind != "other" else _holder_of(previous.subject, ctx)
    if holder is False:
        return None
    items = span.items
    if hit.kind == "recommend":
        items = [i for i in items if taxonomy.classify(i)]  # a known topic, not "a good plumber"
    reason = "allergic" if re.match(r"(?i)allergic", sentence[hit.start:hit.end]) else span.reason
    for item in items:
        if hit.polarity is not None:
            ctx.add_preference(item, hit.polarity, hit.confidence, holder, reason)
        if holder is None and (hit.retracts or (hit.polarity == Polarity.DISLIKE and _ANYMORE.search(sentence))):
            ctx.add_negation(item)
    return hit


def _predicates(sentence: str, ctx: NoteContext) -> None:
    """Statements whose item comes first: "X is too sweet for me", "X is my favourite"."""
    for pattern, polarity, confidence in _PREDICATES:
        for m in pattern.finditer(sentence):
            np = re.split(r"(?i)\b(?:but|and|so|because|though|while|then|since|I think)\b|,", m.group("np"))[-1]
            if _names_someone(np.strip(), ctx):
                continue  # "my sister is great" is about her, not a taste
            span = cut_span(np.strip())
            gerund = re.match(r"(?i)([a-z]+ing)\s+(.+)$", np.strip())
            if gerund and span.items == [gerund.group(2)]:
                span.items = [np.strip()]  # "Baking bread is my happy place": the activity, not the bread
            reason = f"too {m.group('adj')}" if "adj" in m.groupdict() else None
            for item in span.items:
                ctx.add_preference(item, polarity, confidence, None, reason)
    for m in _FIND.finditer(sentence):
        polarity = Polarity.LIKE if m.group("adj").lower() in _FIND_LIKES else Polarity.DISLIKE
        for item in cut_span(m.group("np")).items:
            ctx.add_preference(item, polarity, 0.7, None, m.group("adj").lower())
    for pattern, polarity, confidence in _TERSE:
        for m in pattern.finditer(sentence):
            for item in cut_span(m.group("rest") or "it").items:
                ctx.add_preference(item, polarity, confidence, None)


def _names_someone(np: str, ctx: NoteContext) -> bool:
    """Whether a noun phrase is a person ("my sister", "she", "Ana"), not a thing."""
    first = np.split()[0].lower() if np.split() else ""
    if np.lower() == "they" and ctx.last_item:
        return False  # "brought over samosas, they were amazing": the things just named
    if first in ("my", "our", "his", "her", "their", "she", "he", "they", "i", "you", "we", "everyone"):
        return True
    return any(p.name and p.name.lower() == np.lower() for p in ctx.people)


def _diets(sentence: str, ctx: NoteContext) -> None:
    """ "I'm vegetarian now" dislikes, and retracts, whole food categories."""
    for m in _DIET.finditer(sentence):
        diet = (m.group("d1") or m.group("d2") or m.group("d3")).lower()
        subject = m.group("other") or m.group("other2")
        if subject and subject.split()[0].lower() in NON_SUBJECTS:
            continue
        holder = _holder_of(subject.rstrip(","), ctx) if subject else None
        if subject and holder is None:
            continue
        for item in DIETS[diet]:
            ctx.add_preference(item, Polarity.DISLIKE, 0.9, holder, diet)
            if holder is None:
                ctx.add_negation(item)


def preferences(sentence: str, ctx: NoteContext) -> None:
    """Add the preferences stated in one English sentence to `ctx`, in reading order."""
    ctx.sentence_holder = None
    # "lactose intolerant" reads as "intolerant to lactose", which the copula verbs know.
    sentence = _INTOLERANT.sub(
        lambda m: m.group(0) if m.group(1) in _NOT_ALLERGENS else f"{m.group(2)} to {m.group(1)}", sentence)
    sentence = re.sub(r"\b([a-z]+)-free\b", r"avoiding \1", sentence)  # "Oscar is gluten-free"
    _diets(sentence, ctx)
    hits = sorted(_verb_hits(sentence) + _pattern_hits(sentence), key=lambda h: (h.start, -h.end))
    taken: list[tuple[int, int]] = []
    previous = None
    for hit in hits:
        if any(s < hit.end and hit.start < e for s, e in taken):
            continue  # "don't like" already read; do not read its "like" again
        taken.append((hit.start, hit.end))
        applied = _apply(hit, sentence, ctx, previous)
        previous = applied or previous
    _predicates(sentence, ctx)
