"""Guards the `mebot` command line: import of Markdown (front matter), text and JSONL with bad lines
reported, search with --json and --now, export that re-imports without duplicates, password accounts, and a
user's calendar conventions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def mebot(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MEBOT_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], capture_output=True,
                          text=True, env=env, timeout=120)


def test_import_search_export_reimport(tmp_path, mebot_home):
    md = tmp_path / "trip.md"
    md.write_text("---\ntitle: Lisbon trip\ndate: 2024-07-18\n---\nAte pastel de nata in Belém.\n")
    txt = tmp_path / "idea.txt"
    txt.write_text("# Garden idea\nPlant tomatoes along the fence.\n")
    jsonl = tmp_path / "notes.jsonl"
    jsonl.write_text(
        json.dumps({"content": "Dentist appointment moved to Friday", "created_at": "2024-07-15T10:00:00"}) + "\n"
        "{not json}\n"
        + json.dumps({"title": "no content"}) + "\n"
    )
    result = mebot("import", "--user", "ana", str(md), str(txt), str(jsonl), home=mebot_home)
    assert result.returncode == 0, result.stderr
    assert "imported 3 note(s)" in result.stdout
    assert "notes.jsonl:2" in result.stderr and "notes.jsonl:3" in result.stderr

    found = json.loads(mebot("search", "--user", "ana", "pastel de nata", "--json", home=mebot_home).stdout)
    assert found["hits"][0]["title"] == "Lisbon trip"
    assert found["hits"][0]["created_at"].startswith("2024-07-18")
    assert mebot("search", "--user", "ana", "tomatoes", home=mebot_home).stdout.count("Garden idea") == 1
    assert json.loads(mebot("search", "--user", "bob", "tomatoes", "--json", home=mebot_home).stdout)["hits"] == []

    export = tmp_path / "ana.json"
    assert mebot("export", "--user", "ana", "-o", str(export), home=mebot_home).returncode == 0
    document = json.loads(export.read_text())
    assert len(document["notes"]) == 3

    assert mebot("import", "--user", "ana", str(export), home=mebot_home).returncode == 0
    again = json.loads(mebot("export", "--user", "ana", home=mebot_home).stdout)
    assert len(again["notes"]) == 3  # nothing duplicated

    assert mebot("import", "--user", "copy", str(export), home=mebot_home).returncode == 0
    copy = json.loads(mebot("export", "--user", "copy", home=mebot_home).stdout)
    strip = lambda notes: sorted((n["title"], n["content"], n["created_at"]) for n in notes)  # noqa: E731
    assert strip(copy["notes"]) == strip(document["notes"])


def test_bad_files_give_clear_errors(tmp_path, mebot_home):
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    unknown = tmp_path / "sheet.xlsx"
    unknown.write_bytes(b"PK")
    result = mebot("import", "--user", "ana", str(binary), str(unknown), str(tmp_path / "missing.md"),
                   home=mebot_home)
    assert result.returncode == 1
    assert "binary" in result.stderr and "unsupported file type" in result.stderr
    assert "Traceback" not in result.stderr


def test_password_accounts(tmp_path, mebot_home):
    env_password = {"MEBOT_NEW_PASSWORD": "correct horse battery"}
    os.environ.update(env_password)
    try:
        assert mebot("user", "add", "ana", home=mebot_home).returncode == 0
    finally:
        os.environ.pop("MEBOT_NEW_PASSWORD")
    assert mebot("user", "list", home=mebot_home).stdout.split() == ["ana"]
    from memory import api
    from webapp import accounts

    mem = api.open_memory(f"sqlite:///{mebot_home / 'mebot.db'}")
    assert accounts.check_password(mem, "ana", "correct horse battery")
    assert not accounts.check_password(mem, "ana", "wrong password!")
    mem.close()


def test_calendar_sets_country_and_date_order(mebot_home):
    shown = mebot("calendar", "--user", "ana", "--country", "de", "--date-order", "dmy", home=mebot_home)
    assert shown.returncode == 0, shown.stderr
    assert "country DE (set)" in shown.stdout and "day first" in shown.stdout
    refused = mebot("calendar", "--user", "ana", "--country", "Germany", home=mebot_home)
    assert refused.returncode == 2 and "two-letter" in refused.stderr and "Traceback" not in refused.stderr
    assert "country DE (set)" in mebot("calendar", "--user", "ana", home=mebot_home).stdout
