"""No request can take the server down (issue 14): forged cursors, deep queries, extreme dates and ids,
deeply nested metadata. Each answers a 4xx problem (or the page's own 4xx), and the server lives on."""

from __future__ import annotations

import base64
import json
import re
import stat
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.errors import ArshifError
from service.search.engine import MAX_LIMIT, MAX_OFFSET, SearchRequest, SearchService
from tests.conftest import Server, wait_until
from tests.helpers import add_articles, when

ARABIC = re.compile(r"[\u0600-\u06FF]")
WORD = "زلزال"  # every article of this module has it, and nothing else in the shared server does
COUNT = 7
STORY_WORDS = [
    "المدينة",
    "الساحلية",
    "الجبلية",
    "الشمالية",
    "الجنوبية",
    "الشرقية",
    "الغربية",
    "صباح",
    "مساء",
    "فجر",
    "ظهر",
    "ليلة",
    "أمس",
    "اليوم",
    "غدا",
    "المستشفى",
    "المدرسة",
    "الجامعة",
    "الملعب",
    "السوق",
    "الميناء",
    "المطار",
    "الجسر",
    "النهر",
    "البحر",
    "الوادي",
    "السهل",
    "الصحراء",
    "الغابة",
    "الأطباء",
    "المعلمون",
    "الطلاب",
    "اللاعبون",
    "التجار",
    "البحارة",
    "الطيارون",
    "المهندسون",
    "الفلاحون",
    "الصيادون",
    "الجنود",
    "الشرطة",
    "انهار",
    "تصدع",
    "غرق",
    "احترق",
    "توقف",
    "انقطع",
    "أغلق",
    "فتح",
    "نقل",
    "أنقذ",
    "أخلى",
    "سقط",
    "ارتفع",
    "انخفض",
    "الكهرباء",
    "الماء",
    "الغاز",
    "الهاتف",
    "الطريق",
    "القطار",
    "الحافلة",
    "السفينة",
    "الطائرة",
    "البريد",
]


@pytest.fixture(scope="module")
def http(shared_server: Server) -> Iterator[httpx.Client]:
    with shared_server.client() as client:
        for i in range(COUNT):
            story = " ".join(
                STORY_WORDS[i::COUNT]
            )  # every article tells a story of its own: none folds into another
            response = client.post(
                "/api/articles",
                json={
                    "title": f"{WORD} رقم {i}",
                    "body": f"ضرب {WORD} {story}",
                    "source": "وكالة الاختبار",
                    "published_at": f"2018-02-{i + 1:02d}T10:00:00Z",
                },
            )
            assert response.status_code == 201, response.text
        assert wait_until(
            lambda: client.get("/api/search", params={"q": WORD}).json()["total"] == COUNT, timeout=20
        )
        yield client


def assert_problem(
    response: httpx.Response, status: int | tuple[int, ...], type_: str | None = None
) -> dict[str, Any]:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    if type_:
        assert body["type"].endswith("/" + type_), body
    assert ARABIC.search(body["detail_ar"]), body
    assert body["detail"] and not ARABIC.search(body["detail"].split(" / ")[0]), body
    return body


def assert_alive(http: httpx.Client) -> None:
    assert http.get("/healthz").status_code == 200
    assert http.get("/api/search", params={"q": WORD}).status_code == 200


def _editable(article: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "body",
        "title",
        "url",
        "external_id",
        "source",
        "author",
        "section",
        "published_at",
        "language",
        "metadata",
    )
    return {k: article[k] for k in keys}


# -- 1. cursors ---------------------------------------------------------------------------------------------

SEARCH = {"q": WORD, "fold_duplicates": "false", "limit": 2, "sort": "oldest"}


def _fingerprint() -> str:
    return SearchRequest(q=WORD, sort="oldest", fold=False).fingerprint()


def _unsigned(raw: str) -> str:
    """A cursor as today's unsigned ones were made: base64 of JSON text, written by hand."""
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _forged(raw: str) -> str:
    """The same JSON with a made-up signature in the signed format."""
    return _unsigned(raw) + "." + base64.urlsafe_b64encode(b"\0" * 32).decode().rstrip("=")


FORGED_PAYLOADS = {
    "huge offset": '{"o": 1000000000000, "h": "HASH"}',
    "offset 10**18": '{"o": 1000000000000000000, "h": "HASH"}',
    "Infinity": '{"o": Infinity, "h": "HASH"}',
    "NaN": '{"o": NaN, "h": "HASH"}',
    "negative": '{"o": -5, "h": "HASH"}',
    "string": '{"o": "2", "h": "HASH"}',
    "float": '{"o": 2.5, "h": "HASH"}',
    "bool": '{"o": true, "h": "HASH"}',
    "past the deepest page": '{"o": ' + str(MAX_OFFSET + 1) + ', "h": "HASH"}',
}


