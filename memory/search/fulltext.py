"""The full-text index over a user's notes and messages: SQLite FTS5 or PostgreSQL tsvector.

Each searchable document has a `doc_key` that encodes its kind and row id, so hits from one
index point back at notes and messages without a join table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Optional

from sqlalchemy import text
from sqlalchemy.orm import Session

from memory.search.textindex import fts5_match_expression, index_text, tsquery_expression

NOTE, MESSAGE = 0, 1


def doc_key(kind: int, row_id: int) -> int:
    """The index key of a note (kind NOTE) or a message (kind MESSAGE)."""
    return row_id * 2 + kind


def split_doc_key(key: int) -> tuple[int, int]:
    """(kind, row id) of an index key."""
    return key % 2, key // 2


@dataclass(frozen=True)
class IndexedDoc:
    key: int
    user_id: int
    created_at: datetime
    title: str
    body: str


def _utc_text(moment: datetime) -> str:
    # The same text form SQLAlchemy writes for DateTime columns on SQLite, so strings compare.
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class _FullText:
    """What both backends share: removal by key and the user/time-restricted ranked query."""

    table = key = select_from = match = order = ""

    def _moment(self, moment: datetime):
        return moment

    def _expression(self, terms: list[str]) -> str:
        raise NotImplementedError

    def remove(self, session: Session, keys: Iterable[int]) -> None:
        """Drop these documents from the index."""
        params = [{"k": k} for k in keys]
        if params:
            session.execute(text(f"DELETE FROM {self.table} WHERE {self.key} = :k"), params)

    def query(
        self,
        session: Session,
        *,
        user_id: int,
        terms: list[str],
        start: Optional[datetime],
        end: Optional[datetime],
        limit: int,
    ) -> list[int]:
        """Doc keys of the user's documents matching any term, best first."""
        if not terms:
            return []
        where = [self.match, "user_id = :u"]
        params: dict = {"q": self._expression(terms), "u": user_id, "n": limit}
        if start is not None:
            where.append("created_at >= :s")
            params["s"] = self._moment(start)
        if end is not None:
            where.append("created_at < :e")
            params["e"] = self._moment(end)
        sql = (f"SELECT {self.key} FROM {self.select_from} WHERE " + " AND ".join(where)
               + f" ORDER BY {self.order} LIMIT :n")
        return [row[0] for row in session.execute(text(sql), params)]


class SqliteFullText(_FullText):
    """FTS5 with BM25 ranking (title weighted above body).

    The weights are the table's configured `rank` (migration 0007): FTS5 orders by its `rank`
    column about three times faster than by a bm25() call (84 → 30 ms median at 100k notes).
    """

    table = select_from = "search_fts"
    key = "rowid"
    match = "search_fts MATCH :q"
    order = "rank"

    def _moment(self, moment: datetime) -> str:
        return _utc_text(moment)

    def _expression(self, terms: list[str]) -> str:
        return fts5_match_expression(terms)

    def upsert(self, session: Session, docs: Iterable[IndexedDoc]) -> None:
        """Index (or re-index) documents."""
        rows = [
            {
                "k": d.key,
                "t": index_text(d.title),
                "b": index_text(d.body),
                "u": d.user_id,
                "c": _utc_text(d.created_at),
            }
            for d in docs
        ]
        if not rows:
            return
        self.remove(session, [r["k"] for r in rows])
        session.execute(
            text(
                "INSERT INTO search_fts(rowid, title, body, user_id, created_at) "
                "VALUES (:k, :t, :b, :u, :c)"
            ),
            rows,
        )


class PostgresFullText(_FullText):
    """tsvector with a GIN index, ranked by ts_rank_cd (title weighted A, body D).

    Each text is indexed twice, English-stemmed and as-is, so "recommend" finds "recommended"
    while words of other languages (and CJK bigrams) still match exactly.
    """

    table = "search_doc"
    key = "doc_key"
    select_from = "search_doc, (SELECT to_tsquery('english', :q) || to_tsquery('simple', :q) AS q) AS query"
    match = "tsv @@ query.q"
    order = "ts_rank_cd(tsv, query.q) DESC, created_at DESC"

    def _expression(self, terms: list[str]) -> str:
        return tsquery_expression(terms)

    def upsert(self, session: Session, docs: Iterable[IndexedDoc]) -> None:
        """Index (or re-index) documents."""
        rows = [
            {
                "k": d.key,
                "u": d.user_id,
                "c": d.created_at,
                "t": index_text(d.title).replace("\x00", ""),
                "b": index_text(d.body).replace("\x00", ""),
            }
            for d in docs
        ]
        if not rows:
            return
        session.execute(
            text(
                "INSERT INTO search_doc(doc_key, user_id, created_at, tsv) VALUES (:k, :u, :c, "
                "setweight(to_tsvector('english', :t) || to_tsvector('simple', :t), 'A') || "
                "setweight(to_tsvector('english', :b) || to_tsvector('simple', :b), 'D')) "
                "ON CONFLICT (doc_key) DO UPDATE SET user_id = EXCLUDED.user_id, "
                "created_at = EXCLUDED.created_at, tsv = EXCLUDED.tsv"
            ),
            rows,
        )


def for_dialect(name: str):
    """The full-text backend for a SQLAlchemy dialect name."""
    return SqliteFullText() if name == "sqlite" else PostgresFullText()
