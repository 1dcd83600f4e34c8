"""Every endpoint through HTTP, in-process through the ASGI app, on real SQLite and a real index.

What needs a real socket or process (uvicorn limits, logs, kill -9) is in tests/reliability."""

import csv
import io
import json
import re

import pytest

from service.api.schemas import marked_html
from service.ingest import fingerprint
from service.search.marked import Marked
from tests.conftest import NEWS, SEEDS, InProcessApp, Server, needs_shared, run_cli, wait_until, write_news

ARTICLE = {
    "title": "اشتباكات في ريف دير الزور",
    "body": "تجددت الاشتباكات بين قوات النظام وقوات سوريا الديمقراطية في ريف دير الزور الشرقي صباح اليوم.",
    "source": "بلدي نيوز",
    "author": "كنان سلطان",
    "section": "سوريا",
    "url": "https://example.org/a/1",
    "external_id": "a-1",
    "published_at": "2018-02-07T10:00:00Z",
}


def search(http, **params):
    response = http.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_article_lifecycle_and_search(shared_app: InProcessApp) -> None:
    with shared_app.client() as http:
        created = http.post("/api/articles", json=ARTICLE)
        assert created.status_code == 201 and created.json()["outcome"] == "added"
        article_id = created.json()["id"]
        assert http.post("/api/articles", json=ARTICLE).json() == {"outcome": "unchanged", "id": article_id}

        found = wait_until(lambda: search(http, q="الاشتباكات")["total"] == 1)
        assert found
        hit = search(http, q="دير الزور")["hits"][0]
        assert hit["id"] == article_id and "<mark>" in hit["snippet"]

        detail = http.get(f"/api/articles/{article_id}")
        assert detail.status_code == 200
        assert detail.json()["body"] == ARTICLE["body"] and detail.json()["source"] == "بلدي نيوز"
        assert detail.json()["same_story"] == [] and detail.json()["same_outlet"] == []
        etag = detail.headers["etag"]
        assert http.get(f"/api/articles/{article_id}", headers={"If-None-Match": etag}).status_code == 304

        patched = http.patch(f"/api/articles/{article_id}", json={"title": "هدنة في دير الزور"})
        assert patched.status_code == 200 and patched.json()["title"] == "هدنة في دير الزور"
        assert wait_until(lambda: search(http, q="title:هدنة")["total"] == 1)
        assert http.get(f"/api/articles/{article_id}", headers={"If-None-Match": etag}).status_code == 200

        listed = http.get("/api/articles", params={"external_id": "a-1"}).json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == article_id
        assert (
            http.get("/api/articles", params={"url": ARTICLE["url"], "source": ARTICLE["source"]}).json()[
                "total"
            ]
            == 1
        )
        assert (
            http.get("/api/articles", params={"external_id": "a-1", "url": "https://example.org/b"}).json()[
                "total"
            ]
            == 0
        )

        other = http.post(
            "/api/articles", json={**ARTICLE, "external_id": "a-2", "body": "نص آخر مختلف تماما عن الأول."}
        ).json()["id"]
        clash = http.put(f"/api/articles/{other}", json={**ARTICLE, "body": "نص ثالث مختلف."})  # a-1 is taken
        assert clash.status_code == 409 and clash.json()["detail_ar"]
        twin = http.patch(
            f"/api/articles/{other}", json={"body": ARTICLE["body"]}
        )  # its own id: kept, clustered
        assert twin.status_code == 200 and twin.json()["cluster_id"] == detail.json()["cluster_id"]
        assert http.delete(f"/api/articles/{other}").status_code == 204

        replaced = http.put(
            f"/api/articles/{article_id}",
            json={**ARTICLE, "title": "موسم القمح", "body": "نص جديد كليا عن الزراعة في الجزيرة السورية."},
        )
        assert replaced.status_code == 200
        assert wait_until(lambda: search(http, q="الزراعة")["total"] == 1)
        assert wait_until(lambda: search(http, q="الاشتباكات")["total"] == 0)

        assert http.delete(f"/api/articles/{article_id}").status_code == 204
        missing = http.get(f"/api/articles/{article_id}")
        assert missing.status_code == 404 and missing.headers["content-type"].startswith(
            "application/problem+json"
        )
        assert missing.json()["detail_ar"]
        assert wait_until(lambda: search(http, q="الزراعة")["total"] == 0)


