"""The `mebot` command line. Domain errors become one-line messages here, at the edge."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable, Optional

from memory.errors import MebotError

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
    from memory.portability import import_export, parse_path

    mem = _memory(args)
    user = mem.user(args.user)
    added = failed = 0
    for name in args.files:
        path = Path(name)
        try:
            parsed = parse_path(path)
        except (OSError, MebotError) as exc:
            print(f"skipped {name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        for error in parsed.errors:
            print(f"skipped {error}", file=sys.stderr)
        failed += len(parsed.errors)
        if parsed.export is not None:
            counts = import_export(user, parsed.export)
            added += counts["notes"]
            print(f"{name}: {counts['notes']} notes ({counts['skipped_notes']} already there), "
                  f"{counts['sessions']} conversations")
        elif parsed.notes:
            user.add_notes(parsed.notes)
            added += len(parsed.notes)
    print(f"imported {added} note(s) for {user.name}" + (f"; {failed} item(s) skipped" if failed else ""))
    return 1 if failed and not added else 0


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
                 "created_at": h.created_at.isoformat(), "score": h.score}
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
        print(f"[{hit.ref}] {hit.created_at:%Y-%m-%d %H:%M}  {hit.title + ': ' if hit.title else ''}{snippet}")
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


@command("chat")
def chat(args) -> int:
    from memory import settings as settings_module
    from rlmf.chat import Chunk, Reply
    from rlmf.engine import make_engine

    mem = _memory(args)
    user = mem.user(args.user)
    engine = make_engine(settings_module.load(), mem)
    if engine.memory_only:
        print(f"[{engine.backend.reason}] memory-only mode: replies list your matching notes.", file=sys.stderr)
    session_id = user.new_session().id
    print("Type a message; an empty line or Ctrl-D quits.", file=sys.stderr)
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            break
        if not text:
            break
        print("mebot> ", end="", flush=True)
        for event in engine.respond(user, session_id, text, now=args.now):
            if isinstance(event, Chunk):
                print(event.text, end="", flush=True)
            elif isinstance(event, Reply) and event.citations:
                print("\n  sources: " + ", ".join(
                    f"[{c.ref}] {c.created_at:%Y-%m-%d} {c.title}" for c in event.citations), end="")
        print()
    return 0


@command("tiny-model")
def tiny_model(args) -> int:
    from rlmf.tiny_model import build_tiny_model

    path = build_tiny_model(args.path, seed=args.seed)
    print(f"wrote a tiny random model to {path}")
    print("It is for offline smoke runs and tests: its replies are noise, not answers.")
    print(f"Use it with: MEBOT_BASE_MODEL={path} mebot serve")
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of every `mebot` subcommand."""
    parser = argparse.ArgumentParser(prog="mebot", description="Mebot: a personal AI that learns you.")
    parser.add_argument("--database", help="SQLAlchemy URL (default: $MEBOT_DATABASE_URL or the data directory)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host", default=os.environ.get("MEBOT_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("MEBOT_PORT", "7860")))
    p.add_argument("--auth", action="store_true", help="require sign-in with accounts made by `mebot user add`")

    p = sub.add_parser("import", help="import Markdown, text, JSONL or a Mebot export as notes")
    p.add_argument("--user", required=True)
    p.add_argument("files", nargs="+")

    p = sub.add_parser("search", help="search a user's memory")
    p.add_argument("--user", required=True)
    p.add_argument("query")
    p.add_argument("--now", help="ISO date-time that relative times are resolved against")
    p.add_argument("-k", type=int, default=10, help="how many results")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="everything a user owns as JSON (re-importable)")
    p.add_argument("--user", required=True)
    p.add_argument("-o", "--output", help="write to this file instead of standard output")

    p = sub.add_parser("chat", help="chat with your model in the terminal")
    p.add_argument("--user", required=True)
    p.add_argument("--now", help="ISO date-time to answer as of (default: now)")

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
