"""A single machine grows into nodes: `arshif db copy` moves its SQLite archive into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from service.archive import Archive
from service.db import Base, Change
from service.ingest.store import ArticleInput, ArticleWriter
from service.search.engine import SearchRequest, SearchService
from service.settings import Settings
from tests.conftest import SEEDS, needs_shared, run_cli


def counts(archive: Archive) -> dict[str, int]:
    with archive.db.reading() as session:
        return {
            t.name: session.scalar(select(func.count()).select_from(t)) or 0
            for t in Base.metadata.sorted_tables
        }


def ids_for(archive: Archive, query: str) -> list[int]:
    return [hit.id for hit in SearchService(archive).search(SearchRequest(q=query, limit=50)).hits]


@needs_shared(SEEDS)
def test_copy_keeps_everything_and_the_new_store_carries_on(
    data_dir: Path, tmp_path: Path, pg_url: str
) -> None:
    assert run_cli(data_dir, "db", "upgrade").returncode == 0
    assert run_cli(data_dir, "ingest", str(SEEDS), "--no-progress").returncode == 0
    assert run_cli(data_dir, "synonyms", "add", "قسد", "قوات سوريا الديمقراطية").returncode == 0
    copied = run_cli(data_dir, "db", "copy", pg_url.replace("postgresql+psycopg://", "postgresql://"))
    assert copied.returncode == 0, copied.stderr

    lite = Archive(Settings(data_dir=data_dir))
    pg = Archive(Settings(data_dir=tmp_path / "node", database_url=pg_url))
    try:
        assert counts(pg) == counts(lite) and counts(pg)["articles"] == 5
        pg.index.reconcile(pg.db)
        for query in ("دير الزور", "قسد", "الرقة", "سوريا OR الغوطة"):
            assert ids_for(pg, query) == ids_for(lite, query) != [], query
        # The sequences moved on with the rows: a new article and its change come after the copied ones.
        with pg.db.writing() as session:
            new_id = (
                ArticleWriter(session)
                .upsert(ArticleInput(body="خبر جديد بعد النقل إلى الخادم المشترك"))
                .article_id
            )
        with pg.db.reading() as session:
            last_seq, copied_max = session.scalar(select(func.max(Change.seq))), counts(lite)["changes"]
        assert new_id > 5 and last_seq > copied_max
    finally:
        lite.close()
        pg.close()

    again = run_cli(data_dir, "db", "copy", pg_url)
    assert again.returncode == 1 and "not empty" in " ".join(again.stderr.split())