@pytest.mark.parametrize("shape", [_unsigned, _forged], ids=["unsigned", "bad-signature"])
@pytest.mark.parametrize("payload", list(FORGED_PAYLOADS.values()), ids=list(FORGED_PAYLOADS))
def test_forged_cursor_is_refused_and_the_server_lives(http: httpx.Client, shape: Any, payload: str) -> None:
    cursor = shape(payload.replace("HASH", _fingerprint()))
    assert_problem(http.get("/api/search", params={**SEARCH, "cursor": cursor}), 400, "invalid-cursor")
    assert_alive(http)


def test_tampered_and_foreign_cursors_are_refused(http: httpx.Client) -> None:
    genuine = http.get("/api/search", params=SEARCH).json()["next_cursor"]
    body, signature = genuine.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    tampered_payload = (
        base64.urlsafe_b64encode(json.dumps({**payload, "o": 10**12}).encode()).decode().rstrip("=")
    )
    flipped_signature = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    for cursor in (
        f"{tampered_payload}.{signature}",
        f"{body}.{flipped_signature}",
        body,
        f"{body}.{signature}.x",
        "not-a-cursor",
        "é.é",
        "." * 3,
    ):
        assert_problem(http.get("/api/search", params={**SEARCH, "cursor": cursor}), 400, "invalid-cursor")
    # a genuine cursor of another search (another query) does not page this one
    other = http.get("/api/search", params={**SEARCH, "q": f"{WORD} OR المنطقة"}).json()["next_cursor"]
    assert other
    assert_problem(http.get("/api/search", params={**SEARCH, "cursor": other}), 400, "invalid-cursor")
    assert_alive(http)


@pytest.mark.parametrize("fold", ["false", "true"])
def test_genuine_cursors_page_through_every_hit(http: httpx.Client, fold: str) -> None:
    params = {**SEARCH, "fold_duplicates": fold}
    seen: list[int] = []
    page = http.get("/api/search", params=params).json()
    while True:
        seen += [hit["id"] for hit in page["hits"]]
        if not page["next_cursor"]:
            break
        assert len(seen) < COUNT * 2, "cursors must not loop"
        response = http.get("/api/search", params={**params, "cursor": page["next_cursor"]})
        assert response.status_code == 200, response.text
        page = response.json()
    assert len(seen) == len(set(seen)) == COUNT


def test_cursor_key_is_private_and_shared_by_every_worker_of_a_data_dir(archive, tmp_path) -> None:
    add_articles(
        archive,
        *(
            {
                "title": f"{WORD} {i}",
                "body": f"{WORD} في المدينة رقم {i} {'و' * i}",
                "published_at": when(i + 1),
            }
            for i in range(3)
        ),
    )
    request = SearchRequest(q=WORD, limit=1, fold=False)
    first, second = SearchService(archive), SearchService(archive)  # two workers of one data directory
    cursor = first.search(request).next_cursor
    assert cursor
    key = archive.settings.data_dir / "cursor.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) >= 32
    assert second.decode_cursor(request, cursor) == 1

    from service.archive import Archive
    from service.settings import Settings

    elsewhere = Archive(
        Settings(data_dir=tmp_path / "elsewhere")
    )  # another archive's cursors mean nothing here
    try:
        with pytest.raises(ArshifError) as refused:
            SearchService(elsewhere).decode_cursor(request, cursor)
        assert refused.value.type == "invalid-cursor"
    finally:
        elsewhere.close()


@pytest.mark.parametrize(
    ("offset", "limit"),
    # (the values that abort the process on unbounded code, 10**12 and up, are sent to a server above instead)
    [(MAX_OFFSET + 1, 10), (-1, 10), (True, 10), (2.5, 10), (0, -1), (0, MAX_LIMIT + 1), (0, 1.0)],
)
def test_the_engine_refuses_pages_beyond_the_bound_whoever_asks(archive, offset: Any, limit: Any) -> None:
    add_articles(archive, {"title": WORD, "body": f"{WORD} في المدينة", "published_at": when(1)})
    with pytest.raises(ArshifError) as refused:
        SearchService(archive).search(SearchRequest(q=WORD, offset=offset, limit=limit, fold=False))
    assert refused.value.type == "invalid-page" and ARABIC.search(refused.value.message_ar)


# -- 2. queries, dates and ids that used to answer 500 --------------------------------------------------------

