"""Import files as notes and chats (.md, .txt, .jsonl, a Mebot .json export, ChatGPT's conversations.json;
several at once) and export
everything the user owns as one JSON download, streamed from a one-use link (webapp.guard), never left on
disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from memory.errors import InvalidInput
from memory.importers.limits import read_regular_file
from memory.portability import ACCEPTED_FILES, ImportReport
from memory.portability import import_files as import_into
from webapp.edge import bind, shows_errors
from webapp.render import esc

FILE_TYPES = [".md", ".markdown", ".txt", ".text", ".jsonl", ".ndjson", ".json"]
NO_FILES = "Choose one or more files first."


def report_html(report: ImportReport) -> str:
    """An import report as escaped HTML."""
    head = f"Imported {report.notes} note(s)" + (
        f" and {report.conversations} conversation(s)" if report.conversations else "")
    head += f" ({report.already_there} you already had)" if report.already_there else ""
    files = "".join(f"<li>{esc(f.summary())}</li>" for f in report.files[:50]) if len(report.files) > 1 else ""
    files = f"<ul>{files}</ul>" if files else ""
    lines = "".join(f"<li>{esc(line)}</li>" for line in report.refused[:50])
    more = f"<li>… and {len(report.refused) - 50} more</li>" if len(report.refused) > 50 else ""
    refused = (f"<div>Refused:</div><ul>{lines}{more}</ul><div class=\"mebot-muted\">Accepted: "
               f"{esc(ACCEPTED_FILES)}</div>") if report.refused else ""
    warned = "".join(f"<li>{esc(line)}</li>" for line in report.warnings[:20])
    warned = f"<div>Read with care:</div><ul>{warned}</ul>" if warned else ""
    return f'<div class="mebot-notice mebot-import">{esc(head)}.{files}{refused}{warned}</div>'


def import_files(user, files: list[tuple[str, bytes]]) -> ImportReport:
    """Import uploaded (name, bytes) files into the user's notes."""
    return import_into(user, [(name, data, None) for name, data in files])


def export_link_html(url: str) -> str:
    """The download link of an export (relative `url`, usable once)."""
    return (f'<div class="mebot-notice mebot-export"><a href="{esc(url)}" download id="export-link">'
            "Download your export (JSON)</a> · the link works once, for ten minutes.</div>")


@dataclass
class NotesIOUI:
    files: gr.File
    import_button: gr.Button
    import_report: gr.HTML
    export_button: gr.Button
    export_link: gr.HTML


def render(ctx) -> NotesIOUI:
    """Lay out the import and export controls."""
    with gr.Accordion("Import and export", open=False, elem_id="notes-io"):
        files = gr.File(label="Files to import (.md, .txt, .jsonl, a Mebot .json export or ChatGPT's "
                        "conversations.json)",
                        file_count="multiple", file_types=FILE_TYPES, type="filepath", elem_id="import-files")
        import_button = gr.Button("Import", size="sm", elem_id="import-button")
        import_report = gr.HTML(elem_id="import-report")
        export_button = gr.Button("Export everything as JSON", size="sm", elem_id="export-button")
        export_link = gr.HTML(elem_id="export-file")
    return NotesIOUI(files, import_button, import_report, export_button, export_link)


@shows_errors
def do_import(ctx, refresh, paths, notes_state, request: gr.Request):
    """Import the chosen files; `refresh(user, state)` gives the notes list's updates. Only files the
    caller uploaded get here (webapp.guard refuses the others at the door)."""
    user = ctx.user(request)
    if not paths:
        raise InvalidInput(NO_FILES)
    files = []
    for path in paths if isinstance(paths, list) else [paths]:
        path = Path(path)
        files.append((path.name, read_regular_file(path, path.name)))
    report = import_files(user, files)
    return (None, report_html(report), *refresh(user, notes_state))


def check_import(paths, notes_state):
    """A message at the file picker when Import is pressed with no file chosen."""
    chosen = bool(paths) if isinstance(paths, list) else paths is not None
    return [gr.validate(chosen, "" if chosen else NO_FILES), None]


@shows_errors
def do_export(ctx, request: gr.Request):
    """A one-use link to everything the user owns, as JSON."""
    user = ctx.user(request)
    return export_link_html(ctx.access.export_link(request, user))


def listen(ctx, ui: NotesIOUI, *, refresh, state, list_outputs: list) -> None:
    """Wire import and export; `refresh(user, state)` returns updates for `list_outputs`."""
    ui.import_button.click(bind(do_import, ctx, refresh), [ui.files, state],
                           [ui.files, ui.import_report, *list_outputs], api_name="notes_import",
                           validator=check_import)
    ui.export_button.click(bind(do_export, ctx), None, [ui.export_link], api_name="notes_export")
