"""Text as the full-text index sees it: CJK runs split into bigrams, user queries reduced to plain terms.

Whatever a user types is a query, never syntax: terms are extracted as runs of letters and
digits, so quotes, operators, parentheses and column filters cannot reach the index.
"""

from __future__ import annotations

import re

# Hiragana, katakana, CJK ideographs (incl. extension A and compatibility), Hangul syllables.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# Letters and digits only (no underscore): the unit both index tokenizers agree on.
_TERM = re.compile(rf"[^\W_{_CJK}]+|[{_CJK}]+")

MAX_QUERY_CHARS = 2000
MAX_TERMS = 24

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
# Function characters of Chinese/Japanese questions ("我昨天做了什么？").
_CJK_FILLER = re.compile("[我你他她它的了吗呢吧么什做是在有过都把记写下些哪一个和与也就还要想说请告诉]+")


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """The text with every CJK run replaced by its overlapping bigrams, for the index."""
    return _CJK_RUN.sub(lambda m: " " + " ".join(_bigrams(m.group())) + " ", text)


def query_terms(text: str) -> list[str]:
    """The plain search terms of a user query: lower-case words and CJK bigrams, stopwords dropped."""
    text = (text or "")[:MAX_QUERY_CHARS].lower()
    words: list[str] = []
    for token in _TERM.findall(text):
        if _CJK_RUN.fullmatch(token):
            # Bigrams made only of function characters ("什么", "做了") carry no topic; any other keeps
            # its place, so "小说" and "下雨" still match although 说 and 下 are fillers elsewhere.
            words.extend(b for b in _bigrams(token) if not _CJK_FILLER.fullmatch(b))
        elif token not in STOPWORDS:
            words.append(token)
    return list(dict.fromkeys(words))[:MAX_TERMS]


def fts5_match_expression(terms: list[str]) -> str:
    """An FTS5 MATCH expression that ORs the terms, each quoted as a plain string."""
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)


def tsquery_expression(terms: list[str]) -> str:
    """A PostgreSQL to_tsquery expression that ORs the terms, each quoted as a lexeme."""
    return " | ".join("'" + term.replace("'", "''").replace("\\", "") + "'" for term in terms)
