"""Seeing the archive on the page (issue 18), in a real headless Chromium against a real server over a
real archive of real Arabic news (every 25th article of the shared corpus): the home page's overview,
the stats page, the search box's placeholder, the timeline, multi-select facets, the phone's filter
button and the article page's related articles."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.conftest import NEWS, Server, needs_shared, run_cli, wait_until, write_news_sample
from tests.helpers import month_of
from tests.web.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, needs_shared(NEWS)]
TRUMP, PUTIN = "ترامب", "بوتين"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, list[dict]]]:
    root = Path(tmp_path_factory.mktemp("archive-pages"))
    sample = write_news_sample(root / "news.jsonl", 25)
    records = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()]
    srv = Server(root / "var", workers=1).start()
    ingested = run_cli(srv.data_dir, "ingest", str(sample), "--json")
    assert ingested.returncode == 0, ingested.stderr
    with srv.client() as http:
        assert wait_until(
            lambda: http.get("/api/stats").json()["indexed_documents"] == len(records), timeout=120
        )
    yield srv, records
    srv.stop()


def search_total(srv: Server, **params) -> int:
    with srv.client() as http:
        response = http.get("/api/search", params=params | {"limit": 1})
        assert response.status_code == 200, response.text
        return response.json()["total"]


def facet_counts(page, title: str) -> dict[str, int]:
    """A facet's entries as the page shows them: label → count."""
    facet = page.locator(".facet", has=page.locator("h2", has_text=title))
    out = {}
    for item in facet.locator("li").all():
        out[item.locator("a").inner_text().strip()] = int(item.locator(".n").inner_text().replace(",", ""))
    return out


def test_home_page_shows_what_the_archive_holds(news, browser) -> None:
    srv, records = news
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(srv.url + "/")
    overview = page.locator("section.overview")
    assert f"{len(records):,}" in overview.locator(".total").inner_text()
    # every outlet, with its own number of articles and the dates of its first and last
    per_outlet = Counter(r["source"] for r in records)
    rows = overview.locator(".outlets tbody tr")
    assert rows.count() == len(per_outlet)
    shown = {
        row.locator("th").inner_text(): int(row.locator("td.n").inner_text().replace(",", ""))
        for row in rows.all()
    }
    assert shown == dict(per_outlet)
    first_row = rows.first.locator("td").all_inner_texts()
    assert len(first_row) == 3 and all(text.strip() and text != "—" for text in first_row[1:])
    # one bar per month from the first to the last, each a link to that month's articles
    months = sorted(m for m in {month_of(r) for r in records} if m)
    first, last = months[0], months[-1]
    span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    bars = page.locator("figure.months svg.chart rect.bar")
    assert bars.count() == span
    axis_titles = page.locator("figure.months svg .title").all_text_contents()
    assert "الشهر" in axis_titles and "عدد المقالات" in axis_titles
    # the latest additions link to articles; the newest is the last one ingested
    latest = overview.locator(".latest li a")
    assert latest.count() == 8
    assert latest.first.inner_text().strip() == (records[-1]["title"] or "(بلا عنوان)").strip()
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)

    busiest = max(Counter(month_of(r) for r in records if month_of(r)).items(), key=lambda kv: kv[1])
    index = (int(busiest[0][:4]) - int(first[:4])) * 12 + int(busiest[0][5:]) - int(first[5:])
    bars.nth(index).click()
    page.wait_for_selector(".hit")
    query = parse_qs(urlparse(page.url).query)
    assert query["from"] == [busiest[0]] and query["to"] == [busiest[0]]
    # the month's articles: those a reader pages through, and the near-duplicates folded into them
    shown = int(page.locator(".count strong").inner_text().split()[0].replace(",", ""))
    folded = page.locator(".count .folded")
    hidden = int(re.search(r"[\d,]+", folded.inner_text())[0].replace(",", "")) if folded.count() else 0
    assert shown + hidden == busiest[1]
    page.goto(srv.url + "/")
    page.locator(".latest li a").first.click()
    page.wait_for_selector("article.article")
    assert not errors, errors


