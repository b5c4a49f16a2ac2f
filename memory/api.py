"""The public API of Mebot's memory: the UI, the CLI, tests and evaluation scripts use it.

    mem = open_memory("sqlite:///mebot.db")      # or "postgresql://…"; None = the data directory's file
    user = mem.user("alice")                     # created on first use; all below is scoped to this user
    note = user.add_note(content="…", title="", created_at=None)
    hits = user.search("what did I note last week?", now=None, k=10)
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterable, Iterator, Optional

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memory import chats, clock, notes, settings as settings_module, timeframe
from memory.timeframe import conventions
from memory.profile import edit as profile_edit, refresh as profile_refresh
from memory.db import open_database
from memory.search.embeddings import DenseIndex
from memory.search.embedders import load_embedder
from memory.errors import InvalidInput, NotFound
from memory.search.fulltext import MESSAGE, NOTE, doc_key, for_dialect
from memory.models import ChatSession, Message, Note, User
from memory.profile import Profile, ProfileFact, fact_of, load_profile
from memory.profile.summary import SUMMARY_CHARS, summary as summarise_profile
from memory.search import Hit, SearchIndex, SearchOutcome, message_doc, note_doc, searchable
from memory.validation import clean_user_name

EMBED_CHUNK = 256  # documents per vector-writing transaction

__all__ = ["open_memory", "Memory", "UserMemory", "Hit", "SearchOutcome", "Profile", "ProfileFact"]


def open_memory(url: Optional[str] = None, *, embedding_model: Optional[str] = None) -> "Memory":
    """Open (and migrate) the memory database at `url`; None means the data directory's SQLite file."""
    config = settings_module.load()
    engine = open_database(url or config.resolved_database_url)
    model = embedding_model if embedding_model is not None else config.embedding_model
    memory = Memory(engine, embedding_model=model, week_start=config.week_start,
                    default_timezone=config.default_timezone, default_country=config.country,
                    default_date_order=config.date_order)
    memory.profile_extractor = profile_refresh.configured_extractor(config)
    return memory


