"""WARC files (written with warcio in the tests): HTML 200 responses become articles."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from service.ingest.formats import ParsedArticle, RecordFailure


def pages(arabic_text, make_html, n=3, charset="utf-8"):
    title, paragraphs = arabic_text
    return [make_html(f"{title} {i}", [f"{p} ({i})" for p in paragraphs], charset=charset) for i in range(n)]


@pytest.mark.parametrize("compressed", [True, False])
def test_html_responses_become_articles(parse_bytes, make_warc, arabic_text, make_html, compressed):
    html = pages(arabic_text, make_html)
    data = make_warc(
        [
            ("https://news.example/a", "request", None, b""),
            ("https://news.example/a", "200 OK", "text/html; charset=utf-8", html[0].encode()),
            ("https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
            ("https://news.example/missing", "404 Not Found", "text/html", html[1].encode()),
            ("https://news.example/moved", "301 Moved Permanently", "text/html", b"<html>moved</html>"),
            ("https://news.example/b", "200 OK", "application/xhtml+xml", html[2].encode()),
            ("https://news.example/c", None, "text/html", html[1].encode()),  # a resource record
        ],
        gzip=compressed,
        warc_date="2018-02-08T10:00:00Z",
    )
    name = "crawl.warc.gz" if compressed else "crawl.warc"
    items = parse_bytes(name, data)
    assert all(isinstance(i, ParsedArticle) for i in items), items
    assert [a.url for a in items] == [
        "https://news.example/a",
        "https://news.example/b",
        "https://news.example/c",
    ]
    title = arabic_text[0]
    assert [a.title for a in items] == [f"{title} 0", f"{title} 2", f"{title} 1"]
    assert items[0].origin.endswith(f"{name}#record-2")
    assert items[1].origin.endswith(f"{name}#record-6")
    first = items[0]
    assert first.metadata["ingest"]["format"] == "warc"
    assert first.metadata["warc"]["target_uri"] == "https://news.example/a"
    assert first.metadata["warc"]["record_id"].startswith("<urn:uuid:")
    # the page states no date: WARC-Date is used, and said so
    assert first.published_at == datetime(2018, 2, 8, 10, 0, tzinfo=UTC)
    assert first.metadata["ingest"]["published_at_from"] == "WARC-Date"


def test_charset_from_http_header(parse_bytes, make_warc, arabic_text, make_html):
    html = pages(arabic_text, make_html, n=2, charset=None)
    data = make_warc(
        [
            ("https://old.example/1", "200 OK", "text/html; charset=windows-1256", html[0].encode("cp1256")),
            (
                "https://old.example/2",
                "200 OK",
                "text/html; charset=ISO-8859-6",
                html[1].encode("iso-8859-6"),
            ),
        ]
    )
    first, second = parse_bytes("old.warc.gz", data)
    title, paragraphs = arabic_text
    assert first.title == f"{title} 0" and first.body.split("\n")[0] == f"{paragraphs[0]} (0)"
    assert second.title == f"{title} 1"
    assert first.metadata["ingest"]["encoding"] == "cp1256"
    assert second.metadata["ingest"]["encoding"] == "iso8859-6"


def test_wrong_http_charset_is_verified(parse_bytes, make_warc, arabic_text, make_html):
    [page] = pages(arabic_text, make_html, n=1, charset=None)
    data = make_warc([("https://x.example/", "200 OK", "text/html; charset=utf-8", page.encode("cp1256"))])
    [article] = parse_bytes("x.warc", data)
    assert article.title == f"{arabic_text[0]} 0"
    assert article.metadata["ingest"]["encoding"] == "cp1256"


def test_truncated_mid_record_keeps_the_records_before(parse_bytes, make_warc, arabic_text, make_html):
    html = pages(arabic_text, make_html, n=3)
    records = [
        (f"https://t.example/{i}", "200 OK", "text/html", page.encode()) for i, page in enumerate(html)
    ]
    data = make_warc(records, gzip=False)
    cut = data[: data.rfind(b"WARC/1") + 600]  # into the last record's HTML
    items = parse_bytes("cut.warc", cut)
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "ParsedArticle", "RecordFailure"]
    assert items[2].origin.endswith("cut.warc#record-3")
    assert "truncated" in items[2].reason


def test_truncated_gzip_warc(parse_bytes, make_warc, arabic_text, make_html):
    html = pages(arabic_text, make_html, n=6)
    data = make_warc(
        [(f"https://t.example/{i}", "200 OK", "text/html", p.encode()) for i, p in enumerate(html)]
    )
    # records compress to nearly equal sizes: 3/4 of the file is inside the 5th gzip member (a cut exactly
    # between two members would leave a valid, shorter file)
    items = parse_bytes("cut.warc.gz", data[: len(data) * 3 // 4])
    articles = [i for i in items if isinstance(i, ParsedArticle)]
    assert 2 <= len(articles) < 6
    assert isinstance(items[-1], RecordFailure) and "truncated" in items[-1].reason


def test_warc_with_junk_after_valid_records(parse_bytes, make_warc, arabic_text, make_html):
    [page] = pages(arabic_text, make_html, n=1)
    data = make_warc([("https://j.example/", "200 OK", "text/html", page.encode())], gzip=False)
    items = parse_bytes("junk.warc", data + b"this is not a warc record at all\r\n\r\n" * 3)
    assert isinstance(items[0], ParsedArticle)
    assert all(isinstance(i, RecordFailure) for i in items[1:])


def test_gzip_member_per_record_equals_plain(parse_bytes, make_warc, arabic_text, make_html):
    html = pages(arabic_text, make_html, n=2)
    records = [(f"https://g.example/{i}", "200 OK", "text/html", p.encode()) for i, p in enumerate(html)]
    plain = make_warc(records, gzip=False)
    whole_file_gzip = gzip.compress(plain)  # one gzip member for the whole file also works
    a = parse_bytes("a.warc", plain)
    b = parse_bytes("b.warc.gz", whole_file_gzip)
    assert [(x.title, x.body, x.url) for x in a] == [(x.title, x.body, x.url) for x in b]


def test_gzip_content_encoding_and_chunked_transfer(tmp_path, arabic_text, make_html):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from service.ingest.formats import parse_file

    [page] = pages(arabic_text, make_html, n=1)
    raw = page.encode()
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    encoded = gzip.compress(raw)
    http = StatusAndHeaders(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(encoded))),
        ],
        protocol="HTTP/1.1",
    )
    writer.write_record(
        writer.create_warc_record(
            "https://e.example/1", "response", payload=io.BytesIO(encoded), http_headers=http
        )
    )
    chunked = b"%x\r\n" % len(raw) + raw + b"\r\n0\r\n\r\n"
    http = StatusAndHeaders(
        "200 OK", [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")], protocol="HTTP/1.1"
    )
    writer.write_record(
        writer.create_warc_record(
            "https://e.example/2", "response", payload=io.BytesIO(chunked), http_headers=http
        )
    )
    path = tmp_path / "enc.warc.gz"
    path.write_bytes(buffer.getvalue())
    first, second = parse_file(path)
    assert first.title == second.title == f"{arabic_text[0]} 0"
    assert first.body == second.body and first.body.startswith(arabic_text[1][0])


@pytest.mark.parametrize("into", [20, 150, 330])  # inside the WARC header, at its end, inside the HTTP header
def test_truncated_inside_a_record_header(parse_bytes, make_warc, arabic_text, make_html, into):
    html = pages(arabic_text, make_html, n=2)
    data = make_warc(
        [(f"https://h.example/{i}", "200 OK", "text/html", p.encode()) for i, p in enumerate(html)],
        gzip=False,
    )
    second = data.index(b"WARC/1", 10)
    items = parse_bytes("head.warc", data[: second + into])
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "RecordFailure"], items
    assert items[1].origin.endswith("head.warc#record-2")
