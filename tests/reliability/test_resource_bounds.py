"""Issue 14: what one request or one record may cost, and what a hostile value may do.

CSV cells that a spreadsheet would run as formulas, unbounded decompression and blank-line floods on
upload, script URLs on the article page, and multi-megabyte articles in results and on their page.
Everything runs against a real store, index and server.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ARSHIF, SEEDS, Server, env_for, needs_shared, run_cli, wait_until
from tests.helpers import add_articles

FORMULAS = ['=HYPERLINK("http://x","y")', "-2+3", "@SUM(1)"]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# --- 1. CSV formula injection ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def formula_ids(shared_server: Server) -> list[int]:
    with shared_server.client() as http:
        answer = http.post(
            "/api/articles",
            json=[
                {
                    "title": title,
                    "body": f"نص المقال رقم {i} عن صيغ الجداول",
                    "source": "اختبار الصيغ",
                    "url": f"https://example.org/formula/{i}",
                }
                for i, title in enumerate(FORMULAS)
            ],
        )
        assert answer.status_code == 201, answer.text
        ids = [r["id"] for r in answer.json()["results"]]
        assert wait_until(
            lambda: http.get("/api/search", params={"q": "صيغ الجداول"}).json()["total"] == 3, timeout=10
        )
    return ids


def test_csv_export_over_the_api_neutralises_formula_cells(
    shared_server: Server, formula_ids: list[int]
) -> None:
    with shared_server.client() as http:
        answer = http.get("/api/export", params={"q": "صيغ الجداول", "format": "csv"})
        assert answer.status_code == 200
        titles = {row["title"] for row in _csv_rows(answer.text)}
        assert titles == {"'" + title for title in FORMULAS}
        # a cell that is no formula stays as it is
        assert {row["source"] for row in _csv_rows(answer.text)} == {"اختبار الصيغ"}
        jsonl = http.get("/api/export", params={"q": "صيغ الجداول", "format": "jsonl"})
        assert {json.loads(line)["title"] for line in jsonl.text.splitlines()} == set(FORMULAS)
        assert {http.get(f"/api/articles/{i}").json()["title"] for i in formula_ids} == set(FORMULAS)


def test_csv_export_from_the_cli_neutralises_formula_cells(data_dir: Path, archive) -> None:
    add_articles(
        archive,
        *(
            {"title": title, "body": f"نص المقال رقم {i} عن صيغ الجداول", "source": "-اختبار"}
            for i, title in enumerate(FORMULAS)
        ),
    )
    done = run_cli(data_dir, "export", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = _csv_rows(done.stdout)
    assert {row["title"] for row in rows} == {"'" + title for title in FORMULAS}
    assert {row["source"] for row in rows} == {"'-اختبار"}
    assert all(row["body"].startswith("نص المقال") for row in rows)
    raw = run_cli(data_dir, "export", "--format", "jsonl")
    assert {json.loads(line)["title"] for line in raw.stdout.splitlines()} == set(FORMULAS)


# --- 3. Only http(s) URLs become links ---------------------------------------------------------------


def test_script_and_data_urls_are_not_links_on_the_article_page(shared_server: Server) -> None:
    urls = [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        " JavaScript:alert(2)",
        "https://example.org/news/safe",
    ]
    with shared_server.client() as http:
        answer = http.post(
            "/api/articles",
            json=[
                {"title": f"رابط المقال {i}", "body": f"نص فيه رابط من نوع آخر رقم {i}", "url": url}
                for i, url in enumerate(urls)
            ],
        )
        assert answer.status_code == 201, answer.text
        ids = [r["id"] for r in answer.json()["results"]]
        pages = [http.get(f"/articles/{i}") for i in ids]
        assert all(page.status_code == 200 for page in pages)
        for page in pages[:3]:
            assert not re.search(r'href="\s*(javascript|data):', page.text, re.IGNORECASE), page.text
            assert "المقال الأصلي" in page.text  # still shown, as text
        assert 'href="https://example.org/news/safe"' in pages[3].text
        assert wait_until(
            lambda: http.get("/api/search", params={"q": "رابط"}).json()["total_unfolded"] >= 4, timeout=10
        )
        results = http.get("/", params={"q": "رابط"})
        assert results.status_code == 200
        assert not re.search(r'href="\s*(javascript|data):', results.text, re.IGNORECASE)


# --- 2. Bounded work per ingest request -------------------------------------------------------------


def _gzip_of_newlines(megabytes: int, tail: bytes = b"") -> bytes:
    """``megabytes`` MiB of newlines, gzip level 9, written a block at a time (about 1 KB per MB)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        block = b"\n" * (1 << 20)
        for _ in range(megabytes):
            packed.write(block)
        packed.write(tail)
    return out.getvalue()


