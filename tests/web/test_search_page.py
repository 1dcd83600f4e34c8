"""The search page in a real headless Chromium (Debian's package, driven by Playwright)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEEDS, Server, needs_shared, wait_until
from tests.web.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, needs_shared(SEEDS)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(Path(tmp_path_factory.mktemp("web")) / "var").start()
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(SEEDS.glob("*.txt"))]
    with srv.client() as http:
        assert http.post("/api/ingest", files=files).json()["added"] == 5
        http.post(
            "/api/articles",
            json=[
                {
                    "title": "أمطار غزيرة في الساحل",
                    "body": "هطلت أمطار غزيرة على المدن الساحلية.",
                    "source": "الطقس اليوم",
                    "published_at": "2018-01-15T08:00:00Z",
                },
                {
                    "title": "<script>alert('x')</script> عنوان خطِر",
                    "body": "نص فيه <img src=x onerror=alert(1)> ميليشيات النظام",
                    "source": "اختبار الأمان",
                    "published_at": "2018-02-20T08:00:00Z",
                },
            ],
        )
        assert wait_until(lambda: http.get("/api/stats").json()["indexed_documents"] == 7, timeout=10)
    yield srv
    srv.stop()


def test_search_by_variant_spelling_filter_and_open_article(site: Server, browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(site.url + "/")
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar" and html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # The seeds write ميليشيات; the reader types مليشيات.
    page.fill("#q", "مليشيات النظام")
    page.press("#q", "Enter")
    page.wait_for_selector(".hit")
    assert "q=" in page.url
    hits = page.locator(".hit")
    assert hits.count() >= 4
    assert page.locator(".hit mark").count() > 0
    assert "ميليشيات" in page.locator(".hit mark").all_inner_texts() or any(
        "ميليشيات" in t for t in page.locator(".hit mark").all_inner_texts()
    )
    assert page.locator("svg.timeline rect").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)

    # Filter by one outlet through its facet; the URL carries it, so the search can be shared.
    outlet = "بلدي نيوز"
    facet = page.locator(".facet").first.locator("li a", has_text=outlet)
    facet.click()
    page.wait_for_load_state()
    assert "source=" in page.url
    sources = page.locator(".hit .source").all_inner_texts()
    assert sources and set(sources) == {outlet}

    # Open the article: the query words are marked in the full text.
    page.locator(".hit h3 a").first.click()
    page.wait_for_selector("article.article")
    assert "/articles/" in page.url
    assert page.locator("article .body mark").count() > 0
    assert page.evaluate("getComputedStyle(document.querySelector('article')).direction") == "rtl"
    assert page.locator("#same-story").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "article.png"), full_page=True)
    assert not errors, errors


def test_page_works_without_javascript_and_escapes_content(site: Server, browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="ar")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site.url + "/")
    page.fill("#q", "ميليشيات")
    page.click(".searchbox button")
    page.wait_for_selector(".hit")
    # the hostile title is shown as text, never run
    assert page.locator(".hit h3", has_text="<script>").count() == 1
    risky = page.locator(".hit", has_text="عنوان خطِر").locator(".snippet")
    assert "onerror=alert(1)> " in risky.inner_text() and risky.locator("mark").all_inner_texts() == [
        "ميليشيات"
    ]
    page.select_option("#sort", "newest")
    page.click(".sort noscript button") if page.locator(".sort noscript button").count() else None
    context.close()
    page = browser.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site.url + "/?q=" + "ميليشيات")
    page.wait_for_selector(".hit")
    page.locator(".hit h3 a", has_text="عنوان خطِر").click()
    page.wait_for_selector("article.article")
    assert "<script>alert('x')</script>" in page.locator("article h1").inner_text()
    body = page.locator("article .body")
    assert "<img src=x onerror=alert(1)>" in body.inner_text() and body.locator("mark").all_inner_texts() == [
        "ميليشيات"
    ]
    assert not dialogs


def test_empty_state_did_you_mean_and_mobile_layout(site: Server, browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ar")
    page.goto(site.url + "/?q=" + "زلزال")
    assert page.locator(".empty h2").inner_text() == "لا نتائج"
    page.goto(site.url + "/?q=" + "التحالق")  # a typo: the correction is searched, and the page says so
    corrected = page.locator(".notice.corrected")
    assert corrected.inner_text().startswith("عرض نتائج: التحالف — ابحث بدلاً من ذلك عن: التحالق")
    assert page.locator(".hit").count() > 0
    corrected.locator("a").click()  # the words as typed, exactly: nothing, and "did you mean"
    page.wait_for_selector(".empty h2")
    assert "nocorrect=1" in page.url and page.locator(".notice.corrected").count() == 0
    suggestion = page.locator(".suggest a")
    assert suggestion.count() == 1 and suggestion.inner_text() == "التحالف"
    suggestion.click()
    page.wait_for_selector(".hit")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page must not scroll sideways on a phone"
    page.screenshot(path=str(SCREENSHOTS / "search-mobile.png"), full_page=False)


def test_bad_date_in_the_url_is_a_friendly_message(site: Server, browser) -> None:
    page = browser.new_page(locale="ar")
    response = page.goto(site.url + "/?q=سوريا&from=2018-99-99")
    assert response is not None and response.status == 400
    assert "تاريخ غير صالح" in page.locator(".notice.error").inner_text()
