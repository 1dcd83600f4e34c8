"""Two search nodes, each with its own data directory and index, sharing one real PostgreSQL.

What one node stores, the other finds; concurrent writers on both never store an article twice; a
node killed with SIGKILL catches up when it comes back; a new node builds its index and follows.
"""

from __future__ import annotations

import json
import lzma
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from service.db.outbox import LISTENER_NAME, libpq_conninfo
from tests.conftest import ARSHIF, NEWS, Server, env_for, needs_shared, wait_until, write_news


def start_nodes(root: Path, url: str) -> tuple[Server, Server]:
    return (
        Server(root / "node-a" / "var", ARSHIF_DATABASE_URL=url).start(),
        Server(root / "node-b" / "var", ARSHIF_DATABASE_URL=url).start(),
    )


@pytest.fixture(scope="module")
def shared_nodes(tmp_path_factory: pytest.TempPathFactory, postgres) -> Iterator[tuple[Server, Server]]:
    """Two nodes for the tests that only look at what they wrote themselves (a server starts in seconds)."""
    pair = start_nodes(tmp_path_factory.mktemp("nodes"), postgres.create_database())
    yield pair
    for node in pair:
        node.stop()


@pytest.fixture
def nodes(tmp_path: Path, pg_url: str) -> Iterator[tuple[Server, Server]]:
    pair = start_nodes(tmp_path, pg_url)
    yield pair
    for node in pair:
        node.stop()


def total(node: Server, query: str) -> int:
    return httpx.get(node.url + "/api/search", params={"q": query}, timeout=30).json()[
        "total_unfolded"
    ]  # articles, near-copies included


def stats(node: Server) -> dict:
    return httpx.get(node.url + "/api/stats", timeout=30).json()


def news_records(count: int) -> list[dict]:
    with lzma.open(NEWS, "rt", encoding="utf-8") as corpus:
        return [json.loads(line) for _, line in zip(range(count), corpus)]


def as_article(record: dict) -> dict:
    """A corpus record in the API's shape."""
    return {
        "title": record.get("title"),
        "body": record["body"],
        "source": record.get("source"),
        "url": record.get("url"),
        "external_id": record.get("id"),
    }


def test_written_through_one_node_found_through_the_other(shared_nodes: tuple[Server, Server]) -> None:
    a, b = shared_nodes
    seconds: list[float] = []
    with a.client() as http:
        for i in range(5):
            marker = f"عقدةثانية{i}"
            body = {
                "title": f"اشتباكات في دير الزور {marker}",
                "body": f"تجددت الاشتباكات في ريف دير الزور الشرقي {marker}.",
                "source": "مراسل",
                "external_id": f"node-a-{i}",
            }
            assert http.post("/api/articles", json=body).status_code == 201
            written = time.monotonic()
            assert wait_until(lambda marker=marker: total(b, marker) == 1, timeout=10, interval=0.02), (
                f"{marker} never reached node b"
            )
            seconds.append(time.monotonic() - written)
    print("write on a → searchable on b, seconds:", [round(s, 3) for s in seconds])
    assert statistics.median(seconds) < 1.0, seconds
    assert stats(b)["change_feed"] == "listen"

    # Spelling variants, deletes and synonyms cross over too.
    assert total(b, "ديرالزور عقدةثانية*") == 5
    article_id = httpx.get(a.url + "/api/search", params={"q": "عقدةثانية0"}).json()["hits"][0]["id"]
    assert httpx.delete(f"{b.url}/api/articles/{article_id}").status_code == 204
    assert wait_until(lambda: total(a, "عقدةثانية0") == 0, timeout=10)
    assert (
        httpx.post(b.url + "/api/synonyms", json={"terms": ["عقدةثانية1", "الوسمالبديل"]}).status_code == 201
    )
    assert wait_until(lambda: total(a, "الوسمالبديل") == 1, timeout=10)

    assert total(a, "عقدةثانية*") == total(b, "عقدةثانية*") == 4
    for node in shared_nodes:
        current = stats(node)
        assert current["database"] == "postgresql"
        assert current["articles"] == current["indexed_documents"]
        assert current["index_lag"]["pending_changes"] == 0
        assert "arshif_index_lag_changes 0.0" in httpx.get(node.url + "/metrics").text


