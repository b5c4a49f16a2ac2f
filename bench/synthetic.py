"""Synthetic personal notes and search queries for the benchmarks, deterministic from a seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

# Topics a person writes about; each sentence template draws its slots from the topic's words,
# so a note reads like one subject while the vocabulary across 100k notes stays wide.
TOPICS: dict[str, dict[str, list[str]]] = {
    "work": {
        "thing": ["roadmap", "sprint review", "quarterly plan", "design doc", "budget", "onboarding deck",
                  "incident report", "hiring loop", "customer call", "release notes", "retro", "OKRs",
                  "migration plan", "pricing page", "dashboard", "contract", "security audit", "demo"],
        "verb": ["reviewed", "rewrote", "presented", "finished", "started", "pushed back on", "shipped",
                 "postponed", "drafted", "signed off", "debugged", "argued about"],
        "detail": ["the deadline moved to Friday", "legal wants another pass", "the numbers finally add up",
                   "nobody read the pre-read", "we cut scope by a third", "the client loved the prototype",
                   "latency doubled after the deploy", "two people are out sick", "the vendor missed the SLA"],
    },
    "cooking": {
        "thing": ["risotto", "sourdough", "ramen", "shakshuka", "lasagna", "curry", "banana bread",
                  "kimchi", "tacos al pastor", "pesto", "dumplings", "paella", "granola", "focaccia",
                  "miso soup", "lentil stew", "pavlova", "gnocchi"],
        "verb": ["made", "burnt", "improvised", "tried a new recipe for", "meal-prepped", "baked",
                 "overseasoned", "perfected", "froze a batch of"],
        "detail": ["too much salt again", "the starter was sluggish", "used smoked paprika instead",
                   "doubled the garlic", "it needed acid, added lime", "kids asked for seconds",
                   "the oven runs hot, drop it 15 degrees", "next time soak the beans overnight"],
    },
    "running": {
        "thing": ["tempo run", "long run", "interval session", "easy jog", "hill repeats", "parkrun",
                  "recovery run", "track workout", "trail loop", "fartlek"],
        "verb": ["did a", "skipped the", "cut short the", "nailed the", "struggled through the"],
        "detail": ["splits were even", "calf felt tight", "heart rate stayed in zone two", "humid and slow",
                   "new personal best", "headwind on the way back", "shoes are wearing out",
                   "legs heavy from yesterday"],
    },
    "health": {
        "thing": ["dentist", "physio", "GP appointment", "blood test", "eye exam", "allergy flare-up",
                  "migraine", "sleep", "back pain", "vitamin D", "flu jab", "therapy session"],
        "verb": ["booked the", "had the", "rescheduled the", "followed up on the", "worried about the"],
        "detail": ["results look normal", "need a follow-up in six weeks", "prescribed ibuprofen",
                   "told to stretch every morning", "slept nine hours finally", "cut caffeine after noon",
                   "insurance covers most of it"],
    },
    "travel": {
        "thing": ["flight", "train to the coast", "hotel", "road trip", "hostel", "ferry", "layover",
                  "visa", "rental car", "museum pass", "walking tour", "airport lounge"],
        "verb": ["booked the", "missed the", "upgraded the", "cancelled the", "loved the", "complained about the"],
        "detail": ["gate changed twice", "the view was unreal", "lost a sock somewhere",
                   "cheaper than expected", "rained the whole day", "met a couple from Lyon",
                   "the old town is tiny but beautiful"],
    },
    "money": {
        "thing": ["rent", "electricity bill", "savings goal", "tax return", "pension", "credit card",
                  "subscription", "insurance renewal", "expense report", "refund", "index fund"],
        "verb": ["paid the", "disputed the", "cancelled the", "moved money into the", "filed the", "checked the"],
        "detail": ["up 8% from last year", "found a duplicate charge", "saved 200 this month",
                   "due on the 15th", "switched to a cheaper plan", "need receipts from March"],
    },
    "home": {
        "thing": ["leaky tap", "balcony plants", "bookshelf", "washing machine", "spare room", "boiler",
                  "window blinds", "compost bin", "garden bed", "smoke alarm", "paint samples"],
        "verb": ["fixed the", "repotted the", "assembled the", "cleaned out the", "called someone about the",
                 "finally sorted the"],
        "detail": ["took all afternoon", "missing two screws", "landlord will pay", "tomatoes are ripening",
                   "the basil bolted", "neighbours complained about the noise"],
    },
    "reading": {
        "thing": ["novel", "biography", "essay collection", "sci-fi book", "history of Rome", "poetry",
                  "graphic novel", "cookbook", "audiobook", "long-read article", "book club pick"],
        "verb": ["finished the", "abandoned the", "started the", "reread the", "recommended the"],
        "detail": ["the ending felt rushed", "underlined half of it", "slow first hundred pages",
                   "would give it four stars", "perfect for the commute", "the translation is clunky"],
    },
    "social": {
        "thing": ["birthday dinner", "board game night", "barbecue", "coffee", "wedding", "housewarming",
                  "pub quiz", "concert", "picnic", "video call", "brunch"],
        "verb": ["went to a", "hosted a", "skipped the", "organised a", "left early from the"],
        "detail": ["we came third", "talked until 2am", "brought the lemon cake", "everyone was late",
                   "the band was too loud", "caught up on a year of gossip"],
    },
    "learning": {
        "thing": ["Spanish lesson", "guitar practice", "Japanese flashcards", "online course", "chess puzzles",
                  "pottery class", "SQL tutorial", "drawing exercise", "piano scales"],
        "verb": ["did my", "fell behind on", "doubled up on", "restarted the", "enjoyed the"],
        "detail": ["streak is at 40 days", "chords still buzz", "kanji are sticking better",
                   "teacher moved the class", "finally understood window functions"],
    },
}

PEOPLE = ["Priya", "Marco", "Helen", "Jonas", "Lena", "Tomasz", "Aiko", "Fatima", "Diego", "Grace",
          "Olu", "Sven", "Mei", "Rahul", "Chloe", "Ben", "Yusuf", "Ines", "Kofi", "Hannah", "Luca",
          "Noor", "Erik", "Sofia", "Daniel", "Amara", "Felix", "Rosa", "Kenji", "Zara"]
PLACES = ["Lisbon", "Berlin", "the office", "the park", "Porto", "Kyoto", "the climbing gym", "the cafe on 5th",
          "Grandma's house", "the farmers market", "Copenhagen", "the library", "Brighton", "the river path",
          "Madrid", "the coworking space", "Oslo", "the lake", "Vienna", "the allotment"]
MOODS = ["Tired but happy.", "Felt scattered all day.", "Good energy today.", "Anxious about next week.",
         "Quiet, productive day.", "Couldn't focus after lunch.", "Grateful for small things.", ""]

# Mixed-script notes: unspaced text the search must still find.
CJK_SENTENCES = ["今日は友達と京都でラーメンを食べました。", "明日の会議の資料をまだ作っていない。",
                 "新しいランニングシューズを買った。", "週末は雨だったので家で本を読んだ。",
                 "歯医者の予約を来週に変更した。", "上海出差三天，会议很顺利。", "周末和家人去公园散步。",
                 "今天学了二十个新汉字。", "这本小说的结局让我很意外。", "晚饭做了红烧肉，味道不错。",
                 "한국어 수업이 재미있었다.", "오늘은 비가 와서 집에 있었다."]

TIME_PHRASES = ["last week", "yesterday", "in March", "last month", "this year", "in 2023", "last summer",
                "two weeks ago", "on Monday", "last weekend", "in January 2022", "this morning"]
QUERY_EXTRAS = ['"sprint review"', "budget OR rent", "NOT dentist", "curry AND garlic", "run*", "pesto -basil",
                "(flight hotel)", "NEAR(rent bill)", "title:roadmap", "^Priya", "🏃 run", "why?", ""]

# Everyday words for free-form sentences: a real person's notes use tens of thousands of distinct
# words, and how often each one occurs decides how long the full-text posting lists are.
ADJECTIVES = """wobbly shiny cracked sticky quiet noisy borrowed second-hand enormous tiny spare broken faded
    handmade vintage soggy crispy bright dusty tangled leftover expensive cheap heavy fragile lopsided
    waterproof rusty polished muddy frozen overripe stale fresh lukewarm bitter sweet salty smoky bland
    gorgeous awkward clumsy patient stubborn cheerful grumpy sleepy restless curious nervous generous
    foggy windy humid chilly scorching drizzly overcast stormy mild crisp damp slippery narrow crowded
    empty cosy spacious draughty musty fragrant peeling creaky squeaky flimsy sturdy portable""".split()
NOUNS = """umbrella kettle toaster blender ladder hammock lantern bucket sponge doormat curtain pillow blanket
    mattress wardrobe drawer cupboard fridge freezer dishwasher microwave stove radiator thermostat fuse
    doorbell mailbox parcel envelope stamp receipt invoice warranty charger cable adapter keyboard monitor
    printer scanner router headphones speaker tripod camera lens backpack suitcase passport wallet keychain
    bicycle helmet scooter tyre pedal saddle tram ferry taxi platform ticket timetable detour roundabout
    hedge shovel wheelbarrow seedling compost fence trellis birdfeeder squirrel pigeon heron hedgehog
    fox moth beetle snail spider orchid fern cactus tulip lavender rosemary thyme mint parsley coriander
    cucumber courgette aubergine pumpkin beetroot radish spinach cabbage leek shallot ginger turmeric
    cinnamon nutmeg vanilla almond walnut hazelnut cashew apricot peach plum cherry blueberry raspberry
    mango pineapple coconut lemon lime grapefruit melon yoghurt butter cheese bagel croissant pretzel
    muffin scone waffle pancake omelette porridge sandwich burrito noodles dumpling casserole chowder
    lighthouse harbour pier cliff meadow orchard vineyard glacier canyon waterfall volcano island
    cathedral chapel monastery castle fortress bridge tunnel aqueduct museum gallery theatre stadium
    sweater scarf gloves mittens boots sandals raincoat hoodie apron pyjamas sock button zipper thread
    needle thimble fabric canvas easel sketchbook charcoal watercolour clay kiln chisel sandpaper varnish
    puzzle jigsaw marble kite frisbee trampoline swing seesaw sandpit paddling snorkel surfboard paddle
    violin cello trumpet ukulele harmonica metronome vinyl cassette jukebox karaoke podcast playlist
    telescope microscope compass atlas globe calendar diary planner notebook whiteboard stapler""".split()
VERBS = """fixed cleaned painted sanded glued repaired replaced returned borrowed lent found lost dropped
    spilled scrubbed polished folded ironed sorted labelled packed unpacked wrapped posted collected
    delivered assembled dismantled measured weighed planted watered pruned harvested pickled roasted
    grilled steamed poached whisked kneaded chopped peeled grated sketched photographed recorded edited
    uploaded printed scanned archived donated sold bought swapped upgraded charged tested tuned""".split()
WHENS = ["before breakfast", "after the meeting", "during the storm", "on the way home", "while it rained",
         "before the guests came", "at midnight", "after lunch", "over the weekend", "between calls",
         "for the neighbours", "with the kids", "at the market", "in the shed", "by the window",
         "in the hallway", "for the first time", "again", "twice", "without asking", "", "", "", ""]
_SYLLABLES = """ka lo mi ren dor va sel tu bri an quo zen fa rel mar os ti vek la nor is pel ga dru hal
    ven sor ki mun ba tel ro fen cal dri ol ser wyn hav""".split()
ORG_WORDS = ["Bakery", "Studio", "Repairs", "Pharmacy", "Books", "Garage", "Dental", "Vets", "Deli",
             "Hardware", "Opticians", "Florist", "Cycles", "Tailors"]


def proper_name(rng: random.Random) -> str:
    """A made-up name for a shop, product or acquaintance: the long tail of rare words real notes have."""
    # Heavy-tailed: the commonest names recur in about 1% of notes, most occur once or twice.
    rank = int(20 * (rng.paretovariate(0.5) - 1))
    local = random.Random(rank)
    return "".join(local.choice(_SYLLABLES) for _ in range(local.randint(2, 3))).capitalize()


def _sentence(rng: random.Random, topic: dict[str, list[str]]) -> str:
    kind = rng.random()
    if kind < 0.30:
        return f"{rng.choice(topic['verb']).capitalize()} {rng.choice(topic['thing'])}; {rng.choice(topic['detail'])}."
    if kind < 0.40:
        return f"With {rng.choice(PEOPLE)} at {rng.choice(PLACES)}: {rng.choice(topic['detail'])}."
    if kind < 0.44:
        return f"The {rng.choice(topic['thing'])} took {rng.randint(2, 180)} minutes, {rng.choice(topic['detail'])}."
    if kind < 0.48:
        ref = rng.randint(1000, 99999)
        return f"Note to self: ask {rng.choice(PEOPLE)} about the {rng.choice(topic['thing'])} (ref {ref})."
    if kind < 0.78:
        words = [rng.choice(VERBS).capitalize(), "the", rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(WHENS)]
        return " ".join(w for w in words if w) + "."
    if kind < 0.93:
        name = proper_name(rng)
        return rng.choice([f"{name} {rng.choice(ORG_WORDS)} had the {rng.choice(NOUNS)} I wanted.",
                           f"Met {name} by the {rng.choice(NOUNS)}; {rng.choice(topic['detail'])}.",
                           f"Ordered a {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} from {name}.",
                           f"{name} recommended the {rng.choice(topic['thing'])}."])
    return rng.choice(MOODS) or f"{rng.choice(topic['detail']).capitalize()}."


def _length(rng: random.Random) -> int:
    """Sentences in a note: mostly short, a long tail of journal-length entries."""
    if rng.random() < 0.05:
        return rng.randint(15, 40)
    return min(12, 1 + int(rng.expovariate(1 / 3)))


def make_note(rng: random.Random, created_at: datetime, cjk_share: float = 0.03) -> dict:
    """One synthetic note in the shape `user.add_notes` takes."""
    name = rng.choice(list(TOPICS))
    topic = TOPICS[name]
    sentences = [_sentence(rng, topic) for _ in range(_length(rng))]
    if rng.random() < cjk_share:
        sentences = [rng.choice(CJK_SENTENCES) for _ in range(rng.randint(1, 3))] + sentences[:1]
    title = f"{rng.choice(topic['thing']).capitalize()} — {created_at:%b %d}"
    summary = sentences[0] if rng.random() < 0.2 else None
    return {"content": " ".join(sentences), "title": title, "summary": summary, "created_at": created_at}


def generate_notes(n: int, *, seed: int = 0, start: datetime = datetime(2019, 1, 1),
                   end: datetime = datetime(2025, 1, 1), cjk_share: float = 0.03) -> list[dict]:
    """`n` notes with dates spread uniformly between `start` and `end`, oldest first."""
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    dates = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(n))
    return [make_note(rng, d.replace(microsecond=0), cjk_share) for d in dates]


def _word_query(rng: random.Random, words: int) -> str:
    topic = TOPICS[rng.choice(list(TOPICS))]
    pool = (topic["thing"] + topic["verb"] + PEOPLE[:10] + PLACES[:8]
            + " ".join(topic["detail"]).split())
    return " ".join(rng.choice(pool) for _ in range(words))


def generate_queries(n: int, *, seed: int = 1) -> list[str]:
    """`n` varied search queries: 1-6 words, some with time phrases, CJK, or search-syntax characters."""
    rng = random.Random(seed)
    queries = []
    for i in range(n):
        kind = i % 10
        if kind in (0, 1, 2, 3):
            q = _word_query(rng, rng.randint(1, 6))
        elif kind in (4, 5):
            q = f"{_word_query(rng, rng.randint(1, 3))} {rng.choice(TIME_PHRASES)}"
        elif kind == 6:
            sentence = rng.choice(CJK_SENTENCES)
            cut = rng.randint(0, max(0, len(sentence) - 4))
            q = sentence[cut:cut + rng.randint(2, 6)]
        elif kind == 7:
            q = rng.choice(QUERY_EXTRAS)
        else:
            q = f"what did I {rng.choice(['eat', 'read', 'pay', 'fix', 'book'])} {rng.choice(TIME_PHRASES)}"
        queries.append(q.strip())
    return queries
