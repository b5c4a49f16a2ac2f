"""Import files as notes (.md, .txt, .jsonl, a Mebot .json export; several at once) and export
everything the user owns as one JSON download, streamed from a one-use link (webapp.guard), never left on
disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from memory.errors import InvalidInput
from memory.portability import ImportReport
from memory.portability import import_files as import_into
from webapp.edge import shows_errors
from webapp.render import esc

FILE_TYPES = [".md", ".markdown", ".txt", ".text", ".jsonl", ".ndjson", ".json"]


def report_html(report: ImportReport) -> str:
    """An import report as escaped HTML."""
    head = f"Imported {report.notes} note(s)" + (
        f" and {report.conversations} conversation(s)" if report.conversations else "")
    head += f" ({report.already_there} you already had)" if report.already_there else ""
    lines = "".join(f"<li>{esc(line)}</li>" for line in report.skipped[:50])
    more = f"<li>… and {len(report.skipped) - 50} more</li>" if len(report.skipped) > 50 else ""
    skipped = f"<div>Skipped:</div><ul>{lines}{more}</ul>" if report.skipped else ""
    return f'<div class="mebot-notice mebot-import">{esc(head)}.{skipped}</div>'


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
        files = gr.File(label="Files to import (.md, .txt, .jsonl, or a Mebot .json export)",
                        file_count="multiple", file_types=FILE_TYPES, type="filepath", elem_id="import-files")
        import_button = gr.Button("Import", size="sm", elem_id="import-button")
        import_report = gr.HTML(elem_id="import-report")
        export_button = gr.Button("Export everything as JSON", size="sm", elem_id="export-button")
        export_link = gr.HTML(elem_id="export-file")
    return NotesIOUI(files, import_button, import_report, export_button, export_link)


def listen(ctx, ui: NotesIOUI, *, refresh, state, list_outputs: list) -> None:
    """Wire import and export; `refresh(user, state)` returns updates for `list_outputs`. Only files the
    caller uploaded reach `do_import` (webapp.guard refuses the others at the door)."""

    @shows_errors
    def do_import(paths, notes_state, request: gr.Request):
        user = ctx.user(request)
        if not paths:
            raise InvalidInput("Choose one or more files first.")
        files = []
        for path in paths if isinstance(paths, list) else [paths]:
            path = Path(path)
            files.append((path.name, path.read_bytes()))
        report = import_files(user, files)
        return (None, report_html(report), *refresh(user, notes_state))

    @shows_errors
    def do_export(request: gr.Request):
        user = ctx.user(request)
        return export_link_html(ctx.access.export_link(request, user))

    ui.import_button.click(do_import, [ui.files, state], [ui.files, ui.import_report, *list_outputs],
                           api_name="notes_import")
    ui.export_button.click(do_export, None, [ui.export_link], api_name="notes_export")
