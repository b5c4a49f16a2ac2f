"""Import files as notes and chats (.md, .txt, .jsonl, a Mebot .json export, ChatGPT's
conversations.json; several at once) and export everything the user owns as one JSON download."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from memory.errors import InvalidInput
from memory.importers.limits import read_regular_file
from memory.portability import ACCEPTED_FILES, ImportReport, export_user
from memory.portability import import_files as import_into
from webapp.edge import shows_errors
from webapp.render import esc

FILE_TYPES = [".md", ".markdown", ".txt", ".text", ".jsonl", ".ndjson", ".json"]
EXPORT_KEEP_SECONDS = 900  # an export file only needs to outlive its download


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


class ExportFiles:
    """Export documents written to a private temporary folder and removed soon after."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="mebot-exports-"))

    def write(self, user) -> Path:
        """Write the user's export as JSON and return the file."""
        self._prune()
        folder = Path(tempfile.mkdtemp(dir=self.root))
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", user.name).strip("-") or "user"
        path = folder / f"mebot-export-{safe}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        path.write_text(json.dumps(export_user(user), ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def _prune(self) -> None:
        cutoff = time.time() - EXPORT_KEEP_SECONDS
        for folder in self.root.iterdir():
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


@dataclass
class NotesIOUI:
    files: gr.File
    import_button: gr.Button
    import_report: gr.HTML
    export_button: gr.Button
    export_file: gr.File


def render(ctx) -> NotesIOUI:
    """Lay out the import and export controls."""
    with gr.Accordion("Import and export", open=False, elem_id="notes-io"):
        files = gr.File(label="Files to import (.md, .txt, .jsonl, a Mebot .json export or ChatGPT's "
                        "conversations.json)",
                        file_count="multiple", file_types=FILE_TYPES, type="filepath", elem_id="import-files")
        import_button = gr.Button("Import", size="sm", elem_id="import-button")
        import_report = gr.HTML(elem_id="import-report")
        export_button = gr.Button("Export everything as JSON", size="sm", elem_id="export-button")
        export_file = gr.File(label="Your export", visible=False, interactive=False, elem_id="export-file")
    return NotesIOUI(files, import_button, import_report, export_button, export_file)


def listen(ctx, ui: NotesIOUI, *, refresh, state, list_outputs: list) -> None:
    """Wire import and export; `refresh(user, state)` returns updates for `list_outputs`."""
    exports = ExportFiles()

    @shows_errors
    def do_import(paths, notes_state, request: gr.Request):
        user = ctx.user(request)
        if not paths:
            raise InvalidInput("Choose one or more files first.")
        files = []
        for path in paths if isinstance(paths, list) else [paths]:
            path = Path(path)
            files.append((path.name, read_regular_file(path, path.name)))
        report = import_files(user, files)
        return (None, report_html(report), *refresh(user, notes_state))

    @shows_errors
    def do_export(request: gr.Request):
        user = ctx.user(request)
        return gr.File(value=str(exports.write(user)), visible=True)

    ui.import_button.click(do_import, [ui.files, state], [ui.files, ui.import_report, *list_outputs],
                           api_name="notes_import")
    ui.export_button.click(do_export, None, [ui.export_file], api_name="notes_export")
