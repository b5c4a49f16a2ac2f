"""Guards search: BM25 ranking, CJK text, messages as hits, and that whatever a user types (operators,
quotes, emoji, 10,000 characters, nothing) is a query, never syntax — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

HOSTILE_QUERIES = [
    '"', '""', "'", "AND", "OR", "NOT", "coffee AND", "OR coffee", "NOT coffee", "NEAR(coffee tom)",
    "NEAR", "(", ")", "(coffee", "coffee)", "*", "coffee*", "*coffee", ":", "title:coffee", "-coffee",
    "^coffee", "coffee^2", "🎉☕", "☕ coffee", "{title body}: coffee", "a' OR '1'='1", "'; DROP TABLE note; --",
    "\\", "%", "_", "coffee | tom", "coffee & tom", "!coffee", "<->", "coffee:*", "\x00", "\n\t",
    "", "   ", "x" * 10_000, "咖啡 " * 3000,
]


@pytest.fixture
def alice(memory):
    user = memory.user("alice")
    user.add_notes([
        {"title": "Coffee with Tom", "content": "Met Tom at the harbour cafe; he recommended an Ethiopian roast.",
         "created_at": datetime(2024, 7, 18, 9)},
        {"title": "Groceries", "content": "Bought oat milk, bread and coffee beans.",
         "created_at": datetime(2024, 7, 10, 18)},
        {"title": "Running", "content": "Ran 10 km along the river before work.",
         "created_at": datetime(2024, 7, 2, 7)},
        {"title": "火锅", "content": "和小红一起去吃了四川火锅，太辣了。", "created_at": datetime(2024, 7, 12, 20)},
        {"title": "日本語", "content": "東京で美味しいラーメンを食べました。", "created_at": datetime(2024, 7, 5, 12)},
    ])
    return user


def test_keyword_match_ranks_title_and_body(alice):
    hits = alice.search("coffee")
    assert [h.title for h in hits[:2]] == ["Coffee with Tom", "Groceries"]
    assert hits[0].score >= hits[1].score > 0


def test_stemming_and_case(alice):
    assert alice.search("RUNNING")[0].title == "Running"
    assert alice.search("recommend")[0].title == "Coffee with Tom"


@pytest.mark.parametrize("query, title", [("四川火锅", "火锅"), ("火锅", "火锅"), ("小红", "火锅"),
                                          ("ラーメン", "日本語"), ("東京", "日本語")])
def test_cjk_text_is_searchable(alice, query, title):
    assert alice.search(query)[0].title == title


def test_hits_carry_ids_text_and_dates(alice):
    hit = alice.search("Ethiopian roast")[0]
    assert hit.note_id is not None and hit.message_id is None
    assert "Ethiopian" in hit.text
    assert hit.created_at.year == 2024


def test_user_messages_are_hits(alice):
    chat = alice.new_session()
    said = alice.add_message(chat.id, "user", "My passport expires in October")
    alice.add_message(chat.id, "assistant", "Noted: passport expires in October", parent_id=said.id)
    hits = alice.search("passport")
    assert [(h.note_id, h.message_id) for h in hits] == [(None, said.id)]


def test_any_typed_text_is_a_query_not_syntax(alice):
    for query in HOSTILE_QUERIES:
        assert isinstance(alice.search(query), list), query
    # Operators inside a query are plain words: these still find the coffee notes.
    for query in ['"coffee" AND', "coffee*", "NEAR(coffee tom)", "title:coffee", "-coffee", "coffee^2"]:
        assert alice.search(query)[0].title == "Coffee with Tom", query


def test_k_limits_results(alice):
    alice.add_notes([{"content": f"coffee note {i}"} for i in range(30)])
    assert len(alice.search("coffee", k=5)) == 5
    assert len(alice.search("coffee", k=0)) == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=200))
def test_arbitrary_text_never_raises(sqlite_memory_alice, query):
    assert isinstance(sqlite_memory_alice.search(query), list)


@pytest.fixture
def sqlite_memory_alice(sqlite_url):
    from memory import api

    mem = api.open_memory(sqlite_url)
    user = mem.user("alice")
    user.add_note("coffee with Tom, 咖啡和茶")
    yield user
    mem.close()


def test_time_only_question_returns_that_periods_notes_in_date_order(alice):
    now = datetime(2024, 7, 13, 10)
    alice.add_note("Quiet evening, read a book.", created_at=datetime(2024, 7, 12, 21))
    hits = alice.search("What did I do yesterday?", now=now)
    assert [h.title for h in hits] == ["火锅", ""]
    assert [h.created_at.hour for h in hits] == [20, 21]


def test_a_named_time_restricts_keyword_matches_to_its_range(alice):
    now = datetime(2024, 7, 20, 15)
    hits = alice.search("coffee last week", now=now)  # 8-14 July
    # The match first, then the rest of the period; nothing from outside it.
    assert [h.title for h in hits] == ["Groceries", "火锅"]
    assert [h.title for h in alice.search("coffee", now=now)][:2] == ["Coffee with Tom", "Groceries"]
    outcome = alice.recall("coffee last week", now=now)
    assert (outcome.timeframe.start.day, outcome.timeframe.end.day) == (8, 15)


def test_time_frame_follows_the_week_start_setting(sqlite_url, monkeypatch):
    from memory import api

    monkeypatch.setenv("MEBOT_WEEK_START", "6")  # weeks start on Sunday
    mem = api.open_memory(sqlite_url)
    outcome = mem.user("alice").recall("what did I do last week?", now=datetime(2024, 7, 20, 15))
    assert outcome.timeframe.start == datetime(2024, 7, 7, tzinfo=outcome.timeframe.start.tzinfo)
    mem.close()


def test_chinese_time_question(alice):
    hits = alice.search("我昨天做了什么？", now=datetime(2024, 7, 13, 9))
    assert [h.title for h in hits] == ["火锅"]


def test_cjk_words_containing_function_characters_still_match(alice):
    novel = alice.add_note("这本小说很好看，下雨天读最合适。")
    assert [h.note_id for h in alice.search("小说")][:1] == [novel.id]
    assert [h.note_id for h in alice.search("下雨")][:1] == [novel.id]


def test_scores_are_reciprocal_rank_fusion_of_the_lists():
    from memory.search.fusion import RRF_K, fuse

    fused = fuse([(1.0, [1, 2, 3]), (2.0, [3, 1])])
    assert list(fused) == [3, 1, 2]
    assert fused[1] == pytest.approx(1 / (RRF_K + 1) + 2 / (RRF_K + 2))
    assert fused[3] == pytest.approx(1 / (RRF_K + 3) + 2 / (RRF_K + 1))
    assert fused[2] == pytest.approx(1 / (RRF_K + 2))
    assert fuse([]) == {}


def test_hit_scores_are_the_fused_ranks_and_period_fillers_score_zero(alice):
    from memory.search.fusion import FULLTEXT_WEIGHT, RRF_K

    first, second = FULLTEXT_WEIGHT / (RRF_K + 1), FULLTEXT_WEIGHT / (RRF_K + 2)
    hits = alice.search("coffee", now=datetime(2024, 7, 20, 15))
    assert [h.score for h in hits[:2]] == [pytest.approx(first), pytest.approx(second)]
    filled = alice.search("coffee last week", now=datetime(2024, 7, 20, 15))
    assert [(h.title, h.score) for h in filled] == [("Groceries", pytest.approx(first)), ("火锅", 0.0)]


def test_a_named_period_fills_up_to_k_in_date_order(alice):
    now = datetime(2024, 7, 20, 15)
    alice.add_notes([{"content": f"walk {i}", "created_at": datetime(2024, 7, 9 + i, 8)} for i in range(4)])
    shown = lambda k: [h.title or h.text for h in alice.search("coffee last week", now=now, k=k)]  # noqa: E731
    assert shown(4) == ["Groceries", "walk 0", "walk 1", "walk 2"]
    assert shown(2) == ["Groceries", "walk 0"]


def test_message_hits_are_cited_as_m_and_notes_as_n(alice):
    chat = alice.new_session()
    said = alice.add_message(chat.id, "user", "My passport expires in October")
    [hit] = alice.search("passport")
    assert hit.ref == f"M{said.id}" and hit.session_id == chat.id
    assert alice.search("Ethiopian")[0].ref == f"N{alice.search('Ethiopian')[0].note_id}"


def test_the_query_is_cut_at_its_maximum_length(alice):
    from memory.search.textindex import MAX_QUERY_CHARS

    assert alice.search("x" * (MAX_QUERY_CHARS - 7) + " coffee")[0].title == "Coffee with Tom"
    assert alice.search("x" * MAX_QUERY_CHARS + " coffee") == []


def test_k_is_capped(alice):
    from memory.search.fusion import MAX_K

    alice.add_notes([{"content": f"coffee note {i}"} for i in range(MAX_K + 5)])
    assert len(alice.search("coffee", k=10_000)) == MAX_K


# The table: each query must find its note on both backends (one folding for index and query).
UNICODE_CASES = [
    ("猫", "我养了一只猫，叫咪咪。"),
    ("책", "나는 어제 책을 읽었다"),
    ("İstanbul", "Trip to İstanbul with Ana"),
    ("Istanbul", "Trip to İstanbul with Ana"),
    ("re\u0301sume\u0301", "Updated my résumé"),
    ("GPU", "Ordered a new ＧＰＵ for the desktop"),
    ("ｇｐｕ", "Ordered a new GPU for the desktop"),
    ("Hauptstrasse", "Moved to Hauptstraße 5"),
    ("Hauptstraße", "Moved to Hauptstrasse 5"),
    ("🍕", "Friday night: 🍕 with the kids"),
    ("ラーメン", "東京で美味しいラーメンを食べました。"),
    ("猫的名字", "我养了一只猫，叫咪咪。"),
]


DISTRACTORS = ["Nothing to see here, just groceries.", "我们去了北京，天气很好。", "회의가 길었다",
               "京都のお寺を見ました。", "Izmir? No, Ankara.", "ss and s"]


@pytest.mark.parametrize("query, note", UNICODE_CASES)
def test_unicode_query_finds_its_note(memory, query, note):
    user = memory.user("unicode")
    user.add_notes([{"content": text} for text in DISTRACTORS])
    target = user.add_note(note)
    assert [h.note_id for h in user.search(query)] == [target.id], query


def test_questions_to_mebot_are_not_memory(alice):
    chat = alice.new_session()
    question = alice.add_message(chat.id, "user", "What did I note on 3 June 2024 about coffee?")
    mixed = alice.add_message(chat.id, "user", "I switched to decaf coffee last week. Any brands you like?")
    hits = alice.search("coffee")
    refs = [(h.note_id, h.message_id) for h in hits]
    assert (None, question.id) not in refs
    assert (None, mixed.id) in refs
