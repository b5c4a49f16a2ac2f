"""What of a chat message is memory: the user's statements, not their questions to Mebot.

"What did I note on 3 June?" carries no fact; indexed, it would be found again by every later
question about June and crowd out the notes that answer it. A message is split into sentences and
the questions are dropped; what remains ("I moved to Berlin last week.") is indexed.
"""

from __future__ import annotations

import re

# Sentence ends: Latin and CJK punctuation, and line breaks.
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_QUESTION_MARK = re.compile(r"[?？]\s*$")
# A sentence opening with one of these asks something even without a question mark.
_QUESTION_OPENERS = re.compile(
    r"^(what|when|where|who|whom|whose|which|why|how|tell me|show me|remind me|"
    # An auxiliary asks only before its subject: "Did I pay rent?" but "Did 10 km today."
    r"(did|do|does|can|could|would|will|should|is|are|was|were|have|has|had|am) "
    r"(i|you|we|he|she|they|it|my|your|there|mebot)|"
    r"wer|wann|wo|wie|warum|welche[rsmn]?|quand|où|comment|pourquoi|qué|cuándo|dónde|quién|cómo)\b",
    re.IGNORECASE,
)
# Chinese / Japanese / Korean questions without a question mark.
_CJK_QUESTION = re.compile(r"(什么时候|什么|哪里|哪儿|哪个|哪天|谁|怎么|为什么|多少)|[吗呢么]$|(ですか|ますか|か)$|(까|니|나요|냐)$")


def is_question(sentence: str) -> bool:
    """True when the sentence asks rather than states."""
    s = sentence.strip()
    if not s:
        return False
    if _QUESTION_MARK.search(s):
        return True
    body = s.rstrip(".!。！ ")
    return bool(_QUESTION_OPENERS.match(body) or _CJK_QUESTION.search(body))


def stated_text(text: str) -> str:
    """The statements of a user's message, its questions left out ("" when it only asks)."""
    kept = [m.group().strip() for m in _SENTENCE.finditer(text or "") if not is_question(m.group())]
    return " ".join(s for s in kept if s)
