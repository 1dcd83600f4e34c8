"""Outlets over HTTP: aliases in every source filter (search, export, article list), unknown outlets
as warnings, ``/api/sources`` listing aliases, ``POST /api/sources/{id}/aliases`` adding one."""

from __future__ import annotations

from tests.conftest import InProcessApp, wait_until

BODY = (
    "قال مراسلون إن قوات سوريا الديمقراطية تقدمت في ريف دير الزور الشرقي بعد معارك عنيفة مع "
    "مسلحي تنظيم الدولة، وإن مئات المدنيين نزحوا نحو المخيمات القريبة من الحدود."
)


def test_aliases_and_unknown_outlets_over_http(server: InProcessApp) -> None:
    article = {
        "body": BODY,
        "title": "معارك في ريف دير الزور",
        "source": "Sky News Arabia",
        "url": "https://www.skynewsarabia.com/middle-east/2-معارك",
        "external_id": "sky-2",
        "published_at": "2018-02-12T08:00:00Z",
    }
    with server.client() as http:
        assert http.post("/api/articles", json=article).status_code == 201
        assert wait_until(lambda: http.get("/api/search", params={"q": "دير الزور"}).json()["total"] == 1)

        answer = http.get("/api/search", params={"q": '"دير الزور"', "source": "سكاي نيوز عربيّة"}).json()
        assert answer["total"] == 1 and answer["warnings"] == []
        by_domain = http.get("/api/search", params={"q": "source:skynewsarabia.com"}).json()
        assert by_domain["total"] == 1
        listed = http.get("/api/articles", params={"source": "سكاى نيوز عربيه"}).json()
        assert listed["total"] == 1
        exported = http.get("/api/export", params={"q": "دير", "source": "سكاي نيوز"})
        assert exported.status_code == 200 and len(exported.text.strip().splitlines()) == 1

        unknown = http.get("/api/search", params={"q": "دير الزور", "source": "سكاي نيوس"}).json()
        assert unknown["total"] == 0 and unknown["suggestions"] == []
        [warning] = unknown["warnings"]
        assert warning["code"] == "unknown-source" and warning["suggestions"] == ["Sky News Arabia"]
        assert warning["value"] == "سكاي نيوس" and "«سكاي نيوس»" in warning["message_ar"]
        assert "Sky News Arabia" in warning["message_en"]

        page = http.get("/", params={"q": "دير الزور", "source": "سكاي نيوس"}).text
        assert 'class="notice error unknown-source"' in page and "«سكاي نيوس»" in page
        assert "?q=%D8%AF%D9%8A%D8%B1+%D8%A7%D9%84%D8%B2%D9%88%D8%B1&amp;source=Sky+News+Arabia" in page
        assert "unknown-source" not in http.get("/", params={"q": "دير", "source": "سكاي نيوز"}).text

        [sky] = http.get("/api/sources").json()
        assert sky["name"] == "Sky News Arabia" and sky["domain"] == "skynewsarabia.com"
        assert {"سكاي نيوز عربية", "skynewsarabia.com"} <= set(sky["aliases"])

        added = http.post(f"/api/sources/{sky['id']}/aliases", json={"alias": "سكاي العربية"})
        assert added.status_code == 201 and "سكاي العربية" in added.json()["aliases"]
        assert http.get("/api/search", params={"source": "سكاي العربيه"}).json()["total"] == 1
        assert http.post("/api/sources/999/aliases", json={"alias": "اسم"}).status_code == 404
        assert http.post(f"/api/sources/{sky['id']}/aliases", json={"alias": ""}).status_code == 422
        for bad in ("؟؟", "سكاي\x00نيوز"):  # nothing to compare by; a NUL (PostgreSQL cannot store it)
            refused = http.post(f"/api/sources/{sky['id']}/aliases", json={"alias": bad})
            assert refused.status_code == 400 and refused.json()["type"].endswith("invalid-alias")
        taken = http.post(f"/api/sources/{sky['id']}/aliases", json={"alias": "سكاي العربيّة"})
        assert taken.status_code == 201  # the same name again: nothing added, no error
        assert added.json()["aliases"] == taken.json()["aliases"]


def test_adding_an_alias_needs_a_write_key(data_dir) -> None:
    app = InProcessApp(data_dir, ARSHIF_API_KEYS="secret-key").start()
    try:
        with app.client() as http:
            assert http.post("/api/sources/1/aliases", json={"alias": "اسم"}).status_code == 401
    finally:
        app.stop()
