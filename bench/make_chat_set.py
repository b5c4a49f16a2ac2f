"""Writes the multi-session conversation set: data/chat_turns.jsonl and data/chat_questions.jsonl.

Run: python -m bench.make_chat_set

Ten dated story conversations between one person and Mebot (user and assistant turns, no notes), among
sixty everyday ones drawn from the same vocabulary (runs, the cat, work, books, money). The facts
live in what the user *said*; the user also *asks* Mebot things, some of them close in wording to the
later test questions ("What did I tell you about my sister's wedding?"), which is what poisons an
index that treats every user turn as memory. Evidence is the key of the user turn that states a fact.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# (session date, [(key or None, role, text), ...]); turns are a few minutes apart.
SESSIONS = [
    ("2024-05-02T19:00", [
        ("s1-sister", "user", "My sister Lena is getting married in September, in Porto."),
        (None, "assistant", "Congratulations to Lena! A wedding in Porto sounds lovely."),
        ("s1-dress", "user", "I still need something to wear. I'm thinking of a dark green suit."),
        (None, "assistant", "Dark green suits are a great choice for an autumn wedding."),
        (None, "user", "Can you remind me to book flights?"),
        (None, "assistant", "I can't set reminders, but you could note it down."),
    ]),
    ("2024-05-06T08:30", [
        ("s2-knee", "user", "My left knee has been hurting since the long run on Sunday."),
        (None, "assistant", "Sorry to hear that. Rest and ice may help; see a physio if it persists."),
        ("s2-physio", "user", "Booked a physio appointment with Dr. Okafor for Thursday at 5."),
        (None, "assistant", "Good call. I hope it goes well."),
    ]),
    ("2024-05-09T20:15", [
        (None, "user", "What did I tell you about my knee?"),
        (None, "assistant", "You said your left knee hurts since Sunday's long run."),
        ("s3-diagnosis", "user", "The physio says it's runner's knee, patellofemoral pain. No running for three weeks."),
        (None, "assistant", "Three weeks off is tough but worth it."),
        ("s3-swim", "user", "I'll swim twice a week instead, at the Westbad pool."),
        (None, "assistant", "Swimming is a great low-impact option."),
    ]),
    ("2024-05-14T12:00", [
        ("s4-project", "user", "At work we're migrating the billing service to Kotlin, deadline end of June."),
        (None, "assistant", "That's a big migration. How is it going?"),
        ("s4-colleague", "user", "Priya is leading it, I'm doing the invoice module."),
        (None, "user", "Do you know any good Kotlin books?"),
        (None, "assistant", "'Kotlin in Action' is a popular one."),
    ]),
    ("2024-05-20T21:40", [
        ("s5-cat", "user", "We adopted a cat today! A grey one, we called her Pixel."),
        (None, "assistant", "Welcome, Pixel! Grey cats are beautiful."),
        ("s5-vet", "user", "Her first vet visit is on the 28th at the Lindenhof clinic."),
        (None, "user", "What should I buy for a new kitten?"),
        (None, "assistant", "Food, a litter box, a scratching post and a few toys."),
    ]),
    ("2024-05-27T18:05", [
        (None, "user", "What did I tell you about my sister's wedding?"),
        (None, "assistant", "Lena is getting married in September in Porto."),
        ("s6-flights", "user", "Booked the flights to Porto: TAP, leaving 12 September, 240 euros return."),
        (None, "assistant", "Great, that's sorted."),
        ("s6-hotel", "user", "We'll stay at a guesthouse in Ribeira for four nights."),
    ]),
    ("2024-06-03T09:10", [
        ("s7-salary", "user", "Got a raise today, my salary goes up 8% from July."),
        (None, "assistant", "Congratulations, well deserved!"),
        (None, "user", "How much should I put into savings now?"),
        (None, "assistant", "Many people aim for 20% of take-home pay."),
        ("s7-savings", "user", "I'll move 500 euros a month into the index fund from now on."),
    ]),
    ("2024-06-10T22:30", [
        ("s8-book", "user", "Finished 'Klara and the Sun' tonight. Cried at the end."),
        (None, "assistant", "It's a moving book. What did you think of Klara?"),
        ("s8-next", "user", "Next I'm reading 'The Remains of the Day', same author."),
        (None, "user", "Which of his books is the most famous?"),
        (None, "assistant", "'Never Let Me Go' and 'The Remains of the Day' are the best known."),
    ]),
    ("2024-06-17T19:45", [
        (None, "user", "When is Pixel's next vet visit?"),
        (None, "assistant", "I only know about the visit on 28 May at Lindenhof."),
        ("s9-vaccine", "user", "Pixel got her second vaccine today, next check-up in December."),
        ("s9-food", "user", "She only eats the salmon wet food, refuses anything dry."),
    ]),
    ("2024-06-24T07:50", [
        ("s10-knee", "user", "First run since the knee injury: 5 km, no pain at all!"),
        (None, "assistant", "Great news! Take it slow."),
        ("s10-race", "user", "I signed up for the Zurich 10k on 6 October."),
        (None, "user", "How should I train for a 10k?"),
        (None, "assistant", "Build up gradually, three runs a week with one longer run."),
    ]),
]

# Everyday conversations: statements and questions that share the stories' words but state no fact asked about.
ROUTINE_SAID = [
    "Went for an easy run before work, legs felt heavy.", "Work was busy today, too many meetings.",
    "The cat knocked a glass off the table again.", "Cooked a lentil curry for dinner.",
    "Read a few chapters of a crime novel on the train.", "Paid the electricity bill, higher than last month.",
    "Rainy day, stayed in and cleaned the flat.", "Had coffee with a colleague from the design team.",
    "Slept badly, neighbours had a party.", "Walked along the lake after lunch.",
    "Started a new podcast about history.", "The train was late twice this week.",
    "Bought new running socks.", "Finished a long report at work.", "Called my parents in the evening.",
    "Tried a new bakery near the office.", "Spent the evening sorting old photos.",
    "Fixed the squeaky bike brake myself.", "Watched a documentary about octopuses.",
    "Went swimming with a friend, the pool was crowded.",
]
ROUTINE_ASKED = [
    "Any idea what I could cook tonight?", "What's a good stretching routine after a run?",
    "Can you suggest a podcast?", "How do I stop my cat scratching the sofa?",
    "What should I read next?", "How can I sleep better?", "Is it worth buying an e-bike?",
    "What's a quick lunch I can take to work?", "How do I ask for a raise?",
    "What did I tell you about my week?", "Do you remember what I said yesterday?",
]
REPLIES = ["Sounds like a full day.", "That's good to hear.", "Here are a few ideas you could try.",
           "I hope tomorrow is calmer.", "Nice, thanks for telling me."]
ROUTINE_SESSIONS = 60
SPAN_START, SPAN_DAYS = datetime(2024, 5, 1), 60


def routine_sessions(rng: random.Random) -> list[tuple[str, list]]:
    """Everyday conversations between the story ones."""
    sessions = []
    for _ in range(ROUTINE_SESSIONS):
        start = SPAN_START + timedelta(days=rng.randrange(SPAN_DAYS), minutes=rng.randrange(7 * 60, 23 * 60))
        turns = []
        for said in rng.sample(ROUTINE_SAID, 2):
            turns += [(None, "user", said), (None, "assistant", rng.choice(REPLIES))]
        turns += [(None, "user", rng.choice(ROUTINE_ASKED)), (None, "assistant", rng.choice(REPLIES))]
        sessions.append((start.isoformat(timespec="minutes"), turns))
    return sessions


# id, category, question, evidence, now
QUESTIONS = [
    ("t01", "single_fact", "Who is my sister marrying and where is the wedding?", ["s1-sister"], "2024-07-01T09:00"),
    ("t02", "single_fact", "What was I planning to wear to Lena's wedding?", ["s1-dress"], "2024-07-01T09:00"),
    ("t03", "single_fact", "Which airline am I flying to Porto with?", ["s6-flights"], "2024-07-01T09:00"),
    ("t04", "single_fact", "Where are we staying in Porto?", ["s6-hotel"], "2024-07-01T09:00"),
    ("t05", "paraphrase", "What did I tell you about my sister's wedding?", ["s1-sister", "s6-flights"], "2024-07-01T09:00"),
    ("t06", "single_fact", "What did the physio diagnose?", ["s3-diagnosis"], "2024-07-01T09:00"),
    ("t07", "single_fact", "Who is my physio?", ["s2-physio"], "2024-07-01T09:00"),
    ("t08", "paraphrase", "What exercise did I do while I couldn't run?", ["s3-swim"], "2024-07-01T09:00"),
    ("t09", "cross_session", "How is my knee doing?", ["s2-knee", "s3-diagnosis", "s10-knee"], "2024-07-01T09:00"),
    ("t10", "single_fact", "What are we migrating at work?", ["s4-project"], "2024-07-01T09:00"),
    ("t11", "single_fact", "Who leads the billing migration?", ["s4-colleague"], "2024-07-01T09:00"),
    ("t12", "paraphrase", "What's the name of our pet?", ["s5-cat"], "2024-07-01T09:00"),
    ("t13", "single_fact", "Which clinic does Pixel go to?", ["s5-vet"], "2024-07-01T09:00"),
    ("t14", "cross_session", "When is Pixel's next vet visit?", ["s9-vaccine"], "2024-07-01T09:00"),
    ("t15", "single_fact", "What does the cat eat?", ["s9-food"], "2024-07-01T09:00"),
    ("t16", "paraphrase", "How much more will I earn?", ["s7-salary"], "2024-07-01T09:00"),
    ("t17", "single_fact", "How much do I invest every month?", ["s7-savings"], "2024-07-01T09:00"),
    ("t18", "single_fact", "Which Ishiguro novel did I finish?", ["s8-book"], "2024-07-01T09:00"),
    ("t19", "single_fact", "What am I reading next?", ["s8-next"], "2024-07-01T09:00"),
    ("t20", "single_fact", "Which race did I sign up for?", ["s10-race"], "2024-07-01T09:00"),
    ("t21", "time_bounded", "What happened with the cat last month?", ["s5-cat", "s5-vet"], "2024-06-05T09:00"),
    ("t22", "time_bounded", "What did I tell you about the cat last week?", ["s9-vaccine", "s9-food"], "2024-06-26T09:00"),
    ("t23", "time_bounded", "What did I say about work in May?", ["s4-project", "s4-colleague"], "2024-07-01T09:00"),
    ("t24", "paraphrase", "Did my knee recover?", ["s10-knee"], "2024-07-01T09:00"),
    ("t25", "cross_session", "What do I need to do for the Porto trip?", ["s6-flights", "s6-hotel", "s1-dress"], "2024-07-01T09:00"),
    ("t26", "single_fact", "When is the Porto flight?", ["s6-flights"], "2024-07-01T09:00"),
    ("t27", "paraphrase", "Which kitty did we take home?", ["s5-cat"], "2024-07-01T09:00"),
    ("t28", "single_fact", "What did I think of Klara and the Sun?", ["s8-book"], "2024-07-01T09:00"),
    ("t29", "single_fact", "Where do I swim?", ["s3-swim"], "2024-07-01T09:00"),
    ("t30", "time_bounded", "What did I do in June about money?", ["s7-salary", "s7-savings"], "2024-07-01T09:00"),
]


def build(seed: int = 5) -> tuple[list[dict], list[dict]]:
    """(turns in date order, questions): each turn has session, key, role, text and created_at."""
    turns = []
    sessions = sorted(SESSIONS + routine_sessions(random.Random(seed)), key=lambda s: s[0])
    for number, (start, session) in enumerate(sessions, 1):
        moment = datetime.fromisoformat(start)
        for i, (key, role, text) in enumerate(session):
            turns.append({"session": number, "key": key or f"s{number}-t{i}", "role": role, "text": text,
                          "created_at": (moment + timedelta(minutes=2 * i)).isoformat(timespec="minutes")})
    questions = [{"id": i, "category": c, "question": q, "evidence": e, "now": n} for i, c, q, e, n in QUESTIONS]
    return turns, questions


def main(args: argparse.Namespace) -> int:
    """Write both files and print their counts."""
    turns, questions = build()
    keys = {t["key"] for t in turns if t["role"] == "user"}
    assert all(set(q["evidence"]) <= keys for q in questions)
    for name, rows in (("chat_turns.jsonl", turns), ("chat_questions.jsonl", questions)):
        (DATA / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(SESSIONS) + ROUTINE_SESSIONS} conversations, {len(turns)} turns, {len(questions)} questions")
    return 0


if __name__ == "__main__":
    sys.exit(main(argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()))
