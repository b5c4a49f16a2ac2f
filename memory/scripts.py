"""The writing systems Mebot treats specially, as regex character-class bodies: the one place for CJK ranges.

Chinese, Japanese and Korean are written without spaces between words, so search splits them into
characters and bigrams, and extraction reads them with rules of their own.
"""

from __future__ import annotations

import re

# Ideographs: CJK Unified (the common block), extension A, compatibility ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Japanese syllabaries: hiragana and katakana (with the prolonged-sound mark ー).
KANA = "\u3040-\u30ff"
# Korean: Hangul syllables and the compatibility jamo typed on their own (ㅋㅋ).
HANGUL = "\uac00-\ud7af\u3130-\u318f"
# Everything written without spaces between words.
CJK = HAN + KANA + HANGUL

HAN_CHAR = re.compile(f"[{HAN}]")
CJK_CHAR = re.compile(f"[{CJK}]")


def has_han(text: str) -> bool:
    """True when `text` holds at least one Chinese character (hanzi / kanji)."""
    return HAN_CHAR.search(text) is not None


def is_han(text: str) -> bool:
    """True when `text` is non-empty and made of Chinese characters only."""
    return bool(text) and all(HAN_CHAR.fullmatch(c) for c in text)
