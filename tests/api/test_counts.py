"""/api/counts: articles per period for several queries, split by outlet, normalised — JSON and CSV —
on a real archive of real Arabic news (every 25th article of the shared corpus), checked against the
search's own totals and the store's own counts."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from tests.conftest import NEWS, InProcessApp, needs_shared, run_cli, wait_until, write_news_sample
from tests.helpers import month_of

pytestmark = needs_shared(NEWS)
TRUMP, PUTIN = "ترامب", "بوتين"


@pytest.fixture(scope="module")
def news_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InProcessApp, list[dict]]]:
    root = tmp_path_factory.mktemp("counts")
    news = write_news_sample(root / "news.jsonl", 25)
    records = [json.loads(line) for line in news.read_text(encoding="utf-8").splitlines()]
    app = InProcessApp(root / "var").start()
    ingested = run_cli(app.data_dir, "ingest", str(news), "--json")
    assert ingested.returncode == 0, ingested.stderr
    with app.client() as http:
        assert wait_until(
            lambda: http.get("/api/stats").json()["indexed_documents"] == len(records), timeout=120
        )
    yield app, records
    app.stop()


def total(http, **params) -> int:
    response = http.get("/api/search", params=params | {"limit": 1})
    assert response.status_code == 200, response.text
    return response.json()["total"]


def test_counts_per_month_match_the_search_totals(news_app) -> None:
    app, records = news_app
    with app.client() as http:
        response = http.get("/api/counts", params={"q": [TRUMP, PUTIN], "interval": "month"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["interval"] == "month" and body["split"] is None and body["normalized"] is False
        periods = body["periods"]
        assert periods == sorted(periods) and all(p.endswith("-01") for p in periods)
        assert [s["query"] for s in body["series"]] == [TRUMP, PUTIN]
        for series in body["series"]:
            assert len(series["counts"]) == len(periods) and series["shares"] is None
            # the same matches the search counts, duplicates not folded
            assert series["total"] == sum(series["counts"]) == total(http, q=series["query"]) > 10
        # one month checked against a search restricted to it
        trump = body["series"][0]
        busiest = max(range(len(periods)), key=lambda i: trump["counts"][i])
        month = periods[busiest][:7]
        assert trump["counts"][busiest] == total(http, q=TRUMP, **{"from": month, "to": month})
        # the bases are every article of the month, as the corpus itself has them
        per_month = Counter(month_of(r) for r in records)
        assert trump["bases"] == [per_month.get(p[:7], 0) for p in periods]


def test_split_by_outlet_and_normalised_shares(news_app) -> None:
    app, records = news_app
    with app.client() as http:
        body = http.get("/api/counts", params={"q": TRUMP, "split": "source", "normalize": "true"}).json()
        assert body["split"] == "source" and body["normalized"] is True
        series = body["series"]
        outlets = [s["source"] for s in series]
        assert len(outlets) >= 3 and len(set(outlets)) == len(outlets)
        assert sum(s["total"] for s in series) == total(http, q=TRUMP)
        assert [s["total"] for s in series] == sorted((s["total"] for s in series), reverse=True)
        per_outlet_month = Counter((r["source"], month_of(r)) for r in records)
        for s in series:
            assert s["total"] == total(http, q=TRUMP, source=s["source"])
            for i, period in enumerate(body["periods"]):
                assert s["bases"][i] == per_outlet_month.get((s["source"], period[:7]), 0)
                expected = s["counts"][i] / s["bases"][i] if s["bases"][i] else 0.0
                assert s["shares"][i] == pytest.approx(expected, abs=1e-6)
                assert 0 <= s["shares"][i] <= 1


def test_counts_as_csv_two_ways(news_app) -> None:
    app, _ = news_app
    with app.client() as http:
        params = {"q": [TRUMP, PUTIN], "interval": "month", "normalize": "true"}
        as_json = http.get("/api/counts", params=params).json()
        for response in (
            http.get("/api/counts", params=params | {"format": "csv"}),
            http.get("/api/counts.csv", params=params),
        ):
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/csv")
            assert "attachment" in response.headers["content-disposition"]
            rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
            assert rows[0] == ["period", "query", "source", "count", "base", "share"]
            assert len(rows) - 1 == len(as_json["periods"]) * 2
            for s in as_json["series"]:
                mine = [r for r in rows[1:] if r[1] == s["query"]]
                assert [int(r[3]) for r in mine] == s["counts"]
                assert [r[0] for r in mine] == as_json["periods"]


def test_weeks_days_and_filters(news_app) -> None:
    app, _ = news_app
    with app.client() as http:
        params = {"q": TRUMP, "from": "2018-03", "to": "2018-04"}
        weeks = http.get("/api/counts", params=params | {"interval": "week"}).json()
        days = http.get("/api/counts", params=params | {"interval": "day"}).json()
        in_range = total(http, q=TRUMP, **{"from": "2018-03", "to": "2018-04"})
        assert weeks["series"][0]["total"] == days["series"][0]["total"] == in_range > 0
        assert all(p[:7] in ("2018-02", "2018-03", "2018-04") for p in weeks["periods"])
        assert all(date.fromisoformat(p).weekday() == 0 for p in weeks["periods"])  # weeks start on Monday
        assert all("2018-03-01" <= p <= "2018-04-30" for p in days["periods"])


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"q": [str(i) + " سوريا" for i in range(11)]}, 400, "too-many-queries"),
        ({"q": TRUMP, "interval": "year"}, 422, "validation"),
        ({"q": TRUMP, "split": "author"}, 422, "validation"),
        ({"q": "-"}, 400, "empty-query"),
        ({"q": TRUMP, "from": "2018-99"}, 400, None),
    ],
)
def test_bad_input_is_a_clear_4xx(news_app, params, status, kind) -> None:
    app, _ = news_app
    with app.client() as http:
        response = http.get("/api/counts", params=params)
        assert response.status_code == status, response.text
        problem = response.json()
        assert problem["detail_ar"] and "Traceback" not in response.text
        if kind:
            assert problem["title"] == kind
        assert http.get("/api/counts.csv", params=params).status_code == status


def test_counts_are_documented_in_openapi(news_app) -> None:
    app, _ = news_app
    with app.client() as http:
        spec = http.get("/openapi.json").json()
        operation = spec["paths"]["/api/counts"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {"q", "interval", "split", "normalize", "format"} <= names
        assert "CountsOut" in spec["components"]["schemas"]
        assert "/api/counts.csv" in spec["paths"]


def test_stats_page_is_html_and_the_api_stays_json(news_app) -> None:
    app, records = news_app
    with app.client() as http:
        page = http.get("/stats")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        html = page.text
        assert 'lang="ar"' in html and 'dir="rtl"' in html and "إحصاءات الأرشيف" in html
        assert f'data-stat="articles">{len(records):,}<' in html
        for outlet, n in Counter(r["source"] for r in records).items():
            assert f'>{outlet}</a></th><td class="n">{n:,}<' in html
        assert "الشرق الأوسط" in html and ">middleEast<" not in html
        api = http.get("/api/stats")
        assert api.headers["content-type"].startswith("application/json")
        assert api.json()["articles"] == len(records)


def test_pages_of_an_empty_archive(server) -> None:
    """Nothing ingested yet: the pages say so in Arabic, and the counts are empty, not an error."""
    with server.client() as http:
        home = http.get("/")
        assert home.status_code == 200 and "الأرشيف فارغ بعد" in home.text
        assert http.get("/stats").status_code == 200
        timeline = http.get("/timeline", params={"q": TRUMP})
        assert timeline.status_code == 200 and "لا مقالات مؤرّخة تطابق" in timeline.text
        assert http.get("/timeline").status_code == 200
        counts = http.get("/api/counts", params={"q": TRUMP, "split": "source"}).json()
        assert counts["periods"] == [] and counts["series"] == []


def test_timeline_page_table_or_csv(news_app) -> None:
    """The timeline page tabulates a few hundred counts, and offers the CSV for tens of thousands."""
    app, _ = news_app
    with app.client() as http:
        small = http.get("/timeline", params={"q": [TRUMP, PUTIN]})
        assert small.status_code == 200 and '<details class="table">' in small.text
        assert "/api/counts.csv?q=" in small.text
        large = http.get("/timeline", params={"q": [TRUMP, PUTIN], "interval": "day", "split": "source"})
        assert large.status_code == 200 and '<details class="table">' not in large.text
        assert "نزّلها بصيغة CSV" in large.text and 'class="chart lines"' in large.text