def test_stats_link_opens_a_page_and_the_api_stays_json(news, browser) -> None:
    srv, records = news
    page = browser.new_page(locale="ar")
    page.goto(srv.url + "/")
    page.locator("footer a", has_text="إحصاءات الأرشيف").click()
    page.wait_for_selector("section.stats")
    assert urlparse(page.url).path == "/stats"
    assert page.locator("h1").inner_text() == "إحصاءات الأرشيف"
    assert page.locator("[data-stat=articles]").inner_text() == f"{len(records):,}"
    assert page.locator("[data-stat=sources]").inner_text() == str(len({r["source"] for r in records}))
    # section codes are shown by their Arabic names, unknown ones as they are
    sections = page.locator(".sections tbody th").all_inner_texts()
    assert "الشرق الأوسط" in sections and "middleEast" not in sections
    with srv.client() as http:
        html = http.get("/stats")
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        api = http.get("/api/stats")
        assert api.headers["content-type"].startswith("application/json")
        assert api.json()["articles"] == len(records)


def test_search_box_placeholder_reads_right_to_left(news, browser) -> None:
    srv, _ = news
    page = browser.new_page(viewport={"width": 1000, "height": 700}, locale="ar")
    page.goto(srv.url + "/")
    box = page.locator("#q")
    placeholder = box.get_attribute("placeholder")
    assert placeholder is not None and placeholder.startswith("ابحث:") and "\u200e" not in placeholder
    # empty, the field (and so its placeholder) runs right to left; dir="auto" alone made it LTR
    assert box.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.locator("form.searchbox").screenshot(path=str(SCREENSHOTS / "searchbox.png"))
    box.fill("source:BBC")  # a Latin query still takes its own direction as it is typed
    assert box.evaluate("el => getComputedStyle(el).direction") == "ltr"
    box.fill("ترامب")
    assert box.evaluate("el => getComputedStyle(el).direction") == "rtl"


def test_timeline_compares_queries_by_outlet_normalised_with_csv(news, browser, tmp_path: Path) -> None:
    srv, _ = news
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    # from a search (within one outlet) to its timeline, which keeps the outlet until asked not to
    page.goto(f"{srv.url}/?q={quote(TRUMP)}&source=BBC+Arabic")
    page.locator("a.to-timeline").click()
    page.wait_for_selector("svg.chart.lines")
    assert parse_qs(urlparse(page.url).query) == {"q": [TRUMP], "source": ["BBC Arabic"]}
    legend = page.locator(".legend li .n").all_inner_texts()
    assert legend == [f"{search_total(srv, q=TRUMP, source='BBC Arabic'):,}"]
    page.locator(".scope a").click()
    page.wait_for_selector("svg.chart.lines")
    assert "source" not in parse_qs(urlparse(page.url).query)
    # a second query, typed into the form
    page.locator("form.compare input[name=q]").nth(1).fill(PUTIN)
    page.click("form.compare button[type=submit]")
    page.wait_for_selector("svg.chart.lines")
    chart = page.locator("svg.chart.lines")
    assert chart.locator("g.series").count() == 2
    titles = chart.locator(".title").all_text_contents()
    assert "الشهر" in titles and "عدد المقالات" in titles
    assert chart.locator(".axis text").count() > 6  # ticks on both axes
    legend = {
        item.locator("a").inner_text(): int(item.locator(".n").inner_text().replace(",", ""))
        for item in page.locator(".legend li").all()
    }
    assert legend == {TRUMP: search_total(srv, q=TRUMP), PUTIN: search_total(srv, q=PUTIN)}

    # split by outlet and normalised, through the form
    page.check("input[name=split]")
    page.check("input[name=normalize]")
    page.click("form.compare button[type=submit]")
    page.wait_for_selector("svg.chart.lines")
    query = parse_qs(urlparse(page.url).query)
    assert query["split"] == ["source"] and query["normalize"] == ["true"] and query["q"] == [TRUMP, PUTIN]
    series = page.locator("svg.chart.lines g.series")
    assert series.count() > 2
    assert page.locator("svg.chart .title", has_text="النسبة من مقالات المصدر").count() == 1
    assert any(t.endswith("٪") for t in page.locator("svg.chart .axis text").all_text_contents())
    labels = page.locator(".legend li a").all_inner_texts()
    assert any(label.startswith(f"{TRUMP} — ") for label in labels)
    assert any(label.startswith(f"{PUTIN} — ") for label in labels)
    assert page.locator("svg.chart.lines g.series").count() <= 10  # one colour each; the rest in the table

    with page.expect_download() as download_info:
        page.locator("a.csv").click()
    target = tmp_path / "counts.csv"
    download_info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["period", "query", "source", "count", "base", "share"]
    trump_total = sum(int(r[3]) for r in rows[1:] if r[1] == TRUMP)
    assert trump_total == search_total(srv, q=TRUMP)

    # the documentation's picture: 2018, where the shared corpus has both queries in several outlets
    page.goto(page.url + "&from=2018-02&to=2018-10")
    page.wait_for_selector("svg.chart.lines")
    page.screenshot(path=str(SCREENSHOTS / "timeline.png"), full_page=True)

    # bad input is a clear Arabic message, not a traceback
    many = "&".join(f"q={quote(f'سوريا {i}')}" for i in range(11))
    response = page.goto(f"{srv.url}/timeline?{many}")
    assert response is not None and response.status == 400
    assert "10 استعلامات على الأكثر" in page.locator(".notice.error").inner_text()


