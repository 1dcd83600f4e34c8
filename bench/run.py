"""Arshif benchmark: ingest, search latency (in-process and HTTP), reference systems, analysis speed.

    .venv/bin/python bench/run.py --quick            # make bench-quick: ~5,000 articles, < 2 minutes
    .venv/bin/python bench/run.py                    # make bench: 69,841 articles + 1,000,000 scale-up
    .venv/bin/python bench/run.py --articles 20000 --scale-up 200000 --out /tmp/perf.md

Steps, all on this machine in one run, in temporary directories removed at the end:
  1. ingest the real corpus (../shared, read in place) end to end with `arshif ingest --json` into a
     fresh archive: articles/s, MB/s, database and index size, peak memory of the process tree;
     then search latency for a fixed query mix (bench/workload.py), in-process through SearchService
     and over HTTP against `arshif serve` on loopback with 1, 8 and 32 clients (bench/load.py);
  2. with --scale-up N: generate N recombined articles (bench/scaleup.py), ingest them the same way
     into the same archive, and measure search again on the larger archive;
  3. the same real records and mix through whoosh and SQLite FTS5 (bench/references.py);
  4. analysis throughput: service.analysis.analyze vs re.findall(r"\\w+") (bench/analysis_speed.py);
  5. for every target missed, a cProfile of the same work, summarized by where the time goes.
It prints a table and writes the report (default docs/performance.md) and raw figures (bench/out/).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]  # the bench modules, then the service package

import load
import measure
import references
import report
import workload
from workload import REPO

PYTHON = REPO / ".venv" / "bin" / "python"
ARSHIF = REPO / ".venv" / "bin" / "arshif"
CLIENTS = (1, 8, 32)
MIX_SAMPLE = 2000  # articles analyzed to pick the query words


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# -- steps ------------------------------------------------------------------------------------


def ingest(path: Path, data_dir: Path, input_bytes: int) -> dict:
    """`arshif db upgrade` then `arshif ingest --json path` into data_dir, memory sampled."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = load.clean_env(data_dir)
    subprocess.run([str(ARSHIF), "db", "upgrade"], env=env, check=True, capture_output=True, cwd=data_dir)
    with open(data_dir.parent / f"{data_dir.name}-ingest.log", "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(ARSHIF), "ingest", "--json", str(path)],
            env=env,
            cwd=data_dir,
            stdout=subprocess.PIPE,
            stderr=err,
            start_new_session=True,
        )
        try:
            with measure.TreeMemory(proc.pid) as memory:
                out, _ = proc.communicate()
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its indexer process, nothing else
            proc.wait()
            raise
        wall = time.perf_counter() - started
    if proc.returncode != 0:
        tail = Path(err.name).read_text(errors="replace")[-3000:]
        raise RuntimeError(f"arshif ingest failed ({proc.returncode}):\n{tail}")
    summary = json.loads(out.decode().strip().splitlines()[-1])
    db_bytes = sum(measure.du(p) for p in data_dir.glob("archive.db*"))
    return {
        "records": summary["records"],
        "added": summary["added"],
        "duplicates": summary["duplicates"],
        "failed": summary["failed"],
        "wall_s": wall,
        "cli_s": summary["seconds"],
        "input_bytes": input_bytes,
        "articles_per_s": summary["records"] / wall,
        "mb_per_s": input_bytes / 1e6 / wall,
        "db_bytes": db_bytes,
        "index_bytes": measure.du(data_dir / "index"),
        "peak_rss_single": memory.peak_single,
        "peak_rss_sum": memory.peak_sum,
        "processes": len(memory.hwm),
    }


def search_inprocess(data_dir: Path, mix: list, passes: int) -> dict:
    from service.archive import Archive
    from service.search.engine import SearchService
    from service.settings import Settings

    archive = Archive(Settings(data_dir=data_dir, database_url=None))
    try:
        return load.time_inprocess(SearchService(archive), mix, passes)
    finally:
        archive.close()


