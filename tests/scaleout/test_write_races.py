"""Two writers storing the same article at the same moment end with one article, on either store.

On PostgreSQL the second writer's insert waits on the unique index, fails when the first commits,
and ``Database.write`` replans it against what was committed. On SQLite the second writer waits for
the write lock (``BEGIN IMMEDIATE``) and plans after the first commit. The outbox stays gap-free.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from service.db import Article, Change
from service.ingest.store import ArticleInput, ArticleWriter
from tests.helpers import follow_changes

ITEM = {
    "title": "قصف على ريف إدلب",
    "body": "قصف مدفعي استهدف قرى في ريف إدلب الجنوبي صباح اليوم.",
    "source": "مراسل",
    "external_id": "race-1",
}


def test_the_same_article_from_two_writers_at_once_is_stored_once(any_archive) -> None:
    db = any_archive.db
    outcome: list[str] = []

    def second_writer() -> None:
        outcome.append(db.write(lambda session: ArticleWriter(session).upsert(ArticleInput(**ITEM))).outcome)

    with db.writing() as first:
        assert ArticleWriter(first).upsert(ArticleInput(**ITEM)).outcome == "added"
        first.flush()
        racer = threading.Thread(target=second_writer)
        racer.start()
        time.sleep(0.5)  # the second writer is now blocked on the first (lock or unique index)
        assert racer.is_alive()
    racer.join(timeout=60)
    assert outcome == ["unchanged"]
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 1
        seqs = list(session.scalars(select(Change.seq).order_by(Change.seq)))
    assert len(seqs) == 1


def test_a_follower_never_steps_over_a_change_that_commits_late(any_archive) -> None:
    """Four writers commit while a follower reads "seq > watermark" as the index does: it must see
    every change. (Without the outbox lock, PostgreSQL hands out numbers before commit, and a slow
    transaction's number would become visible after a later one had moved the watermark past it.)"""
    db = any_archive.db
    done = threading.Event()
    seen: list[int] = []

    def writer(n: int) -> None:
        for i in range(40):
            item = ArticleInput(
                body=f"خبر رقم {i} من الكاتب {n} عن الطقس في حلب وحمص", external_id=f"{n}-{i}", source=f"w{n}"
            )
            db.write(lambda session, item=item: ArticleWriter(session).upsert(item))

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    reader = threading.Thread(target=follow_changes, args=(db, done, seen))
    reader.start()
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    reader.join(timeout=60)
    with db.reading() as session:
        committed = list(session.scalars(select(Change.seq).order_by(Change.seq)))
    assert len(committed) == 160
    assert seen == committed
