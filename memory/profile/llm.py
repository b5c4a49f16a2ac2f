"""The LLM path of L1 extraction: a prompt carrying the JSON schema, pydantic validation, retries.

`complete` is any callable from prompt text to reply text: the local base model, an
OpenAI-compatible endpoint, or a scripted fake in tests.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Callable

from pydantic import ValidationError

from memory import llm_client
from memory.profile import taxonomy
from memory.errors import MebotError, ModelServerError
from memory.profile.extract.items import item_key
from memory.profile.schema import ExtractedFacts, LLMFacts, Negation, Preference, Topic


class ExtractionFailed(MebotError):
    """The model kept answering with something that is not the required JSON."""


class ModelUnavailable(ModelServerError):
    """The teacher model's server could not be reached, answered an error, or answered no chat reply."""


INSTRUCTIONS = """You read one personal note and extract what it says about its writer (the user).
Return only a JSON object that matches the JSON schema below, with no other text.

Rules:
- preferences: things liked or disliked. holder is null when the user holds the preference
  ("I love sushi", "avoid spicy food for me", "skip it"), and the person's name when someone
  else does ("Alice prefers butter", "Emmy loves fried chicken"). A request to cook or get
  something for the user counts as a like. item is a short noun phrase ("crispy bacon").
- people: people and organisations the user mentions, with their relation to the user when
  the note says it ("my sister Ana" -> name "Ana", relation "sister"; "I work at Acme" ->
  name "Acme", relation "employer", kind "organisation"). name is null if only the relation is said.
- topics: tags as the note says them, each with the closest coarse category.
- no_longer: things the user says they stopped liking, eating or doing ("I don't eat meat anymore" -> "meat").
- Only what the writer asserts about themselves counts: a question ("Do I like opera?"), a
  hypothetical ("If I liked running…"), a quote of someone else ("He said: I love karaoke") or
  what others believe about the user ("Mom thinks I love broccoli") is not the user's preference.
- Preferences may be said without liking words: "X keeps me going" is a like, "I find X
  exhausting" a dislike, "I'd rather have X than Y" a like of X.
- sentence: copy the note's sentence that states each fact, word for word.
- Leave a list empty when the note says nothing of that kind. Do not guess.
"""


def build_prompt(text: str, note_date: datetime | None = None) -> str:
    """The extraction prompt for one note, with the schema the answer must follow."""
    schema = json.dumps(LLMFacts.model_json_schema(), ensure_ascii=False)
    dated = f"Note written on {note_date:%Y-%m-%d}:\n" if note_date else "Note:\n"
    return f"{INSTRUCTIONS}\nJSON schema:\n{schema}\n\n{dated}<<<\n{text}\n>>>\n\nJSON:"


def parse_reply(reply: str) -> LLMFacts:
    """Validate a model's reply; code fences and words around the JSON object are tolerated."""
    body = re.sub(r"^```(?:json)?\s*|\s*```$", "", reply.strip())
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the reply holds no JSON object")
    return LLMFacts.model_validate_json(body[start:end + 1])


def _quoted(fact, text: str | None):
    """`fact` with its sentence: the model's quote if the note holds it, else the note's first
    sentence that names the fact (a model may paraphrase; the Memory tab shows the real words)."""
    from memory.profile.extract.rules import sentence_with, split_sentences

    if not text:
        return fact
    if fact.sentence and fact.sentence in " ".join(text.split()):
        return fact
    name = getattr(fact, "item", None) or getattr(fact, "name", None) or getattr(fact, "fine", None) or ""
    return fact.model_copy(update={"sentence": sentence_with(split_sentences(text), name) if name else None})


def extract_with_llm(text: str, complete: Callable[[str], str], retries: int = 2,
                     note_date: datetime | None = None) -> ExtractedFacts:
    """Extract one note's facts with a model; re-ask up to `retries` times on invalid JSON."""
    if retries < 0:
        raise ValueError("retries must be 0 or more")
    prompt = build_prompt(text, note_date)
    errors: list[str] = []
    for _ in range(retries + 1):
        reply = complete(prompt if not errors else _retry_prompt(prompt, errors[-1]))
        try:
            return to_facts(parse_reply(reply), note_date, text)
        except ValueError as exc:  # pydantic's ValidationError is one too
            errors.append(_short(exc))
    raise ExtractionFailed(f"no valid JSON after {retries + 1} attempts; last error: {errors[-1]}")


def _retry_prompt(prompt: str, error: str) -> str:
    return (f"{prompt}\n\nYour previous answer was not valid: {error}\n"
            "Answer again with only the JSON object, following the schema exactly.\nJSON:")


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return str(exc)[:300]


def to_facts(llm: LLMFacts, note_date: datetime | None = None, text: str | None = None) -> ExtractedFacts:
    """The extractor's shape of a validated answer: dated, split by holder, topics rolled up, each
    fact with the note's sentence that states it (when `text`, the note, is given)."""
    prefs = [Preference(**_quoted(p, text).model_dump(), stated_at=note_date) for p in llm.preferences]
    topics = []
    for tag in llm.topics:
        known = taxonomy.classify(tag.fine)
        path = known[1] if known and known[0] == tag.coarse else [item_key(tag.fine), tag.coarse]
        topics.append(Topic(fine=tag.fine, coarse=tag.coarse, path=path, sentence=_quoted(tag, text).sentence))
    return ExtractedFacts(
        preferences=[p for p in prefs if p.holder is None],
        others=[p for p in prefs if p.holder is not None],
        people=[_quoted(p, text) for p in llm.people],
        topics=topics,
        negations=[Negation(item=i, covers=taxonomy.covers(i), stated_at=note_date) for i in llm.no_longer],
    )


def openai_complete(base_url: str, model: str, api_key: str | None = None,
                    timeout: float = 120.0) -> Callable[[str], str]:
    """A `complete` callable over an OpenAI-compatible chat endpoint (a teacher model), greedy; a server
    that cannot be reached or answers an error raises ModelUnavailable (a memory.errors.ModelServerError)."""
    client = llm_client.make_client(base_url, api_key, timeout=timeout)

    def complete(prompt: str) -> str:
        try:
            return llm_client.complete(client, model, [{"role": "user", "content": prompt}],
                                       temperature=0, max_tokens=1024)
        except ModelServerError as exc:
            raise ModelUnavailable(str(exc)) from exc
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise ModelUnavailable(f"{base_url}: not an OpenAI-compatible reply ({exc})") from exc

    return complete
