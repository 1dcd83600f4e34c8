"""The ingest pipeline into a real archive: idempotence, updates, duplicates, clusters, failures."""

import gzip
import json
from pathlib import Path

import pytest

from service.db import Article, Change
from service.ingest.formats import parse_file
from service.ingest.pipeline import ingest
from service.ingest.store import ArticleInput, ArticleWriter, RejectedRecord

BODY = (
    "أعلنت وزارة الزراعة اليوم عن خطة وطنية لدعم مزارعي القمح في المحافظات الشمالية، تشمل قروضا ميسرة "
    "وبذورا محسنة وتوسيع شبكات الري، وقال الوزير إن الخطة تستمر ثلاث سنوات بكلفة تتجاوز مئة مليون دولار."
)


@pytest.fixture
def archive(any_archive):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_archive


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def run(archive, path: Path):
    return ingest(archive, parse_file(path), inputs=[str(path)])


def test_reingesting_changes_nothing_and_same_id_updates(archive, tmp_path: Path) -> None:
    records = [
        {
            "id": "a1",
            "source": "وكالة",
            "title": "خطة للقمح",
            "body": BODY,
            "published_at": "2018-02-01T10:00:00Z",
        },
        {
            "id": "a2",
            "source": "وكالة",
            "title": "أمطار",
            "body": "هطلت أمطار غزيرة على الساحل اليوم وتسببت في فيضانات محدودة.",
        },
    ]
    path = write_jsonl(tmp_path / "a.jsonl", records)
    first = run(archive, path)
    assert (first.added, first.failed) == (2, 0)
    with archive.db.reading() as session:
        changes = session.query(Change).count()
    second = run(archive, path)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
    with archive.db.reading() as session:
        assert session.query(Change).count() == changes  # nothing written, nothing to reindex

    records[1]["title"] = "أمطار غزيرة"
    third = run(archive, write_jsonl(tmp_path / "b.jsonl", records))
    assert (third.updated, third.unchanged) == (1, 1)
    with archive.db.reading() as session:
        assert session.query(Article).filter_by(external_id="a2").one().title == "أمطار غزيرة"
        assert session.query(Article).count() == 2


