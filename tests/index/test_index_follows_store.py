"""The index is derived from SQLite and never disagrees with it for long."""

import json
import threading

import pytest
import tantivy

from service.db import Article
from service.errors import IndexUnavailable
from service.index.manager import META_FILE, SearchIndex, article_count
from service.index.schema import open_index
from service.ingest.store import ArticleWriter
from tests.helpers import add_articles


@pytest.fixture
def archive(any_archive):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_archive


def ids_for(archive, word: str) -> set[int]:
    searcher = archive.index.searcher()
    query = tantivy.Query.term_query(archive.index.schema, "text_exact", word)
    hits = searcher.search(query, limit=100).hits
    return {int(v) for v in searcher.fast_field_values("id", [a for _, a in hits])}


def test_insert_update_delete_reach_the_index(archive) -> None:
    first, second = add_articles(
        archive,
        {"title": "خبر", "body": "اشتباكات عنيفة في البادية"},
        {"title": "خبر آخر", "body": "أمطار غزيرة في الساحل"},
    )
    assert ids_for(archive, "البادية") == {first}
    with archive.db.writing() as session:
        ArticleWriter(session).patch(session.get(Article, first), {"body": "هدوء حذر في الصحراء"})
    archive.index.sync(archive.db)
    assert ids_for(archive, "البادية") == set()
    assert ids_for(archive, "الصحراء") == {first}
    with archive.db.writing() as session:
        ArticleWriter(session).delete(session.get(Article, second))
    archive.index.sync(archive.db)
    assert ids_for(archive, "الساحل") == set()
    assert archive.index.num_docs() == article_count(archive.db) == 1


def test_replaying_changes_after_a_crash_is_harmless(archive) -> None:
    add_articles(archive, {"body": "نص أول عن الزراعة"}, {"body": "نص ثان عن الصناعة"})
    # A crash between the tantivy commit and the watermark write: the watermark is behind.
    meta_path = archive.index.path / META_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "applied_seq": 0}))
    report = archive.index.reconcile(archive.db)
    assert report["applied"] == 2
    assert archive.index.num_docs() == 2
    assert ids_for(archive, "الزراعة") and ids_for(archive, "الصناعة")


def test_reconcile_repairs_an_index_that_lost_documents(archive) -> None:
    ids = add_articles(archive, {"body": "الخبر الأول"}, {"body": "الخبر الثاني"}, {"body": "الخبر الثالث"})
    index = open_index(archive.index.path)
    writer = index.writer(50_000_000, 1)
    writer.delete_documents_by_term("id", ids[1])
    writer.commit()
    writer.wait_merging_threads()
    assert archive.index.num_docs() == 2
    report = archive.index.reconcile(archive.db)
    assert report["repaired"] == 1
    assert archive.index.indexed_ids() == set(ids)


def test_reindex_builds_a_new_generation_and_swaps_it_in(archive) -> None:
    ids = add_articles(archive, {"body": "مقال عن الاقتصاد"}, {"body": "مقال عن الرياضة"})
    old = archive.index.path
    assert archive.index.rebuild(archive.db) == 2
    assert archive.index.path != old and not old.exists()
    assert archive.index.indexed_ids() == set(ids)
    # another process's handle notices the swap on its next search
    other = SearchIndex(archive.settings.index_dir)
    assert other.path == archive.index.path


def test_an_index_from_another_analyzer_is_refused_until_rebuilt(archive) -> None:
    add_articles(archive, {"body": "مقال قديم"})
    meta_path = archive.index.path / META_FILE
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "analyzer_version": "something-older"}))
    stale = SearchIndex(archive.settings.index_dir)
    with pytest.raises(IndexUnavailable, match="reindex"):
        stale.searcher()
    assert stale.sync(archive.db) == 0  # never mixes terms of two analyzers
    assert stale.reconcile(archive.db)["rebuilt"] == 1
    assert stale.is_current and stale.searcher().num_docs == 1


def _all_at_once(work, handles: list[SearchIndex]) -> list[BaseException]:
    """``work`` on each handle in its own thread, released together (as the workers of one node start),
    and what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(handles))

    def run(handle: SearchIndex) -> None:
        try:
            handle.ensure()
            start.wait()
            work(handle)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(h,)) for h in handles]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_syncs_take_turns(archive) -> None:
    with archive.db.writing() as session:
        from service.ingest.store import ArticleInput

        ArticleWriter(session).upsert_many(
            [ArticleInput(body=f"مقال رقم {i} عن موضوع {i * 7}") for i in range(300)]
        )
    handles = [SearchIndex(archive.settings.index_dir) for _ in range(3)]
    errors = _all_at_once(lambda h: h.sync(archive.db), handles)
    assert not errors
    assert archive.index.num_docs() == 300


def test_batch_minhash_equals_datasketch() -> None:
    """``signatures`` batches datasketch's scheme by hand; it must give datasketch's own answers."""
    import numpy as np

    from service.ingest import fingerprint

    texts = [
        "قالت مصادر محلية إن اشتباكات عنيفة اندلعت في ريف دير الزور الشرقي صباح اليوم",
        "أعلنت وزارة الصحة عن حملة تطعيم",
        "كلمة",
        "",
    ]
    batch = fingerprint.signatures([fingerprint.normalized_text(t) for t in texts])
    for text, sig in zip(texts, batch):
        assert np.array_equal(sig, fingerprint.signature(text))


def test_workers_starting_together_on_a_new_node_build_the_index_once(archive) -> None:
    """The worker processes of `arshif serve` start at once on a node that has no index yet: one
    builds it, the others wait and find it built (they once built two and deleted each other's)."""
    with archive.db.writing() as session:
        from service.ingest.store import ArticleInput

        ArticleWriter(session).upsert_many(
            [ArticleInput(body=f"خبر رقم {i} من دير الزور") for i in range(400)]
        )
    node = archive.settings.index_dir.parent / "new-node-index"
    handles = [SearchIndex(node) for _ in range(3)]
    reports: list[dict[str, int]] = []
    errors = _all_at_once(lambda h: reports.append(h.reconcile(archive.db)), handles)
    assert not errors
    assert sorted(r["rebuilt"] for r in reports) == [0, 0, 400]
    assert [p.name for p in node.glob("g*")] == [handles[0].path.name]
    assert all(h.num_docs() == 400 for h in handles)


def test_a_writer_follows_a_generation_another_process_swapped_in(archive) -> None:
    add_articles(archive, {"body": "مقال أول"})
    worker = SearchIndex(archive.settings.index_dir)
    worker.ensure()
    archive.index.rebuild(archive.db)  # `arshif reindex` in another process: the old generation goes
    add_articles(archive, {"body": "مقال ثان"})
    assert worker.sync(archive.db) >= 0  # commits to the live generation, not the deleted one
    assert worker.path == archive.index.path
