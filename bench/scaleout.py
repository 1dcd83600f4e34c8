"""Scale-out on PostgreSQL, measured against the embedded SQLite in the same run.

    .venv/bin/python bench/scaleout.py --records 20000 --out bench/out/scaleout.md

1. `arshif ingest` of the same real articles into SQLite and into PostgreSQL (articles/s);
2. two ingests at once, through two nodes, of the two halves of as many other articles (articles/s
   in all; both nodes run on this machine's two cores and each indexes everything);
3. a new node joining: from an empty data directory to ready (its index built from PostgreSQL);
4. write on node a → searchable on node b (p50, p95), and on one SQLite node for reference.

PostgreSQL runs as a throw-away cluster of Debian's server on loopback (tests/postgres.py), with
fsync off like the tests: the figures are about Arshif's work, not the disk's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]  # the bench modules, then the service package and tests

from measure import summary_ms

from tests.conftest import ARSHIF, Server, env_for, write_news
from tests.postgres import PostgresServer


def timed_ingest(data_dir: Path, files: list[Path], **env: str) -> tuple[float, int]:
    """Run one `arshif ingest` per file at once; returns (seconds, articles added in all)."""
    started = time.perf_counter()
    runs = [
        subprocess.Popen(
            [ARSHIF, "ingest", str(f), "--no-progress", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env_for(data_dir / f"n{i}", **env),
        )
        for i, f in enumerate(files)
    ]
    added = 0
    for run in runs:
        out, err = run.communicate()
        if run.returncode != 0:
            raise RuntimeError(err.decode()[-2000:])
        added += json.loads(out)["added"]
    return time.perf_counter() - started, added


def visibility(writer: Server, reader: Server, count: int, tag: str) -> list[float]:
    seconds = []
    with httpx.Client(timeout=30) as http:
        for i in range(count):
            marker = f"علامة{tag}{i}"
            body = {
                "title": f"خبر {marker}",
                "body": f"نص قصير يحمل {marker} للقياس.",
                "external_id": f"{tag}-{i}",
            }
            assert http.post(writer.url + "/api/articles", json=body).status_code == 201
            written = time.perf_counter()
            while http.get(reader.url + "/api/search", params={"q": marker}).json()["total"] != 1:
                time.sleep(0.005)
            seconds.append(time.perf_counter() - written)
    return seconds


class Rows(list):
    """The report's rows, printed as they are measured (a long run shows its progress)."""

    def append(self, row: tuple[str, str]) -> None:
        print(f"| {row[0]} | {row[1]} |", flush=True)
        super().append(row)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("bench/out/scaleout.md"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="arshif-scaleout-"))
    first = write_news(work / "first.jsonl", args.records)
    half = args.records // 2
    halves = [write_news(work / f"half{i}.jsonl", half, start=args.records + i * half) for i in range(2)]
    postgres = PostgresServer().start()
    rows = Rows()
    try:
        pg_url = postgres.create_database()
        lite_dir, pg_dir = work / "sqlite", work / "pg"
        for data_dir, env in ((lite_dir, {}), (pg_dir, {"ARSHIF_DATABASE_URL": pg_url})):
            subprocess.run([ARSHIF, "db", "upgrade"], env=env_for(data_dir / "n0", **env), check=True)
        lite_s, lite_n = timed_ingest(lite_dir, [first])
        pg_s, pg_n = timed_ingest(pg_dir, [first], ARSHIF_DATABASE_URL=pg_url)
        rows.append(
            (
                "ingest, one node, SQLite",
                f"{lite_n:,} articles in {lite_s:.1f} s = {lite_n / lite_s:.0f} articles/s",
            )
        )
        ratio = (pg_n / pg_s) / (lite_n / lite_s)
        rows.append(
            (
                "ingest, one node, PostgreSQL",
                f"{pg_n:,} articles in {pg_s:.1f} s = {pg_n / pg_s:.0f} articles/s (×{ratio:.2f} of SQLite)",
            )
        )
        # Into an empty database of its own, like the single-node run; each of the two nodes indexes
        # everything (its own half and the other's), and here both share the same two cores.
        pair_url = postgres.create_database()
        subprocess.run(
            [ARSHIF, "db", "upgrade"],
            env=env_for(work / "pair" / "n0", ARSHIF_DATABASE_URL=pair_url),
            check=True,
        )
        both_s, both_n = timed_ingest(work / "pair", halves, ARSHIF_DATABASE_URL=pair_url)
        rows.append(
            (
                "ingest, two nodes at once on this one machine, PostgreSQL",
                f"{both_n:,} articles in {both_s:.1f} s = {both_n / both_s:.0f} articles/s",
            )
        )

        started = time.perf_counter()
        node_b = Server(work / "node-b" / "var", ARSHIF_DATABASE_URL=pg_url).start(ready_within=3600)
        joined = time.perf_counter() - started
        total = httpx.get(node_b.url + "/api/stats").json()["indexed_documents"]
        rows.append(("a new node joins (empty data dir → ready)", f"{joined:.1f} s for {total:,} articles"))
        node_a = Server(pg_dir / "n0", ARSHIF_DATABASE_URL=pg_url).start()
        cross = visibility(node_a, node_b, args.writes, "pg")
        node_a.stop()
        node_b.stop()
        lite = Server(lite_dir / "n0").start()
        same = visibility(lite, lite, args.writes, "lite")
        lite.stop()
        for label, values in (
            ("write on a → found on b (PostgreSQL, two nodes)", cross),
            ("write → found, one SQLite node (reference)", same),
        ):
            ms = summary_ms(values)
            rows.append(
                (
                    label,
                    f"p50 {ms['p50']:.0f} ms, p95 {ms['p95']:.0f} ms, max {ms['max']:.0f} ms over {ms['n']} writes",
                )
            )
    finally:
        postgres.stop()
    run = f"`bench/scaleout.py --records {args.records}`, {time.strftime('%Y-%m-%d %H:%M')}, 2 cores shared by every process of the run."
    report = [
        "# Scale-out on PostgreSQL — measured",
        "",
        run,
        "",
        "| measure | result |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows),
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(report), encoding="utf-8")
    print("\n".join(report))


if __name__ == "__main__":
    main()
