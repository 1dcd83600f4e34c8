"""HTML pages through trafilatura (and the plain fallback)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from service.ingest.formats import ParsedArticle, RecordFailure
from service.ingest.formats.html_page import parse_html

HEAD = """
<meta property="og:site_name" content="جريدة الميناء">
<meta name="author" content="هالة منصور">
<meta property="article:published_time" content="2019-03-04T10:20:00+02:00">
<meta property="article:section" content="اقتصاد">
<link rel="canonical" href="https://mina.example/economy/42">
<script>var secret = "سكربت_مخفي"; console.log("SCRIPT_MARKER");</script>
<style>.x { color: red } /* STYLE_MARKER */</style>
"""


def test_article_page(parse_bytes, arabic_text, make_html):
    title, paragraphs = arabic_text
    page = make_html(
        f"{title} - جريدة الميناء",
        paragraphs,
        extra_head=HEAD,
        extra_body='<script>document.write("SCRIPT_IN_BODY")</script><p>زر الذهاب إلى الأعلى</p>',
    )
    page = page.replace("<h1>" + f"{title} - جريدة الميناء", "<h1>" + title)
    [article] = parse_bytes("page.html", page.encode("utf-8"))
    assert isinstance(article, ParsedArticle)
    assert article.title == title
    assert article.body == "\n".join(paragraphs)
    assert article.source == "جريدة الميناء"
    assert article.author == "هالة منصور"
    assert article.published_at == datetime(2019, 3, 4, 8, 20, tzinfo=UTC)
    assert article.url == "https://mina.example/economy/42"
    assert article.language == "ar"
    extras = article.metadata["trafilatura"]
    assert extras["sitename"] == "جريدة الميناء" and extras["author"] == "هالة منصور"
    assert "filedate" not in extras  # the extraction day would make re-ingesting look like a change
    for marker in ("SCRIPT_MARKER", "سكربت_مخفي", "STYLE_MARKER", "color: red", "SCRIPT_IN_BODY"):
        assert marker not in article.body and marker not in (article.title or "")


def test_script_and_style_never_reach_the_body_even_in_the_fallback(arabic_text):
    title, paragraphs = arabic_text
    page = (
        f"<html><head><title>{title}</title><script>alert('SCRIPT_MARKER')</script></head><body>"
        f"<style>p {{color: red}}</style><div>{paragraphs[0]}</div><script>var x = 'SCRIPT_2';</script>"
        "<noscript>NOSCRIPT_MARKER</noscript></body></html>"
    )
    article = parse_html(page.encode("utf-8"), "small.html")
    assert isinstance(article, ParsedArticle)
    assert paragraphs[0] in article.body
    for marker in ("SCRIPT_MARKER", "SCRIPT_2", "color: red", "NOSCRIPT_MARKER"):
        assert marker not in article.body


def test_deterministic_metadata(arabic_text, make_html):
    title, paragraphs = arabic_text
    data = make_html(title, paragraphs, extra_head=HEAD).encode()
    assert parse_html(data, "a.html") == parse_html(data, "a.html")


def test_page_without_text_is_a_failure(parse_bytes):
    [failure] = parse_bytes(
        "empty.html", b"<html><head><script>var a=1;</script></head><body> </body></html>"
    )
    assert isinstance(failure, RecordFailure)
    assert "no body" in failure.reason


def test_html_sniffed_without_extension(parse_bytes, arabic_text, make_html):
    title, paragraphs = arabic_text
    [article] = parse_bytes("download", make_html(title, paragraphs).encode())
    assert article.metadata["ingest"]["format"] == "html"
    assert article.title == title


def test_html_entities_unescaped(parse_bytes, arabic_text):
    title, paragraphs = arabic_text
    page = (
        f"<html><body><article><h1>{title}</h1><p>{paragraphs[0]} &quot;اقتباس&quot; &amp; المزيد</p>"
        f"<p>{paragraphs[1]}</p></article></body></html>"
    )
    [article] = parse_bytes("e.html", page.encode())
    assert '"اقتباس" & المزيد' in article.body


def page_with(
    extra_top: str, arabic_text, footer: str = "<footer>جميع الحقوق محفوظة © 2018</footer>"
) -> bytes:
    title, paragraphs = arabic_text
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title} | جريدة الغد</title></head><body>"
        "<header><ul><li><a href=/>الرئيسية</a></li><li><a href=/p>سياسة</a></li></ul></header>"
        f"<div class=post><h1>{title}</h1>{extra_top}{body}"
        "<div class=share>شارك: فيسبوك تويتر واتساب</div>"
        "<h3>مقالات ذات صلة</h3><ul><li><a href=/x>عنوان آخر عن المكتبات</a></li><li><a href=/y>متحف جديد</a></li></ul>"
        f"<div id=comments><h3>اترك تعليقاً</h3><form><textarea></textarea></form></div></div>{footer}</body></html>"
    ).encode()


def test_byline_and_date_lines_at_the_top_of_the_text(arabic_text):
    title, paragraphs = arabic_text
    article = parse_html(page_with("<p>بقلم: سامي الحلبي</p><p>8 فبراير 2018</p>", arabic_text), "b.html")
    assert article.author == "سامي الحلبي"
    assert article.published_at == datetime(2018, 2, 8, tzinfo=UTC)
    assert article.body == "\n".join(paragraphs)  # no byline, date, share row, related list or comment form
    assert article.title == title


def test_site_name_from_the_title_tag_and_no_copyright_year_as_date(arabic_text):
    article = parse_html(page_with("", arabic_text), "c.html")
    assert article.source == "جريدة الغد" and article.metadata["site_name"] == "جريدة الغد"
    assert article.published_at is None  # "© 2018" is not a publication date
    assert any("bare year" in note for note in article.metadata["ingest"]["notes"])


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<p>",
                    "</p>",
                    "<div>",
                    "</div>",
                    "<script>",
                    "</script>",
                    "<style>",
                    "<title>",
                    "</title>",
                    "<html>",
                    "<body>",
                    "<!--",
                    "-->",
                    '<meta charset="x-unknown">',
                    "<h1>",
                    "&amp;",
                    "&#0;",
                    "<![CDATA[",
                    "<?xml?>",
                    "<br/>",
                    "<a href='",
                    "'>",
                    "\x00",
                ]
            ),
            st.text(max_size=30),
        ),
        max_size=40,
    )
)
def test_random_html_never_raises(parts):
    data = ("<html>" + "".join(parts)).encode("utf-8", "surrogatepass")
    result = parse_html(data, "fuzz.html")
    assert isinstance(result, ParsedArticle | RecordFailure)
    if isinstance(result, ParsedArticle):
        assert result.body and "\x00" not in result.body
