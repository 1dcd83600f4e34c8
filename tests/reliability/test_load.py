"""A bounded open-loop load on loopback: the server keeps a target rate with zero errors.

`make soak` runs the same with a longer duration and a higher rate (ARSHIF_LOAD_SECONDS,
ARSHIF_LOAD_RATE); docs/reliability.md records a run."""

import itertools
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import NEWS, needs_shared, run_cli, write_news

pytestmark = needs_shared(NEWS)
RATE = float(os.environ.get("ARSHIF_LOAD_RATE", "25"))  # requests per second, offered whatever the answers do
SECONDS = float(os.environ.get("ARSHIF_LOAD_SECONDS", "8"))
MIX = [
    {"q": "سوريا"},
    {"q": "النفط الأسعار"},
    {"q": '"الأمم المتحدة"'},
    {"q": "ترمب", "facets": "true"},
    {"q": "الانتخابات", "histogram": "month"},
    {"q": "كرة القدم", "sort": "newest"},
    {"q": "بوتين OR روسيا"},
    {"q": "الاقتصاد", "offset": "40"},
]


def test_server_holds_its_rate_without_errors(server, tmp_path: Path) -> None:
    source = write_news(tmp_path / "news.jsonl", 2000)
    run_cli(server.data_dir, "ingest", str(source), "--no-progress").check_returncode()
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    local = threading.local()

    def one(params: dict[str, str]) -> None:
        if not hasattr(local, "http"):
            local.http = httpx.Client(base_url=server.url, timeout=10)
        started = time.perf_counter()
        try:
            response = local.http.get("/api/search", params=params)
            ok = response.status_code == 200
            detail = f"{response.status_code}"
        except httpx.HTTPError as exc:
            ok, detail = False, type(exc).__name__
        with lock:
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors.append(detail)

    total = int(RATE * SECONDS)
    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for i, params in zip(range(total), itertools.cycle(MIX)):
            delay = begin + i / RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, params)
    elapsed = time.perf_counter() - begin
    assert not errors, errors[:5]
    assert len(latencies) == total
    achieved = total / elapsed
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    print(
        f"offered {RATE:.0f}/s for {SECONDS:.0f}s: {total} requests, achieved {achieved:.1f}/s, "
        f"p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {p95:.1f} ms, errors 0"
    )
    assert achieved >= RATE * 0.9
