"""Merging per-note evidence into profile items: pure functions, no database.

A note's extracted facts become evidence rows (`evidence_from_facts`); an item is the merge of
every row with its kind and key (`merge`). For preferences the newest statement wins: runs of
the same polarity form episodes, each earlier episode goes to the item's history, and a later
retraction ("I don't eat meat anymore", a dislike of a category) supersedes a current like.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields as dataclass_fields
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from memory.profile import taxonomy
from memory.profile.extract.rules import retracts
from memory.profile.extract.items import CJK, item_key
from memory.profile.schema import ExtractedFacts, Negation, Preference
from memory.vocab import ItemStatus, Polarity

# An item keeps the ids of at most this many supporting notes (the newest); note_count has them all.
MAX_SOURCES = 100
MAX_NAME_CHARS = 200  # the width of profile_item.holder

PREFERENCE, PERSON, TOPIC, RETRACTION = "preference", "person", "topic", "retraction"
ITEM_KINDS = (PREFERENCE, PERSON, TOPIC)


@dataclass(frozen=True)
class Evidence:
    """One fact one note states, keyed like the item it supports."""

    note_id: int
    kind: str
    key: str
    data: dict
    stated_at: datetime


@dataclass
class Merged:
    """The fields of one profile fact, as its evidence says: the one shape a fact has outside the table
    (memory.profile.facts.ProfileFact adds its id, kind, origin and quotes; a user's item may lack a date)."""

    label: str
    stated_at: Optional[datetime]
    source_note_ids: list[int]
    note_count: int
    status: str = ItemStatus.ACTIVE
    polarity: Optional[str] = None
    reason: Optional[str] = None
    confidence: Optional[float] = None
    holder: Optional[str] = None
    relation: Optional[str] = None
    entity: Optional[str] = None
    coarse: Optional[str] = None
    path: Optional[list[str]] = None
    history: list[dict] = field(default_factory=list)
    superseded_by: Optional[dict] = None

    def fields(self) -> dict[str, Any]:
        """The columns of a profile item this merge sets."""
        return dict(self.__dict__)


def merged_of(item: Any) -> Merged:
    """The fields of a stored item (memory.models.ProfileItem) as a Merged, dates in UTC."""
    values = {f.name: getattr(item, f.name) for f in dataclass_fields(Merged)}
    values.update(stated_at=utc(item.stated_at) if item.stated_at else None,
                  source_note_ids=list(item.source_note_ids or []), history=list(item.history or []),
                  path=list(item.path) if item.path else None)
    return Merged(**values)


def utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (databases may hand back naive UTC values)."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def person_key(name: Optional[str], relation: Optional[str]) -> str:
    """The key of a person: the name, or "(relation)" for someone named only by relation."""
    if name:
        return " ".join(name.lower().split())
    return f"({' '.join((relation or '').lower().split())})"


def preference_key(item: str, holder: Optional[str] = None) -> str:
    """The key of a preference: the item's key, prefixed with the holder's for someone else's."""
    return item_key(item) if holder is None else f"{person_key(holder, None)}: {item_key(item)}"


def evidence_from_facts(facts: ExtractedFacts, *, note_id: int, stated_at: datetime) -> list[Evidence]:
    """The evidence rows one note's facts make; duplicates within the note are kept once."""
    rows: dict[tuple[str, str], Evidence] = {}

    def add(kind: str, key: str, data: dict) -> None:
        if key and (kind, key) not in rows:
            rows[(kind, key)] = Evidence(note_id, kind, key, data, stated_at)

    for p in facts.preferences + facts.others:
        # A model's holder has no length limit in the schema; a name longer than the column is noise.
        holder = p.holder[:MAX_NAME_CHARS] if p.holder else None
        add(PREFERENCE, preference_key(p.item, holder),
            {"item": p.item, "polarity": p.polarity, "reason": p.reason, "confidence": p.confidence,
             "holder": holder, "sentence": p.sentence})
    # A dislike or a "no longer" withdraws older likes of what it covers: one row per covered
    # term, so the likes it reaches are found by an index lookup on their words.
    for p in facts.preferences:
        if p.polarity == Polarity.DISLIKE:
            for term in taxonomy.covers(p.item):
                add(RETRACTION, term, {"item": p.item})
    for n in facts.negations:
        for term in n.covers:
            add(RETRACTION, term, {"item": n.item})
    for person in facts.people:
        add(PERSON, person_key(person.name, person.relation),
            {"name": person.name, "relation": person.relation, "kind": person.kind, "sentence": person.sentence})
    for topic in facts.topics:
        add(TOPIC, item_key(topic.fine), {"fine": topic.fine, "coarse": topic.coarse, "path": topic.path,
                                          "sentence": topic.sentence})
    return list(rows.values())


def cover_terms(key: str) -> set[str]:
    """Every term that can cover an item with this key: its word runs (substrings for Chinese)."""
    if CJK.search(key):
        return {key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)}
    words = [item_key(w) for w in key.split()]
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def _order(e: Evidence) -> tuple:
    return utc(e.stated_at), e.note_id


def newest_sources(note_ids: Iterable[int]) -> list[int]:
    """The newest MAX_SOURCES distinct note ids, highest first."""
    return sorted(set(note_ids), reverse=True)[:MAX_SOURCES]


def _noisy_or(values: Iterable[float]) -> float:
    # Independent notes saying the same thing make it likelier than any one of them does.
    doubt = 1.0
    for v in values:
        doubt *= 1.0 - v
    return 1.0 - doubt


def _statement(e: Evidence) -> dict:
    return {"label": e.data.get("item") or e.data.get("fine") or e.data.get("name"),
            "polarity": e.data.get("polarity"), "note_id": e.note_id, "stated_at": utc(e.stated_at).isoformat()}