DEEP_QUERIES = {
    "250 parentheses": "(" * 250 + WORD + ")" * 250,
    "unclosed parentheses": "(" * 400 + WORD,
    "negated groups": "-(" * 200 + WORD,
    "field groups": "عنوان:(" * 150 + WORD,
    "NOT chain": "NOT " * 450 + WORD,
    "33 levels": "(" * 33 + WORD + ")" * 33,
}


@pytest.mark.parametrize("query", list(DEEP_QUERIES.values()), ids=list(DEEP_QUERIES))
def test_deeply_nested_query_is_a_clear_400(http: httpx.Client, query: str) -> None:
    for path in ("/api/search", "/api/export"):
        body = assert_problem(http.get(path, params={"q": query}), 400, "query-too-deep")
        assert "32" in body["detail"] and "32" in body["detail_ar"]
    page = http.get("/", params={"q": query})
    assert page.status_code == 400 and "متداخل" in page.text
    assert http.get(f"/articles/{1}", params={"q": query}).status_code in (
        200,
        404,
    )  # highlights give up quietly
    assert_alive(http)


def test_nesting_within_the_bound_and_long_or_chains_still_search(http: httpx.Client) -> None:
    for query in (
        "(" * 32 + WORD + ")" * 32,
        " OR ".join([WORD] * 400),
        "a ) " * 300 + WORD,
        "NOT NOT " + WORD,
    ):
        response = http.get("/api/search", params={"q": query})
        assert response.status_code == 200, response.text
    assert http.get("/api/search", params={"q": "(" * 32 + WORD + ")" * 32}).json()["total"] == COUNT


EXTREME_DATES = [
    ("/api/search", {"q": WORD, "to": "9999-12-31"}),
    ("/api/search", {"q": WORD, "to": "9999-12"}),
    ("/api/search", {"q": WORD, "to": "9999"}),
    ("/api/search", {"q": WORD, "to": "٩٩٩٩-١٢-٣١"}),
    ("/api/search", {"q": f"{WORD} to:9999-12-31"}),
    ("/api/search", {"q": f"{WORD} إلى:9999-12-31"}),
    ("/api/search", {"q": WORD, "from": "0001-01-01"}),
    ("/api/search", {"q": f"{WORD} from:0001-01-01 to:9999-12-31"}),
    ("/api/search", {"q": WORD, "from": "0001-01-01", "to": "9999-12-31", "fold_duplicates": "false"}),
    ("/api/articles", {"to": "9999-12-31", "source": "وكالة الاختبار"}),
    ("/api/articles", {"from": "0001-01-01", "to": "9999", "source": "وكالة الاختبار"}),
]


@pytest.mark.parametrize(("path", "params"), EXTREME_DATES)
def test_dates_at_the_ends_of_the_calendar_are_open_bounds(
    http: httpx.Client, path: str, params: dict[str, str]
) -> None:
    response = http.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.json()["total"] == COUNT


def test_dates_at_the_ends_of_the_calendar_on_the_page_and_export(http: httpx.Client) -> None:
    page = http.get("/", params={"q": WORD, "to": "9999-12-31", "from": "0001-01-01"})
    assert page.status_code == 200 and "رقم 0" in page.text and "رقم 6" in page.text
    page = http.get("/", params={"q": f"{WORD} إلى:9999-12-31"})
    assert page.status_code == 200 and "رقم 0" in page.text and "رقم 6" in page.text
    export = http.get("/api/export", params={"q": WORD, "to": "9999-12-31"})
    assert export.status_code == 200 and len(export.text.splitlines()) == COUNT
    # past the calendar is still an invalid date, as before
    assert_problem(http.get("/api/search", params={"q": WORD, "to": "10000-01-01"}), 400, "invalid-date")
    assert_problem(http.get("/api/search", params={"q": WORD, "from": "0000-01-01"}), 400, "invalid-date")
    assert_alive(http)


@pytest.mark.parametrize("article_id", ["9223372036854775808", "2147483648", "-9223372036854775809", "0"])
def test_an_id_past_any_store_is_simply_missing(http: httpx.Client, article_id: str) -> None:
    page = http.get(f"/articles/{article_id}")
    assert page.status_code == 404 and "غير موجود" in page.text
    assert_problem(http.get(f"/api/articles/{article_id}"), 422)
    assert_alive(http)


OUT_OF_UTC = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"]


