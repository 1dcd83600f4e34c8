"""The same story elsewhere, on real news: one Saudi story (King Salman receives the US defence
secretary, summer 2018) that a dozen outlets carried. Its near-duplicate cluster also holds a same
outlet's second version and copies that are near-duplicates only of *another* copy (clusters are
transitive); "the same story in other outlets" is the copies alike to *this* article, from other
outlets, with how alike they are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from service.archive import Archive
from service.db import Article, ArticleSignature
from service.ingest import fingerprint
from service.search.engine import SearchService
from service.settings import Settings
from tests.conftest import InProcessApp, database_for, ingest_news

# records 42,917 to 45,873 of the shared corpus (1-based) hold the whole cluster; ingested alone they
# cluster as in the full archive, its first member first
START, COUNT = 42_916, 2_960
FIRST = "snn-d840fb234be4dffe"  # Al-Sharq Al-Awsat, the cluster's first article
SAME_OUTLET = "snn-05c87a2752a209e1"  # Al-Sharq Al-Awsat again: its own second version
CHAINED = "snn-3a4085e8df8d31a6"  # Al-Weeam: in the cluster through other copies, 48% alike to FIRST


@pytest.fixture(scope="module")
def story(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, SearchService, dict[str, Article]]]:
    data_dir = ingest_news(tmp_path_factory.mktemp("same-story"), COUNT, START)
    archive = Archive(Settings(data_dir=data_dir, database_url=database_for(data_dir)))
    with archive.db.reading() as session:
        first = session.scalars(select(Article).where(Article.external_id == FIRST)).one()
        members = session.scalars(select(Article).where(Article.cluster_id == first.cluster_id)).all()
        by_external = {a.external_id: a for a in members}
    yield data_dir, SearchService(archive), by_external
    archive.close()


def _signature(service: SearchService, article_id: int):
    with service.archive.db.reading() as session:
        return fingerprint.from_bytes(session.get(ArticleSignature, article_id).minhash)


def test_only_other_outlets_copies_of_this_article_with_their_similarity(story) -> None:
    _, service, members = story
    assert len(members) == 13 and {FIRST, SAME_OUTLET, CHAINED} <= set(members)
    first = members[FIRST]
    copies = service.same_story(first)
    elsewhere = {c.article.external_id: c.similarity for c in copies.elsewhere}
    assert SAME_OUTLET not in elsewhere and CHAINED not in elsewhere  # what the cluster alone listed
    assert [c.article.external_id for c in copies.same_outlet] == [SAME_OUTLET]
    assert len(elsewhere) == 9
    own = _signature(service, first.id)
    for copy in copies.elsewhere:
        assert copy.article.source_id != first.source_id
        assert copy.similarity == round(fingerprint.similarity(own, _signature(service, copy.article.id)), 4)
        assert copy.similarity >= fingerprint.NEAR_DUPLICATE_JACCARD
    assert [c.similarity for c in copies.elsewhere] == sorted(elsewhere.values(), reverse=True)
    # the chained copy is someone's same story: alike enough to the copies it joined through
    assert first.id not in {c.article.id for c in service.same_story(members[CHAINED]).elsewhere}
    assert service.same_story(members[CHAINED]).elsewhere


def test_the_api_and_the_page_show_it(story) -> None:
    data_dir, service, members = story
    first = members[FIRST]
    app = InProcessApp(data_dir).start()
    try:
        with app.client() as http:
            detail = http.get(f"/api/articles/{first.id}").json()
            listed = {c["id"]: c for c in detail["same_story"]}
            expected = {c.article.id: c.similarity for c in service.same_story(first).elsewhere}
            assert {i: c["similarity"] for i, c in listed.items()} == expected
            assert all(c["source"] != "Al-Sharq Al-Awsat" for c in listed.values())
            assert [c["id"] for c in detail["same_outlet"]] == [members[SAME_OUTLET].id]
            page = http.get(f"/articles/{first.id}").text
            section = page[page.index('id="same-story"') :]
            best = detail["same_story"][0]
            assert f"تشابه {round(best['similarity'] * 100)}٪" in section
            assert f"/articles/{members[SAME_OUTLET].id}" not in section.split("</section>")[0]
    finally:
        app.stop()
