"""Keeping a user's L1 profile in step with their notes, incrementally.

Adding notes costs nothing here: `refresh` later reads only the notes added or edited since the
watermark, replaces what they said (evidence), and re-merges just the items whose evidence
changed. Deleting a note removes what it said at once (`forget_note`). Extraction runs outside
the lock, so a slow model never blocks the user's edits.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Callable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from memory.profile.extract import rules as profile_extract
from memory.profile import store
from memory.models import Note, ProfileItem, utcnow
from memory.notes import get_note
from memory.profile.llm import ExtractionFailed, ModelUnavailable, extract_with_llm, openai_complete
from memory.profile.merge import (
    ITEM_KINDS, PREFERENCE, RETRACTION, Evidence, Merged, cover_terms,
    evidence_from_facts, fold, merge, merged_of, newest_sources, utc,
)
from memory.profile.schema import ExtractedFacts
from memory.vocab import ItemOrigin, ItemStatus

# From a note's text and date to the facts it states: the rule-based reader or a model.
Extractor = Callable[[str, Optional[datetime]], ExtractedFacts]
Sessions = Callable[[], AbstractContextManager[Session]]

log = logging.getLogger(__name__)

# Notes read per transaction: big enough for bulk imports, small enough to keep progress.
BATCH = 500


def rules_extractor(text: str, note_date: Optional[datetime] = None) -> ExtractedFacts:
    """The deterministic extractor (memory.profile.extract.rules)."""
    return profile_extract.extract(text, note_date)


def llm_extractor(complete: Callable[[str], str], retries: int = 2) -> Extractor:
    """An extractor that asks a model (`complete`: prompt text → reply text) for each note."""
    if retries < 0:
        raise ValueError("retries must be 0 or more")

    def extract(text: str, note_date: Optional[datetime] = None) -> ExtractedFacts:
        return extract_with_llm(text, complete, retries=retries, note_date=note_date)

    return extract


def with_rules_fallback(extractor: Extractor) -> Extractor:
    """`extractor`, with the rules reading any note it fails on (a server down, JSON it never got right)."""

    def extract(text: str, note_date: Optional[datetime] = None) -> ExtractedFacts:
        try:
            return extractor(text, note_date)
        except (ExtractionFailed, ModelUnavailable) as exc:
            log.warning("L1 model failed on a note (%s); the rules read it instead", exc)
            return rules_extractor(text, note_date)

    return extract


def configured_extractor(config) -> Optional[Extractor]:
    """The extractor the settings ask for: a model over an OpenAI-compatible endpoint (the L1 one,
    else the chat's), with the rules as its safety net; None = the rules alone."""
    if config.profile_extractor == "rules":
        return None
    url, model = config.profile_llm_url, config.profile_llm_model
    if not url and config.backend == "openai" and config.openai_base_url:
        url = config.openai_base_url
    if not url:
        return None
    complete = openai_complete(url, model or config.base_model, config.openai_api_key)
    return with_rules_fallback(llm_extractor(complete))


def refresh(sessions: Sessions, *, user_id: int, extractor: Optional[Extractor] = None,
            rebuild: bool = False, batch_size: int = BATCH) -> int:
    """Read the notes added or edited since the last refresh into the profile; returns how many.

    rebuild=True reads every note again (after switching extractors); user edits still stand."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    extractor = extractor or rules_extractor
    if rebuild:
        with sessions() as session:
            store.lock_state(session, user_id)
            store.touch(session, user_id, read_until=None, read_until_id=0)
    read = 0
    while True:
        with sessions() as session:
            state = store.read_state(session, user_id)
            seen = _watermark(state)
            notes = store.pending_notes(session, user_id, state, batch_size)
        if not notes:
            return read
        facts = {n.id: extractor(n.content, utc(n.created_at)) for n in notes}
        with sessions() as session:
            read += _store_batch(session, user_id, seen, notes, facts)


def _watermark(state) -> tuple:
    if state is None or state.read_until is None:
        return None, 0
    return utc(state.read_until), state.read_until_id


def _store_batch(session: Session, user_id: int, seen: tuple, notes: list, facts: dict) -> int:
    """Write one extracted batch under the lock; 0 when another refresh stored it first."""
    state = store.lock_state(session, user_id)
    if _watermark(state) != seen:
        return 0
    # A note edited or deleted while we were reading it is skipped: an edit is read again later.
    now = dict(session.execute(select(Note.id, Note.updated_at).where(
        Note.user_id == user_id, Note.id.in_([n.id for n in notes]))).all())
    fresh = [n for n in notes if n.id in now and utc(now[n.id]) == utc(n.updated_at)]
    removed = store.delete_evidence(session, [n.id for n in fresh])
    rows = [e for n in fresh for e in evidence_from_facts(facts[n.id], note_id=n.id, stated_at=utc(n.created_at))]
    store.insert_evidence(session, user_id, rows)
    remerge(session, user_id=user_id, removed=removed, added=rows)
    last = notes[-1]
    store.touch(session, user_id, read_until=utc(last.updated_at), read_until_id=last.id,
                refreshed_at=utcnow())
    return len(notes)


def forget_note(session: Session, *, user_id: int, note_id: int) -> None:
    """Remove what a note said before it is deleted, re-merging the items it supported."""
    store.lock_state(session, user_id)
    get_note(session, user_id=user_id, note_id=note_id)  # NotFound unless it is the user's
    removed = store.delete_evidence(session, [note_id])
    remerge(session, user_id=user_id, removed=removed, added=[])


def remerge(session: Session, *, user_id: int, removed: set[tuple[str, str]], added: list[Evidence]) -> None:
    """Bring the items whose evidence changed up to date."""
    grown: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    for e in added:
        grown[(e.kind, e.key)].append(e)
    # Items that lost evidence, or whose likes a changed retraction may reach, are merged from all
    # their evidence; items that only gained notes are folded, so bulk imports never re-read them.
    full = {k for k in removed if k[0] in ITEM_KINDS}
    full |= {(PREFERENCE, key) for key in _reached_likes(session, user_id, removed, grown)}
    for kind in ITEM_KINDS:
        _remerge_kind(session, user_id, kind, {key for k, key in full if k == kind},
                      {key: rows for (k, key), rows in grown.items() if k == kind and (k, key) not in full})


def _reached_likes(session: Session, user_id: int, removed: set[tuple[str, str]],
                   grown: dict[tuple[str, str], list[Evidence]]) -> set[str]:
    """Keys of likes whose state a changed retraction can change: a new one can supersede a like
    stated before it (or replace what superseded it); a removed one can only restore a superseded like."""
    lost = {key for kind, key in removed if kind == RETRACTION}
    new = {key: min(utc(e.stated_at) for e in rows) for (kind, key), rows in grown.items() if kind == RETRACTION}
    if not lost and not new:
        return set()
    reached = set()
    for key, status, stated_at, superseded_by in store.own_likes(session, user_id):
        terms = cover_terms(key)
        if status == ItemStatus.SUPERSEDED and terms & lost:
            reached.add(key)
        for term in terms & set(new):
            # Checked again exactly by the merge; here only what cannot matter is skipped.
            by = superseded_by and datetime.fromisoformat(superseded_by["stated_at"])
            if new[term] >= utc(stated_at) and (status == ItemStatus.ACTIVE or (by and new[term] <= by)):
                reached.add(key)
    return reached


def _remerge_kind(session: Session, user_id: int, kind: str, full: set[str], grown: dict[str, list[Evidence]]) -> None:
    if not full and not grown:
        return
    items = store.items_by_key(session, user_id, kind, full | set(grown))
    for key, rows in grown.items():
        item = items.get(key)
        # A new preference may already be retracted, and a user's item is recounted: both in full.
        if item is None and kind != PREFERENCE:
            _apply(session, user_id, kind, key, None, merge(kind, rows), rows)
            continue
        extracted = item is not None and item.origin == ItemOrigin.EXTRACTED
        folded = fold(kind, merged_of(item), rows) if extracted else None
        if folded is None:
            full.add(key)
        else:
            _apply(session, user_id, kind, key, item, folded, rows)
    evidence = store.load_evidence(session, user_id, kind, full)
    retractions: dict[str, list[Evidence]] = {}
    if kind == PREFERENCE and full:
        retractions = store.load_evidence(session, user_id, RETRACTION, set().union(*map(cover_terms, full)))
    for key in full:
        against = [r for term in cover_terms(key) for r in retractions.get(term, ())]
        rows = evidence.get(key, [])
        _apply(session, user_id, kind, key, items.get(key), merge(kind, rows, against), rows)


def _apply(session: Session, user_id: int, kind: str, key: str, item: Optional[ProfileItem],
           merged: Optional[Merged], evidence: list[Evidence]) -> None:
    """Write a merge: create, update or drop an extracted item; only recount a user's item."""
    if item is None:
        if merged is not None:
            session.add(ProfileItem(user_id=user_id, kind=kind, key=key, origin=ItemOrigin.EXTRACTED,
                                    **merged.fields()))
        return
    if item.origin == ItemOrigin.USER:
        recount_user_item(item, evidence)
    elif merged is None:
        session.delete(item)  # no note says it any more
    else:
        for name, value in merged.fields().items():
            setattr(item, name, value)
        store.stamp(item)


def recount_user_item(item: ProfileItem, evidence: list[Evidence]) -> None:
    """A user's item keeps its words; its sources become the notes that agree with it now."""
    if item.status == ItemStatus.DELETED:
        item.source_note_ids, item.note_count = [], 0
        return
    agreeing = {e.note_id for e in evidence if item.kind != PREFERENCE or e.data.get("polarity") == item.polarity}
    item.source_note_ids, item.note_count = newest_sources(agreeing), len(agreeing)
    said = {e.note_id for e in evidence}
    if item.history:
        item.history = [_prune(h, said) for h in item.history]
    store.stamp(item)


def _prune(statement: dict, said: set[int]) -> dict:
    """A history entry without the notes that no longer say anything about the item."""
    by = statement.get("superseded_by")
    if by and by.get("note_id") not in said:
        by = {**by, "note_id": None}
    return {**statement, "note_ids": [i for i in statement.get("note_ids", []) if i in said], "superseded_by": by}
