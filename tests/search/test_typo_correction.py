"""Typo correction and folded totals on real news (the first articles of the shared corpus), searched
in-process on a real SQLite store and tantivy index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.archive import Archive
from service.search.engine import SearchRequest, SearchService
from service.settings import Settings
from tests.conftest import database_for
from tests.helpers import add_articles


@pytest.fixture(scope="module")
def news(news_archive: Path) -> Iterator[SearchService]:
    archive = Archive(Settings(data_dir=news_archive, database_url=database_for(news_archive)))
    yield SearchService(archive)
    archive.close()


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("اتفاق السلاو", "اتفاق السلام"),  # one letter changed in the second word
        ("الحكومة السورسة", "الحكومة السورية"),
        ("دونالد ترانب", "دونالد ترامب"),
    ],
)
def test_a_two_word_query_with_a_typo_searches_the_correction_and_says_so(
    news: SearchService, typed: str, corrected: str
) -> None:
    as_typed = news.search(SearchRequest(q=typed, correct=False))
    # as it was: no article has both words, so any word was searched, silently dropping the typo
    assert as_typed.fallback and as_typed.suggestions == [corrected] and not as_typed.corrected

    response = news.search(SearchRequest(q=typed))
    assert response.corrected and not response.fallback and response.match == "all"
    assert (response.original_query, response.corrected_query) == (typed, corrected)
    exact = news.search(SearchRequest(q=corrected))
    assert response.total == exact.total > 0
    assert [h.id for h in response.hits] == [h.id for h in exact.hits]
    assert response.suggestions == []


def test_queries_without_typos_are_not_touched(news: SearchService) -> None:
    for q in ("اتفاق السلام", "مجلس الامن", "الرئيس", "سوريا"):
        response = news.search(SearchRequest(q=q))
        assert not response.corrected and response.corrected_query is None, q
        assert response.suggestions == []
        assert [h.id for h in response.hits] == [
            h.id for h in news.search(SearchRequest(q=q, correct=False)).hits
        ]


def test_a_correction_that_is_not_clearly_better_is_only_offered(archive) -> None:
    add_articles(
        archive,
        *[{"title": f"جلسة {i}", "body": f"ناقش البرلمان موضوع الجلسة رقم {i} اليوم."} for i in range(6)],
        *[{"title": f"قرار {i}", "body": f"أصدر البرلمان قرار الموازنة رقم {i}."} for i in range(5)],
        {"title": "قرار", "body": "صوّت البرلمام على قرار جديد."},  # the typo, in print
    )
    service = SearchService(archive)
    response = service.search(SearchRequest(q="قرار البرلمام"))
    # 5 articles for the correction against 1 for the words as typed: not ten times as many
    assert not response.corrected and response.total == 1
    assert response.suggestions == ["قرار البرلمان"]


def test_the_total_is_what_paging_yields_with_near_duplicates_folded(news: SearchService) -> None:
    for q, limit in (("الرئيس", 100), ("دونالد ترامب", 40)):
        first = news.search(SearchRequest(q=q, limit=limit))
        unfolded = news.search(SearchRequest(q=q, limit=1, fold=False))
        assert first.duplicates_folded > 0, q  # the slice holds copies of these stories
        assert first.total_unfolded == unfolded.total == first.total + first.duplicates_folded
        seen: list[int] = []
        offset = 0
        while True:
            page = news.search(SearchRequest(q=q, limit=limit, offset=offset))
            assert page.total == first.total
            seen += [h.id for h in page.hits]
            if page.next_cursor is None:
                break
            offset += limit
        assert len(seen) == len(set(seen)) == first.total, q
        assert news.search(SearchRequest(q=q, limit=limit, sort="oldest")).total == first.total


def test_the_correction_is_the_neighbour_found_beside_the_other_words(news: SearchService) -> None:
    _searcher, facts = news.snapshot()
    # الان ("now") is commoner than الامن ("security"), but beside مجلس it is الامن: the Security Council
    assert facts.doc_freq("text_exact", "الان") > facts.doc_freq("text_exact", "الامن")
    response = news.search(SearchRequest(q="مجلس الانن"))
    assert response.suggestions == ["مجلس الامن"] or response.corrected_query == "مجلس الامن"
    # alone, the commoner neighbour, but never a stop word (it would drop the word from the search)
    alone = news.search(SearchRequest(q="الانن"))
    assert "الامن" in (alone.corrected_query, *alone.suggestions)
    assert "الان" not in (alone.corrected_query, *alone.suggestions)


def test_short_words_and_stop_words_are_not_corrected_by_themselves(news: SearchService) -> None:
    # قسد (the SDF) is short and rare; its neighbour قد is a stop word, قسم a different word: the
    # search keeps the typed word (at most a "did you mean"), as it does for every word under five letters
    response = news.search(SearchRequest(q="دير الزور قسد"))
    assert response.corrected_query is None and not response.corrected
    assert all(" قد" not in s for s in response.suggestions)


def test_over_the_exact_limit_the_total_is_an_upper_bound_and_says_so(
    news: SearchService, monkeypatch
) -> None:
    from service.search import engine

    # counting folded matches visits every match's cluster: past the limit it is not paid for
    monkeypatch.setattr(engine, "EXACT_FOLDED_TOTAL", 20)
    many = news.search(SearchRequest(q="الحكومة", limit=10))
    assert many.total_unfolded > 20
    assert not many.total_exact and many.total == many.total_unfolded and many.duplicates_folded == 0
    monkeypatch.setattr(engine, "EXACT_FOLDED_TOTAL", 10_000)
    exact = news.search(SearchRequest(q="الحكومة", limit=10))
    assert exact.total_exact and exact.total + exact.duplicates_folded == exact.total_unfolded == many.total
