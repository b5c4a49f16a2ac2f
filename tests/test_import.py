"""Guards imports: every good row is stored and every bad one named (file:line, the formats
accepted); dates read in the forms people write them; a file imported twice is reported as
already there; Obsidian folders, ChatGPT's conversations.json and diary-style text import; hostile
files (YAML alias bombs, deep JSON, dates out of range, lone surrogates, broken chat messages,
too many notes) are refused with a clear per-file error, fast, before anything of them is stored."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest

from memory import api
from memory.portability import import_files

MAX_NOTES_PER_FILE = 20_000


@pytest.fixture(params=["sqlite", "postgres"])
def mem(request):
    url = request.getfixturevalue(f"{request.param}_url")
    return api.open_memory(url)


def _import(user, *files):
    return import_files(user, [(name, data.encode("utf-8") if isinstance(data, str) else data, None)
                               for name, data in files])


def test_a_bad_date_on_one_line_refuses_only_that_line(mem):
    ana = mem.user("ana")
    lines = [{"content": "one", "created_at": "2024-07-01T10:00:00"}, {"content": "two"},
             {"content": "three", "created_at": "11/07/2024"}, {"content": "four", "created_at": "2024-07-04"}]
    report = _import(ana, ("file.jsonl", "\n".join(json.dumps(x) for x in lines)))
    assert report.notes == 3 and len(ana.notes()) == 3
    assert len(report.refused) == 1 and report.refused[0].startswith("file.jsonl:3:")
    assert "11/07/2024" in report.refused[0] and "2024-07-18" in report.refused[0]  # says what is accepted


@pytest.mark.parametrize("written, expected", [
    ("2024/07/15", datetime(2024, 7, 15)), ("2024-7-5", datetime(2024, 7, 5)),
    ("July 15, 2024", datetime(2024, 7, 15)), ("1721001600", datetime(2024, 7, 15)),
    ("15 July 2024 09:30", datetime(2024, 7, 15, 9, 30)),
])
def test_front_matter_dates_are_read_as_people_write_them(mem, written, expected):
    ana = mem.user("ana")
    report = _import(ana, ("trip.md", f"---\ntitle: Trip\ndate: {written}\n---\nWalked the old town.\n"))
    assert report.notes == 1 and not report.refused
    assert ana.notes()[0].created_at.replace(tzinfo=None) == expected


def test_the_same_markdown_file_twice_is_reported_as_already_there(mem):
    ana = mem.user("ana")
    text = "---\ntitle: Lisbon\n---\nAte pastel de nata.\n"
    assert _import(ana, ("trip.md", text)).notes == 1
    again = _import(ana, ("trip.md", text))
    assert again.notes == 0 and again.already_there == 1 and len(ana.notes()) == 1
    assert len(ana.search("pastel")) == 1


def test_a_yaml_alias_bomb_is_refused_fast(mem):
    ana = mem.user("ana")
    bomb = "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    bomb += "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
    bomb += "---\nhello\n"
    started = time.monotonic()
    report = _import(ana, ("bomb.md", bomb))
    assert time.monotonic() - started < 2
    assert report.notes == 0 and any("bomb.md" in r and "alias" in r for r in report.refused)


def test_huge_front_matter_is_refused(mem):
    report = _import(mem.user("ana"), ("big.md", "---\n" + "k: v\n" * 20_000 + "---\nbody\n"))
    assert report.notes == 0 and any("front matter" in r for r in report.refused)


def test_deep_json_is_refused_with_a_clear_error(mem):
    deep = "[" * 200_000 + "]" * 200_000
    report = _import(mem.user("ana"), ("deep.json", deep), ("deep.jsonl", '{"content": ' + deep + "}"))
    assert report.notes == 0 and len(report.refused) == 2
    assert all("nested" in r for r in report.refused)


def test_a_date_out_of_range_is_a_clear_error(mem):
    ana = mem.user("ana")
    report = _import(ana, ("old.jsonl", '{"content": "ok"}\n{"content": "x", "created_at": "0001-01-01T00:00:00+14:00"}\n'))
    assert report.notes == 1 and report.refused[0].startswith("old.jsonl:2:") and "range" in report.refused[0]


def test_lone_surrogates_are_a_clear_error(mem):
    ana = mem.user("ana")
    report = _import(ana, ("s.jsonl", '{"content": "fine"}\n{"content": "bad \\ud800 text"}\n'))
    assert report.notes == 1 and report.refused[0].startswith("s.jsonl:2:") and "surrogate" in report.refused[0]
    with pytest.raises(Exception, match="surrogate"):
        ana.add_note("bad \ud800")


def test_too_many_notes_in_one_file_is_refused_before_storing(mem):
    ana = mem.user("ana")
    text = "\n".join('{"content": "n"}' for _ in range(MAX_NOTES_PER_FILE + 1))
    report = _import(ana, ("flood.jsonl", text))
    assert report.notes == 0 and ana.notes() == [] and "flood.jsonl" in report.refused[0]


def _export_with(messages: list) -> str:
    return json.dumps({"format": "mebot-export", "version": 1, "user": "x", "timezone": "UTC", "notes": [
        {"title": "", "content": "kept note", "created_at": "2024-07-01T10:00:00+00:00"}],
        "sessions": [{"title": "bad chat", "messages": messages},
                     {"title": "good chat", "messages": [{"id": 1, "role": "user", "content": "hi"},
                                                         {"id": 2, "parent_id": 1, "role": "assistant",
                                                          "content": "hello"}]}]})


@pytest.mark.parametrize("broken", [
    {"id": 2, "parent_id": 1, "role": "assistant"},  # no content
    {"id": 2, "parent_id": 1, "role": "assistant", "content": "x", "created_at": "yesterday"},
    {"id": 2, "parent_id": 1, "role": "system", "content": "x"},
    {"id": 2, "parent_id": 1, "role": "assistant", "content": ["a", "list"]},
])
def test_a_broken_chat_message_refuses_its_conversation_only(mem, broken):
    ana = mem.user("ana")
    report = _import(ana, ("export.json", _export_with([{"id": 1, "role": "user", "content": "q"}, broken])))
    assert report.notes == 1 and report.conversations == 1
    assert [s.title for s in ana.sessions()] == ["good chat"]  # no empty conversation left behind
    assert any("export.json" in r and "bad chat" in r for r in report.refused)


def test_obsidian_folder_imports_with_links_tags_and_front_matter(mem, tmp_path):
    from memory.portability import read_folder

    vault = tmp_path / "vault"
    (vault / "Trips" / "2024").mkdir(parents=True)
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian" / "app.json").write_text("{}")
    (vault / "Trips" / "2024" / "Lisbon.md").write_text(
        "---\ndate: 2024-07-15\ntags: [travel, food]\n---\nMet [[People/Ana|Ana]] at [[Time Out Market]]. #pastry\n")
    (vault / "Ideas.md").write_text("Build a [[Mebot]] plugin.\n")
    (vault / "photo.png").write_bytes(b"\x89PNG")
    ana = mem.user("ana")
    report = import_files(ana, read_folder(vault))
    assert report.notes == 2 and not report.refused
    lisbon = next(n for n in ana.notes() if n.title == "Lisbon")
    assert "Met Ana at Time Out Market. #pastry" in lisbon.content and "#travel" in lisbon.content
    assert lisbon.created_at.date().isoformat() == "2024-07-15" and lisbon.source == "import:Trips/2024/Lisbon.md"
    assert len(ana.search("pastry")) == 1


def test_chatgpt_conversations_import_as_chats(mem):
    node = lambda i, parent, role, text, t: {  # noqa: E731
        "id": i, "parent": parent, "children": [],
        "message": None if role is None else {"id": i, "author": {"role": role}, "create_time": t,
                                              "content": {"content_type": "text", "parts": [text]}}}
    mapping = {"root": node("root", None, None, "", None),
               "s": node("s", "root", "system", "", 1721001600),
               "u": node("u", "s", "user", "What is a good pasta for a weeknight?", 1721001601),
               "a": node("a", "u", "assistant", "Try aglio e olio.", 1721001602)}
    data = [{"title": "Pasta", "create_time": 1721001600, "current_node": "a", "mapping": mapping}]
    ana = mem.user("ana")
    report = _import(ana, ("conversations.json", json.dumps(data)))
    assert report.conversations == 1 and not report.refused
    chat = ana.sessions()[0]
    assert chat.title == "Pasta"
    assert [(m.role, m.content) for m in ana.messages(chat.id)] == [
        ("user", "What is a good pasta for a weeknight?"), ("assistant", "Try aglio e olio.")]
    assert ana.messages(chat.id)[0].created_at.replace(tzinfo=timezone.utc) == datetime(2024, 7, 15, 0, 0, 1, tzinfo=timezone.utc)
    again = _import(ana, ("conversations.json", json.dumps(data)))
    assert again.conversations == 0 and len(ana.sessions()) == 1


def test_diary_text_becomes_one_note_per_dated_entry(mem):
    diary = ("2024-07-14\nSwam in the lake. Cold!\n\n"
             "July 15, 2024\nRainy day, read a novel.\n\n"
             "# 2024/07/16\nCooked dal for friends.\n")
    ana = mem.user("ana")
    report = _import(ana, ("diary.txt", diary))
    assert report.notes == 3 and not report.refused
    by_day = {n.created_at.date().isoformat(): n.content for n in ana.notes()}
    assert by_day == {"2024-07-14": "Swam in the lake. Cold!", "2024-07-15": "Rainy day, read a novel.",
                      "2024-07-16": "Cooked dal for friends."}


def test_a_lone_surrogate_in_a_search_finds_and_in_a_chat_message_is_a_clear_error(mem):
    from memory.errors import InvalidInput

    ana = mem.user("ana")
    ana.add_note("a bad day")
    assert [h.text for h in ana.search("bad \ud800")] == ["a bad day"]  # any typed text is a query
    chat = ana.new_session()
    with pytest.raises(InvalidInput, match="surrogate"):
        ana.add_message(chat.id, "user", "bad \ud800")


def test_an_unreadable_front_matter_date_keeps_the_note_with_the_files_time_and_a_warning(mem):
    ana = mem.user("ana")
    modified = datetime(2024, 8, 1, 12, 0, tzinfo=timezone.utc)
    report = import_files(ana, [("odd.md", b"---\ndate: sometime in spring\n---\nPlanted peas.\n", modified)])
    assert report.notes == 1 and not report.refused
    assert report.warnings and "odd.md" in report.warnings[0] and "sometime in spring" in report.warnings[0]
    assert ana.notes()[0].created_at.replace(tzinfo=timezone.utc) == modified


def test_dates_in_rare_forms_are_read_but_only_so_many_per_file(mem, monkeypatch):
    from memory.importers import dates

    monkeypatch.setattr(dates, "MAX_SLOW_DATES", 2)
    lines = [{"content": f"n{i}", "created_at": "Jul-05-2024"} for i in range(4)]  # dateparser's job
    lines.append({"content": "common", "created_at": "5 July 2024"})  # read by pattern, no budget
    report = _import(mem.user("ana"), ("rare.jsonl", "\n".join(json.dumps(x) for x in lines)))
    assert report.notes == 3 and [r.split(":")[1] for r in report.refused] == ["3", "4"]
    assert all("too many dates" in r for r in report.refused)


def test_a_long_text_file_is_not_read_line_by_line_by_dateparser(mem):
    started = time.monotonic()
    report = _import(mem.user("ana"), ("list.txt", "\n".join(f"{i}. call at 10:30 in 2024" for i in range(20_000))))
    assert report.notes == 1 and time.monotonic() - started < 20


def test_a_user_who_chose_a_date_order_gets_numeric_dates_read_by_it(mem):
    ana = mem.user("ana")
    ana.set_calendar(date_order="dmy")
    report = _import(ana, ("file.jsonl", '{"content": "x", "created_at": "11/07/2024"}'))
    assert report.notes == 1 and ana.notes()[0].created_at.date().isoformat() == "2024-07-11"
