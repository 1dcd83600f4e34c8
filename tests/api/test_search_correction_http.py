"""/api/search on real news (the shared corpus's first articles): typo correction and folded totals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import InProcessApp


@pytest.fixture(scope="module")
def news_app(news_archive: Path) -> Iterator[InProcessApp]:
    app = InProcessApp(news_archive).start()
    yield app
    app.stop()


def test_a_misspelt_query_is_searched_corrected_and_nocorrect_searches_it_as_typed(
    news_app: InProcessApp,
) -> None:
    with news_app.client() as http:
        corrected = http.get("/api/search", params={"q": "الحكومة السورسة"}).json()
        assert corrected["corrected"] is True and corrected["fallback"] is False
        assert corrected["original_query"] == "الحكومة السورسة"
        assert corrected["corrected_query"] == "الحكومة السورية"
        right = http.get("/api/search", params={"q": "الحكومة السورية"}).json()
        assert corrected["total"] == right["total"] > 0
        assert [h["id"] for h in corrected["hits"]] == [h["id"] for h in right["hits"]]
        assert right["corrected"] is False and right["corrected_query"] is None

        typed = http.get("/api/search", params={"q": "الحكومة السورسة", "nocorrect": "true"}).json()
        assert typed["corrected"] is False and typed["fallback"] is True
        assert typed["suggestions"] == ["الحكومة السورية"]

        refused = http.get("/api/search", params={"q": "سوريا", "nocorrect": "ربما"})
        assert refused.status_code == 422 and "traceback" not in refused.text.lower()


def test_paging_with_the_cursor_yields_exactly_the_total(news_app: InProcessApp) -> None:
    with news_app.client() as http:
        params: dict[str, str | int] = {"q": "الرئيس", "limit": 100}
        first = http.get("/api/search", params=params).json()
        assert first["duplicates_folded"] > 0
        assert first["total"] + first["duplicates_folded"] == first["total_unfolded"]
        unfolded = http.get("/api/search", params=params | {"fold_duplicates": "false"}).json()
        assert unfolded["total"] == unfolded["total_unfolded"] == first["total_unfolded"]
        assert unfolded["duplicates_folded"] == 0
        ids, page = [], first
        while True:
            assert page["total"] == first["total"]
            ids += [h["id"] for h in page["hits"]]
            if page["next_cursor"] is None:
                break
            page = http.get("/api/search", params=params | {"cursor": page["next_cursor"]}).json()
        assert len(ids) == len(set(ids)) == first["total"]
