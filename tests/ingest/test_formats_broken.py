"""Broken input never raises: it yields RecordFailures and keeps what was good."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.ingest.formats import Limits, ParsedArticle, RecordFailure, parse_file, parse_stream, sniff

REPO = Path(__file__).resolve().parents[2]


def kinds(items):
    return [type(i).__name__ for i in items]


@pytest.mark.parametrize("name", ["empty.txt", "empty.jsonl", "empty.json", "empty.html", "empty.warc", "-"])
def test_empty_file(parse_bytes, name):
    [failure] = parse_bytes(name if name != "-" else "stdin", b"")
    assert isinstance(failure, RecordFailure) and failure.reason == "empty file"


@pytest.mark.parametrize("compress", [gzip.compress, lzma.compress, bz2.compress])
def test_empty_after_decompression(parse_bytes, compress):
    [failure] = parse_bytes("e.jsonl.gz", compress(b""))
    assert isinstance(failure, RecordFailure) and "empty file" in failure.reason


@pytest.mark.parametrize("name", ["whitespace.txt", "whitespace"])
def test_whitespace_only(parse_bytes, name):
    [failure] = parse_bytes(name, b" \n\r\n\t \n")
    assert isinstance(failure, RecordFailure)


@pytest.mark.parametrize(
    "name", ["junk.bin", "junk.txt", "junk.jsonl", "junk.json", "junk.html", "junk.warc"]
)
def test_binary_junk(parse_bytes, name):
    junk = bytes((i * 7919 + 13) % 256 for i in range(20_000))
    items = parse_bytes(name, junk)
    assert items and all(isinstance(i, RecordFailure) for i in items)


@pytest.mark.parametrize(
    "magic, what",
    [
        (b"%PDF-1.4\n", "PDF"),
        (b"PK\x03\x04", "ZIP"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"\x28\xb5\x2f\xfd", "zstd"),
    ],
)
def test_unsupported_binary_formats(parse_bytes, magic, what):
    [failure] = parse_bytes("file.dat", magic + b"\x00\x01\x02" * 100)
    assert isinstance(failure, RecordFailure) and what in failure.reason


def test_xml_feed_is_not_an_article(parse_bytes):
    [failure] = parse_bytes("feed.xml", b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>')
    assert isinstance(failure, RecordFailure) and "feed" in failure.reason


def test_missing_file_and_directory(tmp_path):
    [missing] = list(parse_file(tmp_path / "nope.jsonl"))
    assert isinstance(missing, RecordFailure) and "cannot open" in missing.reason
    [directory] = list(parse_file(tmp_path))
    assert isinstance(directory, RecordFailure)


def test_nul_bytes_in_text(parse_bytes, arabic_text):
    title, paragraphs = arabic_text
    data = (title + "\n\n" + "\n".join(paragraphs)).encode().replace(b" ", b" \x00", 3)
    [article] = parse_bytes("nul.txt", data)
    assert isinstance(article, ParsedArticle)
    assert "\x00" not in article.body and "\x00" not in article.title
    assert any("control" in n for n in article.metadata["ingest"]["notes"])


def test_nul_bytes_in_html(parse_bytes, arabic_text, make_html):
    title, paragraphs = arabic_text
    data = make_html(title, paragraphs).encode().replace(b"<p>", b"<p>\x00", 1)
    [article] = parse_bytes("nul.html", data)
    assert isinstance(article, ParsedArticle) and "\x00" not in article.body


def test_truncated_text_file_in_xz(parse_bytes, arabic_text):
    title, paragraphs = arabic_text
    data = lzma.compress((title + "\n\n" + "\n".join(paragraphs * 50)).encode())
    [failure] = parse_bytes("cut.txt.xz", data[: len(data) // 2])
    assert isinstance(failure, RecordFailure) and "truncated" in failure.reason


def test_corrupt_compressed_data(parse_bytes):
    data = bytearray(gzip.compress(b'{"id": 1, "body": "x"}\n' * 1000))
    data[40:60] = b"\xff" * 20
    items = parse_bytes("corrupt.jsonl.gz", bytes(data))
    assert items and isinstance(items[-1], RecordFailure)


def test_decompression_bomb_is_capped(parse_bytes):
    bomb = gzip.compress(b"\n" * 5_000_000)  # ~5 KB that expands a thousandfold
    assert len(bomb) < 20_000
    items = parse_bytes("bomb.jsonl.gz", bomb, limits=Limits(max_decompressed_bytes=1_000_000))
    [failure] = items
    assert "decompression bomb" in failure.reason


def test_record_too_large_text_and_html(parse_bytes):
    limits = Limits(max_record_bytes=1000)
    [failure] = parse_bytes("big.txt", "نص ".encode() * 1000, limits=limits)
    assert failure.reason.startswith("record too large")
    [failure] = parse_bytes("big.html", b"<html><body>" + b"<p>x</p>" * 1000, limits=limits)
    assert failure.reason.startswith("record too large")


def test_parse_stream_from_unseekable_stdin_like_stream(arabic_text):
    class Pipe(io.RawIOBase):  # no seek, no tell, short reads
        def __init__(self, data):
            self.data = data

        def readable(self):
            return True

        def readinto(self, buffer):
            n = min(len(buffer), 7, len(self.data))
            buffer[:n] = self.data[:n]
            self.data = self.data[n:]
            return n

    records = [
        json.dumps({"id": i, "title": arabic_text[0], "body": p}, ensure_ascii=False)
        for i, p in enumerate(arabic_text[1])
    ]
    data = gzip.compress("\n".join(records).encode())
    items = list(parse_stream("-", Pipe(data)))
    assert [a.external_id for a in items] == ["0", "1", "2"]
    assert items[0].origin == "-:1"


def test_generators_stop_early_and_close_files(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "body": "نص"}) for i in range(1000)))
    items = parse_file(path)
    assert next(items).external_id == "0"
    items.close()  # closes the file handle (no ResourceWarning, no leak)


def test_sniffing():
    assert sniff(b"WARC/1.1\r\n", "x") == "warc"
    assert sniff(b'{"a": 1}\n{"a": 2}\n', "x") == "jsonl"
    assert sniff(b'{\n  "a": 1\n}', "x") == "json"
    assert sniff(b"[{}]", "x.jsonl") == "jsonl"
    assert sniff(b"[{}]", "x") == "json"
    assert sniff(b"\xef\xbb\xbf<!DOCTYPE html><html>", "x.txt") == "html"
    assert sniff(b"<!-- c --><html lang=ar>", "x") == "html"
    assert sniff("عنوان\n\nنص".encode(), "x.html") == "html"
    assert sniff("عنوان\n\nنص".encode(), "x") == "text"


GIANT_LINE_SCRIPT = textwrap.dedent("""
    import resource, sys
    from pathlib import Path
    from service.ingest.formats import parse_file
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    items = list(parse_file(Path(sys.argv[1])))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(len(items), type(items[0]).__name__, items[0].reason, (after - before) // 1024)
""")


@pytest.mark.parametrize("name", ["giant.jsonl", "giant.txt"])
def test_fifty_megabyte_single_line_is_a_failure_with_bounded_memory(tmp_path, name):
    """A 55 MB file of one line (over the 50 MiB per-record cap): one failure, no crash, and the
    parser's peak memory stays around the cap (measured in a fresh interpreter)."""
    path = tmp_path / name
    chunk = ('{"id": 1, "body": "' if name.endswith(".jsonl") else "").encode() + "كلمة ".encode() * 100_000
    with open(path, "wb") as handle:
        while handle.tell() < 55_000_000:
            handle.write(chunk)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", GIANT_LINE_SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    count, kind, *rest = result.stdout.split()
    grown_mib = int(rest[-1])
    assert (count, kind) == ("1", "RecordFailure")
    assert "record too large" in result.stdout
    assert grown_mib < 200  # the 55 MB line is never held whole beyond the 50 MiB read window


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.binary(max_size=3000),
    name=st.sampled_from(["x.jsonl", "x.json", "x.txt", "x.html", "x.warc", "x"]),
)
def test_random_bytes_never_raise(data, name):
    for item in parse_stream(name, io.BytesIO(data)):
        assert isinstance(item, ParsedArticle | RecordFailure)
        if isinstance(item, RecordFailure):
            assert item.reason and "\n" not in item.reason
        else:
            assert item.body and "\x00" not in item.body


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=80),
            st.builds(
                lambda d: json.dumps(d, ensure_ascii=False),
                st.dictionaries(
                    st.sampled_from(
                        ["id", "title", "body", "text", "url", "date", "author", "category", "x"]
                    ),
                    st.one_of(
                        st.none(),
                        st.booleans(),
                        st.integers(),
                        st.floats(allow_nan=True),
                        st.text(max_size=40),
                        st.lists(st.text(max_size=5), max_size=3),
                    ),
                    max_size=6,
                ),
            ),
        ),
        max_size=20,
    )
)
def test_random_jsonl_never_raises(lines):
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    for item in parse_stream("fuzz.jsonl", io.BytesIO(data)):
        assert isinstance(item, ParsedArticle | RecordFailure)
        if isinstance(item, ParsedArticle):
            assert item.body.strip() == item.body and item.body
            assert item.published_at is None or item.published_at.tzinfo is not None
