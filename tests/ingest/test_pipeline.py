"""The ingest pipeline into a real archive: idempotence, updates, duplicates, clusters, failures."""

import gzip
import json
from pathlib import Path

import pytest

from service.db import Article, Change
from service.ingest.formats import parse_file
from service.ingest.pipeline import ingest

BODY = ("أعلنت وزارة الزراعة اليوم عن خطة وطنية لدعم مزارعي القمح في المحافظات الشمالية، تشمل قروضا ميسرة "
        "وبذورا محسنة وتوسيع شبكات الري، وقال الوزير إن الخطة تستمر ثلاث سنوات بكلفة تتجاوز مئة مليون دولار.")


@pytest.fixture
def archive(any_archive):  # type: ignore[no-untyped-def]
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_archive


def write_jsonl(path: Path, records: list[dict]) -> Path:  # type: ignore[type-arg]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def run(archive, path: Path):  # type: ignore[no-untyped-def]
    return ingest(archive, parse_file(path), inputs=[str(path)])


def test_reingesting_changes_nothing_and_same_id_updates(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    records = [
        {"id": "a1", "source": "وكالة", "title": "خطة للقمح", "body": BODY, "published_at": "2018-02-01T10:00:00Z"},
        {"id": "a2", "source": "وكالة", "title": "أمطار", "body": "هطلت أمطار غزيرة على الساحل اليوم وتسببت في فيضانات محدودة."},
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


def test_identical_bodies_are_stored_once_and_near_duplicates_cluster(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "c.jsonl", [
        {"id": "x1", "source": "الأولى", "title": "خطة", "body": BODY},
        {"id": "x2", "source": "الثانية", "title": "خطة القمح", "body": "  " + BODY.replace("،", "، ") + "  "},
        {"id": "x3", "source": "الثالثة", "title": "دعم القمح", "body": "(رويترز) " + BODY + " وأضاف أن التنفيذ يبدأ الشهر المقبل."},
    ])
    summary = run(archive, path)
    assert (summary.added, summary.duplicates) == (2, 1)
    with archive.db.reading() as session:
        first, third = session.query(Article).order_by(Article.id).all()
        assert third.cluster_id == first.cluster_id == first.id
        assert first.extra["identical_copies"] == [{"source": "الثانية", "external_id": "x2"}]


def test_bad_records_fail_alone_with_their_place(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    lines = [json.dumps({"id": "g1", "body": BODY}, ensure_ascii=False), "{not json", json.dumps({"id": "g2", "title": "بلا نص"}),
             json.dumps({"id": "g3", "body": "نص سليم آخر عن الاقتصاد المحلي والأسواق."}, ensure_ascii=False)]
    path = tmp_path / "d.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    summary = run(archive, path)
    assert (summary.added, summary.failed) == (2, 2)
    assert [f["origin"] for f in summary.failures] == [f"{path}:2", f"{path}:3"]
    assert archive.index.num_docs() == 2  # what was committed is searchable


def test_empty_and_binary_files_are_failures_not_crashes(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 100)
    for path in (empty, junk):
        summary = run(archive, path)
        assert summary.added == 0 and summary.failed == 1
