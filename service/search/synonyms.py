"""Synonyms and aliases managed at run time (API and CLI), expanded at query time.

A group lists terms that mean the same thing: ["قسد", "قوات سوريا الديمقراطية"], ["داعش", "تنظيم الدولة"],
["فبراير", "شباط"]. Looking up any member (by its analyzed exact forms) gives the others. Groups live
in the database; each process keeps a table in memory and refreshes it when the rows change.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import delete, func, select

from service.analysis import analyze_query_word
from service.db import Database, SynonymGroup
from service.db.outbox import record_changes
from service.errors import ArshifError, NotFound

REFRESH_EVERY_S = 1.0
CHANGE = "synonyms"  # the outbox's kind of change for a synonym group
NEVER = float("-inf")  # not 0.0: the monotonic clock may itself be under REFRESH_EVERY_S
MAX_TERMS = 20
MAX_TERM_CHARS = 200

Words = tuple[str, ...]


def words_of(text: str) -> Words:
    return tuple(t.exact for t in analyze_query_word(text))


def clean_group(terms: list[str]) -> list[str]:
    """Validate one group as given by a user: 2–20 distinct, non-empty terms."""
    seen: dict[Words, str] = {}
    for raw in terms:
        if not isinstance(raw, str):
            raise ArshifError(
                "كل مرادف يجب أن يكون نصًّا", "every synonym must be a string", type="invalid-synonyms"
            )
        text = " ".join(raw.split())
        if len(text) > MAX_TERM_CHARS:
            raise ArshifError(
                "المرادف أطول من المسموح",
                f"a synonym is longer than {MAX_TERM_CHARS} characters",
                type="invalid-synonyms",
            )
        key = words_of(text)
        if key and key not in seen:
            seen[key] = text
    if len(seen) < 2 or len(seen) > MAX_TERMS:
        raise ArshifError(
            f"مجموعة المرادفات تحتاج من 2 إلى {MAX_TERMS} عبارات مختلفة",
            f"a synonym group needs 2 to {MAX_TERMS} different terms",
            type="invalid-synonyms",
        )
    return list(seen.values())


class SynonymTable:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._table: dict[Words, list[Words]] = {}
        self._version: tuple | None = None
        self._checked = NEVER

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < REFRESH_EVERY_S:
            return
        with self._lock:
            self._checked = now
            with self.db.reading() as session:
                version = tuple(
                    session.execute(
                        select(
                            func.count(SynonymGroup.id),
                            func.max(SynonymGroup.id),
                            func.max(SynonymGroup.updated_at),
                        )
                    ).one()
                )
                if version == self._version:
                    return
                groups = list(session.scalars(select(SynonymGroup.terms)))
            table: dict[Words, list[Words]] = {}
            for terms in groups:
                members = [w for w in (words_of(t) for t in terms) if w]
                for member in members:
                    table.setdefault(member, []).extend(
                        m for m in members if m != member and m not in table[member]
                    )
            self._table, self._version = table, version

    def __call__(self, words: Words) -> list[Words]:
        self._refresh()
        return self._table.get(words, [])

    @property
    def version(self) -> tuple | None:
        """Which state of the synonym groups the table holds (as last read): part of the key of
        anything worked out from what a query matched."""
        return self._version

    def invalidate(self) -> None:
        self._checked = NEVER

    def on_commit(self, kinds: frozenset[str]) -> None:
        """A ``Database.after_commit`` listener: a synonym change committed in this process is used by
        the very next query, not up to ``REFRESH_EVERY_S`` later."""
        if CHANGE in kinds:
            self.invalidate()


def list_groups(db: Database) -> list[SynonymGroup]:
    with db.reading() as session:
        return list(session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def add_group(db: Database, terms: list[str]) -> SynonymGroup:
    group = SynonymGroup(terms=clean_group(terms))
    with db.writing() as session:
        session.add(group)
        session.flush()
        record_changes(session, [group.id], CHANGE)
    return group


def replace_all(db: Database, groups: list[list[str]]) -> list[SynonymGroup]:
    cleaned = [SynonymGroup(terms=clean_group(terms)) for terms in groups]
    with db.writing() as session:
        old = list(session.scalars(select(SynonymGroup.id)))
        session.execute(delete(SynonymGroup))
        session.add_all(cleaned)
        session.flush()
        record_changes(session, old + [group.id for group in cleaned], CHANGE)
    return cleaned


def delete_group(db: Database, group_id: int) -> None:
    with db.writing() as session:
        group = session.get(SynonymGroup, group_id)
        if group is None:
            raise NotFound(f"لا توجد مجموعة مرادفات رقمها {group_id}", f"no synonym group with id {group_id}")
        session.delete(group)
        record_changes(session, [group_id], CHANGE)