def merge(kind: str, evidence: list[Evidence], retractions: list[Evidence] = ()) -> Optional[Merged]:
    """The item that `evidence` (all of one kind and key) makes, or None when there is none."""
    if not evidence:
        return None
    evidence = sorted(evidence, key=_order)
    if kind == PREFERENCE:
        return _merge_preference(evidence, retractions)
    if kind == PERSON:
        return _merge_person(evidence)
    if kind == TOPIC:
        return _merge_topic(evidence)
    raise ValueError(f"unknown profile item kind {kind!r}")


def _episodes(evidence: list[Evidence]) -> list[list[Evidence]]:
    runs: list[list[Evidence]] = []
    for e in evidence:
        if runs and runs[-1][-1].data["polarity"] == e.data["polarity"]:
            runs[-1].append(e)
        else:
            runs.append([e])
    return runs


def _merge_preference(evidence: list[Evidence], retractions: Iterable[Evidence]) -> Merged:
    runs = _episodes(evidence)
    history = [{**_episode_fields(run), "superseded_by": _statement(after[0]),
                "superseded_at": utc(after[0].stated_at).isoformat()}
               for run, after in zip(runs, runs[1:])]
    current = runs[-1]
    latest = current[-1]
    merged = Merged(
        label=latest.data["item"], stated_at=utc(latest.stated_at),
        source_note_ids=newest_sources(e.note_id for e in current),
        note_count=len({e.note_id for e in current}), polarity=latest.data["polarity"],
        reason=next((e.data.get("reason") for e in reversed(current) if e.data.get("reason")), None),
        confidence=_noisy_or(e.data.get("confidence", 0.8) for e in current),
        holder=latest.data.get("holder"), history=history,
    )
    if merged.holder is None and merged.polarity == Polarity.LIKE:
        by = first_retraction(latest, retractions)
        if by is not None:
            merged.status = ItemStatus.SUPERSEDED
            merged.superseded_by = {**_statement(by), "polarity": Polarity.DISLIKE}
    return merged


def first_retraction(like: Evidence, retractions: Iterable[Evidence]) -> Optional[Evidence]:
    """The earliest retraction stated at or after `like` that reaches its item, if any."""
    stated = Preference(item=like.data["item"], polarity=Polarity.LIKE, stated_at=utc(like.stated_at))
    hits = [r for r in retractions
            # A note that says both ("no meat, but I still love steak") keeps its own like.
            if r.note_id != like.note_id
            and retracts(Negation(item=r.data["item"], covers=[r.key], stated_at=utc(r.stated_at)), stated)]
    return min(hits, key=_order, default=None)


def _episode_fields(run: list[Evidence]) -> dict:
    last = run[-1]
    return {"label": last.data["item"], "polarity": last.data["polarity"],
            "reason": next((e.data.get("reason") for e in reversed(run) if e.data.get("reason")), None),
            "note_ids": newest_sources(e.note_id for e in run), "stated_at": utc(last.stated_at).isoformat()}


def _merge_person(evidence: list[Evidence]) -> Merged:
    latest = evidence[-1]
    return Merged(
        label=latest.data.get("name") or latest.data.get("relation"), stated_at=utc(latest.stated_at),
        source_note_ids=newest_sources(e.note_id for e in evidence), note_count=len({e.note_id for e in evidence}),
        relation=next((e.data["relation"] for e in reversed(evidence) if e.data.get("relation")), None),
        entity=latest.data.get("kind") or "person",
    )


def _merge_topic(evidence: list[Evidence]) -> Merged:
    latest = evidence[-1]
    return Merged(
        label=latest.data["fine"], stated_at=utc(latest.stated_at),
        source_note_ids=newest_sources(e.note_id for e in evidence), note_count=len({e.note_id for e in evidence}),
        coarse=latest.data.get("coarse"), path=latest.data.get("path"),
    )


def fold(kind: str, current: Merged, added: list[Evidence]) -> Optional[Merged]:
    """The item with new notes' evidence added, without reading its older evidence; None when only
    a full merge can tell (a preference restated out of order or with the other polarity)."""
    if kind == PREFERENCE:
        return _fold_preference(current, added)
    newest = merge(kind, added)
    notes = {e.note_id for e in added}
    result = newest if utc(newest.stated_at) >= utc(current.stated_at) else current
    folded = Merged(**result.fields())
    folded.source_note_ids = newest_sources([*current.source_note_ids, *notes])
    folded.note_count = current.note_count + len(notes)
    folded.stated_at = max(utc(current.stated_at), utc(newest.stated_at))
    if kind == PERSON:
        folded.relation = result.relation or current.relation or newest.relation
    return folded


def _fold_preference(current: Merged, added: list[Evidence]) -> Optional[Merged]:
    # Exact only when every new statement is newer than the item and agrees with it: the current
    # episode grows, and no retraction can fall after it (it would have fallen after the item too).
    # The newest current note has the item's date and the highest source id there can be at that date.
    last = (utc(current.stated_at), max(current.source_note_ids, default=0))
    if current.status != ItemStatus.ACTIVE or any(_order(e) <= last or e.data["polarity"] != current.polarity
                                                  for e in added):
        return None
    added = sorted(added, key=_order)
    folded = Merged(**current.fields())
    folded.label, folded.stated_at = added[-1].data["item"], utc(added[-1].stated_at)
    folded.source_note_ids = newest_sources([*current.source_note_ids, *(e.note_id for e in added)])
    folded.note_count = current.note_count + len({e.note_id for e in added})
    folded.reason = next((e.data.get("reason") for e in reversed(added) if e.data.get("reason")), current.reason)
    folded.confidence = _noisy_or([current.confidence or 0.0, *(e.data.get("confidence", 0.8) for e in added)])
    return folded
