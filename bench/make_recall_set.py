"""Write the retrieval-quality set: one person's ~500 notes (May-July 2024) and questions with evidence.

Hand-written story notes carry the facts the questions ask about; seeded filler notes (runs, work
stand-ups, dinners, dog walks ...) surround them as realistic distractors. Time-bounded questions
name a window and the kinds of note that answer them, and their evidence is computed from the final
note list, so filler that falls inside the window counts as evidence too.

Run: python -m bench.make_recall_set [--seed 7] [--notes 500]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FIRST_DAY, LAST_DAY = date(2024, 5, 1), date(2024, 7, 31)
# Questions without a time phrase are asked the morning after the last note.
DEFAULT_NOW = "2024-08-01T09:00"
# Away from home: no stand-ups, runs or dog walks on these days (the dog is with family or friends).
TRIPS = [(date(2024, 5, 24), date(2024, 5, 26)), (date(2024, 6, 10), date(2024, 6, 18)),
         (date(2024, 7, 26), date(2024, 7, 29))]

# (key, local time, tags, title, content): the facts the questions are about.
STORY = [
    ("gym-membership", "2024-05-01 19:40", "climbing money", "Gym membership",
     "Renewed the Boulder Barn membership: €55/month now (was €49), but it includes the yoga room."),
    ("race-signup", "2024-05-02 21:15", "running money", "Signed up!",
     "Signed up for the Riverside 10k on 21 July. Entry was €32. Goal: finally get under 50 minutes — "
     "my best is 51:40 from two years ago. Tom says he'll pace me for the first half."),
    ("starter-name", "2024-05-04 10:05", "cooking", "Starter day 7",
     "Day 7 of the new starter — named her Doughlores. Doubling in 6 hours now, smells like green apples."),
    ("lena-baby", "2024-05-05 18:30", "family", "Lena news",
     "Lena called: it's a girl, due 28 August! She asked me to be the godmother. Had to sit down."),
    ("atlas-kickoff", "2024-05-06 11:00", "work", "Atlas kickoff",
     "Atlas kickoff: redesign of the driver app's delivery flow. Helen wants it out by 20 June. I own the "
     "route overview and the proof-of-delivery flow; Marco leads engineering, Dev is PM."),
    ("aiko-exchange", "2024-05-07 21:00", "japanese social", "Language exchange",
     "First language exchange with Aiko (she needs English for her master's in Leiden). Wednesdays 7pm at "
     "the library café: 30 minutes Japanese, 30 minutes English."),
    ("first-v4", "2024-05-08 21:30", "climbing", "V4!",
     "Finally sent the blue V4 on the slab wall, the one with the tiny crimp near the top. Priya filmed it."),
    ("hayfever", "2024-05-09 08:10", "health", "Pollen",
     "Hay fever is brutal this year, birch pollen apparently. Started cetirizine 10 mg at night — works, "
     "but groggy mornings."),
    ("flights", "2024-05-10 22:40", "travel money", "Japan flights booked",
     "Booked Japan: Finnair via Helsinki, Amsterdam–Helsinki–Osaka Kansai, out 10 June, back 18 June. "
     "€1,240 for the two of us."),
    ("tap-leak", "2024-05-11 12:20", "home", "Kitchen tap",
     "Kitchen tap dripping nonstop, the washer's gone I think. Tried a YouTube fix, made it worse."),
    ("ryokan-booked", "2024-05-12 20:00", "travel money", "Ryokan",
     "Booked three nights at Ryokan Hanaya near Gion (12–15 June) with kaiseki dinner, ¥96,000 in total. "
     "The other nights in a business hotel by Kyoto Station."),
    ("dentist-booked", "2024-05-13 09:15", "health", "Tooth",
     "Lower left tooth sensitive to cold since the weekend. Booked Dr. Vermeer at Smile Studio for 4 June."),
    ("plumber", "2024-05-14 17:45", "home money", "Tap fixed",
     "Plumber (Gary from Dijkstra Loodgieters) replaced the cartridge in the kitchen mixer: 30 minutes, "
     "€95 including parts. Landlord will pay me back."),
    ("knee-first", "2024-05-15 20:10", "running health", "Knee",
     "Right knee started aching around km 7, dull pain under the kneecap, worse on the stairs afterwards. "
     "Probably too much too soon after going up to 35 km a week."),
    ("vocab-receipt", "2024-05-16 22:00", "japanese",
     "単語", "今日の単語：予約（よやく）reservation、領収書（りょうしゅうしょ）receipt、乗り換え（のりかえ）transfer。"
     "乗り換え keeps tripping me up."),
    ("book-tomorrow", "2024-05-17 23:10", "reading", "Finished",
     "Finished 'Tomorrow, and Tomorrow, and Tomorrow'. Sam and Sadie's friendship wrecked me. Five stars, "
     "lending it to Priya."),
    ("shoes", "2024-05-18 13:30", "purchase running", "Stride Shop",
     "Picked up the Brooks Ghost 16 at Stride Shop after the gait analysis, €140. Went half a size up "
     "(EU 40) because my toes kept hitting the front of the old Pegasus."),
    ("sourdough-fail", "2024-05-19 16:00", "cooking", "Bread fail",
     "First real loaf from Doughlores was a frisbee. Dense, gummy crumb. Kitchen too cold, under-proofed."),
    ("physio-diagnosis", "2024-05-21 18:00", "health running appointment", "Physio",
     "Physio with Dr. Okafor at Westpark Clinic. She thinks it's patellofemoral pain — runner's knee — from "
     "weak glutes plus ramping up mileage. Plan: cut weekly volume by a third for two weeks, step-downs and "
     "clamshells 3x15 every day, ice after runs. Next session 4 June."),
    ("priya-birthday", "2024-05-22 23:30", "social food", "Priya 30",
     "Priya's 30th at Bar Lúa: Galician food, far too much albariño. Gave her a chalk bag with her name "
     "embroidered on it."),
    ("atlas-usability", "2024-05-23 16:20", "work", "Driver testing",
     "Usability test with five drivers at the depot. Nobody found the 'report a problem' button — it's hidden "
     "in the overflow menu. Moving it onto the stop card."),
    ("porto-day1", "2024-05-24 23:00", "travel food", "Porto",
     "Porto with Jonas. Dinner at Tasca do Rio — octopus rice, still thinking about it — then port tasting at "
     "a lodge across the river in Gaia."),
    ("porto-day2", "2024-05-25 22:00", "travel food", "Porto 2",
     "Walked Ribeira, climbed the Clérigos tower, lunch was a francesinha at Café Santiago (too much cheese "
     "even for me). Sunset at Jardim do Morro."),
    ("porto-day3", "2024-05-26 21:00", "travel", "Home",
     "Flew home from Porto, 40 minute delay. Jonas already wants to go back for the Douro valley."),
    ("gp-visit", "2024-05-28 10:30", "health appointment", "GP",
     "GP (Dr. Aydin) thinks the constant tiredness might be low iron or vitamin D. Blood test on Friday."),
    ("desk-order", "2024-05-29 21:45", "purchase home", "Desk",
     "Ordered a standing desk — FlexiSpot E7, 160x80 oak top, €420. My back is wrecked from working at the "
     "kitchen table."),
    ("vet-ear", "2024-05-30 17:30", "dog money appointment", "Vet",
     "Biscuit kept shaking his head and scratching his left ear. Dr. Patel at Riverside Vets says it's a yeast "
     "infection: Surolan drops twice a day for 10 days and no swimming in the canal. €68."),
    ("blood-results", "2024-06-03 12:00", "health appointment", "Results",
     "Blood results at the GP: iron normal, vitamin D low at 31 nmol/L. Dr. Aydin says 1000 IU a day for "
     "three months and get outside at lunch."),
    ("physio-followup", "2024-06-04 08:30", "health appointment", "Physio 2",
     "Second physio session. Hip strength already better; she added single-leg bridges and side planks. "
     "OK to build back to 30 km a week if pain stays under 3/10."),
    ("dentist-filling", "2024-06-04 15:00", "health money appointment", "Dentist",
     "Dentist: small cavity in the lower-left molar, filled on the spot. €180, insurance pays back 75%. "
     "Numb until dinner."),
    ("atlas-bug", "2024-06-05 15:40", "work", "QA",
     "QA found that proof-of-delivery photos get lost when the phone goes offline mid-upload. Marco says the "
     "sync layer needs a rewrite — two to three weeks."),
    ("desk-assembled", "2024-06-05 21:30", "home", "Desk arrived",
     "Desk arrived. Took Jonas and me two hours to put together; one leg bolt missing, used a spare from the "
     "bookshelf kit."),
    ("kindle", "2024-06-06 19:00", "purchase reading", "Kindle",
     "Bought a Kindle Paperwhite (€160) so I don't have to lug three books to Japan. Loaded The Overstory "
     "and a Japanese phrasebook."),
    ("dogsitter-lena", "2024-06-06 21:00", "dog family", "Biscuit plans",
     "Biscuit is staying with Lena and Sam while we're in Kyoto. Wrote them the long list: food, ear "
     "cleaning, no canal."),
    ("atlas-delay", "2024-06-07 17:10", "work", "Launch moved",
     "Helen made the call: Atlas goes out on 8 July instead of 20 June so the offline fix can land properly. "
     "Honestly relieved, the trip would have clashed with launch week."),
    ("rain-jacket", "2024-06-08 14:00", "purchase travel", "Jacket",
     "Got a lightweight rain jacket at Decathlon, €45 — June is rainy season in Kyoto."),
    ("vet-recheck", "2024-06-08 11:00", "dog appointment", "Ear check",
     "Recheck at Riverside Vets: the ear is clear. Dr. Patel wants his ears cleaned weekly because floppy-eared "
     "beagles trap moisture."),
    ("kyoto-arrival", "2024-06-11 09:00", "travel food", "Kansai",
     "Landed at Kansai, Haruka express to Kyoto. Jet-lagged and starving — a 7-Eleven egg sandwich at 6am "
     "was a religious experience."),
    ("fushimi", "2024-06-12 11:30", "travel", "伏見稲荷",
     "伏見稲荷に朝六時に行った。人がほとんどいなくて、鳥居のトンネルが本当にきれいだった。Jonas went all the way "
     "to the summit, I stopped at the Yotsutsuji viewpoint."),
    ("ryokan-dinner", "2024-06-13 22:00", "travel food", "Kaiseki",
     "Kaiseki dinner at the ryokan: eleven courses; the grilled ayu and the yuba were the best. Jonas couldn't "
     "face the sea urchin."),
    ("knife", "2024-06-14 16:00", "travel purchase", "包丁",
     "錦市場で包丁を買った！21 cm gyuto from a tiny shop in Nishiki Market, ¥18,000, and they engraved my "
     "name in katakana."),
    ("arashiyama", "2024-06-15 13:00", "travel", "Arashiyama",
     "The bamboo grove was packed by 9am; the Okochi Sanso garden behind it was quiet and worth the ¥1,000."),
    ("kyoto-rain", "2024-06-16 21:00", "travel", "Rain day",
     "Rained all day; we did the Kyoto Railway Museum and then a tiny jazz bar near Sanjo. Jonas was in heaven."),
    ("kyoto-japanese", "2024-06-17 23:00", "travel japanese", "Spoke Japanese!",
     "Managed a whole conversation in Japanese with the jazz bar owner!「どこから来ましたか」「オランダから来ました」"
     "Aiko will be proud."),
    ("jetlag", "2024-06-19 16:00", "sleep", "Back",
     "Back home. Jet lag is worse in this direction: awake at 4am, asleep at my desk by 3pm."),
    ("overstory", "2024-06-22 22:30", "reading", "DNF",
     "Giving up on The Overstory at page 230. Gorgeous sentences, but I don't care about any of the people."),
    ("desk-back", "2024-06-24 20:00", "health home", "Back",
     "Three weeks of switching between sitting and standing every 45 minutes: lower back pain basically gone."),
    ("talk-proposal", "2024-06-25 18:00", "work", "CFP",
     "Submitted a talk to the Design Systems Summit in Berlin (October): 'Designing for drivers who never "
     "look at the screen'."),
    ("first-v5", "2024-06-27 21:45", "climbing", "V5!!!",
     "FIRST V5!! The yellow overhang problem in the cave — the trick was a heel hook on the third move. "
     "Eleven sessions. Priya screamed louder than I did."),
    ("tax-refund", "2024-06-28 09:30", "money", "Refund",
     "The Belastingdienst paid out €640. All of it into the new-bike fund (now €1,100 of €1,800)."),
    ("board-games", "2024-06-29 23:50", "social", "Games",
     "Game night at Marco's: Wingspan twice, lost both times to his egg strategy."),
    ("book-club", "2024-07-01 22:00", "reading social", "Book club",
     "Book club at Grace's: August pick is 'Demon Copperhead'. I have to actually read it this time."),
    ("bike-tyre", "2024-07-01 08:20", "money", "Flat again",
     "Back tyre flat again. Spoke & Chain put in a new tube and tyre, €38. The old bike is dying."),
    ("knee-better", "2024-07-02 07:30", "running health", "Knee",
     "Six weeks into the physio plan and the knee is silent, even on the downhill at the end of the park loop. "
     "The boring glute work actually worked."),
    ("monstera", "2024-07-02 13:00", "purchase home", "Gerald",
     "Bought a big monstera at the Noordermarkt plant stall, €35. Named him Gerald."),
    ("rent-letter", "2024-07-03 19:00", "home money", "Landlord",
     "Letter from the landlord: rent goes from €1,450 to €1,520 a month from 1 September. Almost 5%."),
    ("sourdough-best", "2024-07-06 11:00", "cooking", "Best loaf",
     "Best loaf yet: 75% hydration, 20% whole wheat, cold retard overnight, 250°C in the Dutch oven. Open "
     "crumb, shattering crust. Writing this down forever."),
    ("atlas-launch", "2024-07-08 17:30", "work", "Launch day",
     "Atlas is live for 10% of drivers. Crash-free rate 99.6% on day one, and the first driver comment: "
     "'finally I can see the whole route'."),
    ("resole", "2024-07-09 12:30", "climbing purchase", "Resole",
     "Dropped my La Sportiva climbing shoes at Vertical Repairs for a resole, €45, ready in two weeks."),
    ("grinder", "2024-07-10 20:00", "purchase", "Coffee",
     "Treated myself to a Baratza Encore grinder (€159). Pre-ground coffee is dead to me."),
    ("hail-mary", "2024-07-11 23:40", "reading", "Rocky",
     "Finished Project Hail Mary in two days. Rocky is the best character of the year. Grace would love it."),
    ("rent-deal", "2024-07-12 18:20", "home money", "Rent",
     "Called the landlord about the increase. She'll do €1,490 if we sign for another 12 months. Jonas agrees: "
     "we're staying."),
    ("dad-gift", "2024-07-13 15:00", "purchase family", "Present",
     "Found Dad's 65th present: the Shimano fishing reel he's been eyeing for years, €130. Lena pays half."),
    ("taper", "2024-07-15 07:00", "running", "Race week",
     "Race week plan: two easy 5ks, one short session of 4x1 km at goal pace (4:55/km), rest Saturday. "
     "Carbs Friday and Saturday."),
    ("jlpt", "2024-07-16 21:00", "japanese money", "JLPT",
     "Registered for the JLPT N5 in December, €60. Aiko says I'm ready for N4 by next year."),
    ("review", "2024-07-17 16:00", "work", "Mid-year",
     "Mid-year review with Helen: rated 'exceeds'. She called out the driver testing and how I handled the "
     "launch slip. Growth area: speak up earlier in roadmap planning. 4% raise from September."),
    ("baby-gift", "2024-07-19 18:00", "purchase family", "Shower gift",
     "Bought a baby carrier (Ergobaby Omni) for Lena's shower, €179, plus a stack of board books."),
    ("baby-shower", "2024-07-20 19:00", "family social", "Shower",
     "Lena's baby shower at Sam's parents' place in Utrecht. I won the bump-size guessing game (104 cm). "
     "Left early to rest for tomorrow."),
    ("race-result", "2024-07-21 12:00", "running", "49:12",
     "RIVERSIDE 10K: 49:12!!! Under 50 at last. Tom dragged me through km 6-8, negative split over the last "
     "two. Cried a little at the finish. Knee fine."),
    ("dev-leaving", "2024-07-24 17:00", "work", "News",
     "Dev is leaving at the end of August for a climate startup. Farewell drinks to be organised."),
    ("to-sweden", "2024-07-26 21:00", "travel family", "Train north",
     "Train Amsterdam → Hamburg → Copenhagen → Gothenburg, 11 hours but beautiful. Biscuit is with Priya."),
    ("dad-65", "2024-07-27 23:00", "family travel food", "Dad 65",
     "Dad's 65th in Gothenburg: crayfish and shrimp on the boat to Vrångö, all the cousins. He teared up "
     "at the reel. Mum's speech was about their first fishing trip."),
    ("bike-fund", "2024-07-31 20:00", "money", "Bike fund",
     "Bike fund hit €1,800! Test-riding a Cube gravel bike on Saturday."),
]

# Filler vocabulary. Filler never states a fact a single-fact question asks about (no names of the
# starter, no prices of story purchases), so it distracts without answering.
WORK_TASKS = ["polishing the stop card", "icons for failed deliveries", "empty states for the route overview",
              "handoff notes for engineering", "the signature screen", "copy for the onboarding tooltips",
              "dark mode for the depot dashboard", "spacing tokens in the design system",
              "an accessibility pass on the map controls", "a flow for damaged parcels"]
WORK_BLOCKERS = ["final copy from Dev", "the map SDK licence", "engineering estimates",
                 "legal's wording on photo consent", "nothing, for once"]
WORK_MEETINGS = ["1:1", "Design crit", "Sprint planning", "Roadmap sync", "Coffee chat"]
COLLEAGUES = ["Helen", "Marco", "Dev", "Sanne", "Ravi"]
WORK_OUTCOMES = ["agreed to cut the tutorial", "need two more variants by Thursday", "mostly listened",
                 "good discussion about driver safety", "ran over by half an hour",
                 "we're aligned on the colour system"]
SCREENS = ["the stop list", "the parcel scan screen", "the depot dashboard", "the login flow", "settings"]
SCREEN_FEEDBACK = ["too many taps", "contrast too low in sunlight", "Marco wants fewer animations",
                   "the icons read well", "hit areas too small for gloves"]
WORK_MOODS = ["Good flow state.", "Slack kept interrupting.", "Felt productive.", "Meetings ate the day.", ""]
WORK_TODOS = ["send Helen the revised flow", "book the research room", "reply to the recruiter (no)",
              "file the expense for the depot trip", "update the Figma library"]
RUN_KINDS = ["Easy", "Steady", "Tempo", "Progression run,", "Recovery jog,"]
RUN_ROUTES = ["along the Amstel", "round Vondelpark", "on the river path", "out to the windmill and back",
              "with Tom on the park loop", "on the treadmill (rain)"]
RUN_COMMENTS = ["Legs fine.", "Humid, slow.", "Felt strong.", "Headwind on the way back.",
                "Podcast made it fly by.", "Side stitch at km 3.", "Calves tight afterwards.", ""]
CLIMB_SESSIONS = ["worked the pink V3 traverse", "mostly slab, fingertips raw", "new set in the cave, flashed two V2s",
                  "short session, shoulders tired", "20 minutes on the hangboard, then stretching",
                  "tried the competition wall, humbling", "lots of falling, lots of laughing"]
DISHES = ["mushroom risotto", "shakshuka", "lentil dal", "pad kra pao", "pasta with pesto", "black bean tacos",
          "miso salmon", "chickpea curry", "tomato and burrata salad", "leftover soup", "homemade pizza",
          "gado gado", "stir-fried noodles", "a big Greek salad"]
DISH_COMMENTS = ["Jonas cooked, I washed up.", "Too much chili.", "Easy and good.", "Used the balcony basil.",
                 "Would make again.", "Ate it on the balcony.", ""]
DOG_THINGS = ["stole a sock and ran laps of the flat", "met a new beagle friend at the park",
              "refused to walk in the rain", "had a bath and sulked for an hour",
              "destroyed a new chew toy in ten minutes", "had a long walk by the canal at sunset",
              "snored through my entire video call", "ate something disgusting in the park",
              "learned to high-five, sort of"]
JAPANESE = ["Anki reviews, 80 cards", "katakana practice: コーヒー、ホテル、タクシー", "listening practice with a podcast",
            "Aiko corrected my particles again (は vs が)", "counting things: 一つ、二つ、三つ",
            "wrote a tiny diary entry: 今日は雨でした", "an anime episode with Japanese subtitles",
            "exchange with Aiko: role-played ordering in a restaurant", "verbs in て-form, slowly"]
READ_WHERE = ["on the tram", "in bed", "on the balcony", "at lunch", "in the bath"]
SLEEP = ["woke at 3 and couldn't get back to sleep", "slept like a rock", "weird dreams about work",
         "Biscuit on my feet all night", "too hot, windows open, street noise"]
MOODS = ["Quiet day. Called Mum for an hour.", "Anxious about nothing in particular.",
         "Grateful: sunny balcony breakfast with Jonas.", "Low energy, skipped everything and watched TV.",
         "Long chat with Lena about baby names.", "Good day. Walked everywhere.",
         "Irritable all afternoon, probably hungry."]
SMALL_BUYS = [("a new phone case", 19), ("SPF 50 sunscreen", 14), ("a pack of running socks", 22),
              ("light bulbs for the hallway", 12), ("dog treats in bulk", 27), ("a birthday card for Mum", 4),
              ("a bag of climbing chalk", 9), ("plant food", 8), ("a steel water bottle", 25),
              ("AA batteries", 7), ("a yoga mat", 35), ("replacement ear tips", 15),
              ("a notebook and nice pens", 18), ("a linen shirt on sale", 30), ("sunglasses", 40),
              ("a bike lock", 45)]
HOME_CHORES = ["Watered the balcony tomatoes; first flowers.", "Laundry mountain conquered.",
               "Deep-cleaned the bathroom.", "Swapped the winter duvet for the summer one.",
               "Neighbours' party until 1am.", "Repotted the basil.", "Defrosted the freezer, finally."]
LUNCHES = ["falafel wrap from the cart outside the office", "leftovers at my desk", "soup at the canteen",
           "poke bowl with Sanne", "cheese sandwich, sad", "sushi with the design team"]
OUTINGS = ["Saturday market: strawberries, cheese, too many flowers.", "Cycled to the beach at Zandvoort.",
           "Lazy morning, pancakes, then the Rijksmuseum garden.", "Flea market at the IJ-hallen, bought nothing.",
           "Picnic in the park with Jonas and Biscuit.", "Helped Priya move a sofa up four flights."]
FRIENDS = ["Priya", "Tom", "Grace", "Aiko", "Lena"]
CAFES = ["Koffie Academie", "the library café", "Bakhuys", "the place by the station"]
CHATS = ["mostly about work", "a new flat", "summer plans", "marathon training", "books"]
TRIP_FILLER = {  # place: [(tags, text)]
    "Porto": [("travel food", "Pastel de nata count: four."), ("travel", "Took the old tram along the river."),
              ("travel", "Azulejos everywhere.")],
    "Kyoto": [("travel food", "Konbini onigiri breakfast again."),
              ("travel", "Walked 24 km today according to my phone."),
              ("travel food", "Matcha soft serve in Gion."),
              ("travel food", "Ramen at a counter place near the station, ¥1,100."),
              ("travel", "Temple after temple, feet destroyed."),
              ("travel", "Bus to Ginkakuji, then the Philosopher's Path.")],
    "Gothenburg": [("travel", "Swam at Saltholmen, freezing."), ("travel food", "Fika with Mum at a café in Haga."),
                   ("travel family", "Dad showed me his new boat engine for an hour.")],
}


def _away(day: date) -> str | None:
    for (first, last), place in zip(TRIPS, ["Porto", "Kyoto", "Gothenburg"]):
        if first <= day <= last:
            return place
    return None


def _book(day: date) -> str:
    """What the filler reading notes are about on `day` (matches the story's reading notes)."""
    if day <= date(2024, 5, 17):
        return "Tomorrow, and Tomorrow, and Tomorrow"
    if day <= date(2024, 6, 22):
        return "The Overstory"
    if day <= date(2024, 7, 8):
        return "my backlog of long-read magazines"
    if day <= date(2024, 7, 11):
        return "Project Hail Mary"
    return "Demon Copperhead"


def _at(rng: random.Random, day: date, first_hour: int, last_hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(first_hour, last_hour), rng.randrange(0, 60, 5))


def day_filler(rng: random.Random, day: date) -> list[tuple[datetime, str, str, str]]:
    """The routine notes of one day: (time, tags, title, content)."""
    out, away, weekday = [], _away(day), day.weekday()
    if away:
        for tags, text in rng.sample(TRIP_FILLER[away], k=3):
            out.append((_at(rng, day, 9, 22), tags, away, text))
        return out
    if weekday < 5:
        out.append((_at(rng, day, 9, 12), "work", "Stand-up",
                    f"Stand-up: {rng.choice(WORK_TASKS)}. Blocked on {rng.choice(WORK_BLOCKERS)}."))
        if rng.random() < 0.8:
            meeting = rng.choice(WORK_MEETINGS)
            out.append((_at(rng, day, 13, 18), "work", *rng.choice([
                (meeting, f"{meeting} with {rng.choice(COLLEAGUES)}: {rng.choice(WORK_OUTCOMES)}."),
                ("Design review", f"Design review of {rng.choice(SCREENS)}: {rng.choice(SCREEN_FEEDBACK)}. "
                                  f"{rng.choice(WORK_MOODS)}".strip()),
                ("To do", f"Note for tomorrow: {rng.choice(WORK_TODOS)}."),
            ])))
        if rng.random() < 0.25:
            out.append((_at(rng, day, 12, 13), "food", "Lunch", f"Lunch: {rng.choice(LUNCHES)}."))
    elif rng.random() < 0.6:
        out.append((_at(rng, day, 10, 18), "outing", "Weekend", rng.choice(OUTINGS)))
    injured = date(2024, 5, 16) <= day <= date(2024, 6, 4)
    if weekday in (1, 3, 5, 6) and rng.random() < (0.45 if injured else 0.85):
        km = rng.choice([5, 6, 8, 10, 12, 14]) if weekday == 6 else rng.choice([5, 6, 7, 8])
        pace = f"{rng.randint(4, 6)}:{rng.randrange(0, 60, 5):02d}"
        text = f"{rng.choice(RUN_KINDS)} {km} km {rng.choice(RUN_ROUTES)}, {pace}/km. {rng.choice(RUN_COMMENTS)}"
        out.append((_at(rng, day, 6, 8), "running", "Run", text.strip()))
    if weekday in (0, 3) and rng.random() < 0.75:
        who = rng.choice(["Priya", "Priya and Tom", "nobody"])
        text = rng.choice(CLIMB_SESSIONS)
        if who == "nobody":
            out.append((_at(rng, day, 19, 21), "climbing", "Bouldering", f"Bouldering solo: {text}."))
        else:
            out.append((_at(rng, day, 19, 21), "climbing", "Bouldering", f"Boulder Barn with {who}: {text}."))
    if rng.random() < 0.7:
        dish = rng.choice(DISHES)
        out.append((_at(rng, day, 18, 21), "cooking", *rng.choice([
            ("Dinner", f"Dinner: {dish}. {rng.choice(DISH_COMMENTS)}".strip()),
            ("Meal prep", f"Made {dish} for lunches this week."),
            ("Starter", "Fed the starter, 1:2:2, it's lively."),
        ])))
    if rng.random() < 0.6:
        out.append((_at(rng, day, 7, 21), "dog", "Biscuit", f"Biscuit {rng.choice(DOG_THINGS)}."))
    if rng.random() < (0.35 if day < date(2024, 6, 10) else 0.2):
        out.append((_at(rng, day, 19, 23), "japanese", "日本語", f"Japanese: {rng.choice(JAPANESE)}."))
    if rng.random() < 0.3:
        out.append((_at(rng, day, 12, 23), "reading", "Reading",
                    f"Read {rng.randint(15, 80)} pages of {_book(day)} {rng.choice(READ_WHERE)}."))
    if rng.random() < 0.3:
        out.append((_at(rng, day, 6, 9), "journal sleep", "Sleep",
                    f"Slept {rng.randint(5, 9)} hours, {rng.choice(SLEEP)}."))
    if rng.random() < 0.3:
        out.append((_at(rng, day, 20, 23), "journal", "", rng.choice(MOODS)))
    if rng.random() < 0.25:
        out.append((_at(rng, day, 10, 20), "home", "Home", rng.choice(HOME_CHORES)))
    if rng.random() < 0.12:
        friend = rng.choice(FRIENDS)
        out.append((_at(rng, day, 10, 17), "social", "Coffee",
                    f"Coffee with {friend} at {rng.choice(CAFES)}, {rng.choice(CHATS)}."))
    return out


def filler_purchases(rng: random.Random) -> list[tuple[datetime, str, str, str]]:
    """Small everyday purchases on random home days, each item once."""
    home_days = [FIRST_DAY + timedelta(d) for d in range((LAST_DAY - FIRST_DAY).days + 1)]
    home_days = [d for d in home_days if not _away(d)]
    out = []
    for (item, price), day in zip(rng.sample(SMALL_BUYS, len(SMALL_BUYS)), rng.sample(home_days, len(SMALL_BUYS))):
        verb = rng.choice(["Bought", "Ordered", "Picked up"])
        out.append((_at(rng, day, 10, 20), "purchase", "", f"{verb} {item}, €{price}."))
    return out

# (question, evidence keys, short answer): phrased as the person would ask, mostly not in the note's words.
SINGLE_FACT = [
    ("Which trainers did I end up buying?", ["shoes"], "Brooks Ghost 16"),
    ("How much did the tooth filling cost?", ["dentist-filling"], "€180, 75% paid back by insurance"),
    ("What did the physio think was wrong with my knee?", ["physio-diagnosis"], "patellofemoral pain (runner's knee)"),
    ("What's my sourdough starter called?", ["starter-name"], "Doughlores"),
    ("What was the name of the traditional inn we stayed at in Kyoto?", ["ryokan-booked"], "Ryokan Hanaya"),
    ("What time am I aiming for in the 10k?", ["race-signup"], "under 50 minutes"),
    ("When is the driver app redesign going out now?", ["atlas-delay"], "8 July"),
    ("What medicine did the vet give Biscuit?", ["vet-ear"], "Surolan ear drops, twice a day for 10 days"),
    ("What did it cost to get the kitchen faucet repaired?", ["plumber"], "€95 including parts"),
    ("How much did the landlord want to put the rent up to?", ["rent-letter"], "€1,520 a month"),
    ("Which standing desk model did I get?", ["desk-order"], "FlexiSpot E7"),
    ("How much vitamin D am I supposed to take?", ["blood-results"], "1000 IU a day for three months"),
    ("What was my finishing time at the Riverside race?", ["race-result"], "49:12"),
    ("What was the trick on the hardest boulder I've ever topped?", ["first-v5"], "a heel hook on the third move"),
    ("Which board game did I lose twice?", ["board-games"], "Wingspan"),
    ("How much did I get back from the tax office?", ["tax-refund"], "€640"),
    ("What did I buy at the food market in Kyoto?", ["knife"], "a 21 cm gyuto knife"),
    ("What water ratio did I use for my best bread?", ["sourdough-best"], "75% hydration"),
    ("What does my manager think I should work on?", ["review"], "speaking up earlier in roadmap planning"),
    ("Which airline did we fly to Japan with?", ["flights"], "Finnair, via Helsinki"),
    ("What's the book club reading for August?", ["book-club"], "Demon Copperhead"),
    ("How much does climbing cost me per month?", ["gym-membership"], "€55"),
    ("What did I get Dad for his birthday?", ["dad-gift"], "a Shimano fishing reel"),
    ("Which antihistamine am I taking?", ["hayfever"], "cetirizine 10 mg at night"),
    ("When is my niece due?", ["lena-baby"], "28 August"),
    ("What is the title of my conference talk proposal?", ["talk-proposal"],
     "Designing for drivers who never look at the screen"),
    ("Which colleague is quitting?", ["dev-leaving"], "Dev"),
    ("Who looked after the dog while we were in Sweden?", ["to-sweden"], "Priya"),
    ("Who kept Biscuit while we were in Japan?", ["dogsitter-lena"], "Lena and Sam"),
    ("伏見稲荷には何時に行った？", ["fushimi"], "6am"),
    ("京都で買った包丁はいくらだった？", ["knife"], "¥18,000"),
    ("領収書ってどういう意味だっけ？", ["vocab-receipt"], "receipt"),
    ("What did we learn from watching drivers use the prototype?", ["atlas-usability"],
     "nobody found the report-a-problem button"),
    ("Why were delivery photos going missing?", ["atlas-bug"], "uploads are lost when the phone goes offline"),
    ("Which Japanese exam did I register for?", ["jlpt"], "JLPT N5 in December"),
    ("What did I give Priya for her 30th?", ["priya-birthday"], "a chalk bag with her name embroidered"),
    ("How big a pay rise am I getting?", ["review"], "4% from September"),
    ("What was the best dish at the multi-course dinner in Japan?", ["ryokan-dinner"], "the grilled ayu and the yuba"),
]

CROSS_NOTE = [
    ("How did my knee injury develop and what fixed it?", ["knee-first", "physio-diagnosis", "knee-better"],
     "pain from too much mileage; physio: runner's knee, glute exercises and less volume; fine by July"),
    ("Why was the Atlas launch postponed, and to when?", ["atlas-bug", "atlas-delay"],
     "photos lost offline needed a sync rewrite; moved to 8 July"),
    ("What did the Japan flights and the inn cost altogether?", ["flights", "ryokan-booked"],
     "€1,240 plus ¥96,000"),
    ("Did I reach my goal for the 10k?", ["race-signup", "race-result"], "yes: goal under 50, ran 49:12"),
    ("Where did Jonas and I eat in Porto?", ["porto-day1", "porto-day2"],
     "Tasca do Rio (octopus rice) and a francesinha at Café Santiago"),
    ("What was wrong with Biscuit's ear and did it clear up?", ["vet-ear", "vet-recheck"],
     "yeast infection, drops; clear at the recheck"),
    ("How did my bread baking improve over the summer?", ["starter-name", "sourdough-fail", "sourdough-best"],
     "new starter, dense first loaf, best loaf at 75% hydration with a cold retard"),
    ("What will I actually pay in rent from September?", ["rent-letter", "rent-deal"],
     "€1,490 after negotiating down from €1,520"),
    ("What presents did I buy for family this summer?", ["dad-gift", "baby-gift"],
     "a fishing reel for Dad, a baby carrier and board books for Lena"),
    ("Which books did I finish over the summer?", ["book-tomorrow", "hail-mary"],
     "Tomorrow, and Tomorrow, and Tomorrow; Project Hail Mary"),
    ("Why was I so tired in May and what did the tests show?", ["gp-visit", "blood-results"],
     "low vitamin D; iron normal"),
    ("Did getting the standing desk help my back?", ["desk-order", "desk-back"], "yes, the back pain is gone"),
    ("What happened with the dripping tap?", ["tap-leak", "plumber"],
     "my fix made it worse; a plumber replaced the cartridge for €95"),
    ("How has my bouldering grade progressed?", ["first-v4", "first-v5"], "first V4 in May, first V5 in June"),
    ("How much have I saved for the new bike and where did the money come from?", ["tax-refund", "bike-fund"],
     "€1,800, including the €640 tax refund"),
    ("What dental work did I need, from first symptom to treatment?", ["dentist-booked", "dentist-filling"],
     "cold sensitivity, then a filling in the lower-left molar"),
    ("How did the Atlas project go from kickoff to launch?", ["atlas-kickoff", "atlas-delay", "atlas-launch"],
     "kicked off in May for 20 June, slipped to 8 July, launched to 10% of drivers"),
    ("Who looked after Biscuit each time we travelled?", ["dogsitter-lena", "to-sweden"],
     "Lena and Sam during Japan, Priya during Sweden"),
]

# (question, now, window start, window end, note tags that answer it ("any" = every note), keys that must be in it)
TIME_BOUNDED = [
    ("What did I buy last week?", "2024-06-12T20:00", "2024-06-03", "2024-06-10", "purchase",
     ["kindle", "rain-jacket"]),
    ("What did I buy last week?", "2024-07-16T09:00", "2024-07-08", "2024-07-15", "purchase",
     ["resole", "grinder", "dad-gift"]),
    ("What have I spent money on this week?", "2024-05-31T18:00", "2024-05-27", "2024-06-01", "purchase money",
     ["desk-order", "vet-ear"]),
    ("How did my runs go last week?", "2024-07-09T08:00", "2024-07-01", "2024-07-08", "running", ["knee-better"]),
    ("What did I work on yesterday?", "2024-06-06T08:30", "2024-06-05", "2024-06-06", "work", ["atlas-bug"]),
    ("What did I cook over the weekend?", "2024-05-20T09:00", "2024-05-18", "2024-05-20", "cooking",
     ["sourdough-fail"]),
    ("What was I reading in May?", "2024-06-15T10:00", "2024-05-01", "2024-06-01", "reading", ["book-tomorrow"]),
    ("Did I go climbing last week?", "2024-07-01T10:00", "2024-06-24", "2024-07-01", "climbing", ["first-v5"]),
    ("What medical appointments did I have in the first week of June?", "2024-06-20T10:00", "2024-06-01",
     "2024-06-08", "appointment", ["blood-results", "physio-followup", "dentist-filling"]),
    ("What happened with the dog last week?", "2024-06-05T09:00", "2024-05-27", "2024-06-03", "dog", ["vet-ear"]),
    ("What did I do on Sunday?", "2024-07-23T09:00", "2024-07-21", "2024-07-22", "any", ["race-result"]),
    ("Anything happen at work this week?", "2024-07-11T18:00", "2024-07-08", "2024-07-12", "work", ["atlas-launch"]),
    ("How have I been sleeping this week?", "2024-06-21T08:00", "2024-06-17", "2024-06-22", "sleep", ["jetlag"]),
    ("What did I eat yesterday?", "2024-06-14T08:00", "2024-06-13", "2024-06-14", "food cooking", ["ryokan-dinner"]),
    ("What Japanese did I study two weeks ago?", "2024-05-29T10:00", "2024-05-13", "2024-05-20", "japanese",
     ["vocab-receipt"]),
    ("What did we get up to last weekend?", "2024-05-28T09:00", "2024-05-25", "2024-05-27", "any",
     ["porto-day2", "porto-day3"]),
    ("What did I buy yesterday?", "2024-07-20T09:00", "2024-07-19", "2024-07-20", "purchase", ["baby-gift"]),
    ("How did training go in the week before the race?", "2024-07-22T09:00", "2024-07-14", "2024-07-21", "running",
     ["taper"]),
    ("What did I do this morning?", "2024-06-04T13:00", "2024-06-04T00:00", "2024-06-04T13:00", "any",
     ["physio-followup"]),
]


def build_notes(seed: int, total: int) -> list[dict]:
    """Story plus seeded filler, trimmed to `total` notes, in date order."""
    rng = random.Random(seed)
    filler = filler_purchases(rng)
    day = FIRST_DAY
    while day <= LAST_DAY:
        filler += day_filler(rng, day)
        day += timedelta(days=1)
    keep = total - len(STORY)
    if not 0 < keep <= len(filler):
        raise ValueError(f"cannot make {total} notes from {len(STORY)} story and {len(filler)} filler notes")
    filler = rng.sample(filler, keep)
    notes = [{"key": key, "created_at": datetime.fromisoformat(when), "tags": tags.split(), "title": title,
              "summary": None, "content": content} for key, when, tags, title, content in STORY]
    notes += [{"key": "", "created_at": when, "tags": tags.split(), "title": title, "summary": None,
               "content": content} for when, tags, title, content in filler]
    notes.sort(key=lambda n: (n["created_at"], n["key"]))
    for i, note in enumerate(notes, 1):
        note["key"] = note["key"] or f"n{i:03d}"
    return notes


def _in_window(note: dict, start: datetime, end: datetime, tags: set[str]) -> bool:
    return start <= note["created_at"] < end and ("any" in tags or bool(tags & set(note["tags"])))


def build_questions(notes: list[dict]) -> list[dict]:
    """Every question with its evidence keys; time-bounded evidence is read off the notes."""
    keys = {n["key"] for n in notes}
    out = []
    for category, rows in (("single_fact", SINGLE_FACT), ("cross_note", CROSS_NOTE)):
        for question, evidence, answer in rows:
            out.append({"category": category, "question": question, "now": DEFAULT_NOW,
                        "evidence": evidence, "answer": answer})
    for question, now, start, end, tags, must in TIME_BOUNDED:
        lo, hi, wanted = datetime.fromisoformat(start), datetime.fromisoformat(end), set(tags.split())
        evidence = [n["key"] for n in notes if _in_window(n, lo, hi, wanted)]
        if not set(must) <= set(evidence):
            raise ValueError(f"{question!r}: {sorted(set(must) - set(evidence))} not in its window")
        out.append({"category": "time_bounded", "question": question, "now": now, "evidence": evidence,
                    "window": [lo.isoformat(), hi.isoformat()], "answer": None})
    for i, q in enumerate(out, 1):
        missing = set(q["evidence"]) - keys
        if missing:
            raise ValueError(f"{q['question']!r} cites unknown notes {sorted(missing)}")
        q["id"] = f"q{i:02d}"
    return out


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """One JSON object per line, datetimes as ISO strings, CJK left readable."""
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=lambda v: v.isoformat()) + "\n")


def make_parser() -> argparse.ArgumentParser:
    """Command-line options of the generator."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--notes", type=int, default=500, help="total notes, story included")
    p.add_argument("--out", type=Path, default=DATA, help="folder for recall_notes/questions.jsonl")
    return p


def main(args: argparse.Namespace) -> None:
    """Write the two JSONL files and print their sizes."""
    notes = build_notes(args.seed, args.notes)
    questions = build_questions(notes)
    args.out.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out / "recall_notes.jsonl", notes)
    write_jsonl(args.out / "recall_questions.jsonl",
                [{k: q[k] for k in ("id", "category", "question", "now", "evidence", "window", "answer") if k in q}
                 for q in questions])
    counts = {c: sum(q["category"] == c for q in questions) for c in ("single_fact", "cross_note", "time_bounded")}
    print(f"{len(notes)} notes, {len(questions)} questions {counts} -> {args.out}")


if __name__ == "__main__":
    main(make_parser().parse_args())