@needs_shared(NEWS)
def test_the_same_articles_written_on_both_nodes_at_once_are_stored_once(
    shared_nodes: tuple[Server, Server],
) -> None:
    nodes = shared_nodes
    records = [as_article(r) for r in news_records(300)]
    before = stats(nodes[0])["articles"]
    outcomes: dict[str, list[str]] = {}

    def post_all(node: Server, order: int) -> None:
        """Node a posts from the start, node b from the end: they meet, and race, in the middle."""
        batches = [records[start : start + 25] for start in range(0, len(records), 25)][::order]
        with node.client() as http:
            for batch in batches:
                response = http.post("/api/articles", json=batch)
                assert response.status_code == 201, response.text
                for result in response.json()["results"]:
                    outcomes.setdefault(node.url, []).append(result.get("outcome", "rejected"))

    threads = [threading.Thread(target=post_all, args=(node, order)) for node, order in zip(nodes, (1, -1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    added = sum(o == "added" for results in outcomes.values() for o in results)
    a, b = nodes
    stored = stats(a)["articles"] - before
    print("outcomes per node:", {url: {o: r.count(o) for o in set(r)} for url, r in outcomes.items()})
    assert stored == added, "every article was added by exactly one node"
    assert all(len(results) == len(records) for results in outcomes.values())
    assert 0 < stored <= len(records)
    assert wait_until(lambda: stats(b)["indexed_documents"] == stats(a)["articles"], timeout=30)


@needs_shared(NEWS)
def test_a_node_killed_mid_stream_catches_up_and_a_new_node_joins(
    nodes: tuple[Server, Server], tmp_path: Path, pg_url: str
) -> None:
    a, b = nodes
    source = write_news(tmp_path / "news.jsonl", 1000)
    # A bulk ingest through node a's data directory, while node b follows and is killed twice.
    ingest = subprocess.Popen(
        [ARSHIF, "ingest", str(source), "--no-progress"],
        env=env_for(a.data_dir, ARSHIF_DATABASE_URL=pg_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(2):
        assert wait_until(
            lambda b=b: stats(b)["indexed_documents"] > 0 or ingest.poll() is not None, timeout=120
        )
        time.sleep(0.5)
        assert b.process is not None
        b.process.kill()  # SIGKILL: the indexer thread dies wherever it was
        b.process.wait()
        b = Server(b.data_dir, ARSHIF_DATABASE_URL=pg_url).start()
    assert ingest.wait(timeout=600) == 0, ingest.stderr.read().decode() if ingest.stderr else ""
    newcomer = Server(tmp_path / "node-c" / "var", ARSHIF_DATABASE_URL=pg_url).start()
    try:
        stored = stats(a)["articles"]
        assert stored > 900
        for node in (b, newcomer):
            caught_up = wait_until(
                lambda node=node: (
                    (s := stats(node))["indexed_documents"] == stored
                    and s["index_lag"]["pending_changes"] == 0
                ),
                timeout=60,
            )
            assert caught_up, stats(node)
        assert total(b, "سوريا") == total(newcomer, "سوريا") == total(a, "سوريا") > 0
    finally:
        newcomer.stop()
        b.stop()


def test_a_lost_notification_connection_falls_back_to_polling_and_reconnects(
    shared_nodes: tuple[Server, Server],
) -> None:
    a, b = shared_nodes
    assert wait_until(lambda: stats(b)["change_feed"] == "listen", timeout=10)
    with psycopg.connect(libpq_conninfo(a.env["ARSHIF_DATABASE_URL"]), autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s AND datname = current_database()",
            [LISTENER_NAME],
        ).fetchone()
    assert killed and killed[0] == 2 * (
        os.cpu_count() or 1
    )  # one per worker process (one per core), each node
    body = {
        "title": "خبر بعد انقطاع الإشعارات",
        "body": "وصل هذا الخبر إلى العقدة الثانية عبر الاستطلاع الدوري وسمانقطاع.",
    }
    assert httpx.post(a.url + "/api/articles", json=body).status_code == 201
    assert wait_until(lambda: total(b, "وسمانقطاع") == 1, timeout=10)
    assert wait_until(lambda: stats(b)["change_feed"] == "listen", timeout=15), (
        "the node reconnects its LISTEN"
    )


def test_database_trouble_is_a_clear_answer_not_a_crash(tmp_path: Path, pg_url: str, postgres) -> None:
    node = Server(tmp_path / "var", ARSHIF_DATABASE_URL=pg_url).start()
    try:
        # PostgreSQL refuses NUL characters that SQLite would compare: a 400, not a 500.
        refused = httpx.get(node.url + "/api/articles", params={"source": "بلدي\x00نيوز"})
        assert refused.status_code == 400 and refused.json()["title"] == "invalid-value"
        with psycopg.connect(postgres.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{pg_url.rsplit("/", 1)[1]}" WITH (FORCE)')
        down = httpx.get(node.url + "/api/articles")
        assert down.status_code == 503 and down.headers["retry-after"]
        assert down.json()["detail_ar"].startswith("قاعدة البيانات غير متاحة")
    finally:
        node.stop()
