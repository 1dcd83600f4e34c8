"""`arshif serve` with several worker processes: what one process used to answer alone (metrics,
cursors) is the server's answer, whichever worker a request reaches."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Server, wait_until


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


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_end_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    """SIGKILL (the OOM killer) gives the supervisor no chance to stop its workers: they end with it
    instead of serving on alone and holding the index writer lock."""
    server = Server(tmp_path / "var", workers=2).start()
    assert server.process is not None
    workers = [
        p for p in _children(server.process.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()
    ]
    assert len(workers) == 2
    server.process.kill()
    server.process.wait()
    assert wait_until(lambda: not any(_alive(p) for p in workers), timeout=15)