def search_http(
    data_dir: Path, mix: list, max_requests: int, max_seconds: float, workers: int | None = None
) -> dict:
    out: dict = {"levels": [], "workers": workers or os.cpu_count() or 1}
    with load.serve(data_dir, data_dir.parent / f"{data_dir.name}-serve.log", workers) as server:
        out["ready_rss"] = server.memory()
        workers = out["workers"]
        load.run_load(server.url, mix, 1, min(len(mix), 100), max_seconds)  # warm-up, not reported
        for clients in CLIENTS:
            level = load.run_load(server.url, mix, clients, max_requests, max_seconds, server.proc.pid)
            log(
                f"  HTTP {clients:>2} clients, {workers} worker(s): {level['requests']} requests, {level['rps']:.1f} req/s, "
                f"p50 {level['all']['p50']:.1f} ms, p95 {level['all']['p95']:.1f} ms; CPU: server "
                f"{level['server_cores']:.2f}, load generator {level['client_cores']:.2f} cores"
            )
            out["levels"].append(level)
        out["rss"] = server.memory()
    return out


def run_references(records: list[dict], mix: list, tmp: Path, args: argparse.Namespace) -> dict:
    out = {}
    cap = min(len(records), args.whoosh_docs)
    spread = [
        records[i * len(records) // cap] for i in range(cap)
    ]  # evenly over the corpus (ordered by outlet)
    random.Random(8).shuffle(spread)  # so that a time-capped prefix is still spread over outlets and years
    for system, subset, budget, passes in (
        (references.Fts5(tmp / "fts5.db"), records, None, args.passes),
        (references.Whoosh(tmp / "whoosh"), spread, args.whoosh_budget, 1),
    ):
        log(f"{system.name}: indexing {len(subset):,} articles")
        built = system.build(subset, budget)
        log(
            f"{system.name}: {built['docs']:,} indexed in {built['index_s'] + built['analyze_s']:.1f} s; querying"
        )
        timing = load.time_calls(lambda q, s=system: s.search(q)[0], mix, passes)
        system.close()
        out[system.name] = built | {
            "search": timing,
            "articles_per_s": built["docs"] / built["index_s"],
            "articles_per_s_with_analysis": built["docs"] / (built["index_s"] + built["analyze_s"]),
        }
    return out


def analysis_throughput(records: list[dict], repeat: int) -> dict:
    """The measurement of bench/analysis_speed.py, on this run's sample of articles."""
    import analysis_speed

    texts = [t for r in records for t in (r.get("title"), r.get("body")) if t]
    return {"articles": len(records)} | analysis_speed.measure(texts, repeat)


def profile_ingest(records_path: Path, tmp: Path) -> dict:
    """The ingest work of `arshif ingest` in ONE process (index synced after each batch instead of in a
    second process), under cProfile: where the CPU time of storing + indexing goes."""
    from service.archive import Archive
    from service.ingest.pipeline import ingest as run
    from service.ingest.run import records
    from service.settings import Settings

    data_dir = tmp / "profile-ingest"
    data_dir.mkdir()
    archive = Archive(Settings(data_dir=data_dir, database_url=None))
    archive.upgrade()
    stream = records([records_path], lambda n: None)
    try:
        run(
            archive, itertools.islice(stream, 50), sync_each_batch=True
        )  # imports and first-use set-up, unprofiled
        summary, stats = measure.profile_call(run, archive, stream, sync_each_batch=True)
    finally:
        archive.close()
    return {"articles": summary.records, "seconds": summary.seconds} | measure.profile_summary(stats)


def profile_search(data_dir: Path, mix: list) -> dict:
    from service.archive import Archive
    from service.search.engine import SearchService
    from service.settings import Settings

    archive = Archive(Settings(data_dir=data_dir, database_url=None))
    service = SearchService(archive)
    try:
        for q in mix:  # warm, as in the timed runs
            service.search(load.request_of(q))
        _, stats = measure.profile_call(lambda: [service.search(load.request_of(q)) for q in mix])
    finally:
        archive.close()
    return {"queries": len(mix)} | measure.profile_summary(stats)


# -- the run ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="~5,000 articles, no scale-up, short load runs")
    parser.add_argument(
        "--articles",
        type=int,
        help="real articles to ingest (every k-th of the corpus; default all, quick 5000)",
    )
    parser.add_argument(
        "--scale-up", type=int, help="synthetic articles to generate and ingest (default 1,000,000; quick 0)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument("--whoosh-docs", type=int, help="cap on whoosh's index (default 20,000; quick 1,500)")
    parser.add_argument(
        "--whoosh-budget", type=float, help="seconds whoosh may spend indexing (default 240; quick 15)"
    )
    parser.add_argument(
        "--http-seconds", type=float, help="wall-clock bound per HTTP load level (default 30; quick 6)"
    )
    parser.add_argument(
        "--http-requests", type=int, help="request bound per HTTP load level (default 3000; quick 400)"
    )
    parser.add_argument(
        "--passes", type=int, help="timed passes over the query mix in-process (default 3; quick 1)"
    )
    parser.add_argument(
        "--serve-workers",
        default="",
        help="`arshif serve --workers` values, comma-separated: the first is the one the targets are judged "
        "on, the others are measured beside it (e.g. 1,2); default: the server `make run` starts (one "
        "worker per core)",
    )
    parser.add_argument("--no-profile", action="store_true", help="skip the profiles of missed targets")
    parser.add_argument(
        "--from-results",
        type=Path,
        help="measure nothing: write the report again from a run's raw figures (bench/out/results-*.json)",
    )
    parser.add_argument(
        "--note", default="", help="a sentence for the report: why this configuration, what else ran"
    )
    args = parser.parse_args()
    quick = args.quick
    defaults = {
        "articles": 5000 if quick else workload.CORPUS_SIZE,
        "scale_up": 0 if quick else 1_000_000,
        "whoosh_docs": 1500 if quick else 20_000,
        "whoosh_budget": 15 if quick else 240,
        "http_seconds": 6 if quick else 30,
        "http_requests": 400 if quick else 3000,
        "passes": 1 if quick else 3,
    }
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.serve_workers = [int(w) for w in str(args.serve_workers).split(",") if w.strip()] or [None]
    args.command = shlex.join(["bench/run.py", *sys.argv[1:]])
    return args


def search_both(results: dict, name: str, data_dir: Path, mix: list, args: argparse.Namespace) -> None:
    log(f"in-process search on {name}: {len(mix)} queries × {args.passes}")
    results["inprocess"][name] = search_inprocess(data_dir, mix, args.passes)
    r = results["inprocess"][name]["all"]
    log(f"  p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms")
    first, *more = args.serve_workers
    log(f"HTTP search on {name}")
    results["http"][name] = search_http(data_dir, mix, args.http_requests, args.http_seconds, first)
    for workers in more:
        results.setdefault("http_workers", {}).setdefault(name, []).append(
            search_http(data_dir, mix, args.http_requests, args.http_seconds, workers)
        )


def rewrite_report(raw: Path, out: Path) -> None:
    """The report of a finished run, its targets judged again (after a change to report.py)."""
    results = json.loads(raw.read_text(encoding="utf-8"))
    results["targets"] = report.targets(results)
    print(report.table(results))
    out.write_text(report.markdown(results), encoding="utf-8")
    raw.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    log(f"wrote {out} from {raw}")


def main() -> None:
    args = parse_args()
    if args.from_results:
        rewrite_report(args.from_results, args.out)
        return
    results: dict = {
        "command": args.command,
        "mode": "quick" if args.quick else "full",
        "machine": measure.machine(),
        "load_start": measure.loadavg(),
        "args": {k: str(v) for k, v in vars(args).items()},
        "inprocess": {},
        "http": {},
        "ingest": {},
        "size": {},
    }
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="arshif-bench-"))
    archive_dir = tmp / "archive"
    try:
        # 1. the real corpus
        log(f"reading the corpus ({args.articles:,} articles requested) from {workload.NEWS}")
        lines = list(workload.iter_lines(args.articles))
        records = [json.loads(line) for line in lines]
        real_bytes = sum(map(len, lines))
        del lines
        if len(records) >= workload.CORPUS_SIZE:
            source = workload.NEWS  # the .xz as published, read in place
        else:
            source = tmp / "real.jsonl"
            workload.write_subset(source, args.articles)
        results["real"] = {
            "articles": len(records),
            "stride": workload.stride_for(args.articles),
            "bytes": real_bytes,
        }
        log(f"ingesting {len(records):,} real articles")
        results["ingest"]["real"] = ingest(source, archive_dir, real_bytes)
        results["size"]["real"] = results["ingest"]["real"]["added"]
        log(
            "  {records:,} articles in {wall_s:.1f} s: {articles_per_s:.0f} articles/s".format(
                **results["ingest"]["real"]
            )
        )
        if source != workload.NEWS:
            source.unlink()

        # the query mix, then search on the real corpus
        sample = records[:: max(1, -(-len(records) // MIX_SAMPLE))]
        mix, results["mix"] = workload.build_mix(sample, indexed=len(records))
        results["mix"]["queries"] = len(mix)
        results["mix"]["kinds"] = {k: sum(q.kind == k for q in mix) for k in workload.MIX}
        results["mix"]["examples"] = {
            k: next(q.q for q in mix if q.kind == k) for k in workload.MIX if any(q.kind == k for q in mix)
        }
        search_both(results, "real", archive_dir, mix, args)

        # 2. the scale-up corpus, added to the same archive, then search again
        if args.scale_up:
            log(f"generating {args.scale_up:,} scale-up articles")
            path = tmp / "scaleup.jsonl"
            gen = subprocess.run(
                [
                    str(PYTHON),
                    str(BENCH / "scaleup.py"),
                    "--n",
                    str(args.scale_up),
                    "--out",
                    str(path),
                    "--json",
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            results["scaleup"] = json.loads(gen.stdout)
            log(f"ingesting {args.scale_up:,} scale-up articles into the same archive")
            results["ingest"]["scaleup"] = ingest(path, archive_dir, results["scaleup"]["bytes"])
            results["size"]["scaleup"] = results["size"]["real"] + results["ingest"]["scaleup"]["added"]
            log(
                "  {records:,} articles in {wall_s:.1f} s: {articles_per_s:.0f} articles/s".format(
                    **results["ingest"]["scaleup"]
                )
            )
            path.unlink()
            search_both(results, "scaleup", archive_dir, mix, args)

        # 3. references, 4. analysis
        results["references"] = run_references(records, mix, tmp, args)
        log("analysis throughput")
        results["analysis"] = analysis_throughput(sample, repeat=2)

        # 5. targets and profiles
        results["targets"] = report.targets(results)
        if not args.no_profile:
            results["profiles"] = {}
            missed = {t["key"] for t in results["targets"] if t["status"] != "met"}
            if missed & {"ingest", "ingest_fts5", "ingest_1m"}:
                log("profiling ingest (one process, cProfile)")
                subset = tmp / "profile.jsonl"
                workload.write_subset(subset, 500 if args.quick else 2000)
                results["profiles"]["ingest"] = profile_ingest(subset, tmp)
            if missed & {"search_p50", "search_p95", "search_1m", "http_p95", "http_rps"}:
                log("profiling search (in-process, cProfile)")
                results["profiles"]["search"] = profile_search(archive_dir, mix)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    results["load_end"] = measure.loadavg()

    print(report.table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report.markdown(results), encoding="utf-8")
    raw = BENCH / "out" / f"results-{results['mode']}.json"
    raw.parent.mkdir(exist_ok=True)
    raw.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    log(f"wrote {args.out} and {raw} ({results['seconds']:.0f} s in all)")


if __name__ == "__main__":
    main()