def _jsonl(count: int, start: int = 0) -> bytes:
    return "".join(
        json.dumps(
            {
                "id": f"bounds-{i}",
                "title": f"خبر رقم {i}",
                "body": f"نص الخبر رقم {i} عن حدود الإدخال {i * 7919}",
            },
            ensure_ascii=False,
        )
        + "\n"
        for i in range(start, start + count)
    ).encode()


def _articles(http: httpx.Client) -> int:
    return int(http.get("/api/stats").json()["articles"])


@pytest.fixture(scope="module")
def flood() -> bytes:
    """300 MiB of newlines and then one article, as a gzip of about 300 KB."""
    packed = _gzip_of_newlines(
        300, tail=json.dumps({"body": "نص بعد السيل"}, ensure_ascii=False).encode() + b"\n"
    )
    assert len(packed) < 1_000_000
    return packed


def test_upload_of_a_blank_line_flood_stops_at_the_decompressed_byte_cap(
    tmp_path: Path, flood: bytes
) -> None:
    bomb = flood
    server = Server(
        tmp_path / "var", ARSHIF_MAX_INGEST_BYTES="50000000", ARSHIF_MAX_INGEST_RECORDS="1000000000"
    ).start()
    try:
        with server.client() as http:
            answer = http.post("/api/ingest", files=[("files", ("flood.jsonl.gz", bomb, "application/gzip"))])
            assert answer.status_code == 413, answer.text
            assert answer.headers["content-type"].startswith("application/problem+json")
            problem = answer.json()
            assert problem["title"] == "ingest-limit"
            assert "ARSHIF_MAX_INGEST_BYTES" in problem["detail"] and "flood.jsonl" in problem["detail"]
            assert "nothing was stored" in problem["detail"]
            assert "فك ضغطها" in problem["detail_ar"] and "لم يُحفظ شيء" in problem["detail_ar"]
            assert http.get("/readyz").status_code == 200
            assert _articles(http) == 0
    finally:
        server.stop()


def test_record_cap_stores_whole_records_before_the_cut_and_says_where(tmp_path: Path) -> None:
    server = Server(tmp_path / "var", ARSHIF_MAX_INGEST_RECORDS="1000").start()
    try:
        with server.client() as http:
            answer = http.post(
                "/api/ingest", files=[("files", ("news.jsonl", _jsonl(1500), "application/x-ndjson"))]
            )
            assert answer.status_code == 413, answer.text
            problem = answer.json()
            assert "ARSHIF_MAX_INGEST_RECORDS" in problem["detail"]
            assert "after news.jsonl:1000: 1,000 record(s)" in problem["detail"], problem["detail"]
            assert "1,000" in problem["detail_ar"]
            assert _articles(http) == 1000  # every record before the cut, none after it
            assert wait_until(lambda: http.get("/api/stats").json()["indexed_documents"] == 1000, timeout=10)
            # below the caps the same endpoint answers the summary as before
            small = http.post(
                "/api/ingest", files=[("files", ("more.jsonl", _jsonl(10, 5000), "application/x-ndjson"))]
            )
            assert small.status_code == 200 and small.json()["added"] == 10
    finally:
        server.stop()


