"""The chat engine the UI and the CLI share: retrieve, build the prompt, stream the reply, store it with
everything that produced it (model, adapter version, the exact prompt, the memory items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator, Mapping, Optional, Union

from memory.citations import cited_refs
from memory import timeframe
from memory.models import Message
from rlmf.chat import memory_only
from rlmf.chat.backends import AdapterRef, Backend
from rlmf.model.generation import GenerationConfig
from rlmf.chat.prompt import MemoryItem, build_messages, split_reasoning


@dataclass(frozen=True)
class Chunk:
    """A piece of the reply as it streams."""

    text: str


@dataclass(frozen=True)
class Reply:
    """The stored reply, once the stream ends."""

    message_id: int
    user_message_id: int
    answer: str
    reasoning: Optional[str]
    citations: list[MemoryItem]
    items: list[MemoryItem]
    timeframe: Optional[object]
    model_name: str
    adapter_version: Optional[int]
    memory_only: bool
    prompt: list[dict] = field(default_factory=list)


Event = Union[Chunk, Reply]

STOPPED_EMPTY = "(stopped before answering)"


def active_branch(messages: list[Message], chosen: Optional[Mapping[int, int]] = None) -> list[Message]:
    """The conversation as shown: each user turn with its latest reply, or the one `chosen` for it
    ({question id: reply id}, from the sibling switcher); the other regenerated siblings are hidden."""
    latest_reply: dict[Optional[int], Message] = {}
    for m in messages:
        if m.role == "assistant":
            latest_reply[m.parent_id] = m
    for m in messages:
        if m.role == "assistant" and chosen and chosen.get(m.parent_id) == m.id:
            latest_reply[m.parent_id] = m
    branch = []
    for m in messages:
        if m.role == "user":
            branch.append(m)
            if m.id in latest_reply:
                branch.append(latest_reply[m.id])
    return branch


class ChatEngine:
    """Answers a user's questions with their memory and their adapter."""

    def __init__(self, backend: Backend, *, gen: Optional[GenerationConfig] = None, context_tokens: int = 4096,
                 memory_items: int = 8, adapters=None, profile_text=None, profile=None):
        self.backend = backend
        self.gen = gen or GenerationConfig()
        self.context_tokens = context_tokens
        self.memory_items = memory_items
        # adapters(user) -> Optional[AdapterRef]; profile_text(user) -> Optional[str]
        self.adapters = adapters or (lambda user: None)
        self.profile_text = profile_text or (lambda user: None)
        # profile(user) -> the stored L1 profile (memory-only mode answers likes and dislikes from it)
        self.profile = profile or (lambda user: user.profile(refresh=False))

    @property
    def memory_only(self) -> bool:
        return self.backend.memory_only

    def respond(self, user, session_id: int, text: str, *, now: Optional[datetime] = None,
                use_memory: bool = True, chosen: Optional[Mapping[int, int]] = None) -> Iterator[Event]:
        """Store the user's message, then stream and store the reply; the history is the branch shown
        (`chosen` siblings, see active_branch)."""
        previous = active_branch(user.messages(session_id), chosen)
        question = user.add_message(session_id, "user", text,
                                    parent_id=previous[-1].id if previous else None)
        yield from self._answer(user, question, previous, now=now, use_memory=use_memory)

    def regenerate(self, user, reply_id: int, *, now: Optional[datetime] = None,
                   use_memory: bool = True, chosen: Optional[Mapping[int, int]] = None) -> Iterator[Event]:
        """A new sibling of reply `reply_id`, answering the same user message."""
        old = user.message(reply_id)
        if old.role != "assistant" or old.parent_id is None:
            from memory.errors import InvalidInput

            raise InvalidInput("Only a reply to a question can be regenerated.")
        question = user.message(old.parent_id)
        branch = active_branch(user.messages(old.session_id), chosen)
        previous = branch[: next(i for i, m in enumerate(branch) if m.id == question.id)]
        yield from self._answer(user, question, previous, now=now, use_memory=use_memory)

    def _memory_only_text(self, user, question: str, *, frame, items, now, use_memory) -> str:
        asked = memory_only.preference_asked(question) if use_memory else None
        if asked is not None:
            return memory_only.answer_preferences(asked, self.profile(user))
        return memory_only.answer(frame=frame, items=items, now=now)

    def _answer(self, user, question: Message, previous: list[Message], *, now, use_memory) -> Iterator[Event]:
        now = user.local_time(now)
        if use_memory:
            outcome = user.recall(question.content, now=now, k=self.memory_items)
            items = [MemoryItem.from_hit(h) for h in outcome.hits if h.message_id != question.id]
            frame = outcome.timeframe
        else:
            # Memory off is the closed-book prompt the adapter was trained on (rlmf.data.synthesis): no notes,
            # no profile, but the period the question names is still resolved — that is reading, not memory.
            items, frame = [], timeframe.parse(question.content, now=now, week_start=user.memory.week_start)
        adapter: Optional[AdapterRef] = None if self.memory_only else self.adapters(user)
        prompt = build_messages(
            now=now, question=question.content,
            history=[{"role": m.role, "content": m.content} for m in previous],
            frame=frame, items=items, profile=self.profile_text(user) if use_memory else None,
            closed_book=not use_memory,
            count_tokens=self.backend.count_tokens, budget=self.context_tokens - self.gen.max_new_tokens,
        )

        def store(text: str) -> Message:
            reasoning, answer = split_reasoning(text)
            return user.add_message(
                question.session_id, "assistant", answer or text, parent_id=question.id, reasoning=reasoning,
                model_name=self.backend.name, adapter_version_id=adapter.version_id if adapter else None,
                prompt=prompt, memory_items=[i.to_dict() for i in items],
                timeframe=frame.to_dict() if frame else None,
            )

        if self.memory_only:
            text = self._memory_only_text(user, question.content, frame=frame, items=items, now=now,
                                          use_memory=use_memory)
            yield Chunk(text)
        else:
            pieces = []
            try:
                for piece in self.backend.stream(prompt, adapter=adapter, gen=self.gen):
                    pieces.append(piece)
                    yield Chunk(piece)
            except GeneratorExit:
                # Stopped by the user: what was said so far is kept, so the turn can still be read, rated,
                # edited or regenerated.
                store("".join(pieces).rstrip() + " …" if "".join(pieces).strip() else STOPPED_EMPTY)
                raise
            text = "".join(pieces)
        stored = store(text)
        by_ref = {i.ref: i for i in items}
        yield Reply(
            message_id=stored.id, user_message_id=question.id, answer=stored.content, reasoning=stored.reasoning,
            citations=[by_ref[r] for r in cited_refs(text) if r in by_ref], items=items, timeframe=frame,
            model_name=self.backend.name, adapter_version=adapter.version if adapter else None,
            memory_only=self.memory_only, prompt=prompt,
        )
