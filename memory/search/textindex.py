"""Text as the full-text index sees it: one normalisation and one tokenizer for documents and queries.

Both backends (SQLite FTS5, PostgreSQL tsvector) receive text already reduced to space-separated
terms, so they agree on what a word is:

- Unicode is folded once (`fold`): NFKC (full-width ＧＰＵ → GPU, ligatures), case-folded (ß → ss,
  İ → i), Latin/Greek/Cyrillic accents dropped (résumé, typed composed or decomposed → resume).
- Chinese, Japanese and Korean runs are indexed as single characters *and* overlapping bigrams, so a
  one-character word (猫, 책) matches as well as a two-character one (火锅), with no segmenter.
- Emoji become terms of their own ("🍕" → "emoji1f355"): both tokenizers would otherwise drop them.

Whatever a user types is a query, never syntax: terms are extracted as runs of letters and digits,
so quotes, operators, parentheses and column filters cannot reach the index.
"""

from __future__ import annotations

import re
import unicodedata

from memory.scripts import CJK

# Letters and digits (no underscore), a CJK run, or one pictographic character.
_EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff"
_TERM = re.compile(rf"[^\W_{CJK}{_EMOJI}]+|[{CJK}]+|[{_EMOJI}]")
_CJK_RUN = re.compile(f"[{CJK}]+")
_EMOJI_CHAR = re.compile(f"[{_EMOJI}]")
# Accents on Latin, Greek and Cyrillic letters. Marks of other scripts (Japanese dakuten, Indic
# vowel signs) change the letter and stay.
_DIACRITIC = re.compile("[\u0300-\u036f]")

MAX_QUERY_CHARS = 2000
MAX_TERMS = 32

# Words that carry no topic in a question about one's own memory.
STOPWORDS = frozenset(
    """a about above after again against all am an and any anything are as at be been before being
    below between both but by can could did do does doing done down during each else ever few for
    from further get got had has have having he her here hers herself him himself his how i if in
    into is it its itself just know let me more most my myself no nor not now of off on once only or
    other our ours out over own please same she should so some something than that the their theirs
    them then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself tell show list find give
    remind recall remember say said note notes noted wrote write written writing jot jotted
    happen happened happening anything everything things thing stuff""".split()
)
# Function characters of Chinese/Japanese/Korean questions ("我昨天做了什么？", "뭐 했어").
_CJK_FILLER = re.compile("[我你他她它的了吗呢吧么什做是在有过都把记写下些哪一个和与也就还要想说请告诉のはをがにでともかねよ뭐했어요나는을를이가에서]+")


def fold(text: str) -> str:
    """The one normalisation of index and query text: NFKC, case-folded, Latin accents dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _DIACRITIC.sub("", unicodedata.normalize("NFD", text)))


def _emoji_term(char: str) -> str:
    return f"emoji{ord(char):x}"


def _grams(run: str) -> list[str]:
    """Single characters, then overlapping bigrams, of one CJK run."""
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> list[str]:
    """The folded tokens of `text`, in order: words, whole CJK runs and single emoji."""
    return _TERM.findall(fold(text or ""))


def index_text(text: str) -> str:
    """The text as space-separated index terms: words, CJK characters and bigrams, emoji terms."""
    terms: list[str] = []
    for token in tokens(text):
        if _CJK_RUN.fullmatch(token):
            terms.extend(_grams(token))
        elif _EMOJI_CHAR.fullmatch(token):
            terms.append(_emoji_term(token))
        else:
            terms.append(token)
    return " ".join(terms)


def _cjk_query_terms(run: str) -> list[str]:
    # Bigrams carry the precision; single characters catch one-character words inside a longer
    # run ("猫的名字" → 猫). Grams made only of function characters ("什么", "了") carry no topic;
    # any other keeps its place, so "小说" and "下雨" still match although 说 and 下 are fillers.
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return [g for g in bigrams + list(run) if not _CJK_FILLER.fullmatch(g)]


def query_terms(text: str) -> list[str]:
    """The plain search terms of a user query, folded like the index, stopwords dropped."""
    words: list[str] = []
    for token in tokens((text or "")[:MAX_QUERY_CHARS]):
        if _CJK_RUN.fullmatch(token):
            words.extend(_cjk_query_terms(token))
        elif _EMOJI_CHAR.fullmatch(token):
            words.append(_emoji_term(token))
        elif token not in STOPWORDS:
            words.append(token)
    return list(dict.fromkeys(words))[:MAX_TERMS]


def fts5_match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression that ORs the terms, each quoted as a plain string."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def tsquery_expression(terms: list[str]) -> str:
    """A PostgreSQL to_tsquery expression that ORs the terms, each quoted as a lexeme."""
    return " | ".join("'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms)