def test_hits_carry_title_and_snippet_as_html_and_as_text_with_spans(shared_app: InProcessApp) -> None:
    filler = " ".join(["تجددت الاشتباكات في الريف الشرقي"] * 12)
    body = f"{filler} وقال \"المتحدث\" إن <b>زمردستان</b> & زُمُرّدستان 'بلدٌ واحد' {filler}"
    with shared_app.client() as http:
        http.post(
            "/api/articles", json={"title": "<عاجل> زمردستان & جيرانها", "body": body, "source": "اختبار"}
        )
        assert wait_until(lambda: search(http, q="زمردستان")["total"] == 1)
        hit = search(http, q="زمردستان")["hits"][0]
        title, snippet = hit["title"], hit["snippet_text"]
        assert [title[s:e] for s, e in hit["title_spans"]] == ["زمردستان"]
        assert [snippet[s:e] for s, e in hit["snippet_spans"]] == ["زمردستان", "زُمُرّدستان"]
        assert (
            snippet.startswith("… ") and snippet.endswith(" …") and snippet[2:-2] in body
        )  # raw, not escaped
        # the HTML fields are the API's formatting of the raw ones, byte for byte what clients read before
        assert hit["snippet"] == marked_html(Marked(snippet, tuple(map(tuple, hit["snippet_spans"]))))
        assert hit["title_html"] == marked_html(Marked(title, tuple(map(tuple, hit["title_spans"]))))
        assert hit["title_html"] == "&lt;عاجل&gt; <mark>زمردستان</mark> &amp; جيرانها"
        assert (
            "&quot;المتحدث&quot; إن &lt;b&gt;<mark>زمردستان</mark>&lt;/b&gt; &amp; <mark>زُمُرّدستان</mark> &#x27;بلدٌ واحد&#x27;"
            in hit["snippet"]
        )

        documented = http.get("/openapi.json").json()["components"]["schemas"]["HitOut"]["properties"]
        for name in ("title_html", "title_spans", "snippet", "snippet_text", "snippet_spans"):
            description = documented[name]["description"]
            assert re.search("[a-z]{4}", description) and re.search("[\u0621-\u064a]{4}", description), name


def test_bulk_post_list_similar_sources_stats(server: InProcessApp) -> None:
    articles = [
        {
            **ARTICLE,
            "external_id": f"n-{i}",
            "url": None,
            "title": f"خبر رقم {i}",
            "body": f"{ARTICLE['body']} وقال مصدر محلي إن عدد القتلى بلغ {i * 3} في القرية رقم {i}.",
            "published_at": f"2018-02-{i + 1:02d}T08:00:00Z",
        }
        for i in range(1, 6)
    ]
    with server.client() as http:
        bulk = http.post("/api/articles", json=articles)
        assert bulk.status_code == 201
        assert [r["outcome"] for r in bulk.json()["results"]] == ["added"] * 5
        listed = http.get("/api/articles", params={"source": "بلدي نيوز", "limit": 2}).json()
        assert listed["total"] == 5 and [a["title"] for a in listed["items"]] == ["خبر رقم 5", "خبر رقم 4"]
        assert wait_until(lambda: search(http, q="القتلى")["total"] >= 1)
        sources = http.get("/api/sources").json()
        assert sources == [{"id": 1, "name": "بلدي نيوز", "domain": None, "articles": 5, "aliases": []}]
        stats = http.get("/api/stats").json()
        assert stats["articles"] == 5 and stats["sources"] == 1 and stats["analyzer_version"]
        assert wait_until(lambda: http.get("/api/stats").json()["indexed_documents"] == 5)
        first = bulk.json()["results"][0]["id"]
        # the five are near-duplicates: folded into one story
        assert search(http, q="القتلى", fold_duplicates="true")["hits"][0]["cluster_size"] == 5
        assert len(search(http, q="القتلى", fold_duplicates="false", limit=10)["hits"]) == 5
        # one outlet's five versions: near-duplicates of its own, not the same story elsewhere
        detail = http.get(f"/api/articles/{first}").json()
        assert detail["same_story"] == [] and len(detail["same_outlet"]) == 4
        assert all(0.5 <= copy["similarity"] <= 1 for copy in detail["same_outlet"])
        assert http.get(f"/api/articles/{first}/similar").status_code == 200
        metrics = http.get("/metrics")
        assert metrics.status_code == 200
        assert "arshif_articles 5.0" in metrics.text and "arshif_http_requests_total" in metrics.text


