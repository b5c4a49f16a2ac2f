"""How a prompt names a memory item and how a reply cites it: note 12 is N12, message 40 is M40, and an
answer cites them in brackets, "[N12]". Prompts, search hits, training data and the chat's sources
panel all use these functions, so the format lives here only."""

from __future__ import annotations

import re

NOTE, MESSAGE = "N", "M"
_CITATION = re.compile(rf"\[({NOTE}|{MESSAGE})(\d+)\]")
_SPACED_CITATION = re.compile(rf" \[[{NOTE}{MESSAGE}]\d+\]")


def note_ref(note_id: int) -> str:
    """'N12' for note 12."""
    return f"{NOTE}{note_id}"


def message_ref(message_id: int) -> str:
    """'M40' for message 40."""
    return f"{MESSAGE}{message_id}"


def cite(ref: str) -> str:
    """'[N12]': a reference as an answer writes it."""
    return f"[{ref}]"


def cited_refs(answer: str) -> list[str]:
    """The references an answer cites, in order of first mention: ["N12", "M40"]."""
    return list(dict.fromkeys(kind + number for kind, number in _CITATION.findall(answer)))


def without_citations(text: str) -> str:
    """`text` with its " [N12]"-style citations removed (for closed-book training answers)."""
    return _SPACED_CITATION.sub("", text)


def renumbered(text: str, notes: dict[int, int], messages: dict[int, int]) -> str:
    """`text` with its "[N12]"/"[M40]" references pointing at new ids (an imported copy); unknown ones stay."""
    def swap(match: re.Match) -> str:
        kind, number = match.group(1), int(match.group(2))
        new = (notes if kind == NOTE else messages).get(number, number)
        return cite(f"{kind}{new}")

    return _CITATION.sub(swap, text)


def unnumbered(text: str) -> str:
    """`text` with its references' ids dropped ("[N12]" → "[N]"): two copies of one reply compare equal."""
    return _CITATION.sub(lambda match: f"[{match.group(1)}]", text)
