"""English rules for who is who: "my friend Tom", "Alice prefers…", "Mrs. Patel", "I work at Acme Corp"."""

from __future__ import annotations

import re

from memory.profile import taxonomy
from memory.profile.extract.context import NoteContext
from memory.profile.extract.items import is_plausible_item

RELATIONS = {
    "mom": "mother", "mum": "mother", "mommy": "mother", "mother": "mother", "dad": "father",
    "daddy": "father", "father": "father", "sister": "sister", "brother": "brother",
    "wife": "wife", "husband": "husband", "partner": "partner", "boyfriend": "boyfriend",
    "girlfriend": "girlfriend", "fiance": "fiancé", "fiancé": "fiancé", "fiancée": "fiancée",
    "son": "son", "daughter": "daughter", "friend": "friend", "best friend": "best friend",
    "boss": "boss", "manager": "manager", "team lead": "team lead", "colleague": "colleague",
    "coworker": "colleague", "co-worker": "colleague", "roommate": "roommate",
    "flatmate": "roommate", "housemate": "roommate", "neighbor": "neighbor",
    "neighbour": "neighbor", "cousin": "cousin", "aunt": "aunt", "uncle": "uncle",
    "grandma": "grandmother", "grandmother": "grandmother", "grandpa": "grandfather",
    "grandfather": "grandfather", "niece": "niece", "nephew": "nephew", "teacher": "teacher",
    "coach": "coach", "doctor": "doctor", "therapist": "therapist", "mentor": "mentor",
    "landlord": "landlord", "classmate": "classmate", "parents": "parents", "kids": "kids",
    "children": "children", "in-laws": "in-laws", "dentist": "dentist", "client": "client",
    "business partner": "business partner", "brother-in-law": "brother-in-law",
    "sister-in-law": "sister-in-law", "mother-in-law": "mother-in-law",
    "father-in-law": "father-in-law", "stepmom": "stepmother", "stepdad": "stepfather",
    "godmother": "godmother", "godfather": "godfather", "bestie": "best friend",
    "granny": "grandmother", "nana": "grandmother", "mama": "mother", "papa": "father",
}
# Relations said like names: "Mom said…", "Grandma's birthday".
_VOCATIVE = r"\b(?P<rel>Mom|Mum|Mommy|Mama|Dad|Daddy|Papa|Grandma|Grandpa|Granny|Nana)\b"
REL = "|".join(sorted(map(re.escape, RELATIONS), key=len, reverse=True))
MOD = r"(?:older|younger|little|big|baby|twin|step|old|new|close|good|dear)"
# Capitalised words that start sentences or name days, places of the calendar, languages…
NON_NAMES = {
    "i", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "christmas", "easter", "thanksgiving", "halloween", "new",
    "today", "tonight", "tomorrow", "yesterday", "english", "chinese", "japanese", "thai",
    "italian", "french", "spanish", "mexican", "indian", "korean", "greek", "german", "american",
    "british", "mr", "mrs", "ms", "dr", "prof", "god", "ok", "okay", "please", "thanks", "the",
    "a", "an", "this", "that", "these", "those", "it", "we", "you", "he", "she", "they", "my",
    "our", "your", "his", "her", "their", "everyone", "everybody", "nobody", "someone",
    "somebody", "people", "also", "and", "but", "so", "then", "note", "remember", "remind",
    "tell", "ask", "call", "could", "can", "would", "how", "what", "when", "where", "why", "who",
    "which", "try", "avoid", "skip", "just", "maybe", "let", "let's", "big", "huge", "not",
    "love", "loved", "hate", "really", "went", "watched", "started", "dinner", "lunch",
    "breakfast", "meeting", "book", "kids", "everything", "nothing", "there", "here",
    "unlike", "imagine", "suppose", "if", "even",
}
NAME = r"(?:(?:Mr|Mrs|Ms|Miss|Prof)\.?\s+)?[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:\s+[A-Z][a-z]+)?"
_TITLE = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Prof)\.?\s+")


def people(sentence: str, ctx: NoteContext) -> None:
    """Add the people and organisations one English sentence names to `ctx`."""
    for m in re.finditer(_VOCATIVE, sentence):
        ctx.add_person(None, RELATIONS[m.group("rel").lower()])
    for m in re.finditer(r"\b(?:Dr|Doctor)\.?\s+(?P<name>[A-Z][a-z]+)", sentence):
        ctx.add_person(f"Dr. {m.group('name')}", "doctor")
    _organisations(sentence, ctx)
    for m in re.finditer(rf"\b(?:[Mm]y|[Oo]ur)\s+(?:{MOD}\s+)?(?P<rel>{REL})(?P<pl>s)?\b"
                         rf"(?:,?\s+(?P<name>{NAME})(?:\s+and\s+(?P<name2>{NAME}))?)?", sentence):
        relation = RELATIONS[m.group("rel").lower()]
        names = [name for n in (m.group("name"), m.group("name2")) if n and (name := name_in(n, ctx))]
        if not names and m.group("pl"):
            relation += "s"
        for name in names or [None]:
            ctx.add_person(name, relation)
    for m in re.finditer(rf"\b(?P<name>{NAME}),?\s+(?:is\s+|was\s+)?my\s+(?:{MOD}\s+)?(?P<rel>{REL})\b|"
                         rf"\bmy\s+(?:{MOD}\s+)?(?P<rel2>{REL})\s+(?:is|was)\s+(?P<name2>{NAME})", sentence):
        name, rel = (m.group("name"), m.group("rel")) if m.group("name") else (m.group("name2"), m.group("rel2"))
        if name := name_in(name, ctx):
            ctx.add_person(name, RELATIONS[rel.lower()])
    _named_people(sentence, ctx)


