"""Guards the L1 extraction half: the paper's example read exactly (the user's likes and dislikes,
not Emmy's or Alice's), first-person versus other people's statements, relations and
organisations, Chinese notes, topics rolled up through the taxonomy, negations and contradictions
("I don't eat meat anymore" retracts older steak likes), the annotated bench set staying above its
targets, and the LLM path validating and retrying on a scripted fake model."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from conftest import PAPER_NOTES, ScriptedModel
from memory.profile.extract import rules as profile_extract
from memory.profile import taxonomy as profile_taxonomy
from memory.errors import InvalidInput
from memory.profile.extract.items import item_key
from memory.profile.llm import ExtractionFailed, build_prompt, extract_with_llm
from memory.profile.schema import COARSE_CATEGORIES, Preference


def _user(facts) -> set[tuple[str, str]]:
    return {(p.item.lower(), p.polarity) for p in facts.preferences}


def _others(facts) -> set[tuple[str, str, str]]:
    return {(p.holder, p.item.lower(), p.polarity) for p in facts.others}


def _people(facts) -> set[tuple]:
    return {(p.name, p.relation) for p in facts.people}


def test_paper_example_exactly():
    user, others, people = set(), set(), set()
    for day, note in enumerate(PAPER_NOTES, start=1):
        facts = profile_extract.extract(note, note_date=datetime(2026, 5, day))
        user |= _user(facts)
        others |= _others(facts)
        people |= _people(facts)
        assert all(p.stated_at == datetime(2026, 5, day) for p in facts.preferences + facts.others)
    assert user == {
        ("medium-rare steak", "like"), ("crispy bacon", "like"), ("creamy mushroom risotto", "like"),
        ("spicy food", "dislike"), ("butter", "dislike"),
    }
    assert others == {("Emmy", "fried chicken", "like"), ("Alice", "butter", "like")}
    assert people == {("Emmy", None), ("Alice", None)}


def test_paper_example_as_one_note_keeps_pronouns_local():
    facts = profile_extract.extract("\n".join(PAPER_NOTES))
    assert ("fried chicken", "like") not in _user(facts)
    assert ("Emmy", "fried chicken", "like") in _others(facts)
    assert ("butter", "dislike") in _user(facts) and ("butter", "like") not in _user(facts)


@pytest.mark.parametrize("text, mine, theirs", [
    ("I love sushi, especially salmon nigiri.", {("sushi", "like"), ("salmon nigiri", "like")}, set()),
    ("Emmy loves fried chicken.", set(), {("Emmy", "fried chicken", "like")}),
    ("Tom prefers tea, but I prefer coffee.", {("coffee", "like")}, {("Tom", "tea", "like")}),
    ("My sister Ana loves jazz. I'm more into indie rock.", {("indie rock", "like")}, {("Ana", "jazz", "like")}),
    ("I don't really like cilantro, it tastes like soap to me.", {("cilantro", "dislike")}, set()),
    ("Skip the onions in the salad, I never liked them raw.", {("onions", "dislike"), ("raw onions", "dislike")}, set()),
    ("Could you recommend a recipe for vegan brownies for my daughter Lily?", set(),
     {("Lily", "vegan brownies", "like")}),
    ("My friend Tom is coming over. He hates mushrooms, so no risotto this time.", set(),
     {("Tom", "mushrooms", "dislike")}),
    ("I love dark chocolate but milk chocolate is too sweet for me.",
     {("dark chocolate", "like"), ("milk chocolate", "dislike")}, set()),
    ("Meeting with my manager at 3pm about the roadmap.", set(), set()),
])
def test_whose_preference_it_is(text, mine, theirs):
    facts = profile_extract.extract(text)
    assert _user(facts) == mine
    assert _others(facts) == theirs


def test_reasons_and_confidence():
    facts = profile_extract.extract("Please avoid peanuts in anything you suggest, I'm allergic.")
    [pref] = facts.preferences
    assert (pref.item, pref.polarity, pref.reason) == ("peanuts", "dislike", "allergic")
    strong = profile_extract.extract("I love ramen.").preferences[0]
    asked = profile_extract.extract("How do I make ramen?").preferences[0]
    assert 0 < asked.confidence < strong.confidence <= 1


def test_relations_and_organisations():
    facts = profile_extract.extract(
        "My friend Tom and my sister Ana came by. I told my manager I work at Acme Corp now, "
        "and my team lead is Priya.")
    people = {(p.name, p.relation, p.kind) for p in facts.people}
    assert {("Tom", "friend", "person"), ("Ana", "sister", "person"), (None, "manager", "person"),
            ("Priya", "team lead", "person"), ("Acme Corp", "employer", "organisation")} <= people
    assert not any(p.name in ("I", "Acme") for p in facts.people)


def test_chinese_preferences_and_people():
    assert _user(profile_extract.extract("我喜欢吃火锅")) == {("火锅", "like")}
    assert _user(profile_extract.extract("我不喜欢香菜")) == {("香菜", "dislike")}
    facts = profile_extract.extract("我妹妹小红下周来北京，她最喜欢吃烤鸭。")
    assert _people(facts) == {("小红", "sister")}
    assert _user(facts) == set() and _others(facts) == {("小红", "烤鸭", "like")}
    assert _people(profile_extract.extract("我在腾讯工作。")) == {("腾讯", "employer")}
    assert _user(profile_extract.extract("我不吃香菜也不吃葱。")) == {("香菜", "dislike"), ("葱", "dislike")}


def test_topics_roll_up_to_coarse_categories():
    facts = profile_extract.extract("Watched the Lakers game with my brother. I'd like to cook a medium-rare steak.")
    topics = {t.fine: t for t in facts.topics}
    assert topics["Lakers"].coarse == "sport" and topics["Lakers"].path == ["laker", "nba", "basketball", "sport"]
    assert topics["medium-rare steak"].coarse == "food" and topics["medium-rare steak"].path[-2:] == ["meat", "food"]
    assert profile_extract.extract("我最近迷上了跑步").topics[0].coarse == "sport"


def test_every_taxonomy_term_reaches_a_coarse_category():
    for term in profile_taxonomy._parents():
        chain = profile_taxonomy.path(term)
        assert chain and chain[-1] in COARSE_CATEGORIES, term


def test_no_longer_eating_meat_retracts_older_meat_likes():
    old = profile_extract.extract("I love medium-rare steak and crispy bacon, and mushroom risotto.",
                                  note_date=datetime(2026, 1, 1))
    new = profile_extract.extract("I don't eat meat anymore.", note_date=datetime(2026, 3, 1))
    assert ("meat", "dislike") in _user(new)
    [negation] = new.negations
    retracted = {p.item for p in old.preferences if profile_extract.retracts(negation, p)}
    assert retracted == {"medium-rare steak", "crispy bacon"}
    later = Preference(item="bacon", polarity="like", stated_at=datetime(2026, 4, 1))
    assert not profile_extract.retracts(negation, later)  # stated after the negation: it stands
    meat = new.preferences[0]
    assert all(profile_extract.contradicts(meat, p) for p in old.preferences if p.item != "mushroom risotto")
    assert not profile_extract.contradicts(meat, Preference(item="mushroom risotto", polarity="like"))


def test_contradictions_are_between_opposite_statements_of_one_holder():
    like_steak = Preference(item="medium-rare steak", polarity="like")
    assert profile_extract.contradicts(Preference(item="steak", polarity="dislike"), like_steak)
    assert not profile_extract.contradicts(Preference(item="Medium-rare steaks", polarity="like"), like_steak)
    assert profile_extract.contradicts(Preference(item="Medium-rare steaks", polarity="dislike"), like_steak)
    # A newer like of one kind does not undo a general dislike.
    assert not profile_extract.contradicts(like_steak, Preference(item="meat", polarity="dislike"))
    assert not profile_extract.contradicts(Preference(item="steak", polarity="dislike", holder="Tom"), like_steak)
    assert profile_extract.extract("我不吃肉了").negations[0].covers.count("牛肉") == 1


def test_item_keys_compare_reasonably():
    assert item_key("Medium-rare steaks") == item_key("medium rare steak")
    assert item_key("movies") == item_key("movie") and item_key("tennis") != item_key("tenni")


def test_bad_input_is_a_domain_error_and_empty_text_is_empty():
    with pytest.raises(InvalidInput):
        profile_extract.extract(None)
    assert profile_extract.extract("   ").preferences == []


def test_bench_set_meets_targets():
    from bench import profile_extraction as bench

    args = bench.make_parser().parse_args([])
    assert bench.main(args) == 0


VALID = {
    "preferences": [
        {"item": "butter", "polarity": "dislike", "holder": None, "reason": None, "confidence": 0.8},
        {"item": "butter", "polarity": "like", "holder": "Alice", "reason": None, "confidence": 0.9},
    ],
    "people": [{"name": "Alice", "relation": None, "kind": "person"}],
    "topics": [{"fine": "butter", "coarse": "food"}],
    "no_longer": ["meat"],
}


def test_llm_path_retries_after_invalid_json():
    model = ScriptedModel(["Sure! Here is what I found: butter is disliked.", "```json\n" + json.dumps(VALID) + "\n```"])
    facts = extract_with_llm("I don't enjoy butter. Alice prefers butter.", model, note_date=datetime(2026, 5, 1))
    assert len(model.prompts) == 2
    assert "JSON schema" in model.prompts[0] and "Alice prefers butter" in model.prompts[0]
    assert "not valid" in model.prompts[1]
    assert _user(facts) == {("butter", "dislike")} and _others(facts) == {("Alice", "butter", "like")}
    assert facts.preferences[0].stated_at == datetime(2026, 5, 1)
    assert facts.topics[0].path == ["butter", "dairy", "food"]
    assert "steak" in facts.negations[0].covers


def test_llm_path_rejects_schema_violations_and_gives_up():
    wrong_polarity = json.dumps({**VALID, "preferences": [{"item": "butter", "polarity": "love"}]})
    extra_key = json.dumps({**VALID, "mood": "happy"})
    model = ScriptedModel([wrong_polarity, extra_key, "{not json"])
    with pytest.raises(ExtractionFailed):
        extract_with_llm("I love butter.", model, retries=2)
    assert len(model.prompts) == 3
    assert "polarity" in model.prompts[1]


def test_llm_prompt_carries_the_schema():
    prompt = build_prompt("我喜欢吃火锅", datetime(2026, 2, 24))
    assert "2026-02-24" in prompt and "我喜欢吃火锅" in prompt
    assert '"polarity"' in prompt and '"no_longer"' in prompt


@pytest.mark.parametrize("text", [
    "Do I like opera? Not sure yet.",
    "我喜欢歌剧吗？",
    "He said: I love karaoke.",
    "If I liked running, I'd join the marathon club.",
    "如果我喜欢跑步就好了。",
    "Everyone assumes I like football because I'm from Manchester.",
    "大家都觉得我爱喝咖啡。",
    "I never said I hated sushi.",
])
def test_what_the_writer_does_not_assert_is_no_preference(text):
    assert profile_extract.extract(text).preferences == []


@pytest.mark.parametrize("text, expected", [
    ("Mom thinks I love broccoli, but I really don't.", [("broccoli", "dislike")]),
    ("My husband loves action movies, but I prefer documentaries.", [("documentaries", "like")]),
    ("I find networking events exhausting.", [("networking events", "dislike")]),
    ("Long walks by the river keep me going.", [("Long walks by the river", "like")]),
    ("Sam prefers the beach, but I'd rather go hiking.", [("hiking", "like")]),
    ("Not everyone likes durian, but I do.", [("durian", "like")]),
    ("比起咖啡我更喜欢茶。", [("茶", "like")]),
    ("受不了地铁里的拥挤。", [("地铁里的拥挤", "dislike")]),
    ("她以为我喜欢吃甜食，其实我不喜欢。", [("甜食", "dislike")]),
    ("我老公喜欢吃辣，我更喜欢清淡的。", [("清淡", "like")]),
])
def test_implicit_contrastive_and_corrected_preferences(text, expected):
    assert [(p.item, p.polarity) for p in profile_extract.extract(text).preferences] == expected


def test_new_kinds_set_meets_targets():
    from bench import profile_extraction as bench

    assert bench.main(bench.make_parser().parse_args(["--set", "kinds"])) == 0
