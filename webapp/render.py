"""Small pieces of safe display text: every value that came from a user or a model is escaped here."""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Optional

from rlmf.chat.memory_only import how_to_fix


def esc(value) -> str:
    """Text made inert for HTML and Markdown components."""
    return html.escape("" if value is None else str(value), quote=True)


def local(moment: Optional[datetime], user) -> Optional[datetime]:
    """A stored time (naive values are UTC, as the database keeps them) in the user's time zone."""
    if moment is None:
        return None
    return user.shown_time(moment)


def when(moment: Optional[datetime], user) -> str:
    """A date and time in the user's zone, with the zone: 'YYYY-MM-DD HH:MM CEST'. Every time the app shows
    goes through here."""
    shown = local(moment, user)
    if shown is None:
        return ""
    return f"{shown:%Y-%m-%d %H:%M} {shown.tzname()}"


def field_time(moment: Optional[datetime], user) -> Optional[str]:
    """A stored time as a date field's value, 'YYYY-MM-DD HH:MM:SS' in the user's zone (the field is
    labelled with the zone, see date_label)."""
    shown = local(moment, user)
    return None if shown is None else shown.strftime("%Y-%m-%d %H:%M:%S")


def date_label(text: str, user) -> str:
    """A date field's label naming the zone its value is read in."""
    return f"{text} (your time, {user.timezone})"


def markdown_text(text: Optional[str]) -> str:
    """Markdown whose HTML is shown as text: `<`, `>` and `&` are escaped, so no tag from a note or a model
    reaches the page, while *emphasis*, lists, `code` and links still render (their URLs are sanitised by
    the Markdown component)."""
    return html.escape(text or "", quote=False)


def note_markdown(title: Optional[str], content: Optional[str]) -> str:
    """A note as the viewer shows it: its title as a heading, then its Markdown."""
    heading = f"### {markdown_text(' '.join((title or '').split()))}\n\n" if (title or "").strip() else ""
    return heading + markdown_text(content)


def mode_banner(engine) -> str:
    """The line that says which model answers, or that none does (memory-only mode)."""
    if engine.memory_only:
        reason = getattr(engine.backend, "reason", None)
        why = "Memory-only mode: no language model is loaded" + (f" ({reason})" if reason else "") + \
            "; replies list what your memory holds."
        return (f'<div class="mebot-banner mebot-memory-only"><div>{esc(why)}</div>'
                f'<div class="mebot-banner-fix">{esc(how_to_fix(reason))}</div></div>')
    return f'<div class="mebot-banner">Model: {esc(engine.backend.name)}</div>'


def adapter_badge(version: Optional[int], *, memory_only: bool, testid: str = "adapter-badge") -> str:
    """The badge naming what answers now: an adapter version, the bare base model, or memory only."""
    if memory_only:
        text, kind = "memory-only", "memory"
    elif version:
        text, kind = f"adapter v{int(version)}", "adapter"
    else:
        text, kind = "base model", "base"
    return f'<span class="mebot-badge mebot-badge-{kind}" data-testid="{esc(testid)}">{esc(text)}</span>'


def identity_line(text: str, *, sign_out: bool = False) -> str:
    """The header line naming the signed-in user, with a sign-out link for password accounts."""
    link = ' · <a href="logout">Sign out</a>' if sign_out else ""
    return f'<div class="mebot-identity">{esc(text)}{link}</div>'


def notice(text: str, *, kind: str = "info") -> str:
    """A one-line status message as HTML."""
    return f'<div class="mebot-notice mebot-notice-{esc(kind)}">{esc(text)}</div>'


def reveal_js(elem_id: str) -> str:
    """Browser code that scrolls the element `elem_id` into view and highlights it for a moment (for what a
    click opens further down the page)."""
    target = json.dumps(elem_id)
    return ("() => { setTimeout(() => { const el = document.getElementById(" + target + "); if (!el) return; "
            "el.scrollIntoView({block: 'start', behavior: 'instant'}); el.dataset.revealed = String(Date.now()); "
            "el.animate([{boxShadow: '0 0 0 4px rgba(249, 115, 22, 0.85)'}, "
            "{boxShadow: '0 0 0 4px rgba(249, 115, 22, 0)'}], {duration: 2500, easing: 'ease-out'}); }, 60); }")