def _named_people(sentence: str, ctx: NoteContext) -> None:
    """Names that the words around them mark as people: "for Emmy", "Neha said", "Julia's place"."""
    patterns = [
        (rf"(?<!obsessed )(?<!happy )(?<!done )(?<!bored )(?<!love )(?<!familiar )(?<!fed up )"
         rf"\b(?i:for|with|told|tell|asked|ask|call|called|meet|met|invite|invited|text|texted|email|"
         rf"emailed|thank|thanked|help|helped|miss|missed)\s+(?P<name>{NAME})\b(?!['’]s)"
         rf"(?:,?\s+and\s+(?P<name2>{NAME})\b)?", None),
        (rf"\b(?P<name>{NAME})['’]s\s+(?:place|house|home|flat|apartment|birthday|party|wedding|kids|"
         r"son|daughter|wife|husband|mom|dad|parents|family|room|car|dog|cat)\b", None),
        (rf"\b(?P<name>{NAME})\s+from\s+(?P<rel>work|the\s+office|school|college|university|class|"
         r"accounting|marketing|sales|finance|legal|engineering|hr|HR|IT|design|product|support|"
         r"my\s+team|the\s+team|the\s+lab)\b", "place"),
        (rf"\b(?P<name>{NAME})\s+(?:said|says|told|tells|asked|asks|thinks|wants|wanted|is\s+coming|came|"
         r"called|texted|invited|recommended|suggested|mentioned|loves|likes|prefers|hates|enjoys|adores|"
         r"dislikes|doesn't|does\s+not|can't|cannot|won't|never|is\s+allergic|and\s+I)\b", None),
    ]
    for pattern, kind in patterns:
        for m in re.finditer(pattern, sentence):
            relation = None
            if kind == "place":
                schooling = m.group("rel") in ("school", "college", "university", "class")
                relation = "classmate" if schooling else "colleague"
            for candidate in (m.group("name"), m.groupdict().get("name2")):
                if candidate and (name := name_in(candidate, ctx)):
                    ctx.add_person(name, relation)


def name_in(candidate: str, ctx: NoteContext) -> str | None:
    """The person's name in a capitalised run ("Meeting Ana" → "Ana", "Mrs. Patel"), or None."""
    title = _TITLE.match(candidate)
    words = candidate[title.end():].split() if title else candidate.split()
    while words and not is_name(words[0], ctx):
        words = words[1:]
    if len(words) == 2 and not is_name(words[1], ctx):
        words = words[:1]
    if not words:
        return None
    return (title.group(0).strip().rstrip(".") + ". " if title else "") + " ".join(words)


def is_name(name: str, ctx: NoteContext) -> bool:
    """Whether a capitalised word can be a person's name here (not a weekday, team, employer…)."""
    first = name.split()[0].lower()
    return (first not in NON_NAMES and first not in RELATIONS and first not in ctx.organisations
            and not taxonomy.path(name.split()[0]) and not taxonomy.path(name))


_ORG = r"(?P<org>[A-Z][\w&.'-]*(?:\s+(?:[A-Z][\w&.'-]*|&|of))*)"
_ORG_PATTERNS = [
    (rf"\bI(?:'m|\s+am|'ve\s+been|\s+have\s+been)?\s+(?:currently\s+|now\s+|still\s+)?(?:work|worked|working|intern|"
     rf"interned|interning)\s+(?:at|for)\s+{_ORG}", "employer"),
    (rf"\b(?:job|position|role|internship|offer)\s+(?:at|with)\s+{_ORG}", "employer"),
    (rf"\bI\s+(?:just\s+)?(?:joined|started\s+at)\s+{_ORG}", "employer"),
    (rf"\bI(?:'m|\s+am)\s+(?:a|an|the)\s+[\w\s-]{{1,30}}?\s+(?:at|for)\s+{_ORG}", "employer"),
    (rf"\bI\s+(?:study|studied|am\s+studying|'m\s+studying)\s+at\s+{_ORG}", "school"),
    (rf"\bI(?:'m|\s+am)\s+a\s+student\s+at\s+{_ORG}", "school"),
]


def _organisations(sentence: str, ctx: NoteContext) -> None:
    """Employers and schools the user names: "I work at Acme Corp", "I study at MIT"."""
    for pattern, relation in _ORG_PATTERNS:
        for m in re.finditer(pattern, sentence):
            org = m.group("org").rstrip(" .'")
            org = re.sub(r"\s+(?:of|&)$", "", org)
            if org.split()[0].lower() not in NON_NAMES and is_plausible_item(org):
                ctx.add_person(org, relation, kind="organisation")
