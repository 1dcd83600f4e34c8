"""Liveness, readiness, docs served without a CDN: the app in-process (tests/reliability start real servers)."""


def test_health_and_readiness(shared_app) -> None:
    server = shared_app
    with server.client() as http:
        assert http.get("/healthz").json() == {"status": "ok"}
        ready = http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "index": "ok", "indexer": "ok"}


def test_openapi_and_offline_docs(shared_app) -> None:
    server = shared_app
    with server.client() as http:
        schema = http.get("/openapi.json").json()
        assert "/api/search" in schema["paths"]
        docs = http.get("/docs")
        assert docs.status_code == 200
        assert "/docs/static/swagger-ui-bundle.js" in docs.text
        assert "cdn" not in docs.text.lower()
        assert http.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_unknown_path_is_problem_json(shared_app) -> None:
    server = shared_app
    with server.client() as http:
        response = http.get("/api/nothing-here")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail_ar"]
