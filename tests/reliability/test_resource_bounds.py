"""Issue 14: what one request or one record may cost, and what a hostile value may do.

CSV cells that a spreadsheet would run as formulas, unbounded decompression and blank-line floods on
upload, script URLs on the article page, and multi-megabyte articles in results and on their page.
Everything runs against a real store, index and server.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.conftest import Server, run_cli, wait_until
from tests.helpers import add_articles

FORMULAS = ['=HYPERLINK("http://x","y")', "-2+3", "@SUM(1)"]


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# --- 1. CSV formula injection ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def formula_ids(shared_server: Server) -> list[int]:
    with shared_server.client() as http:
        answer = http.post("/api/articles", json=[
            {"title": title, "body": f"نص المقال رقم {i} عن صيغ الجداول", "source": "اختبار الصيغ",
             "url": f"https://example.org/formula/{i}"}
            for i, title in enumerate(FORMULAS)
        ])
        assert answer.status_code == 201, answer.text
        ids = [r["id"] for r in answer.json()["results"]]
        assert wait_until(lambda: http.get("/api/search", params={"q": "صيغ الجداول"}).json()["total"] == 3, timeout=10)
    return ids


def test_csv_export_over_the_api_neutralises_formula_cells(shared_server: Server, formula_ids: list[int]) -> None:
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


def test_csv_export_from_the_cli_neutralises_formula_cells(data_dir: Path, archive) -> None:  # type: ignore[no-untyped-def]
    add_articles(archive, *({"title": title, "body": f"نص المقال رقم {i} عن صيغ الجداول", "source": "-اختبار"}
                            for i, title in enumerate(FORMULAS)))
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
    urls = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " JavaScript:alert(2)",
            "https://example.org/news/safe"]
    with shared_server.client() as http:
        answer = http.post("/api/articles", json=[
            {"title": f"رابط المقال {i}", "body": f"نص فيه رابط من نوع آخر رقم {i}", "url": url}
            for i, url in enumerate(urls)
        ])
        assert answer.status_code == 201, answer.text
        ids = [r["id"] for r in answer.json()["results"]]
        pages = [http.get(f"/articles/{i}") for i in ids]
        assert all(page.status_code == 200 for page in pages)
        for page in pages[:3]:
            assert not re.search(r'href="\s*(javascript|data):', page.text, re.IGNORECASE), page.text
            assert "المقال الأصلي" in page.text  # still shown, as text
        assert 'href="https://example.org/news/safe"' in pages[3].text
        assert wait_until(lambda: http.get("/api/search", params={"q": "رابط"}).json()["total"] >= 4, timeout=10)
        results = http.get("/", params={"q": "رابط"})
        assert results.status_code == 200
        assert not re.search(r'href="\s*(javascript|data):', results.text, re.IGNORECASE)
