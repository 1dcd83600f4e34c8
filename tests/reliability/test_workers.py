"""`arshif serve` with several worker processes: what one process used to answer alone (metrics,
cursors) is the server's answer, whichever worker a request reaches."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Server


def _search_requests(metrics_text: str) -> float:
    for family in text_string_to_metric_families(metrics_text):
        if family.name == "arshif_http_requests":
            return sum(
                s.value
                for s in family.samples
                if s.name.endswith("_total") and s.labels.get("route") == "/api/search"
            )
    return 0.0


def test_metrics_count_every_workers_requests(tmp_path: Path) -> None:
    server = Server(tmp_path / "var", workers=2).start()
    try:
        article = {
            "title": "خبر للعد",
            "body": "اجتمع المجلس المحلي في دير الزور لبحث الخدمات.",
            "source": "عدّاد",
        }
        assert httpx.post(server.url + "/api/articles", json=article).status_code == 201
        for _ in range(12):  # a new connection each time: the kernel hands them to either worker
            assert httpx.get(server.url + "/api/search", params={"q": "الزور"}).status_code == 200
        scrapes = [_search_requests(httpx.get(server.url + "/metrics").text) for _ in range(6)]
        assert scrapes == [12.0] * 6, scrapes
    finally:
        server.stop()
