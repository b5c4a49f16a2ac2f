"""The `mebot` command line. Domain errors become one-line messages here, at the edge."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable, Optional

from memory.errors import MebotError
from memory.vocab import RunStatus, RunTrigger

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    """Register a subcommand handler."""

    def register(handler):
        COMMANDS[name] = handler
        return handler

    return register


def _memory(args):
    from memory import api

    return api.open_memory(getattr(args, "database", None))


@command("serve")
def serve(args) -> int:
    from webapp.server import serve as run_server

    run_server(host=args.host, port=args.port, auth=args.auth, database_url=args.database)
    return 0


@command("import")
def import_files(args) -> int:
    from memory.portability import ACCEPTED_FILES, FileReport, import_files as import_into, note_files, read_files

    user = _memory(args).user(args.user)
    entries, unreadable = [], []
    for name in args.files:
        path = Path(name)
        try:
            # A folder (an Obsidian vault) brings every note file under it, named from the folder.
            entries += ([(f"{path.name}/{rel}", p) for rel, p in note_files(path)] if path.is_dir()
                        else [(path.name, path)])
        except MebotError as exc:
            unreadable.append(FileReport(name, refused=[str(exc)]))
    report = import_into(user, read_files(entries, unreadable))
    report.files[:0] = unreadable
    for file_report in report.files:
        print(file_report.summary())
        for line in file_report.refused:
            print(f"  refused {line}", file=sys.stderr)
        for line in file_report.warnings:
            print(f"  warning {line}", file=sys.stderr)
    refused = len(report.refused)
    extra = f" and {report.conversations} conversation(s)" if report.conversations else ""
    extra += f" ({report.already_there} already there)" if report.already_there else ""
    print(f"imported {report.notes} note(s){extra} for {user.name}" + (f"; {refused} refused" if refused else ""))
    if refused:
        print(f"accepted: {ACCEPTED_FILES}", file=sys.stderr)
    return 1 if refused else 0


@command("embed")
def embed_pending(args) -> int:
    mem = _memory(args)
    if mem.index.dense is None:
        print("dense search is off (MEBOT_EMBEDDING_MODEL=off): nothing to embed", file=sys.stderr)
        return 1
    names = mem.user_names() if args.all else [args.user]
    for name in names:
        done = mem.user(name, create=False).embed_pending()
        print(f"embedded {done} note(s) and message(s) for {name} with {mem.index.dense.embedder.name}")
    return 0


@command("search")
def search(args) -> int:
    mem = _memory(args)
    user = mem.user(args.user)
    outcome = user.recall(args.query, now=args.now, k=args.k)
    if args.json:
        print(json.dumps({
            "timeframe": outcome.timeframe.to_dict() if outcome.timeframe else None,
            "hits": [
                {"note_id": h.note_id, "message_id": h.message_id, "title": h.title, "text": h.text,
                 "created_at": user.shown_time(h.created_at).isoformat(), "score": h.score}
                for h in outcome.hits
            ],
        }, ensure_ascii=False, indent=2))
        return 0
    if outcome.timeframe:
        print(f"time frame: {outcome.timeframe.describe()}")
    if not outcome.hits:
        print("no matches")
    for hit in outcome.hits:
        snippet = " ".join(hit.text.split())[:120]
        print(f"[{hit.ref}] {user.shown_time(hit.created_at):%Y-%m-%d %H:%M}  {hit.title + ': ' if hit.title else ''}{snippet}")
    return 0


@command("export")
def export(args) -> int:
    from memory.portability import export_user

    mem = _memory(args)
    document = export_user(mem.user(args.user))
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0


@command("profile")
def show_profile(args) -> int:
    mem = _memory(args)
    user = mem.user(args.user)
    profile = user.profile()
    if args.json:
        print(json.dumps(profile.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(render_profile(profile))
    return 0


def render_profile(profile) -> str:
    """The profile as plain text, each fact with its id (for edits) and source notes."""

    def line(f, text: str) -> str:
        sources = ", ".join(f"#{i}" for i in f.source_note_ids[:5]) + (" …" if f.note_count > 5 else "")
        origin = "yours" if f.origin == "user" else (f"notes {sources}" if sources else "no notes")
        why = f"  “{f.quotes[0]['sentence']}”" if f.quotes else ""
        return f"  [{f.id}] {text}  ({origin}){why}"

    out = [f"bio: {profile.bio or '(nothing yet)'}", f"status: {profile.status or '(nothing yet)'}"]
    for title, facts in (("likes", profile.likes), ("dislikes", profile.dislikes)):
        out.append(f"{title}:")
        out += [line(f, f.label + (f" because {f.reason}" if f.reason else "")) for f in facts] or ["  -"]
    out.append("people:")
    out += [line(f, f.label + (f" ({f.relation})" if f.relation and f.relation != f.label else "")
                 + (" [organisation]" if f.entity == "organisation" else "")) for f in profile.people] or ["  -"]
    out.append("other people's preferences:")
    out += [line(f, f"{f.holder} {f.polarity}s {f.label}") for f in profile.others] or ["  -"]
    out.append("topics:")
    out += [f"  {g.coarse} ({g.mentions}): " + ", ".join(f"{f.label} [{f.id}]" for f in g.fine)
            for g in profile.topics] or ["  -"]
    if profile.superseded:
        out.append("history (superseded):")
        out += [line(f, f"{f.polarity}s {f.label}, replaced by {f.superseded_by['polarity']}s "
                        f"{f.superseded_by['label']}" if f.superseded_by else f"{f.polarity}s {f.label}")
                for f in profile.superseded]
    return "\n".join(out)


@command("chat")
def chat(args) -> int:
    from memory import settings as settings_module
    from rlmf.chat import Chunk, Reply
    from rlmf.chat.startup import make_engine

    mem = _memory(args)
    user = mem.user(args.user)
    engine = make_engine(settings_module.load(), mem)
    if engine.memory_only:
        from rlmf.chat.memory_only import how_to_fix

        print(f"[{engine.backend.reason}] memory-only mode: replies list your matching notes. "
              f"{how_to_fix(engine.backend.reason)}", file=sys.stderr)
    from memory.validation import MAX_CONTENT_CHARS, clean_text

    session_id = None  # made with the first message that can be stored: no empty conversations
    print("Type a message; an empty line or Ctrl-D quits.", file=sys.stderr)
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            break
        if not text:
            break
        try:
            clean_text(text, field="message", max_chars=MAX_CONTENT_CHARS, required=True)
        except MebotError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        session_id = session_id or user.new_session().id
        print("mebot> ", end="", flush=True)
        for event in engine.respond(user, session_id, text, now=args.now):
            if isinstance(event, Chunk):
                print(event.text, end="", flush=True)
            elif isinstance(event, Reply) and event.citations:
                print("\n  sources: " + ", ".join(
                    f"[{c.ref}] {user.shown_time(c.created_at):%Y-%m-%d %H:%M} {c.title}" for c in event.citations),
                    end="")
        print()
    return 0


@command("user")
def user_accounts(args) -> int:
    import getpass

    from webapp import accounts

    mem = _memory(args)
    if args.action == "list":
        for name in accounts.account_names(mem):
            print(name)
        return 0
    if not args.name:
        print("mebot: give the account's NAME", file=sys.stderr)
        return 2
    if args.action == "remove":
        if not args.yes and input(f"Delete {args.name} and everything they own? Type the name to confirm: ") \
                != args.name:
            print("mebot: not confirmed; nothing changed", file=sys.stderr)
            return 2
        accounts.remove_account(mem, args.name)
        print(f"removed {args.name}; their sessions have ended")
        return 0
    password = os.environ.get("MEBOT_NEW_PASSWORD") or getpass.getpass(f"Password for {args.name}: ")
    if not os.environ.get("MEBOT_NEW_PASSWORD") and getpass.getpass("Again: ") != password:
        print("mebot: the passwords differ; nothing changed", file=sys.stderr)
        return 2
    accounts.set_password(mem, args.name, password)
    print(f"{'added' if args.action == 'add' else 'changed the password of'} {args.name}; "
          "start the app with `mebot serve --auth`")
    return 0


@command("tiny-model")
def tiny_model(args) -> int:
    from rlmf.model.tiny import build_tiny_model

    path = build_tiny_model(args.path, seed=args.seed)
    print(f"wrote a tiny random model to {path}")
    print("It is for offline smoke runs and tests: its replies are noise, not answers.")
    print(f"Use it with: MEBOT_BASE_MODEL={path} mebot serve")
    return 0


@command("train")
def train(args) -> int:
    from memory import settings as settings_module
    from rlmf.training import runs
    from rlmf.training.run import execute, load_train_config, machine_lock

    settings = settings_module.load()
    mem = _memory(args)
    user = mem.user(args.user)
    recovered = runs.recover_stale_runs(mem)  # a killed `mebot train` must not block the next one
    if recovered:
        print(f"marked {recovered} run(s) whose process had died as failed", file=sys.stderr)
    run = runs.request_run(mem, user, trigger="manual", kind="full" if args.full else None)
    with machine_lock(settings.home, wait=False) as free:
        if not free:
            print(f"run {run.id} stays queued: another run is training on this machine", file=sys.stderr)
            return 3
        if not runs.claim(mem, run.id, os.getpid()):
            where = "a queue worker" if run.queue_job_id else "another process"
            print(f"run {run.id} is already being trained by {where} ({run.status})", file=sys.stderr)
            return 3
        print(f"training run {run.id} for {user.name} on {settings.base_model}", file=sys.stderr)
        status = execute(mem, run.id, settings, load_train_config(), echo=lambda line: print(line, file=sys.stderr))
    finished = runs.get_run(mem, user.id, run.id)
    print(f"run {run.id}: {status}" + (f" ({finished.error.splitlines()[0]})" if finished.error else ""))
    return 0 if status in (RunStatus.SUCCEEDED, RunStatus.REJECTED) else 1


@command("worker")
def worker(args) -> int:
    import asyncio
    import logging

    from memory import settings as settings_module
    from rlmf.training.worker import run_worker

    settings = settings_module.load()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    url = args.database or settings.resolved_database_url
    print(f"training worker for the {args.device} queue", file=sys.stderr, flush=True)
    try:
        asyncio.run(run_worker(url, args.device, stalled_seconds=settings.worker_stalled_seconds))
    except ValueError as exc:  # not PostgreSQL, unknown device kind
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _iso_or_dash(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment else "-"


@command("runs")
def list_runs(args) -> int:
    from rlmf.training import runs

    mem = _memory(args)
    user = mem.user(args.user)
    rows = runs.list_runs(mem, user.id, limit=args.limit)
    if args.json:
        print(json.dumps([{"id": r.id, "status": r.status, "trigger": r.trigger, "kind": r.kind, "stage": r.stage,
                           "step": r.step, "total_steps": r.total_steps, "eta_s": r.eta_s,
                           "data_counts": r.data_counts, "error": r.error, "attempts": r.attempts, "host": r.host,
                           "created_at": r.created_at.isoformat(), "finished_at": _iso_or_dash(r.finished_at)}
                          for r in rows], indent=2))
        return 0
    if not rows:
        print("no training runs yet")
    for r in rows:
        progress = f"{r.stage or '-'} {r.step}/{r.total_steps}" if r.status in ("running", "cancelling") else ""
        if progress and r.eta_s is not None:
            progress += f" eta {r.eta_s // 60}m{r.eta_s % 60:02d}s"
        shown = [user.shown_time(t) if t else None for t in (r.created_at, r.finished_at)]
        print(f"#{r.id} {r.status:<10} {r.trigger:<8} {r.kind or 'auto':<11} requested {_iso_or_dash(shown[0])} "
              f"finished {_iso_or_dash(shown[1])} {progress} {json.dumps(r.data_counts or {})}")
    return 0


@command("adapters")
def list_adapters(args) -> int:
    from rlmf.training import adapters

    mem = _memory(args)
    user = mem.user(args.user)
    rows = adapters.versions(mem, user.id)
    if not rows:
        print("no adapter versions yet: replies come from the base model")
    for a in rows:
        gate = (a.metrics or {}).get("gate", "")
        shown = user.shown_time(a.created_at)
        print(f"v{a.version:<3} {a.status:<9} {shown:%Y-%m-%d %H:%M}  base {a.base_model}  {gate}")
    return 0


@command("rollback")
def rollback(args) -> int:
    from rlmf.training import adapters

    mem = _memory(args)
    user = mem.user(args.user)
    adapters.rollback(mem, user.id, args.to)
    print(f"{user.name} now answers with " + (f"adapter v{args.to}" if args.to else "the bare base model"))
    return 0


@command("calendar")
def calendar(args) -> int:
    mem = _memory(args)
    user = mem.user(args.user)
    if args.country is not None or args.date_order is not None:
        user.set_calendar(country=args.country, date_order=args.date_order)
    cal = user.calendar
    order = {True: "day first", False: "month first", None: "by the language of the text"}[cal.day_first]
    print(f"{user.name}: time zone {user.timezone}, country {cal.country or '-'} "
          f"({'set' if user.country else 'default'}), numeric dates {order}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of every `mebot` subcommand."""
    parser = argparse.ArgumentParser(prog="mebot", description="Mebot: a personal AI that learns you.")
    parser.add_argument("--database", help="SQLAlchemy URL (default: $MEBOT_DATABASE_URL or the data directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", default=None, help="default: $MEBOT_HOST or 127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default: $MEBOT_PORT or 7860")
    p.add_argument("--auth", action="store_true", help="require sign-in with accounts made by `mebot user add`")

    p = sub.add_parser("import", help="import notes and chats: Markdown or text files and folders (Obsidian), "
                       "diaries, JSONL, a Mebot export, ChatGPT's conversations.json; exits 1 when anything "
                       "was refused")
    p.add_argument("--user", required=True)
    p.add_argument("files", nargs="+", help="files or folders")

    p = sub.add_parser("embed", help="make the vectors that are missing or from another model (after a model change)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--user")
    group.add_argument("--all", action="store_true", help="every user")

    p = sub.add_parser("search", help="search a user's memory")
    p.add_argument("--user", required=True)
    p.add_argument("query")
    p.add_argument("--now", help="ISO date-time that relative times are resolved against")
    p.add_argument("-k", type=int, default=10, help="how many results")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="everything a user owns as JSON (re-importable)")
    p.add_argument("--user", required=True)
    p.add_argument("-o", "--output", help="write to this file instead of standard output")

    p = sub.add_parser("profile", help="what Mebot knows about a user: bio, preferences, people, topics")
    p.add_argument("--user", required=True)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("chat", help="chat with your model in the terminal")
    p.add_argument("--user", required=True)
    p.add_argument("--now", help="ISO date-time to answer as of (default: now)")

    p = sub.add_parser("train", help="train the user's personal model now (in this process)")
    p.add_argument("--user", required=True)
    p.add_argument("--full", action="store_true",
                   help="retrain from the base on everything (default: continue the live adapter with what is new)")

    p = sub.add_parser("worker", help="execute training runs from the task queue (MEBOT_TRAINING_QUEUE=procrastinate)")
    p.add_argument("--device", choices=["cpu", "gpu"], default="cpu",
                   help="the queue to take runs from; one worker per GPU")

    p = sub.add_parser("runs", help="list the user's training runs")
    p.add_argument("--user", required=True)
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("adapters", help="list the user's adapter versions")
    p.add_argument("--user", required=True)

    p = sub.add_parser("rollback", help="make an earlier adapter version live (0 = the bare base)")
    p.add_argument("--user", required=True)
    p.add_argument("--to", type=int, required=True, metavar="VERSION")

    p = sub.add_parser("calendar", help="a user's country (holidays, seasons) and date order; shows them")
    p.add_argument("--user", required=True)
    p.add_argument("--country", default=None, help="ISO 3166 code like DE; '' = the default from the time zone")
    p.add_argument("--date-order", default=None, choices=["auto", "dmy", "mdy"], help="how 5/7 reads")

    p = sub.add_parser("user", help="password accounts for `mebot serve --auth`")
    p.add_argument("action", choices=["add", "passwd", "remove", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--yes", action="store_true", help="remove without asking")

    p = sub.add_parser("tiny-model", help="write a tiny random model for offline smoke runs")
    p.add_argument("path")
    p.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    """Run one `mebot` command; returns the exit status."""
    args = make_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except MebotError as exc:
        print(f"mebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
