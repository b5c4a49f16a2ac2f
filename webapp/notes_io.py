"""Import files as notes (.md, .txt, .jsonl, a Mebot .json export; several at once) and export
everything the user owns as one JSON download."""

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
from memory.portability import ImportReport, export_user
from memory.portability import import_files as import_into
from webapp.edge import bind, shows_errors
from webapp.render import esc

FILE_TYPES = [".md", ".markdown", ".txt", ".text", ".jsonl", ".ndjson", ".json"]
EXPORT_KEEP_SECONDS = 900  # an export file only needs to outlive its download


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
        files = gr.File(label="Files to import (.md, .txt, .jsonl, or a Mebot .json export)",
                        file_count="multiple", file_types=FILE_TYPES, type="filepath", elem_id="import-files")
        import_button = gr.Button("Import", size="sm", elem_id="import-button")
        import_report = gr.HTML(elem_id="import-report")
        export_button = gr.Button("Export everything as JSON", size="sm", elem_id="export-button")
        export_file = gr.File(label="Your export", visible=False, interactive=False, elem_id="export-file")
    return NotesIOUI(files, import_button, import_report, export_button, export_file)


@shows_errors
def do_import(ctx, refresh, paths, notes_state, request: gr.Request):
    """Import the chosen files; `refresh(user, state)` gives the notes list's updates."""
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
def do_export(ctx, exports: ExportFiles, request: gr.Request):
    """Everything the user owns, as a JSON file to download."""
    user = ctx.user(request)
    return gr.File(value=str(exports.write(user)), visible=True)


def listen(ctx, ui: NotesIOUI, *, refresh, state, list_outputs: list) -> None:
    """Wire import and export; `refresh(user, state)` returns updates for `list_outputs`."""
    ui.import_button.click(bind(do_import, ctx, refresh), [ui.files, state],
                           [ui.files, ui.import_report, *list_outputs], api_name="notes_import")
    ui.export_button.click(bind(do_export, ctx, ExportFiles()), None, [ui.export_file], api_name="notes_export")