def test_facets_are_multi_select_with_arabic_section_names(news, browser) -> None:
    srv, _ = news
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    page.goto(f"{srv.url}/?q={quote(TRUMP)}")
    before = facet_counts(page, "المصادر")
    assert len(before) >= 4
    first, second = list(before)[:2]
    page.locator(".facet li a", has_text=first).first.click()
    page.wait_for_selector(".hit")
    after_one = facet_counts(page, "المصادر")
    # the other outlets stay, with the counts they would add
    assert {k.lstrip("✓").strip(): v for k, v in after_one.items()} == before
    assert page.locator(".facet li.active a[aria-checked=true]").count() == 1
    page.locator(".facet li a", has_text=second).first.click()
    page.wait_for_selector(".hit")
    assert parse_qs(urlparse(page.url).query)["source"] == [first, second]
    expected = search_total(srv, q=TRUMP, source=[first, second])
    assert expected == before[first] + before[second]
    assert page.locator(".count strong").inner_text().startswith(f"{expected:,} ")
    assert set(page.locator(".hit .source").all_inner_texts()) <= {first, second}
    assert len(facet_counts(page, "المصادر")) == len(before)

    sections = facet_counts(page, "الأقسام")
    assert sections and not any(label in ("middleEast", "internationalNews") for label in sections)
    page.goto(f"{srv.url}/?q={quote(TRUMP)}")
    page.locator(".facet li a", has_text="الشرق الأوسط").first.click()
    page.wait_for_selector(".hit")
    assert parse_qs(urlparse(page.url).query)["section"] == ["middleEast"]


def test_phone_filter_button_opens_the_filters(news, browser) -> None:
    srv, _ = news
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ar")
    page.goto(f"{srv.url}/?q={quote(TRUMP)}")
    button = page.locator("button.filters-toggle")
    filters = page.locator("#filters")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "filters"
    assert not filters.is_visible()
    first_hit = page.locator(".hit").first.bounding_box()
    assert first_hit is not None and button.bounding_box()["y"] < first_hit["y"]
    button.click()
    assert button.get_attribute("aria-expanded") == "true" and filters.is_visible()
    top_of_filters = filters.bounding_box()
    moved_hit = page.locator(".hit").first.bounding_box()
    assert top_of_filters is not None and moved_hit is not None and top_of_filters["y"] < moved_hit["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "search-mobile-filters.png"), full_page=False)
    button.click()
    assert button.get_attribute("aria-expanded") == "false" and not filters.is_visible()

    # the wide page has no button, and its filters are always there
    wide = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    wide.goto(f"{srv.url}/?q={quote(TRUMP)}")
    assert not wide.locator("button.filters-toggle").is_visible() and wide.locator("#filters").is_visible()
    # without script, a phone shows the filters after the results, as before
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    bare = context.new_page()
    bare.goto(f"{srv.url}/?q={quote(TRUMP)}")
    assert bare.locator("#filters").is_visible() and not bare.locator("button.filters-toggle").is_visible()
    context.close()


def test_article_page_lists_related_articles(news, browser) -> None:
    srv, _ = news
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    page.goto(f"{srv.url}/?q={quote(TRUMP)}")
    page.locator(".hit h3 a").first.click()
    page.wait_for_selector("article.article")
    article_id = int(urlparse(page.url).path.rsplit("/", 1)[1])
    related = page.locator("#similar")
    assert related.locator("h2").inner_text() == "مقالات ذات صلة"
    links = related.locator("li a")
    assert links.count() >= 3
    ids = [int(href.rsplit("/", 1)[1]) for href in (a.get_attribute("href") for a in links.all()) if href]
    assert article_id not in ids
    with srv.client() as http:
        api = [h["id"] for h in http.get(f"/api/articles/{article_id}/similar", params={"limit": 6}).json()]
    assert ids == api[: len(ids)]
    assert page.locator("#same-story").count() == 1
    links.first.click()
    page.wait_for_selector("article.article")
    assert int(urlparse(page.url).path.rsplit("/", 1)[1]) == ids[0]
