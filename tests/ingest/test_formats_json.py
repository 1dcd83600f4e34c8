"""JSON documents and JSON Lines: field mapping, types, compression, broken records."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
from datetime import UTC, datetime

import pytest

from service.ingest.formats import Limits, ParsedArticle, RecordFailure, parse_stream

BODY = (
    "أعلنت البلدية عن خطة جديدة لتنظيم حركة السير في الشوارع الرئيسية.\nوتبدأ المرحلة الأولى الأسبوع المقبل."
)
TITLE = "خطة جديدة لتنظيم حركة السير"


def record(i: int = 1, **fields) -> dict:
    base = {
        "id": f"t-{i}",
        "url": f"https://example.org/news/{i}",
        "title": f"{TITLE} {i}",
        "body": f"{BODY} ({i})",
        "source": "صحيفة المدينة",
        "author": "نادية يوسف",
        "section": "محليات",
        "published_at": "2018-02-08T10:30:00+02:00",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not ...}


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8") + b"\n"


def test_jsonl_fields(parse_bytes):
    items = parse_bytes("a.jsonl", jsonl(record(1, views=12, tags=["مرور", "بلدية"]), record(2)))
    assert all(isinstance(a, ParsedArticle) for a in items)
    first = items[0]
    assert first.external_id == "t-1"
    assert first.url == "https://example.org/news/1"
    assert first.title == f"{TITLE} 1"
    assert first.body == f"{BODY} (1)"
    assert (first.source, first.author, first.section) == ("صحيفة المدينة", "نادية يوسف", "محليات")
    assert first.published_at == datetime(2018, 2, 8, 8, 30, tzinfo=UTC)
    assert first.published_at.tzinfo is UTC
    assert first.language == "ar"
    assert first.metadata["views"] == 12 and first.metadata["tags"] == ["مرور", "بلدية"]
    assert first.metadata["ingest"] == {"format": "jsonl", "encoding": "utf-8"}
    assert first.origin.endswith("a.jsonl:1") and items[1].origin.endswith("a.jsonl:2")


def test_aliases(parse_bytes):
    data = jsonl(
        {
            "id": 7,
            "link": "https://example.org/x",
            "headline": TITLE,
            "content": BODY,
            "category": "سياسة",
            "date": "08/02/2018",
            "publisher": "إذاعة الصباح",
        },
        {"_id": "x9", "text": BODY, "categories": ["اقتصاد", "أسواق"], "publishedAt": 1518085800},
    )
    first, second = parse_bytes("b.jsonl", data)
    assert (first.external_id, first.url, first.title, first.body) == (
        "7",
        "https://example.org/x",
        TITLE,
        BODY,
    )
    assert (first.section, first.source) == ("سياسة", "إذاعة الصباح")
    assert first.published_at == datetime(2018, 2, 8, tzinfo=UTC)
    assert second.external_id == "x9" and second.section == "اقتصاد"
    assert second.metadata["categories"] == ["اقتصاد", "أسواق"]
    assert second.published_at == datetime(2018, 2, 8, 10, 30, tzinfo=UTC)


def test_newsapi_style_source_object_and_author_list(parse_bytes):
    [article] = parse_bytes(
        "n.json",
        json.dumps(
            {
                "source": {"id": None, "name": "قناة الخبر"},
                "author": ["سامر علي", "ريم حداد"],
                "title": TITLE,
                "content": BODY,
                "urlToImage": "https://example.org/i.jpg",
            },
            ensure_ascii=False,
        ).encode(),
    )
    assert article.source == "قناة الخبر"
    assert article.author == "سامر علي, ريم حداد"
    assert article.metadata["urlToImage"] == "https://example.org/i.jpg"


def test_body_whitespace_is_tidied_but_text_kept(parse_bytes):
    body = "  السطر   الأول\u00a0 هنا \r\n\r\n\n  وَالسَّطرُ الثّاني ـــ هنا  \n\t"
    [article] = parse_bytes("w.jsonl", jsonl(record(body=body, title="  عنوان \n مقسوم  ")))
    assert article.body == "السطر الأول هنا\nوَالسَّطرُ الثّاني ـــ هنا"
    assert article.title == "عنوان مقسوم"


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"body": ...}, "record has no body"),
        ({"body": "   \n  "}, "record has no body"),
        ({"body": None}, "record has no body"),
        ({"body": 42}, "field 'body' must be a string, got number"),
        ({"body": {"text": "x"}}, "field 'body' must be a string, got object"),
        ({"title": ["a", "b"]}, "field 'title' must be a string, got array"),
        ({"url": ["https://a"]}, "field 'url' must be a string, got array"),
        ({"id": [1]}, "field 'id' must be a string, got array"),
        ({"id": True}, "field 'id' must be a string, got a boolean"),
    ],
)
def test_wrong_types_fail_the_record(parse_bytes, fields, reason):
    items = parse_bytes("t.jsonl", jsonl(record(1), record(2, **fields), record(3)))
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "RecordFailure", "ParsedArticle"]
    assert items[1].reason == reason
    assert items[1].origin.endswith("t.jsonl:2")


def test_harmless_coercions(parse_bytes):
    [article] = parse_bytes(
        "c.jsonl",
        jsonl(record(id=123, title=2018, author=None, section=None, body=["فقرة أولى.", "فقرة ثانية."])),
    )
    assert article.external_id == "123" and article.title == "2018"
    assert article.body == "فقرة أولى.\nفقرة ثانية."
    assert article.author is None and article.section is None
    [floaty] = parse_bytes("f.jsonl", jsonl(record(id=5.0)))
    assert floaty.external_id == "5"


@pytest.mark.parametrize("value", ["1066-10-14", "3024-01-01T00:00:00Z", -99999999999, "not a date"])
def test_bad_dates_become_none_with_a_note(parse_bytes, value):
    [article] = parse_bytes("d.jsonl", jsonl(record(published_at=value)))
    assert article.published_at is None
    assert article.metadata["ingest"]["notes"]
    assert article.metadata["published_at_raw"] == value


def test_naive_date_is_utc_with_a_note(parse_bytes):
    [article] = parse_bytes("d.jsonl", jsonl(record(published_at="2015-07-22 14:05:00")))
    assert article.published_at == datetime(2015, 7, 22, 14, 5, tzinfo=UTC)
    assert any("UTC assumed" in n for n in article.metadata["ingest"]["notes"])


def test_truncated_line_in_the_middle_fails_alone(parse_bytes):
    lines = jsonl(*(record(i) for i in range(1, 6))).split(b"\n")
    lines[2] = lines[2][: len(lines[2]) // 2]
    items = parse_bytes("m.jsonl", b"\n".join(lines))
    assert [type(i).__name__ for i in items].count("ParsedArticle") == 4
    [failure] = [i for i in items if isinstance(i, RecordFailure)]
    assert failure.origin.endswith("m.jsonl:3")
    assert failure.reason.startswith("invalid JSON at line 3:")


def test_non_object_lines_and_blank_lines(parse_bytes):
    data = jsonl(record(1)) + b'\n\n[1, 2]\n"text"\n' + jsonl(record(2))
    items = parse_bytes("x.jsonl", data)
    assert [type(i).__name__ for i in items] == [
        "ParsedArticle",
        "RecordFailure",
        "RecordFailure",
        "ParsedArticle",
    ]
    assert items[1].reason == "record is not a JSON object (got array)"
    assert items[1].origin.endswith(":4") and items[3].origin.endswith(":6")


def test_nul_bytes_and_control_characters(parse_bytes):
    data = jsonl(record(1, body="نص\u0000 فيه\u0007 محارف تحكم")) + b'{"id": 2, "body": "\x00raw nul\x00"}\n'
    first, second = parse_bytes("nul.jsonl", data)
    assert first.body == "نص فيه محارف تحكم"
    assert "\x00" not in second.body if isinstance(second, ParsedArticle) else second.reason
    assert any("control" in n for n in first.metadata["ingest"]["notes"])


def test_invalid_utf8_line_does_not_crash(parse_bytes):
    data = jsonl(record(1)) + b'{"id": 2, "body": "\xff\xfe\xfd broken \xc3"}\n' + jsonl(record(3))
    items = parse_bytes("bad.jsonl", data)
    assert len(items) == 3
    assert isinstance(items[0], ParsedArticle) and isinstance(items[2], ParsedArticle)


def test_deeply_nested_json_fails_the_record(parse_bytes):
    deep = b'{"id": 2, "body": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    items = parse_bytes("deep.jsonl", jsonl(record(1)) + deep + b"\n" + jsonl(record(3)))
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "RecordFailure", "ParsedArticle"]
    assert "nested too deeply" in items[1].reason
    [doc_failure] = parse_bytes("deep.json", b"[" * 100_000 + b"]" * 100_000)
    assert isinstance(doc_failure, RecordFailure) and "nested too deeply" in doc_failure.reason


def test_json_array_document(parse_bytes):
    data = json.dumps([record(1), record(2), record(3)], ensure_ascii=False, indent=2).encode()
    items = parse_bytes("arr.json", data)
    assert [a.external_id for a in items] == ["t-1", "t-2", "t-3"]
    assert items[0].origin.endswith("arr.json:2")
    assert items[0].metadata["ingest"]["format"] == "json"


def test_json_single_object_and_wrapper(parse_bytes):
    [single] = parse_bytes("one.json", json.dumps(record(1), indent=1, ensure_ascii=False).encode())
    assert single.external_id == "t-1"
    wrapped = parse_bytes("w.json", json.dumps({"status": "ok", "articles": [record(1), record(2)]}).encode())
    assert [a.external_id for a in wrapped] == ["t-1", "t-2"]


def test_json_array_with_a_bad_element_keeps_the_good_ones(parse_bytes):
    data = (
        b"["
        + json.dumps(record(1)).encode()
        + b",\n"
        + json.dumps(record(2)).encode()
        + b',\n{"id": 3, "body": }]'
    )
    items = parse_bytes("bad.json", data)
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "ParsedArticle", "RecordFailure"]
    assert "invalid JSON" in items[2].reason and items[2].origin.endswith("bad.json:3")


def test_json_array_truncated(parse_bytes):
    data = json.dumps([record(1), record(2), record(3)]).encode()
    items = parse_bytes("cut.json", data[: len(data) - 40])
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "ParsedArticle", "RecordFailure"]


def test_json_array_streams_element_by_element():
    """A large array is decoded element by element: the reader never holds the whole document."""
    count = 3000
    payload = (
        b"[" + b",".join(json.dumps(record(i), ensure_ascii=False).encode() for i in range(count)) + b"]"
    )
    assert len(payload) > 1_000_000
    stream = io.BytesIO(payload)
    items = parse_stream("big.json", stream, limits=Limits(max_record_bytes=10_000))
    first = next(items)
    assert isinstance(first, ParsedArticle) and first.external_id == "t-0"
    assert stream.tell() < len(payload)  # stopped early: not everything was read
    assert sum(1 for _ in items) == count - 1


def test_record_too_large_in_a_json_array():
    payload = json.dumps([record(1), record(2, body="كلمة " * 5000), record(3)]).encode()
    items = list(parse_stream("big.json", io.BytesIO(payload), limits=Limits(max_record_bytes=10_000)))
    assert isinstance(items[0], ParsedArticle)
    assert "record too large" in items[1].reason


def test_record_too_large_in_jsonl():
    data = jsonl(record(1), record(2, body="كلمة " * 5000), record(3))
    items = list(parse_stream("big.jsonl", io.BytesIO(data), limits=Limits(max_record_bytes=10_000)))
    assert [type(i).__name__ for i in items] == ["ParsedArticle", "RecordFailure", "ParsedArticle"]
    assert items[1].reason.startswith("record too large") and items[1].origin == "big.jsonl:2"


COMPRESSORS = {"gz": gzip.compress, "xz": lzma.compress, "bz2": bz2.compress}


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_jsonl_detected_by_magic(parse_bytes, kind):
    data = COMPRESSORS[kind](jsonl(record(1), record(2)))
    for name in (f"news.jsonl.{kind}", "news.jsonl", "upload.bin", "noext"):
        items = parse_bytes(name, data)
        assert [a.external_id for a in items] == ["t-1", "t-2"], name


def test_jsonl_without_extension_and_json_with_jsonl_content(parse_bytes):
    data = jsonl(record(1), record(2))
    assert [a.external_id for a in parse_bytes("stdin", data)] == ["t-1", "t-2"]
    assert [a.external_id for a in parse_bytes("misnamed.json", data)] == ["t-1", "t-2"]


def test_jsonl_with_utf8_bom(parse_bytes):
    items = parse_bytes("bom.jsonl", b"\xef\xbb\xbf" + jsonl(record(1), record(2)))
    assert [a.external_id for a in items] == ["t-1", "t-2"]


def test_truncated_xz_keeps_the_records_before(parse_bytes):
    data = lzma.compress(jsonl(*(record(i, body=f"{BODY} {i} " + "نص " * 300) for i in range(400))))
    items = parse_bytes("cut.jsonl.xz", data[: len(data) * 2 // 3])
    articles = [i for i in items if isinstance(i, ParsedArticle)]
    failures = [i for i in items if isinstance(i, RecordFailure)]
    assert len(articles) > 50
    assert [a.external_id for a in articles] == [f"t-{i}" for i in range(len(articles))]
    assert len(failures) == 1 and failures[0] is items[-1]
    assert "truncated" in failures[0].reason


def test_truncated_gzip_keeps_the_records_before(parse_bytes):
    data = gzip.compress(jsonl(*(record(i, body=f"{BODY} {i} " + "نص " * 300) for i in range(400))))
    items = parse_bytes("cut.jsonl.gz", data[: len(data) // 2])
    assert sum(isinstance(i, ParsedArticle) for i in items) > 50
    assert isinstance(items[-1], RecordFailure) and "truncated" in items[-1].reason


def test_empty_json_document(parse_bytes):
    [failure] = parse_bytes("e.json", b"[]")
    assert isinstance(failure, RecordFailure) and "no records" in failure.reason


def test_nan_huge_numbers_and_deep_extras(parse_bytes):
    deep_extra = '{"id": 3, "body": "نص", "tree": ' + "[" * 500 + "]" * 500 + "}"
    data = (
        jsonl(record(1))
        + b'{"id": NaN, "body": "\xd9\x86\xd8\xb5", "score": Infinity}\n'
        + b'{"id": '
        + b"9" * 5000
        + b', "body": "x"}\n'
        + deep_extra.encode()
        + b"\n"
    )
    first, nan, huge, deep = parse_bytes("n.jsonl", data)
    assert isinstance(first, ParsedArticle)
    assert nan.external_id is None and "score" not in nan.metadata
    json.dumps(nan.metadata, allow_nan=False)
    assert isinstance(huge, RecordFailure) and huge.reason.startswith("invalid JSON at line 3")
    assert isinstance(deep, ParsedArticle) and "tree" not in deep.metadata
    assert any("nested deeper" in n for n in deep.metadata["ingest"]["notes"])