def test_search_parameters(server: InProcessApp) -> None:
    with server.client() as http:
        http.post(
            "/api/articles",
            json=[
                {**ARTICLE, "external_id": "x1"},
                {
                    "title": "غوغل تطلق خدمة",
                    "body": "أطلقت غوغل خدمة جديدة للترجمة الفورية.",
                    "source": "سكاي نيوز عربية",
                    "section": "تقنية",
                    "published_at": "2018-03-01T00:00:00Z",
                },
                {
                    "title": "جوجل والهواتف",
                    "body": "قالت جوجل إن هواتفها الجديدة تدعم العربية.",
                    "source": "بي بي سي",
                    "section": "تقنية",
                    "published_at": "2018-03-05T00:00:00Z",
                },
            ],
        )
        assert wait_until(lambda: search(http, q="")["total"] == 3)
        both = search(http, q="غوغل", facets="true", histogram="day", sort="newest")
        assert [h["title"] for h in both["hits"]] == ["جوجل والهواتف", "غوغل تطلق خدمة"]
        assert {b["value"] for b in both["facets"]["source"]} == {"سكاي نيوز عربية", "بي بي سي"}
        assert (
            both["histogram"]["interval"] == "day"
            and sum(b["count"] for b in both["histogram"]["buckets"]) == 2
        )
        assert search(http, q="غوغل", source="بي بي سي")["total"] == 1
        assert search(http, q="غوغل", **{"from": "2018-03-02"})["total"] == 1
        assert search(http, q="غوغل", to="2018-03-01")["total"] == 1
        page1 = search(http, q="", limit=2, sort="oldest")
        page2 = search(http, q="", limit=2, sort="oldest", cursor=page1["next_cursor"])
        assert len(page1["hits"]) == 2 and len(page2["hits"]) == 1 and page2["next_cursor"] is None
        any_word = search(http, q="الترجمة الهواتف")
        assert any_word["fallback"] is True and any_word["total"] == 2


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        (
            "post",
            "/api/articles",
            {"content": b'{"body": "x",', "headers": {"content-type": "application/json"}},
            422,
        ),
        ("post", "/api/articles", {"json": {"body": 42}}, 422),
        ("post", "/api/articles", {"json": {"body": "نص", "colour": "red"}}, 422),
        ("post", "/api/articles", {"json": {"body": ""}}, 422),
        (
            "post",
            "/api/articles",
            {"content": b'{"body": "\\ud800 lone"}', "headers": {"content-type": "application/json"}},
            (400, 422),
        ),
        (
            "post",
            "/api/articles",
            {"content": b"[" * 5000 + b"]" * 5000, "headers": {"content-type": "application/json"}},
            400,
        ),
        ("get", "/api/articles/99999999999999999999", {}, 422),
        ("post", "/api/articles", {"json": {"body": "نص", "published_at": "yesterday"}}, 422),
        ("get", "/api/search", {"params": {"q": "from:2018-13-01"}}, 400),
        ("get", "/api/search", {"params": {"q": "سوريا", "from": "غدا"}}, 400),
        ("get", "/api/search", {"params": {"q": "OR AND"}}, 400),
        ("get", "/api/search", {"params": {"q": "سوريا", "cursor": "not-a-cursor"}}, 400),
        ("get", "/api/search", {"params": {"q": "سوريا", "limit": 1000}}, 422),
        ("get", "/api/search", {"params": {"q": "سوريا", "sort": "random"}}, 422),
        ("get", "/api/articles/999999", {}, 404),
        ("get", "/api/articles/abc", {}, 422),
        ("patch", "/api/articles/999999", {"json": {"title": "x"}}, 404),
        ("delete", "/api/synonyms/999999", {}, 404),
        ("put", "/api/synonyms", {"json": {"groups": [["واحد"]]}}, 400),
        ("get", "/api/export", {"params": {"format": "xml"}}, 422),
    ],
)
def test_client_mistakes_are_problem_json_never_500(
    shared_app: InProcessApp, method: str, path: str, kwargs: dict, status: int | tuple[int, ...]
) -> None:
    allowed = status if isinstance(status, tuple) else (status,)
    with shared_app.client() as http:
        response = getattr(http, method)(path, **kwargs)
        assert response.status_code in allowed, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert (
            body["status"] == response.status_code and body["detail"] and body["detail_ar"] and body["type"]
        )


def test_search_survives_hostile_queries(shared_app: InProcessApp) -> None:
    with shared_app.client() as http:
        for q in [
            "س" * 10_000,
            '"' * 50,
            "(((((",
            ")))",
            "-" * 100,
            "* ~ :",
            "\u0640\u064e" * 500,
            "title:",
            "مصدر:",
        ]:
            response = http.get("/api/search", params={"q": q})
            assert response.status_code in (200, 400), (q[:20], response.text)


