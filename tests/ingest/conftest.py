"""Fixtures for the input-format tests. Shared data is read in place from ../shared (never copied)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from service.ingest.formats import ParsedArticle, RecordFailure, parse_file

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture
def parse_bytes(tmp_path) -> Callable[[str, bytes], list[ParsedArticle | RecordFailure]]:
    """Write ``data`` to tmp_path/name and parse it with parse_file."""

    def run(name: str, data: bytes, **kwargs) -> list[ParsedArticle | RecordFailure]:
        path = tmp_path / name
        path.write_bytes(data)
        return list(parse_file(path, **kwargs))

    return run


@pytest.fixture
def make_warc() -> Callable[..., bytes]:
    """make_warc([(uri, status, content_type, payload_bytes), ...], gzip=True) -> WARC file bytes.
    A record with status None is written as a "resource" record; "request" adds a request record."""

    def build(records, gzip: bool = True, warc_date: str | None = None) -> bytes:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=gzip)
        for uri, status, content_type, payload in records:
            headers = {"WARC-Date": warc_date} if warc_date else None
            if status == "request":
                http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
                record = writer.create_warc_record(
                    uri, "request", payload=io.BytesIO(b""), http_headers=http, warc_headers_dict=headers
                )
            elif status is None:
                record = writer.create_warc_record(
                    uri,
                    "resource",
                    payload=io.BytesIO(payload),
                    warc_content_type=content_type,
                    warc_headers_dict=headers,
                )
            else:
                http_headers = [("Content-Type", content_type)] if content_type else []
                http = StatusAndHeaders(status, http_headers, protocol="HTTP/1.1")
                record = writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(payload), http_headers=http, warc_headers_dict=headers
                )
            writer.write_record(record)
        return buffer.getvalue()

    return build


# Made-up Arabic news text for fixtures (not taken from any real article).
ARABIC_TITLE = "افتتاح مكتبة عامة جديدة في وسط المدينة"
ARABIC_PARAGRAPHS = [
    "افتتحت البلدية صباح اليوم مكتبة عامة جديدة تضم أكثر من عشرين ألف كتاب في مختلف المجالات.",
    "وقال مدير المكتبة إن القاعات ستفتح أبوابها للزوار يوميا من التاسعة صباحا حتى الثامنة مساء.",
    "وأضاف أن المكتبة ستنظم ورشات للقراءة لفائدة الأطفال في نهاية كل أسبوع.",
]


@pytest.fixture
def arabic_text():
    return ARABIC_TITLE, list(ARABIC_PARAGRAPHS)


def html_page(
    title: str,
    paragraphs: list[str],
    *,
    charset: str | None = "utf-8",
    extra_head: str = "",
    extra_body: str = "",
) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{meta}<title>{title}</title>{extra_head}</head>'
        f"<body><article><h1>{title}</h1>\n{body}\n{extra_body}</article></body></html>"
    )


@pytest.fixture
def make_html():
    return html_page