@pytest.mark.parametrize("published_at", OUT_OF_UTC)
def test_a_date_utc_cannot_hold_is_refused_before_anything_is_written(
    http: httpx.Client, published_at: str
) -> None:
    body = f"نص فريد لا يتكرر {published_at}"
    assert_problem(
        http.post("/api/articles", json={"body": body, "published_at": published_at}), 422, "validation"
    )
    assert_problem(
        http.post("/api/articles", json=[{"body": body, "published_at": published_at}]), 422, "validation"
    )
    target = http.get("/api/articles", params={"source": "وكالة الاختبار", "limit": 1}).json()["items"][0]
    assert_problem(
        http.patch(f"/api/articles/{target['id']}", json={"published_at": published_at}), 422, "validation"
    )
    assert_problem(
        http.put(f"/api/articles/{target['id']}", json={**_editable(target), "published_at": published_at}),
        422,
        "validation",
    )
    after = http.get(f"/api/articles/{target['id']}").json()
    assert after["published_at"] == target["published_at"] and after["updated_at"] == target["updated_at"]
    assert http.get("/api/search", params={"q": "فريد لا يتكرر"}).json()["total"] == 0
    assert http.get("/api/articles").status_code == 200
    assert_alive(http)


def test_file_ingest_drops_a_date_utc_cannot_hold(http: httpx.Client) -> None:
    lines = [
        json.dumps(
            {
                "id": f"far-{i}",
                "body": f"خبر من طرف التقويم رقم {i}",
                "source": "طرف التقويم",
                "published_at": date,
            },
            ensure_ascii=False,
        )
        for i, date in enumerate(OUT_OF_UTC)
    ]
    response = http.post(
        "/api/ingest", files={"files": ("far.jsonl", "\n".join(lines).encode(), "application/jsonl")}
    )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["added"] == 2 and summary["failed"] == 0, summary
    items = http.get("/api/articles", params={"source": "طرف التقويم"}).json()["items"]
    assert [item["published_at"] for item in items] == [None, None]
    assert all(any("out of range" in note for note in item["metadata"]["ingest"]["notes"]) for item in items)


# -- 3. deeply nested metadata --------------------------------------------------------------------------------


def _nested(levels: int, list_levels: bool = False) -> Any:
    value: Any = "قاع"
    for _ in range(levels):
        value = [value] if list_levels else {"k": value}
    return value


@pytest.mark.parametrize(
    "metadata",
    [
        {"deep": _nested(300)},
        {"deep": _nested(300, list_levels=True)},
        {"edge": _nested(33)},
        {"fine": 1, "deep": _nested(900)},
    ],
    ids=["300 objects", "300 lists", "33 levels", "900 levels"],
)
def test_deep_metadata_is_refused_before_anything_is_written(
    http: httpx.Client, metadata: dict[str, Any]
) -> None:
    before = http.get("/api/articles").json()["total"]
    body = f"مقال بملحقات عميقة {len(json.dumps(metadata))}"
    assert_problem(http.post("/api/articles", json={"body": body, "metadata": metadata}), 422, "validation")
    assert_problem(
        http.post("/api/articles", json=[{"body": body + " ثان", "metadata": metadata}]), 422, "validation"
    )
    assert http.get("/api/articles").json()["total"] == before

    target = http.get("/api/articles", params={"source": "وكالة الاختبار", "limit": 1}).json()["items"][0]
    assert_problem(
        http.patch(f"/api/articles/{target['id']}", json={"metadata": metadata, "title": "تغيّر"}),
        422,
        "validation",
    )
    assert_problem(
        http.put(f"/api/articles/{target['id']}", json={**_editable(target), "metadata": metadata}),
        422,
        "validation",
    )
    after = http.get(f"/api/articles/{target['id']}").json()
    assert {k: after[k] for k in ("title", "metadata", "updated_at")} == {
        k: target[k] for k in ("title", "metadata", "updated_at")
    }

    listing = http.get("/api/articles")
    assert listing.status_code == 200 and listing.json()["total"] == before
    assert_alive(http)


def test_metadata_as_deep_as_file_ingest_keeps_is_accepted_and_reads_back(http: httpx.Client) -> None:
    metadata = {"edge": _nested(32), "also": _nested(32, list_levels=True)}
    created = http.post("/api/articles", json={"body": "مقال بملحقات على الحد تماما", "metadata": metadata})
    assert created.status_code == 201, created.text
    article_id = created.json()["id"]
    assert http.get(f"/api/articles/{article_id}").json()["metadata"] == metadata
    patched = http.patch(f"/api/articles/{article_id}", json={"metadata": {"edge": _nested(31)}})
    assert patched.status_code == 200 and patched.json()["metadata"] == {"edge": _nested(31)}
    assert http.get("/api/articles").status_code == 200
    assert http.delete(f"/api/articles/{article_id}").status_code == 204