def test_oversized_bodies_are_refused(tmp_path) -> None:
    srv = InProcessApp(tmp_path / "var", ARSHIF_MAX_REQUEST_BYTES="100000").start()
    try:
        with srv.client() as http:
            response = http.post("/api/articles", json={"body": "ن" * 200_000})
            assert response.status_code == 413 and response.json()["detail_ar"]
            assert http.post("/api/articles", json={"body": "نص قصير"}).status_code == 201
    finally:
        srv.stop()


def test_export_streams_jsonl_and_csv_with_bom(server: InProcessApp) -> None:
    with server.client() as http:
        http.post(
            "/api/articles",
            json=[
                {**ARTICLE, "external_id": "e1"},
                {
                    "title": 'غوغل، "جوجل"',
                    "body": "سطر أول\nسطر ثان، مع فاصلة",
                    "source": "تقنية",
                    "metadata": {"tags": ["أ", "ب"]},
                },
            ],
        )
        assert wait_until(lambda: search(http, q="")["total"] == 2)
        lines = http.get("/api/export", params={"format": "jsonl"}).text.strip().splitlines()
        records = [json.loads(line) for line in lines]
        assert {r["title"] for r in records} == {ARTICLE["title"], 'غوغل، "جوجل"'}
        assert all("body" in r and "metadata" in r for r in records)
        response = http.get("/api/export", params={"format": "csv", "q": "سطر"})
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith("\ufeff".encode("utf-8"))
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == 1 and rows[0]["body"] == "سطر أول\nسطر ثان، مع فاصلة"
        assert json.loads(rows[0]["metadata"]) == {"tags": ["أ", "ب"]}


def test_synonyms_api(server: InProcessApp) -> None:
    with server.client() as http:
        http.post(
            "/api/articles",
            json={
                "title": "تقدم قوات سوريا الديمقراطية",
                "body": "أعلنت قوات سوريا الديمقراطية السيطرة على قرى جديدة.",
            },
        )
        assert wait_until(lambda: search(http, q="الديمقراطية")["total"] == 1)
        assert search(http, q="قسد")["total"] == 0
        put = http.put(
            "/api/synonyms", json={"groups": [["قسد", "قوات سوريا الديمقراطية"], ["داعش", "تنظيم الدولة"]]}
        )
        assert put.status_code == 200 and len(put.json()) == 2
        assert search(http, q="قسد")["total"] == 1
        added = http.post("/api/synonyms", json={"terms": ["فبراير", "شباط"]})
        assert added.status_code == 201
        assert len(http.get("/api/synonyms").json()) == 3
        assert http.delete(f"/api/synonyms/{added.json()['id']}").status_code == 204
        assert http.delete("/api/synonyms").status_code == 204
        assert http.get("/api/synonyms").json() == []


def test_security_headers_and_request_ids(shared_app: InProcessApp) -> None:
    with shared_app.client() as http:
        response = http.get("/api/stats", headers={"X-Request-ID": "trace-123"})
        assert response.headers["x-request-id"] == "trace-123"
        page = http.get("/")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"]


def test_api_keys_guard_writes_and_optionally_reads(tmp_path) -> None:
    srv = Server(tmp_path / "var", ARSHIF_API_KEYS="k-one,k-two", ARSHIF_READ_KEYS="r-key").start()
    try:
        with srv.client() as http:
            body = {"body": "نص للتجربة"}
            assert http.post("/api/articles", json=body).status_code == 401
            assert http.post("/api/articles", json=body, headers={"X-API-Key": "wrong"}).status_code == 403
            assert (
                http.post("/api/articles", json=body, headers={"Authorization": "Bearer k-two"}).status_code
                == 201
            )
            assert (
                http.put("/api/synonyms", json={"groups": []}, headers={"X-API-Key": "k-one"}).status_code
                == 200
            )
            assert http.get("/api/search", params={"q": "نص"}).status_code == 401
            assert (
                http.get("/api/search", params={"q": "نص"}, headers={"X-API-Key": "r-key"}).status_code == 200
            )
            assert http.get("/healthz").status_code == 200
        log = srv.log.read_text()
        assert "k-one" not in log and "k-two" not in log and "r-key" not in log and "wrong" not in log
    finally:
        srv.stop()


@needs_shared(SEEDS)
def test_seed_files_through_ingest_endpoint_and_search(server: InProcessApp) -> None:
    files = [("files", (path.name, path.read_bytes(), "text/plain")) for path in sorted(SEEDS.glob("*.txt"))]
    with server.client() as http:
        response = http.post("/api/ingest", files=files)
        assert response.status_code == 200, response.text
        summary = response.json()
        assert summary["added"] == 5 and summary["failed"] == 0
        assert wait_until(lambda: http.get("/api/stats").json()["indexed_documents"] == 5)
        titles = [a["title"] for a in http.get("/api/articles", params={"limit": 10}).json()["items"]]
        for title in titles:
            hits = search(http, q=f'"{title}"', fold_duplicates="false")["hits"]
            assert title in [h["title"] for h in hits]
        # the same story in five spellings: all five come back for the place name however written
        assert search(http, q="ديرالزور", fold_duplicates="false")["total"] == 5
        again = http.post("/api/ingest", files=files).json()
        assert (again["added"], again["unchanged"]) == (0, 5)