class Memory:
    """One database of many users' memories."""

    def __init__(self, engine: Engine, *, embedding_model: Optional[str] = "off", week_start: int = 0,
                 default_timezone: str = "UTC", profile_extractor: Optional[profile_refresh.Extractor] = None,
                 default_country: Optional[str] = None, default_date_order: str = "auto"):
        self.engine = engine
        # How notes are read into the L1 profile: None = the rule-based reader; with a model
        # configured, memory.profile.refresh.llm_extractor(complete).
        self.profile_extractor = profile_extractor
        self.week_start = week_start
        self.default_timezone = default_timezone
        # Calendar conventions of users who set none (None/"auto": derived from each user's zone).
        self.default_country = conventions.normalise_country(default_country)
        conventions.day_first_for(None, default_date_order)  # fail fast on a bad order
        self.default_date_order = default_date_order
        # None = the default model (memory.search.embedders); "off" = full text only.
        embedder = load_embedder(embedding_model)
        dense = DenseIndex(embedder) if embedder is not None else None
        self.index = SearchIndex(for_dialect(engine.dialect.name), dense)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def user(self, name: str, *, create: bool = True) -> "UserMemory":
        """The user called `name`, created on first use unless create=False."""
        name = clean_user_name(name)
        with self.session() as session:
            row = session.scalars(select(User).where(User.name == name)).first()
        if row is None:
            if not create:
                raise NotFound(f"No user called {name!r}.")
            try:
                with self.session() as session:
                    row = User(name=name, display_name=name, timezone=self.default_timezone)
                    session.add(row)
            except IntegrityError:  # created by a concurrent request
                with self.session() as session:
                    row = session.scalars(select(User).where(User.name == name)).one()
        return UserMemory(self, row)

    def user_by_id(self, user_id: int) -> "UserMemory":
        """The user with this id (for background jobs that stored only the id)."""
        with self.session() as session:
            row = session.get(User, user_id)
        if row is None:
            raise NotFound(f"No user with id {user_id}.")
        return UserMemory(self, row)

    def user_names(self) -> list[str]:
        """Every user's name (for administration commands)."""
        with self.session() as session:
            return list(session.scalars(select(User.name).order_by(User.name)))

    def embed_pending_in_background(self) -> Optional[threading.Thread]:
        """Start a daemon thread that makes every user's missing vectors (after an import without
        them, or a change of embedding model); None when dense search is off."""
        if self.index.dense is None:
            return None

        def run() -> None:
            for name in self.user_names():
                self.user(name, create=False).embed_pending()

        thread = threading.Thread(target=run, name="mebot-embed-pending", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


class UserMemory:
    """Everything one user owns; no method reaches another user's rows."""

    def __init__(self, memory: Memory, row: User):
        self.memory = memory
        self.id: int = row.id
        self.name: str = row.name
        self.timezone: str = row.timezone
        self.country: Optional[str] = row.country
        self.date_order: Optional[str] = row.date_order

    # --- time -------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The user's current local time."""
        return clock.local_now(self.timezone)

    def local_time(self, moment: Optional[datetime | str]) -> datetime:
        """`moment` (default now) as an aware datetime; naive values are the user's local time."""
        return self.now() if moment is None else clock.as_aware(moment, self.timezone)

    def shown_time(self, moment: datetime) -> datetime:
        """A stored time as this user reads it: in their zone."""
        return clock.in_zone(moment, self.timezone)

    def set_timezone(self, name: str) -> None:
        """Change the zone that naive datetimes of this user are read in."""
        clock.zone(name)
        with self.memory.session() as session:
            row = session.get(User, self.id)
            row.timezone = name
        self.timezone = name

    @property
    def calendar(self) -> conventions.Conventions:
        """Whose holidays and seasons, and how numeric dates read: the user's own choice, else the defaults."""
        return conventions.conventions(self.timezone, self.country or self.memory.default_country,
                                       self.date_order or self.memory.default_date_order)

    def set_calendar(self, *, country: Optional[str] = None, date_order: Optional[str] = None) -> None:
        """Choose the country (ISO 3166, '' to go back to the default) and/or the date order (auto, dmy, mdy).

        Raises InvalidInput for a country that is no two-letter code or an unknown order; nothing changes then.
        """
        try:
            code = conventions.normalise_country(country) if country is not None else self.country
            if date_order is not None:
                conventions.day_first_for(None, date_order)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        with self.memory.session() as session:
            row = session.get(User, self.id)
            if country is not None:
                row.country = code
            if date_order is not None:
                row.date_order = date_order
        if country is not None:
            self.country = code
        if date_order is not None:
            self.date_order = date_order

    def time_frame(self, text: str, now: Optional[datetime | str] = None) -> Optional[timeframe.TimeFrame]:
        """The time frame `text` names, read with this user's clock, week start and calendar conventions."""
        cal = self.calendar
        return timeframe.parse(text, now=self.local_time(now), week_start=self.memory.week_start,
                               country=cal.country, day_first=cal.day_first)

    # --- notes ------------------------------------------------------------------------------
    def add_note(self, content: str, title: str = "", summary: Optional[str] = None,
                 created_at: Optional[datetime | str] = None, source: str = "manual") -> Note:
        """Store one note and index it."""
        return self.add_notes(
            [{"content": content, "title": title, "summary": summary, "created_at": created_at,
              "source": source}]
        )[0]

    def add_notes(self, items: Iterable[Any], embed: bool = True) -> list[Note]:
        """Store many notes at once (all or none) and index them. Their vectors are made afterwards,
        batch by batch, so the import's one transaction stays short; embed=False leaves them pending
        (`embed_pending`) for a bulk import that must not wait."""
        with self.memory.session() as session:
            added = notes.add_notes(session, user_id=self.id, tz_name=self.timezone, items=items)
            self.memory.index.upsert(session, self.id, [note_doc(n) for n in added], embed=False)
        if embed:
            self._embed([note_doc(n) for n in added])
        return added

    def _embed(self, docs: list) -> int:
        dense = self.memory.index.dense
        if dense is None:
            return 0
        for i in range(0, len(docs), EMBED_CHUNK):
            chunk = docs[i:i + EMBED_CHUNK]
            vectors = dense.embed(chunk)  # outside any transaction: the slow part
            with self.memory.session() as session:
                dense.store(session, self.id, chunk, vectors)
        return len(docs)

    def embed_pending(self, limit: Optional[int] = None) -> int:
        """Embed the notes and messages with no vector from the current model (imported with
        embed=False, or made by an earlier model); returns how many."""
        dense = self.memory.index.dense
        if dense is None:
            return 0
        with self.memory.session() as session:
            docs = [note_doc(n) for n in session.scalars(select(Note).where(Note.user_id == self.id))]
            docs += [message_doc(m) for m in session.scalars(select(Message).where(
                Message.user_id == self.id, Message.role == "user")) if searchable(m)]
            pending = dense.pending_keys(session, self.id, [d.key for d in docs])
        todo = [d for d in docs if d.key in pending][:limit]
        return self._embed(todo)

    def known_notes(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (title, content) pairs are already among the user's notes."""
        with self.memory.session() as session:
            return notes.known_notes(session, user_id=self.id, keys=keys)

    def note(self, note_id: int) -> Note:
        """One of the user's notes."""
        with self.memory.session() as session:
            return notes.get_note(session, user_id=self.id, note_id=note_id)

    def update_note(self, note_id: int, **changes: Any) -> Note:
        """Change a note's title, content, summary, date or source."""
        with self.memory.session() as session:
            note = notes.update_note(session, user_id=self.id, tz_name=self.timezone,
                                     note_id=note_id, changes=changes)
            self.memory.index.upsert(session, self.id, [note_doc(note)])
        return note

    def delete_note(self, note_id: int) -> Note:
        """Delete a note (and its index entries); returns what it was."""
        with self.memory.session() as session:
            profile_refresh.forget_note(session, user_id=self.id, note_id=note_id)
            note = notes.delete_note(session, user_id=self.id, note_id=note_id)
            self.memory.index.remove(session, self.id, [doc_key(NOTE, note.id)])
        return note

    def notes(self, start: Optional[datetime | str] = None, end: Optional[datetime | str] = None,
              limit: Optional[int] = None, offset: int = 0, newest_first: bool = False) -> list[Note]:
        """The user's notes dated in [start, end), oldest first unless newest_first."""
        with self.memory.session() as session:
            return notes.list_notes(
                session, user_id=self.id,
                start=None if start is None else clock.to_utc(start, self.timezone),
                end=None if end is None else clock.to_utc(end, self.timezone),
                limit=limit, offset=offset, newest_first=newest_first,
            )

    # --- chats ------------------------------------------------------------------------------
    def new_session(self, title: str = "") -> ChatSession:
        """Start a conversation."""
        with self.memory.session() as session:
            return chats.new_session(session, user_id=self.id, title=title)

    def sessions(self) -> list[ChatSession]:
        """The user's conversations, most recent first."""
        with self.memory.session() as session:
            return chats.list_sessions(session, user_id=self.id)

    def add_message(self, session_id: int, role: str, content: str, **details: Any) -> Message:
        """Append a message (role "user" or "assistant") to a conversation; user messages are indexed."""
        with self.memory.session() as session:
            message = chats.add_message(session, user_id=self.id, session_id=session_id, role=role,
                                        content=content, **details)
            if searchable(message):
                self.memory.index.upsert(session, self.id, [message_doc(message)])
        return message

    def delete_turn(self, message_id: int) -> None:
        """Undo the last question of a conversation: it, its replies and the reactions to them go."""
        with self.memory.session() as session:
            removed = chats.delete_turn(session, user_id=self.id, message_id=message_id)
            self.memory.index.remove(session, self.id, [doc_key(MESSAGE, m.id) for m in removed if searchable(m)])

    def rename_session(self, session_id: int, title: str) -> ChatSession:
        """Give a conversation a new title."""
        with self.memory.session() as session:
            return chats.rename_session(session, user_id=self.id, session_id=session_id, title=title)

    def delete_session(self, session_id: int) -> None:
        """Delete a conversation: its messages and the reactions to them go too."""
        with self.memory.session() as session:
            removed = chats.delete_session(session, user_id=self.id, session_id=session_id)
            self.memory.index.remove(session, self.id, [doc_key(MESSAGE, m.id) for m in removed if searchable(m)])

    def message(self, message_id: int) -> Message:
        """One of the user's messages."""
        with self.memory.session() as session:
            return chats.get_message(session, user_id=self.id, message_id=message_id)

    def messages(self, session_id: int) -> list[Message]:
        """Every message of a conversation, in order."""
        with self.memory.session() as session:
            return chats.list_messages(session, user_id=self.id, session_id=session_id)

    # --- search -----------------------------------------------------------------------------
    def recall(self, query: str, now: Optional[datetime | str] = None, k: int = 10) -> SearchOutcome:
        """Search with the time frame the query names resolved against `now` (default: now)."""
        if isinstance(query, str):  # any typed text is a query: a lone surrogate is no codec error
            query = query.encode("utf-8", "replace").decode("utf-8")
        with self.memory.session() as session:
            cal = self.calendar
            return self.memory.index.search(session, user_id=self.id, query=query,
                                            now=self.local_time(now), k=k,
                                            week_start=self.memory.week_start,
                                            country=cal.country, day_first=cal.day_first)

    def search(self, query: str, now: Optional[datetime | str] = None, k: int = 10) -> list[Hit]:
        """The best-matching notes and messages for `query`, best first."""
        return self.recall(query, now=now, k=k).hits

    # --- profile (L1) -----------------------------------------------------------------------
    def refresh_profile(self, extractor: Optional[profile_refresh.Extractor] = None, rebuild: bool = False) -> int:
        """Read the notes added or edited since the last refresh into the profile; returns how many."""
        return profile_refresh.refresh(self.memory.session, user_id=self.id, rebuild=rebuild,
                                       extractor=extractor or self.memory.profile_extractor)

    def profile(self, extractor: Optional[profile_refresh.Extractor] = None, refresh: bool = True) -> Profile:
        """The user's L1 profile (bio, status, preferences, people, topics, history), up to date unless
        refresh=False (then as of the last refresh: what a latency-bound caller like chat wants)."""
        if refresh:
            self.refresh_profile(extractor)
        with self.memory.session() as session:
            return load_profile(session, user_id=self.id)

    def profile_summary(self, max_chars: int = SUMMARY_CHARS, refresh: bool = True) -> str:
        """The profile as a short text for the chat prompt (empty when nothing is known)."""
        return summarise_profile(self.profile(refresh=refresh), max_chars)

    def set_bio(self, text: Optional[str]) -> None:
        """Write the bio yourself; None goes back to the one built from the facts."""
        with self.memory.session() as session:
            profile_edit.set_text(session, user_id=self.id, field="bio", text=text)

    def set_status(self, text: Optional[str]) -> None:
        """Write the "lately" status yourself; None goes back to the one built from the facts."""
        with self.memory.session() as session:
            profile_edit.set_text(session, user_id=self.id, field="status", text=text)

    def add_preference(self, item: str, polarity: str, reason: Optional[str] = None) -> ProfileFact:
        """Add one of your likes or dislikes to the profile (it outranks anything extracted)."""
        with self.memory.session() as session:
            return fact_of(profile_edit.add_preference(session, user_id=self.id, item=item, polarity=polarity,
                                                       reason=reason))

    def add_person(self, name: Optional[str], relation: Optional[str] = None, entity: str = "person") -> ProfileFact:
        """Add a person or organisation ("Ana", "sister") to the profile."""
        with self.memory.session() as session:
            return fact_of(profile_edit.add_person(session, user_id=self.id, name=name, relation=relation,
                                                   entity=entity))

    def update_profile_item(self, item_id: int, **changes: Any) -> ProfileFact:
        """Correct a profile fact (item/name/fine, polarity, reason, relation, coarse, status, ...)."""
        with self.memory.session() as session:
            return fact_of(profile_edit.update_item(session, user_id=self.id, item_id=item_id, changes=changes))

    def delete_profile_item(self, item_id: int) -> None:
        """Remove a profile fact for good: re-reading the notes will not bring it back."""
        with self.memory.session() as session:
            profile_edit.delete_item(session, user_id=self.id, item_id=item_id)

    def profile_corrections(self) -> dict:
        """Your own bio, status and profile edits, JSON-ready (for export)."""
        with self.memory.session() as session:
            return profile_edit.corrections(session, user_id=self.id)

    def restore_profile_corrections(self, document: dict) -> int:
        """Apply exported profile edits (see profile_corrections); returns how many items."""
        with self.memory.session() as session:
            return profile_edit.restore(session, user_id=self.id, document=document)