def test_identical_bodies_with_their_own_identity_are_kept_in_one_cluster(archive, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"id": "x1", "source": "الأولى", "title": "خطة", "body": BODY},
            {
                "id": "x2",
                "source": "الثانية",
                "title": "خطة القمح",
                "body": "  " + BODY.replace("،", "، ") + "  ",
            },
            {
                "id": "x3",
                "source": "الثالثة",
                "title": "دعم القمح",
                "body": "(رويترز) " + BODY + " وأضاف أن التنفيذ يبدأ الشهر المقبل.",
            },
        ],
    )
    summary = run(archive, path)
    assert (summary.added, summary.duplicates) == (3, 0)
    with archive.db.reading() as session:
        first, copy, near = session.query(Article).order_by(Article.id).all()
        assert (copy.external_id, copy.source.name, copy.title) == ("x2", "الثانية", "خطة القمح")
        assert copy.content_hash == first.content_hash
        assert first.cluster_id == copy.cluster_id == near.cluster_id == first.id
        assert all("identical_copies" not in a.extra for a in (first, copy, near))
        changes = session.query(Change).count()
    assert archive.index.num_docs() == 3
    again = run(archive, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with archive.db.reading() as session:
        assert session.query(Change).count() == changes


def test_what_gives_a_record_with_a_stored_body_its_own_identity(archive) -> None:
    """A record whose body is stored already is that article again when each of source, external id,
    URL and title it carries equals the article's (a missing one matches); any difference makes it an
    article of its own, in its twin's cluster."""
    stored = {
        "body": BODY,
        "source": "وكالة",
        "external_id": "k1",
        "url": "https://example.org/k1",
        "title": "خطة",
    }

    def outcomes(*items: dict) -> list[tuple[str, int]]:
        with archive.db.writing() as session:
            results = ArticleWriter(session).upsert_many([ArticleInput(**item) for item in items])
        return [(r.outcome, r.article_id) for r in results]

    [(_, twin)] = outcomes(stored)
    seen_again = [
        stored,  # by its key
        {"body": BODY, "external_id": "k1"},  # the same id, no source: nothing says it is another article
        {"body": BODY, "source": "وكالة", "title": "خطة"},  # no id or URL, same outlet and headline
        {"body": " " + BODY, "source": "وكالة"},  # nothing that differs
    ]
    assert outcomes(*seen_again) == [("unchanged", twin)] * len(seen_again)
    own = [
        {**stored, "external_id": "k2", "url": None},  # another id of the same outlet
        {**stored, "source": "أخرى"},  # another outlet with the same id
        {"body": BODY, "url": "https://example.org/k3"},  # another address
        {"body": BODY, "source": "وكالة", "title": "خطة القمح الوطنية"},  # no id or URL, another headline
        {"body": BODY, "source": "وكالة", "title": "خطة القمح الوطنية"},  # ... given twice in one batch
    ]
    results = outcomes(*own)
    assert [o for o, _ in results] == ["added"] * 4 + ["duplicate"] and results[4][1] == results[3][1]
    assert outcomes(*own) == [("unchanged", article_id) for _, article_id in results]  # idempotent
    with archive.db.reading() as session:
        articles = session.query(Article).order_by(Article.id).all()
    assert len(articles) == 5 and {a.cluster_id for a in articles} == {twin}
    assert len({a.record_hash for a in articles}) == 5


def test_an_article_may_take_a_stored_body_but_not_another_articles_whole_record(archive) -> None:
    with archive.db.writing() as session:
        writer = ArticleWriter(session)
        first = writer.upsert(ArticleInput(body=BODY, source="وكالة", title="خطة")).article_id
        other = writer.upsert(
            ArticleInput(body="هطلت أمطار غزيرة على الساحل اليوم.", source="وكالة", external_id="r1")
        ).article_id
    with archive.db.writing() as session:  # an update by id to a body stored elsewhere: applied, clustered
        result = ArticleWriter(session).upsert(
            ArticleInput(body=BODY, source="وكالة", external_id="r1", title="خطة")
        )
    assert (result.outcome, result.article_id) == ("updated", other)
    with archive.db.reading() as session:
        assert session.get(Article, other).cluster_id == first
    with archive.db.writing() as session:
        third = (
            ArticleWriter(session)
            .upsert(ArticleInput(body=BODY, source="وكالة", title="خطة ثالثة"))
            .article_id
        )
    with pytest.raises(RejectedRecord, match=f"article {first}"), archive.db.writing() as session:
        ArticleWriter(session).patch(
            session.get(Article, third), {"title": "خطة"}
        )  # would be the first, whole
    with archive.db.writing() as session:
        ArticleWriter(session).patch(session.get(Article, third), {"title": "خطة معدلة"})
    with archive.db.reading() as session:
        assert session.get(Article, third).record_hash != session.get(Article, first).record_hash


def test_bad_records_fail_alone_with_their_place(archive, tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "g1", "body": BODY}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "g2", "title": "بلا نص"}),
        json.dumps({"id": "g3", "body": "نص سليم آخر عن الاقتصاد المحلي والأسواق."}, ensure_ascii=False),
    ]
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    summary = run(archive, path)
    assert (summary.added, summary.failed) == (2, 2)
    assert [f["origin"] for f in summary.failures] == [f"{path}:2", f"{path}:3"]
    assert archive.index.num_docs() == 2  # what was committed is searchable


def test_empty_and_binary_files_are_failures_not_crashes(archive, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 100)
    for path in (empty, junk):
        summary = run(archive, path)
        assert summary.added == 0 and summary.failed == 1