def test_cli_ingest_gets_through_a_blank_line_flood(data_dir: Path, tmp_path: Path, flood: bytes) -> None:
    """No caps on local files, but blank lines cost no Python step each: 300 MB of them take seconds
    (they took minutes, a Python step per line), so a generous guard tells the two apart."""
    path = tmp_path / "flood.jsonl.gz"
    path.write_bytes(flood)
    assert run_cli(data_dir, "db", "upgrade").returncode == 0
    done = subprocess.run(
        [ARSHIF, "ingest", "--json", str(path)],
        check=False,
        capture_output=True,
        text=True,
        env=env_for(data_dir),
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["added"] == 1 and summary["failed"] == 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_client_that_disconnects_mid_ingest_stops_the_work(tmp_path: Path) -> None:
    total = 60_000
    payload = gzip.compress(_jsonl(total), compresslevel=6)
    server = Server(tmp_path / "var").start()
    try:
        boundary = "arshif-bounds"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.jsonl.gz"\r\n'
            "Content-Type: application/gzip\r\n\r\n"
        ).encode()
        body = head + payload + f"\r\n--{boundary}--\r\n".encode()
        request = (
            f"POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary={boundary}"
            f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        with server.client() as http:
            client = socket.create_connection(("127.0.0.1", server.port))
            client.sendall(request)
            assert wait_until(lambda: _articles(http) > 0, timeout=60), "the ingest never started"
            client.close()  # the client leaves while the server is still working
            assert wait_until(lambda: "client closed the connection" in server.log.read_text(), timeout=30), (
                server.log.read_text()[-3000:]
            )
            stored = _articles(http)
            assert 0 < stored < total
            assert server.process is not None
            cpu = _cpu_seconds(server.process.pid)
            time.sleep(2)
            assert _articles(http) == stored  # nothing more is stored once the work has stopped
            assert _cpu_seconds(server.process.pid) - cpu < 1.0  # and the server idles
            assert http.get("/readyz").status_code == 200
    finally:
        server.stop()


# --- 4. A multi-megabyte article in results and on its page ------------------------------------------


@needs_shared(SEEDS)
def test_five_megabyte_article_shows_highlighted_in_results_and_on_its_page(shared_server: Server) -> None:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    paragraphs = [text] * (5_000_000 // len(text) + 1)
    # a word found only deep in the body (past four fifths), once plainly and once with diacritics
    paragraphs.insert(len(paragraphs) * 4 // 5, "وصل الوفد إلى زمردستان صباح اليوم ثم غادر زُمُرّدستان مساءً")
    body = "\n".join(paragraphs)
    assert len(body) > 5_000_000
    with shared_server.client() as http:
        answer = http.post(
            "/api/articles", json={"title": "مقال طويل جدًا عن الحدود", "body": body, "source": "اختبار الطول"}
        )
        assert answer.status_code == 201, answer.text
        article_id = answer.json()["id"]
        assert wait_until(
            lambda: http.get("/api/search", params={"q": "زمردستان"}).json()["total"] == 1, timeout=30
        )
        hit = http.get("/api/search", params={"q": "زمردستان"}).json()["hits"][0]
        assert hit["id"] == article_id
        assert "<mark>زمردستان</mark>" in hit["snippet"] and "<mark>زُمُرّدستان</mark>" in hit["snippet"]
        common = http.get("/api/search", params={"q": "الديمقراطية", "source": "اختبار الطول"}).json()[
            "hits"
        ][0]
        assert "<mark>" in common["snippet"] and len(common["snippet"]) < 2000
        results = http.get("/", params={"q": "زمردستان"})
        assert results.status_code == 200 and "<mark>زمردستان</mark>" in results.text
        page = http.get(f"/articles/{article_id}", params={"q": "زمردستان"})
        assert page.status_code == 200
        assert "<mark>زمردستان</mark>" in page.text and "<mark>زُمُرّدستان</mark>" in page.text
        assert page.text.count("دير الزور") >= len(paragraphs) - 1  # the whole body is on the page
