"""Guards the web app's plain Python parts, without a server: who a request is (local, password, Spaces
sign-in, anonymous sandbox), argon2 accounts, how a conversation maps to chatbot rows and sources,
note search with a time filter, import/export round trips, and the training tab's view of runs."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from memory import api
from memory.errors import InvalidInput
from memory.portability import export_user
from rlmf.training import adapters, runs
from rlmf.data import feedback, preference_pairs
from rlmf.chat.backends import MemoryOnlyBackend
from rlmf.chat import ChatEngine, Reply
from webapp import accounts, chat_view, identity, memory_view, notes_io, notes_view, training_view
from webapp.render import adapter_badge, esc


@pytest.fixture
def mem(sqlite_url):
    memory = api.open_memory(sqlite_url)
    yield memory
    memory.close()


def request(username=None, session_hash="tab-1", oauth=None):
    scope = {"type": "http", "session": {"oauth_info": oauth} if oauth else {}}
    return SimpleNamespace(username=username, session_hash=session_hash, request=SimpleNamespace(scope=scope))


def ask(user, text, engine=None):
    engine = engine or ChatEngine(MemoryOnlyBackend("test"))
    chat = user.new_session()
    return chat, [e for e in engine.respond(user, chat.id, text) if isinstance(e, Reply)][-1]


# --- identity -------------------------------------------------------------------------------------

def test_identity_comes_from_the_request_in_every_mode():
    assert identity.Identity(identity.LOCAL).user_name(None) == "me"
    password = identity.Identity(identity.PASSWORD)
    assert password.user_name(request(username="ana")) == "ana"
    with pytest.raises(identity.SignInRequired):
        password.user_name(request(username=None))
    spaces = identity.Identity(identity.SPACES)
    signed_in = {"userinfo": {"preferred_username": "ana"}, "expires_at": time.time() + 60}
    assert spaces.user_name(request(oauth=signed_in)) == "hf:ana"
    expired = {**signed_in, "expires_at": time.time() - 1}
    anonymous = spaces.user_name(request(oauth=expired, session_hash="tab-1"))
    assert identity.is_sandbox(anonymous) and "tab-1" not in anonymous
    assert anonymous != spaces.user_name(request(session_hash="tab-2"))
    with pytest.raises(identity.SignInRequired):
        spaces.user_name(request(session_hash=None))


def test_default_mode_follows_spaces_and_the_auth_flag():
    assert identity.default_mode(False, {}) == identity.LOCAL
    assert identity.default_mode(True, {}) == identity.PASSWORD
    assert identity.default_mode(False, {"SPACE_ID": "someone/mebot"}) == identity.SPACES
    with pytest.raises(ValueError):
        identity.Identity("guest")


# --- accounts -------------------------------------------------------------------------------------

def test_passwords_are_argon2_hashed_and_checked(mem):
    accounts.set_password(mem, "ana", "correct horse")
    with mem.session() as session:
        from memory.models import User

        stored = session.query(User).filter_by(name="ana").one().password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert accounts.check_password(mem, "ana", "correct horse")
    assert not accounts.check_password(mem, "ana", "wrong horse")
    assert not accounts.check_password(mem, "nobody", "correct horse")
    mem.user("nopass")
    assert not accounts.check_password(mem, "nopass", "")
    assert accounts.account_names(mem) == ["ana"]
    with pytest.raises(InvalidInput):
        accounts.set_password(mem, "bob", "short")


# --- chat view ------------------------------------------------------------------------------------

def test_rows_map_chatbot_indices_to_stored_messages(mem):
    ana = mem.user("ana")
    chat = ana.new_session()
    question = ana.add_message(chat.id, "user", "When is the dentist?")
    reply = ana.add_message(chat.id, "assistant", "Friday.", parent_id=question.id, reasoning="The note says so.",
                            prompt=[{"role": "user", "content": "x"}])
    feedback.vote(ana, reply.id, False)
    view = chat_view.conversation(ana, chat.id)
    assert [r.part for r in view.rows] == ["question", "reasoning", "answer"]
    assert view.messages[1]["metadata"] == {"title": "Reasoning", "status": "done"}  # shown collapsed
    assert view.votes == ["Dislike", "Dislike"] and view.last_reply_id == reply.id
    assert chat_view.reply_at(view.rows, 1) == chat_view.reply_at(view.rows, 2) == reply.id
    assert chat_view.reply_at(view.rows, 0) is None and chat_view.reply_at(view.rows, 9) is None
    assert chat_view.question_at(view.rows, 2) == question.id


def test_sources_list_cited_notes_time_frame_and_what_answered(mem):
    ana = mem.user("ana")
    yesterday = ana.now() - timedelta(days=1)
    note = ana.add_note("Dentist moved to Friday.", title="Dentist", created_at=yesterday)
    ana.add_note("Planted tomatoes.", title="Garden", created_at=ana.now() - timedelta(days=9))
    _, reply = ask(ana, "What did I note yesterday?")
    sources = chat_view.sources(ana, reply.message_id)
    assert [(i.kind, i.id, i.title) for i in sources.items] == [("note", note.id, "Dentist")]
    assert sources.cited and sources.memory_only and sources.timeframe.startswith("'yesterday'")
    ana.delete_note(note.id)
    assert chat_view.sources(ana, reply.message_id).items == []  # a deleted note is not offered


# --- notes ----------------------------------------------------------------------------------------

def test_find_combines_full_text_and_a_time_filter(mem):
    ana = mem.user("ana")
    now = ana.now()
    ana.add_note("Dentist moved to Friday.", title="Dentist", created_at=now - timedelta(days=1))
    ana.add_note("The dentist was nice.", title="Old dentist", created_at=now - timedelta(days=40))
    ana.add_note("Bought a bike.", title="Bike", created_at=now - timedelta(days=1))
    rows, frame = notes_view.find(ana, "dentist", "")
    assert {r.title for r in rows} == {"Dentist", "Old dentist"} and frame is None
    rows, frame = notes_view.find(ana, "dentist", "yesterday")
    assert [r.title for r in rows] == ["Dentist"] and "yesterday" in frame
    rows, _ = notes_view.find(ana, "", "yesterday")
    assert {r.title for r in rows} == {"Dentist", "Bike"}
    with pytest.raises(InvalidInput):
        notes_view.find(ana, "", "when pigs fly")


def test_import_reports_bad_files_and_an_export_reimports_without_duplicates(mem):
    ana, bob = mem.user("ana"), mem.user("bob")
    report = notes_io.import_files(ana, [
        ("trip.md", b"---\ntitle: Lisbon\ndate: 2024-07-18\n---\nAte pastel de nata.\n"),
        ("diary.jsonl", b'{"content": "Ran 5k", "created_at": "2024-07-19T08:00:00"}\n{broken}\n'),
        ("<b>photo</b>.txt", b"\x00\x01binary"),
    ])
    assert report.notes == 2
    assert any("diary.jsonl:2" in s for s in report.skipped) and any("photo" in s for s in report.skipped)
    html = notes_io.report_html(report)
    assert "&lt;b&gt;photo" in html and "<b>photo" not in html
    exported = json.dumps(export_user(ana)).encode("utf-8")
    document = json.loads(exported)
    assert {n["title"] for n in document["notes"]} == {"Lisbon", ""}
    again = notes_io.import_files(ana, [("mebot-export-ana.json", exported)])
    assert again.notes == 0 and len(ana.notes()) == 2
    into_bob = notes_io.import_files(bob, [("mebot-export-ana.json", exported)])
    assert into_bob.notes == 2 and len(ana.notes()) == 2


# --- training view --------------------------------------------------------------------------------

def register_version(mem, user, tmp_path, version: int, *, seen=None, parent_id=None, metrics=None):
    folder = tmp_path / f"v{version}"
    folder.mkdir()
    (folder / "adapter_config.json").write_text("{}")
    return adapters.register(mem, user_id=user.id, version=version, path=folder, base_model="tiny",
                             parent_id=parent_id, seen=seen, metadata={"metrics": metrics} if metrics else {})


def test_training_view_shows_progress_history_curve_and_versions_in_plain_words(mem, tmp_path):
    ana = mem.user("ana")
    run = runs.request_run(mem, ana)
    assert "waiting to start" in training_view.progress_html(runs.active_run(mem, ana.id), ana)
    runs.claim(mem, run.id, pid=0)
    runs.update(mem, run.id, stage="prepare", step=0, total_steps=0)
    loading = training_view.progress_html(runs.active_run(mem, ana.id), ana)
    assert "loading the model" in loading and "0/0" not in loading and "step 0" not in loading
    runs.append_history(mem, run.id, [{"stage": "sft", "step": 1, "loss": 2.5, "reward_margin": None},
                                      {"stage": "dpo", "step": 1, "loss": 0.7, "reward_margin": 0.2}],
                        stage="dpo", step=1, total_steps=4, eta_s=130)
    live = training_view.progress_html(runs.active_run(mem, ana.id), ana)
    assert "Learning from your corrections" in live and "step 1 of 4" in live and "loss 0.700" in live
    assert "width:25%" in live and "about 2 min left" in live
    points = training_view.curve(runs.get_run(mem, ana.id, run.id))
    assert [(p["series"], p["value"]) for p in points] == [("notes: loss", 2.5), ("corrections: loss", 0.7),
                                                          ("corrections: reward margin", 0.2)]
    assert training_view.plot_title(points) == \
        "Loss (lower is better) and reward margin (higher is better) while learning notes, corrections: latest run"
    assert training_view.plot_title(points[:1]) == "Loss (lower is better) while learning notes: latest run"

    first = register_version(mem, ana, tmp_path, 1)
    adapters.promote(mem, ana.id, 1)
    evaluation = {"candidate": {"recall_logprob": -6.2, "preference_accuracy": 1.0, "recall_items": 7, "pairs": 2},
                  "live": {"recall_logprob": -6.59, "preference_accuracy": 0.5, "recall_items": 7, "pairs": 2}}
    second = register_version(mem, ana, tmp_path, 2, parent_id=first.id, metrics={"evaluation": evaluation})
    adapters.promote(mem, ana.id, 2)
    runs.update(mem, run.id, status="succeeded", adapter_version_id=second.id, metrics={"evaluation": evaluation},
                data_counts={"sft": 69, "endorsed": 2, "sft_heldout": 7, "dpo": 2, "kto": 0,
                             "plan": {"sft": 9, "dpo": 1}, "needs": {"dpo": 8, "kto": 16}})
    row = training_view.run_rows(mem, ana)[0]
    assert row[0].startswith(f"#{run.id} · ") and "you asked" in row[0] and row[1] == "made v2 (in use)"
    assert row[2] == "Learned from 67 questions about your notes, 2 replies you liked or edited and 2 of your corrections"
    assert row[3] == ("recalls your notes better than v1; prefers your version in 2 of 2 corrections (v1: 1); "
                      "tested on 7 questions it did not train on")
    assert "sft_heldout" not in " ".join(row) and "recall_logprob" not in " ".join(row)
    versions = training_view.version_rows(mem, ana)
    assert [v[0] for v in versions] == ["v2 · in use ●", "v1 · earlier version"]
    assert training_view.version_choices(mem, ana.id) == [("v2 (in use)", 2), ("v1", 1), ("base model (no adapter)", 0)]
    assert "made v2 (in use)" in training_view.progress_html(None, ana)  # no run active: the last one's outcome


def test_feedback_waits_until_a_run_really_learned_it(mem, tmp_path):
    from rlmf.training import plan

    ana = mem.user("ana")
    _, liked = ask(ana, "hello")
    _, disliked = ask(ana, "and then?")
    _, edited = ask(ana, "what now?")
    like = feedback.vote(ana, liked.message_id, True)
    feedback.vote(ana, disliked.message_id, False, reason="wrong facts")
    edit = feedback.edit_reply(ana, edited.message_id, "Your own words.")
    needs = {"dpo": 4, "kto": 16}
    waiting = plan.waiting_feedback(ana)
    assert (waiting.likes, waiting.dislikes, waiting.edits, waiting.pairs, waiting.votes) == (1, 1, 1, 1, 2)

    failed = runs.request_run(mem, ana)
    runs.update(mem, failed.id, status="failed", error="ModelUnavailable: no model")
    assert plan.waiting_feedback(ana) == waiting  # a failed run learned nothing: nothing is reset
    assert training_view.run_rows(mem, ana)[0][1] == \
        "failed: no model; nothing changed, your feedback is kept for the next run"

    # An SFT-only run: the liked and the edited replies were trained on as examples; the pair and the votes wait.
    sft_only = {"notes": {}, "sft_feedback": [like.id, edit.id], "pairs": [], "votes": []}
    register_version(mem, ana, tmp_path, 1, seen=sft_only)
    adapters.promote(mem, ana.id, 1)
    waiting = plan.waiting_feedback(ana)
    assert (waiting.likes, waiting.dislikes, waiting.edits, waiting.pairs, waiting.votes) == (0, 1, 0, 1, 2)
    counts = training_view.counts_html(waiting, needs)
    assert "has not learned from yet" in counts and "1 so far, 3 more to go" in counts
    assert training_view.feedback_note("dislike", waiting, needs, None) == (
        "Thanks: kept for training; preference training starts after 3 more corrections (1 of 4 so far); editing "
        "the reply into what you wanted counts as one.")
    assert "nothing is trained here" in training_view.feedback_note("edit", waiting, needs, "no model")
    assert "1 of 4 corrections needed for preference training are kept" in training_view.request_note(9, waiting, needs)
    run = runs.request_run(mem, ana)
    runs.update(mem, run.id, status="succeeded",
                data_counts={"sft": 20, "endorsed": 2, "dpo": 1, "kto": 2, "plan": {"sft": 5}, "needs": needs})
    assert training_view.run_rows(mem, ana)[0][2] == (
        "Learned from 18 questions about your notes and 2 replies you liked or edited. Not yet from your feedback: "
        "1 of 4 corrections (preference pairs) needed; 2 of 16 likes and dislikes needed — your feedback is kept "
        "for the next run")

    # A version that trained on the pair and the votes: nothing waits any more.
    pair = preference_pairs.dpo_rows(ana, with_keys=True)[0]["key"]
    votes = [row["key"] for row in preference_pairs.kto_rows(ana, with_keys=True)]
    everything = {**sft_only, "pairs": [pair], "votes": votes}
    register_version(mem, ana, tmp_path, 2, seen=everything)
    adapters.promote(mem, ana.id, 2)
    assert plan.waiting_feedback(ana) == plan.Waiting(0, 0, 0, 0, 0)


def test_a_run_plans_only_the_stages_it_has_enough_examples_for():
    from rlmf.training import plan
    from rlmf.training.config import TrainConfig

    config = TrainConfig(min_dpo_pairs=8, min_kto_examples=2, device="cpu")
    data = SimpleNamespace(sft=[{}] * 16, dpo=[{}] * 2, kto=[{}] * 2)
    assert set(plan.stage_plan(data, config)) == {"sft", "kto"}
    assert plan.skipped_stages({"dpo": 2, "kto": 2, "plan": plan.stage_plan(data, config),
                                "needs": plan.minimums(config)}) == {"dpo": (2, 8)}


def test_train_now_without_a_model_is_refused_with_the_fix(mem):
    import gradio as gr

    from memory import settings as settings_module
    from webapp import training_tab
    from webapp.context import AppContext

    ctx = AppContext(memory=mem, engine=ChatEngine(MemoryOnlyBackend("'x' is not in the local cache")),
                     identity=identity.Identity(identity.LOCAL), settings=settings_module.load(),
                     dispatch_runs=False)
    me = mem.user("me")
    shown = training_tab.everything(ctx, me)
    train_button, schedule = shown[2], shown[1]
    assert train_button.interactive is False
    assert "nothing to train" in schedule and "MEBOT_BASE_MODEL" in schedule and "restart" in schedule
    with pytest.raises(gr.Error, match="MEBOT_BASE_MODEL"):
        training_tab.train_now(ctx, request())
    assert runs.list_runs(mem, me.id) == []  # no run that would only fail
    assert "nothing is trained here" in training_tab.feedback_note(ctx, me, "like")


# --- memory tab and safe text ---------------------------------------------------------------------

def test_profile_facts_are_listed_and_corrections_map_to_the_api(mem):
    ana = mem.user("ana")
    note = ana.add_note("I love sushi because it is fresh.", created_at=ana.now() - timedelta(days=3))
    ana.add_note("My sister Emma is visiting.", created_at=ana.now() - timedelta(days=2))
    profile = ana.profile()
    rows = {(r.kind, r.label): r for r in memory_view.fact_rows(profile)}
    # Why Mebot believes it: the sentence, and the note it is in.
    assert rows[("Preference", "sushi")].details == \
        f"likes because it is fresh — “I love sushi because it is fresh.” (note {note.id})"
    assert rows[("Preference", "sushi")].origin == "1 note(s)"
    assert rows[("Person", "Emma")].details.startswith("sister — “My sister Emma is visiting.”")
    assert ("Topic", "sushi") in rows
    sushi = profile.fact(rows[("Preference", "sushi")].id)
    assert memory_view.editor_values(sushi)["polarity"] == "like"
    ana.update_profile_item(sushi.id, **memory_view.corrections(sushi, "sashimi", "dislike", "too raw"))
    corrected = {(r.kind, r.label): r for r in memory_view.fact_rows(ana.profile())}
    assert ("Preference", "sushi") not in corrected and corrected[("Preference", "sashimi")].origin == "you"
    assert corrected[("Preference", "sashimi")].details == "dislikes because too raw"
    with pytest.raises(InvalidInput):
        memory_view.corrections(sushi, "sushi", None, "")


def test_badges_and_escaping():
    assert "adapter v3" in adapter_badge(3, memory_only=False)
    assert "base model" in adapter_badge(None, memory_only=False)
    assert "memory-only" in adapter_badge(2, memory_only=True)
    assert esc('<img src=x onerror="alert(1)">') == "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
