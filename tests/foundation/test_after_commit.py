"""What must follow every write hangs on the commit: ``Database.after_commit`` listeners, and the app's
two (its index follower, its synonym cache), reached by writes that never went through a route."""

from __future__ import annotations

import logging

import pytest
from anyio.from_thread import start_blocking_portal
from sqlalchemy import func, select

from service.db import Article, IngestRun
from service.db.models import utcnow
from service.ingest.store import ArticleInput, ArticleWriter
from service.search import synonyms
from service.search.synonyms import words_of
from service.server import indexer
from service.server.app import create_app
from tests.conftest import wait_until
from tests.index.test_index_follows_store import ids_for


def _store(db, body: str) -> int:
    result = db.write(lambda session: ArticleWriter(session).upsert(ArticleInput(body=body, title="خبر")))
    return result.article_id


def test_listeners_hear_each_committed_change_once_it_is_visible(any_archive) -> None:
    db = any_archive.db
    heard: list[tuple[frozenset[str], int]] = []

    def listener(kinds: frozenset[str]) -> None:
        with db.reading() as session:  # already committed: a new transaction sees it
            heard.append((kinds, session.scalar(select(func.count()).select_from(Article))))

    forget = db.after_commit(listener)
    article_id = _store(db, "اجتماع لمجلس الأمن في نيويورك")
    assert heard == [(frozenset({"upsert"}), 1)]

    group = synonyms.add_group(db, ["قسد", "قوات سوريا الديمقراطية"])
    synonyms.delete_group(db, group.id)
    with db.writing() as session:
        ArticleWriter(session).delete(session.get(Article, article_id))
    assert [kinds for kinds, _ in heard[1:]] == [
        frozenset({"synonyms"}),
        frozenset({"synonyms"}),
        frozenset({"delete"}),
    ]
    assert heard[-1][1] == 0

    forget()
    _store(db, "أمطار غزيرة في الساحل")
    assert len(heard) == 4


def test_a_rolled_back_write_or_one_that_logs_no_change_is_not_announced(any_archive) -> None:
    db = any_archive.db
    heard: list[frozenset[str]] = []
    db.after_commit(heard.append)
    with pytest.raises(RuntimeError), db.writing() as session:
        ArticleWriter(session).upsert(ArticleInput(body="نص لن يُحفظ", title="خبر"))
        raise RuntimeError("the caller changed its mind")
    with db.writing() as session:  # an ingest run's record: nothing for the index or the synonyms
        session.add(IngestRun(finished_at=utcnow(), inputs=[]))
    assert heard == []
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == 0


def test_a_failing_listener_neither_undoes_the_write_nor_silences_the_others(any_archive, caplog) -> None:
    db = any_archive.db
    heard: list[frozenset[str]] = []

    def broken(kinds: frozenset[str]) -> None:
        raise ValueError("a listener with a bug")

    db.after_commit(broken)
    db.after_commit(heard.append)
    with caplog.at_level(logging.ERROR, logger="arshif.db"):
        article_id = _store(db, "خبر يُحفظ رغم المستمع المعطوب")
    assert heard == [frozenset({"upsert"})]
    assert "after-commit listener failed" in caplog.text
    with db.reading() as session:
        assert session.get(Article, article_id) is not None


@pytest.fixture
def app_archive(archive, monkeypatch):
    """The app's own archive while its lifespan runs. The follower's poll and the synonym table's
    refresh are pushed past any test's length: what the tests see can only come from the commit."""
    monkeypatch.setattr(indexer, "POLL_S", 3600.0)
    monkeypatch.setattr(synonyms, "REFRESH_EVERY_S", 3600.0)
    app = create_app(archive.settings)
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(app.router.lifespan_context(app)),
    ):
        follower = app.state.follower
        assert wait_until(follower.ready.is_set, timeout=60)  # start-up reconciliation done
        yield app.state.archive, app.state.search


def test_a_write_through_the_store_wakes_the_apps_index_follower(app_archive) -> None:
    archive, _ = app_archive
    article_id = _store(archive.db, "افتتاح معرض الكتاب في الرياض")
    assert wait_until(lambda: ids_for(archive, "الرياض") == {article_id}, timeout=60)


def test_a_synonym_change_through_the_store_reaches_the_apps_next_query(app_archive) -> None:
    archive, search = app_archive
    table = search.synonyms
    assert table(words_of("قسد")) == []  # the table is loaded, and would be kept for an hour
    synonyms.add_group(archive.db, ["قسد", "قوات سوريا الديمقراطية"])
    assert table(words_of("قسد")) == [words_of("قوات سوريا الديمقراطية")]
    synonyms.replace_all(archive.db, [])
    assert table(words_of("قسد")) == []
