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
from memory.errors import MebotError
from memory.profile.extract.items import item_key
from memory.profile.schema import ExtractedFacts, LLMFacts, Negation, Preference, Topic


class ExtractionFailed(MebotError):
    """The model kept answering with something that is not the required JSON."""


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
            return to_facts(parse_reply(reply), note_date)
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


def to_facts(llm: LLMFacts, note_date: datetime | None = None) -> ExtractedFacts:
    """The extractor's shape of a validated answer: dated, split by holder, topics rolled up."""
    prefs = [Preference(**p.model_dump(), stated_at=note_date) for p in llm.preferences]
    topics = []
    for tag in llm.topics:
        known = taxonomy.classify(tag.fine)
        path = known[1] if known and known[0] == tag.coarse else [item_key(tag.fine), tag.coarse]
        topics.append(Topic(fine=tag.fine, coarse=tag.coarse, path=path))
    return ExtractedFacts(
        preferences=[p for p in prefs if p.holder is None],
        others=[p for p in prefs if p.holder is not None],
        people=llm.people,
        topics=topics,
        negations=[Negation(item=i, covers=taxonomy.covers(i), stated_at=note_date) for i in llm.no_longer],
    )


def openai_complete(base_url: str, model: str, api_key: str | None = None,
                    timeout: float = 120.0) -> Callable[[str], str]:
    """A `complete` callable over an OpenAI-compatible chat endpoint (a teacher model), greedy; a server
    that cannot be reached or answers an error raises memory.errors.ModelServerError."""
    client = llm_client.make_client(base_url, api_key, timeout=timeout)

    def complete(prompt: str) -> str:
        return llm_client.complete(client, model, [{"role": "user", "content": prompt}],
                                   temperature=0, max_tokens=1024)

    return complete
