"""Ingest while 8 clients search and 2 write through the API: no request fails, nothing is locked out,
and a new article is searchable within a second of its commit."""

import subprocess
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import ARSHIF, NEWS, env_for, needs_shared, write_news

pytestmark = needs_shared(NEWS)
QUERIES = [
    "سوريا",
    "النفط",
    "ترامب",
    "كرة القدم",
    '"الأمم المتحدة"',
    "الانتخابات",
    "بوتين OR روسيا",
    "الاقتصاد -النفط",
]


def test_ingest_search_and_write_at_once(server, tmp_path: Path) -> None:
    source = write_news(tmp_path / "news.jsonl", 3000)
    ingest = subprocess.Popen(
        [ARSHIF, "ingest", str(source), "--no-progress"],
        env=env_for(server.data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    failures: list[str] = []
    visibility: list[float] = []
    stop = threading.Event()

    def searcher(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            i = 0
            while not stop.is_set():
                response = http.get(
                    "/api/search", params={"q": QUERIES[(n + i) % len(QUERIES)], "facets": "true"}
                )
                if response.status_code != 200:
                    failures.append(f"search {response.status_code}: {response.text[:200]}")
                i += 1

    def writer(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for i in range(15):
                marker = f"وسمفريد{n}x{i}"
                body = {
                    "title": f"خبر {marker}",
                    "body": f"نص تجريبي يحمل الكلمة {marker} للتأكد من ظهوره سريعا.",
                    "source": f"كاتب {n}",
                    "external_id": f"w{n}-{i}",
                }
                response = http.post("/api/articles", json=body)
                if response.status_code != 201:
                    failures.append(f"write {response.status_code}: {response.text[:200]}")
                    continue
                committed = time.monotonic()
                while time.monotonic() - committed < 10:
                    if http.get("/api/search", params={"q": marker}).json()["total"] == 1:
                        visibility.append(time.monotonic() - committed)
                        break
                    time.sleep(0.02)
                else:
                    failures.append(f"{marker} not searchable after 10 s")

    threads = [threading.Thread(target=searcher, args=(n,)) for n in range(8)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads[8:]:
        t.join()
    ingest_error = ingest.communicate(timeout=600)[1].decode()
    stop.set()
    for t in threads[:8]:
        t.join()
    assert ingest.returncode == 0, ingest_error
    assert "locked" not in ingest_error
    print("seconds to searchable:", sorted(round(v, 2) for v in visibility))
    assert not failures, failures[:5]
    assert len(visibility) == 30
    # Half within a second even while a bulk ingest saturates both cores; none later than 10 s (above).
    # The tail comes from the ingest's indexer batches; see docs/reliability.md.
    assert sorted(visibility)[len(visibility) // 2] < 1.0, visibility