def test_ingest_endpoint_reports_bad_records_and_ignores_path_tricks(shared_app: InProcessApp) -> None:
    server = shared_app
    good = json.dumps(
        {"id": "j1", "title": "عنوان", "body": "نص صالح للإدخال", "source": "مصدر"}, ensure_ascii=False
    )
    payload = (good + "\n{broken json\n" + json.dumps({"id": "j2", "title": "بلا نص"}) + "\n").encode()
    with server.client() as http:
        response = http.post(
            "/api/ingest", files=[("files", ("../../etc/passwd.jsonl", payload, "application/json"))]
        )
        assert response.status_code == 200, response.text
        summary = response.json()
        assert summary["added"] == 1 and summary["failed"] == 2
        assert all(f["origin"].startswith("passwd.jsonl") for f in summary["failures"])
        assert not (server.data_dir.parent / "etc").exists()


def twins_in(path) -> list[tuple[dict, dict]]:
    """(first, later) for every record of a JSONL file whose body is identical to an earlier one's."""
    first: dict[str, dict] = {}
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        seen = first.setdefault(fingerprint.content_hash(record["body"]), record)
        if seen is not record:
            pairs.append((seen, record))
    return pairs


@needs_shared(NEWS)
def test_every_record_with_its_own_identity_is_kept(server: InProcessApp, tmp_path) -> None:
    """Issue 16: of the first 5,000 corpus articles, two repeat an earlier article's body word for word
    (same outlet, their own id, URL and date). Each is an article: counted, fetchable by its own id and
    URL, exported, and folded with its twin in search."""
    news = write_news(tmp_path / "news.jsonl", 5000)
    pairs = twins_in(news)
    assert len(pairs) == 2 and all(a["id"] != b["id"] and a["url"] != b["url"] for a, b in pairs)

    ingested = run_cli(server.data_dir, "ingest", str(news), "--json")
    assert ingested.returncode == 0, ingested.stderr
    summary = json.loads(ingested.stdout)
    assert (summary["added"], summary["duplicates"], summary["failed"]) == (5000, 0, 0)
    with server.client() as http:
        assert wait_until(lambda: http.get("/api/stats").json()["indexed_documents"] == 5000, timeout=120)
        assert http.get("/api/stats").json()["articles"] == 5000
        exported = {json.loads(line)["external_id"] for line in http.get("/api/export").text.splitlines()}
        assert len(exported) == 5000

        for twin, copy in pairs:
            by_id = http.get("/api/articles", params={"external_id": copy["id"]}).json()
            assert by_id["total"] == 1
            article = by_id["items"][0]
            assert (article["url"], article["title"], article["source"]) == (
                copy["url"],
                copy["title"],
                copy["source"],
            )
            assert http.get("/api/articles", params={"url": copy["url"]}).json()["items"] == [article]
            assert (
                http.get(
                    "/api/articles", params={"external_id": copy["id"], "source": copy["source"]}
                ).json()["total"]
                == 1
            )
            assert (
                http.get("/api/articles", params={"external_id": copy["id"], "url": twin["url"]}).json()[
                    "total"
                ]
                == 0
            )
            [first] = http.get("/api/articles", params={"external_id": twin["id"]}).json()["items"]
            assert first["id"] != article["id"] and first["cluster_id"] == article["cluster_id"]
            assert first["content_hash"] == article["content_hash"] and copy["id"] in exported

            query = {"q": f'"{copy["title"]}"', "source": copy["source"]}
            both = search(http, **query, fold_duplicates="false")["hits"]
            assert {first["id"], article["id"]} <= {h["id"] for h in both}
            folded = [
                h
                for h in search(http, **query, fold_duplicates="true")["hits"]
                if h["cluster_id"] == article["cluster_id"]
            ]
            assert (
                len(folded) == 1
                and folded[0]["id"] in (first["id"], article["id"])
                and folded[0]["folded"] == 1
            )

    again = run_cli(server.data_dir, "ingest", str(news), "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["added"], summary["updated"], summary["unchanged"]) == (0, 0, 5000)
    with server.client() as http:
        assert http.get("/api/stats").json()["articles"] == 5000
