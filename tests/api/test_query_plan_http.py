"""One query plan behind every front end (issue 16): the API's search and export, the search page and
the CLI find the same articles for the same query and dates, and all refuse a query with text but no
word to search for. The app in-process (ASGI), the real CLI on the same archive, a real index."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import InProcessApp, run_cli, wait_until

ARTICLES = {
    "a1": (
        "اشتباكات في ريف دير الزور",
        "تجددت الاشتباكات بين قوات النظام وقوات سوريا الديمقراطية في الريف الشرقي.",
        "2018-02-07",
    ),
    "a2": ("تقدم في حلب", "أعلنت قوات النظام تقدمها في أحياء حلب الشرقية بعد معارك عنيفة.", "2018-02-20"),
    "a3": ("مباحثات جنيف", "بحث المفاوضون في جنيف انسحاب قوات أجنبية من الأراضي السورية.", "2018-03-05"),
    "a4": ("غارات جديدة", "قالت قوات التحالف إنها قصفت مواقع للتنظيم قرب الحدود العراقية.", "2018-03-25"),
    "a5": ("الطقس في بيروت", "توقعت الأرصاد أمطارا غزيرة على بيروت والساحل خلال عطلة الأسبوع.", "2018-04-02"),
    "a6": (
        "الموازنة العامة",
        "أقرت الحكومة الموازنة العامة للعام الجديد بعد نقاش طويل في البرلمان.",
        "2019-01-10",
    ),
}

# (q, from, to) -> the articles every front end must return. Dates in the query meet dates in the
# parameters (the later "from", the earlier "to"); Arabic-Indic digits count as digits.
CASES = [
    (("قوات", None, None), {"a1", "a2", "a3", "a4"}),
    (("قوات from:2018-02", None, "2018-03-10"), {"a1", "a2", "a3"}),
    (("قوات to:2018-03", "2018-02-15", None), {"a2", "a3", "a4"}),
    (("قوات", "٢٠١٨-٠٣", "٢٠١٨-٠٣-٣١"), {"a3", "a4"}),
    (("قوات from:٢٠١٨-٠٢-١٠ to:2018-03-06", "2018-01", "٢٠١٨"), {"a2", "a3"}),
    (("بيروت حلب", None, None), {"a2", "a5"}),  # no article has both: every front end falls back to either
    (("", "2018-03", None), {"a3", "a4", "a5", "a6"}),  # no query: browsing within the dates
    (("-قوات", None, "2018-12"), {"a5"}),  # everything without the word, within the dates
]
NO_WORDS = ["-", "NOT", '""']
# The CLI builds its request with the same make_request as the API and the page; each of its calls is a
# whole interpreter (about two seconds), so it answers the cases that differ in what it parses: dates in
# the query and in options, Arabic-Indic digits, the fallback, a negation alone.
CLI_CASES = {CASES[i][0] for i in (1, 4, 5, 7)}
CLI_NO_WORDS = {"-"}


@pytest.fixture(scope="module")
def archive_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[InProcessApp, dict[int, str]]]:
    srv = InProcessApp(Path(tmp_path_factory.mktemp("plan")) / "var").start()
    names: dict[int, str] = {}
    with srv.client() as http:
        for name, (title, body, day) in ARTICLES.items():
            created = http.post(
                "/api/articles",
                json={
                    "title": title,
                    "body": body,
                    "source": "مصدر الاختبار",
                    "external_id": name,
                    "published_at": f"{day}T10:00:00Z",
                },
            )
            assert created.status_code == 201, created.text
            names[created.json()["id"]] = name
        assert wait_until(
            lambda: http.get("/api/search", params={"q": ""}).json()["total"] == len(ARTICLES), timeout=10
        )
    yield srv, names
    srv.stop()


def _dates(date_from: str | None, date_to: str | None) -> dict[str, str]:
    return {k: v for k, v in (("from", date_from), ("to", date_to)) if v}


def _cli_dates(date_from: str | None, date_to: str | None) -> list[str]:
    return [arg for k, v in (("--from", date_from), ("--to", date_to)) if v for arg in (k, v)]


def api_search(srv: InProcessApp, q: str, date_from: str | None, date_to: str | None) -> set[int]:
    with srv.client() as http:
        response = http.get(
            "/api/search",
            params={"q": q, "limit": 100, "fold_duplicates": "false", **_dates(date_from, date_to)},
        )
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["hits"]}


def api_export(srv: InProcessApp, q: str, date_from: str | None, date_to: str | None) -> set[int]:
    with srv.client() as http:
        response = http.get("/api/export", params={"q": q, "format": "jsonl", **_dates(date_from, date_to)})
    assert response.status_code == 200, response.text
    return {json.loads(line)["id"] for line in response.text.splitlines() if line.strip()}


def page(srv: InProcessApp, q: str, date_from: str | None, date_to: str | None) -> set[int]:
    with srv.client() as http:
        response = http.get("/", params={"q": q, "fold": "0", **_dates(date_from, date_to)})
    assert response.status_code == 200, response.text
    return {int(i) for i in re.findall(r'<h3><a href="/articles/(\d+)', response.text)}


def cli_search(srv: InProcessApp, q: str, date_from: str | None, date_to: str | None) -> set[int]:
    done = run_cli(
        srv.data_dir,
        "search",
        "--json",
        "--no-fold",
        "--limit",
        "100",
        *_cli_dates(date_from, date_to),
        "--",
        q,
    )
    assert done.returncode == 0, done.stderr
    return {hit["id"] for hit in json.loads(done.stdout)["hits"]}


def cli_export(srv: InProcessApp, q: str, date_from: str | None, date_to: str | None) -> set[int]:
    done = run_cli(srv.data_dir, "export", "--format", "jsonl", *_cli_dates(date_from, date_to), "--", q)
    assert done.returncode == 0, done.stderr
    return {json.loads(line)["id"] for line in done.stdout.splitlines() if line.strip()}


FRONT_ENDS = {
    "api search": api_search,
    "api export": api_export,
    "page": page,
    "cli search": cli_search,
    "cli export": cli_export,
}


@pytest.mark.parametrize(("asked", "expected"), CASES, ids=[" ".join(str(p) for p in c[0]) for c in CASES])
def test_every_front_end_finds_the_same_articles(archive_server, asked, expected) -> None:
    srv, names = archive_server
    front_ends = {k: run for k, run in FRONT_ENDS.items() if asked in CLI_CASES or not k.startswith("cli")}
    found = {label: {names[i] for i in run(srv, *asked)} for label, run in front_ends.items()}
    assert found == dict.fromkeys(front_ends, expected)


@pytest.mark.parametrize("q", NO_WORDS)
def test_export_refuses_a_query_with_no_words_as_search_does(archive_server, q: str) -> None:
    srv, _ = archive_server
    with srv.client() as http:
        for path in ("/api/search", "/api/export"):
            response = http.get(path, params={"q": q})
            assert response.status_code == 400, (path, response.status_code, response.text[:200])
            assert response.headers["content-type"].startswith("application/problem+json")
            body = response.json()
            assert body["title"] == "empty-query" and body["type"].endswith("/empty-query"), body
            assert body["detail_ar"] == "الاستعلام لا يحوي كلمات للبحث عنها"


@pytest.mark.parametrize("q", NO_WORDS)
def test_page_and_cli_refuse_a_query_with_no_words_in_one_clear_sentence(archive_server, q: str) -> None:
    srv, _ = archive_server
    with srv.client() as http:
        response = http.get("/", params={"q": q})
    assert response.status_code == 400
    assert "الاستعلام لا يحوي كلمات للبحث عنها" in response.text
    for command in ("search", "export") if q in CLI_NO_WORDS else ():
        done = run_cli(srv.data_dir, command, "--", q)
        assert done.returncode == 1 and done.stdout == "", (command, done.stdout[:200])
        assert "Traceback" not in done.stderr and "the query has no words to search for" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize("q", ["", "   "])
def test_a_blank_query_still_exports_everything(archive_server, q: str) -> None:
    srv, _ = archive_server
    assert len(api_export(srv, q, None, None)) == len(ARTICLES)
    assert len(api_search(srv, q, None, None)) == len(ARTICLES)
