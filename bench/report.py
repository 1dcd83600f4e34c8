"""Targets, the printed table and docs/performance.md, all from the results of one run."""

from __future__ import annotations

import math

ONE_M = 1_000_000
README_FIGURES = (  # ../shared/README.md: same machine kind, pre-analyzed text, 69,841 articles, 2-word AND
    ("whoosh", "243", "68"),
    ("SQLite FTS5", "3,829", "22.5"),
    ("tantivy", "22,971", "0.7"),
)
KIND_NAMES = {
    "1w": "1 word",
    "2w": "2 words",
    "3w": "3 words",
    "phrase": "phrase",
    "filter": "source + month filter",
    "facets": "facets + histogram",
    "deep": "deep page (offset 500–1000)",
}


def mb(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB" if n < 2**30 else f"{n / 2**30:,.2f} GiB"


def ms(x: float | None) -> str:
    return (
        "—"
        if x is None or (isinstance(x, float) and math.isnan(x))
        else f"{x:,.1f}"
        if x < 100
        else f"{x:,.0f}"
    )


def times(a: float, b: float) -> str:
    """a ÷ b as '×N'."""
    if not b or math.isnan(a) or math.isnan(b):
        return "—"
    r = a / b
    return f"×{r:,.2f}" if r < 10 else f"×{r:,.0f}"


def _largest(results: dict) -> str:
    return "scaleup" if "scaleup" in results["ingest"] else "real"


def _level(results: dict, corpus: str, clients: int) -> dict | None:
    return next(
        (lv for lv in results["http"].get(corpus, {}).get("levels", []) if lv["clients"] == clients), None
    )


def targets(results: dict) -> list[dict]:
    """Each target of issue 17: what was measured, at what size, met or missed and by how much."""
    out = []
    real = results["ingest"]["real"]
    largest = _largest(results)
    big = results["ingest"][largest]
    n_big = results["size"][largest]
    scope_real = (
        "at 69,841 (all)" if real["records"] >= 69_000 else f"at {real['records']:,} articles (subset)"
    )
    scope_big = (
        f"at {n_big:,} articles" if n_big >= ONE_M else f"at {n_big:,} articles, not 1M: indicative only"
    )

    def add(key: str, target: str, measured: str, met: bool, by: str, scope: str) -> None:
        status = "met" if met else "missed"
        out.append(
            {"key": key, "target": target, "measured": measured, "status": status, "by": by, "scope": scope}
        )

    def at_most(
        key: str, target: str, value: float, limit: float, unit: str, scope: str, shown: str = ""
    ) -> None:
        add(
            key,
            target,
            shown or f"{ms(value)} {unit}",
            value <= limit,
            f"{limit - value:,.1f} {unit} to spare" if value <= limit else f"{value / limit:.1f}× over",
            scope,
        )

    def at_least(
        key: str, target: str, value: float, floor: float, unit: str, scope: str, shown: str = ""
    ) -> None:
        add(
            key,
            target,
            shown or f"{value:,.0f} {unit}",
            value >= floor,
            f"{value / floor:.2f}× the target" if value >= floor else f"{floor / value:.1f}× too slow",
            scope,
        )

    rate = real["articles_per_s"]
    fts5 = results.get("references", {}).get("sqlite-fts5", {}).get("articles_per_s")
    at_least("ingest", "ingest ≥ 2,000 articles/s end to end at 70k", rate, 2000, "articles/s", scope_real)
    if fts5:
        at_least(
            "ingest_fts5",
            "ingest ≥ 0.5× SQLite FTS5's insert rate, same run",
            rate / fts5,
            0.5,
            "×",
            scope_real,
            f"{rate / fts5:.2f}× ({rate:,.0f} against {fts5:,.0f} articles/s)",
        )

    if largest == "scaleup":
        minutes = big["wall_s"] / 60
        scope = f"measured: {big['records']:,} added to the real corpus"
        if big["records"] < ONE_M:
            minutes *= ONE_M / big["records"]
            scope += ", extrapolated linearly to 1M (optimistic)"
        at_most("ingest_1m", "1M articles ingested in < 10 min", minutes, 10, "min", scope)

    small = results["inprocess"]["real"]["all"]
    at_most("search_p50", "in-process search p50 ≤ 2 ms at 70k", small["p50"], 2, "ms", scope_real)
    at_most("search_p95", "in-process search p95 ≤ 6 ms at 70k", small["p95"], 6, "ms", scope_real)
    if largest == "scaleup":
        p95 = results["inprocess"][largest]["all"]["p95"]
        at_most("search_1m", "in-process search p95 ≤ 15 ms at 1M", p95, 15, "ms", scope_big)

    level = _level(results, largest, 8)
    if level:
        workers = results["http"][largest].get("workers", 1)
        scope = f"{scope_big}; `arshif serve` as `make run` starts it ({workers} workers)"
        at_most("http_p95", "HTTP, 8 clients: p95 ≤ 50 ms", level["all"]["p95"], 50, "ms", scope)
        at_least("http_rps", "HTTP, 8 clients: ≥ 300 req/s", level["rps"], 300, "req/s", scope)

    memory = results["http"].get(largest, {}).get("rss", {})
    if memory:
        hwm, pss = memory.get("VmHWM", 0), memory.get("Pss", 0)
        at_most(
            "rss",
            "serving 1M in ≤ 1 GB resident, all processes together",
            hwm / 2**20,
            1024,
            "MiB",
            scope_big + "; peak RSS summed over the server's processes, after the load runs",
            f"peak {mb(hwm)} summed; {mb(pss)} with shared index pages counted once, of which "
            f"{mb(memory.get('Pss_Anon', 0))} private",
        )

    analysis = results.get("analysis", {})
    if analysis.get("index_warm_wps"):
        at_least(
            "analysis_index",
            "analysis, index path ≥ 3 M words/s, one core",
            analysis["index_warm_wps"] / 1e6,
            3,
            "M words/s",
            "warm word cache",
            f"{analysis['index_warm_wps'] / 1e6:.2f} M words/s",
        )
    if analysis.get("analyze_warm_wps"):
        at_least(
            "analysis_offsets",
            "analysis with offsets (`analyze`) ≥ 1.5 M words/s",
            analysis["analyze_warm_wps"] / 1e6,
            1.5,
            "M words/s",
            "warm word cache",
            f"{analysis['analyze_warm_wps'] / 1e6:.2f} M words/s",
        )
    return out


# -- the printed table ------------------------------------------------------------------------


def table(results: dict) -> str:
    lines = [
        f"\nArshif benchmark ({results['mode']}) — {results['machine']['date']} — {results['command']}",
        "",
    ]
    lines.append(
        f"{'ingest':<10}{'articles':>10}{'s':>8}{'art/s':>8}{'MB/s':>7}{'db':>11}{'index':>11}{'peak RSS':>11}"
    )
    for name, r in results["ingest"].items():
        lines.append(
            f"{name:<10}{r['records']:>10,}{r['wall_s']:>8.1f}{r['articles_per_s']:>8,.0f}{r['mb_per_s']:>7.2f}"
            f"{mb(r['db_bytes']):>11}{mb(r['index_bytes']):>11}{mb(r['peak_rss_sum']):>11}"
        )
    lines += ["", f"{'search (ms)':<24}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}"]
    for name, r in results["inprocess"].items():
        lines.append(
            f"{name + ' in-process':<24}{'':>8}{ms(r['all']['p50']):>8}{ms(r['all']['p95']):>8}{ms(r['all']['p99']):>8}"
        )
        for lv in results["http"].get(name, {}).get("levels", []):
            lines.append(
                f"{name + ' HTTP ×' + str(lv['clients']):<24}{lv['rps']:>8.1f}{ms(lv['all']['p50']):>8}"
                f"{ms(lv['all']['p95']):>8}{ms(lv['all']['p99']):>8}"
            )
    arshif = results["inprocess"]["real"]
    ingest = results["ingest"]["real"]
    lines += [
        "",
        f"{'system':<14}{'docs':>8}{'index art/s':>12}{'p50':>8}{'p95':>8}   Arshif ÷ system: art/s, p50, p95",
    ]
    lines.append(
        f"{'arshif':<14}{ingest['records']:>8,}{ingest['articles_per_s']:>12,.0f}{ms(arshif['all']['p50']):>8}{ms(arshif['all']['p95']):>8}"
    )
    for name, r in results["references"].items():
        s = r["search"]["all"]
        lines.append(
            f"{name:<14}{r['docs']:>8,}{r['articles_per_s']:>12,.0f}{ms(s['p50']):>8}{ms(s['p95']):>8}   "
            f"{times(ingest['articles_per_s'], r['articles_per_s'])} {times(arshif['all']['p50'], s['p50'])} "
            f"{times(arshif['all']['p95'], s['p95'])}"
        )
    a = results["analysis"]
    lines += [
        "",
        (
            f"analysis: re.findall {a['regex_wps'] / 1e6:.2f} M words/s; index_terms cold "
            f"{a['index_cold_wps'] / 1e6:.2f}, warm {a['index_warm_wps'] / 1e6:.2f}; analyze cold "
            f"{a['analyze_cold_wps'] / 1e6:.2f}, warm {a['analyze_warm_wps'] / 1e6:.2f} M words/s"
        ),
        "",
    ]
    for t in results["targets"]:
        lines.append(f"{t['status'].upper():<7} {t['target']}: {t['measured']} — {t['by']} [{t['scope']}]")
    return "\n".join(lines) + "\n"


# -- docs/performance.md ----------------------------------------------------------------------


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _header(*cells: str) -> list[str]:
    return [_row(*cells), _row(*("---" for _ in cells))]


def markdown(results: dict) -> str:
    m, mode = results["machine"], results["mode"]
    real, mix = results["real"], results["mix"]
    out = [
        "# Performance",
        "",
        f"Generated by `{results['command'].strip()}` ({mode} mode) on {m['date']}; {results['seconds'] / 60:.1f} minutes "
        "in all. Do not edit by hand: rerun `make bench` (or `make bench-quick`) — the figures below are all from "
        "that one run on one machine. Raw figures: `bench/out/results-" + mode + ".json` (not committed).",
        "",
    ]
    if mode == "quick":
        out += [
            (
                "> **Quick mode**: a ~5,000-article subset, short load runs and a small whoosh index. These figures "
                "show the shape, not the targets' scale; `make bench` measures at 70k (and 1M)."
            ),
            "",
        ]
    out += ["## Machine", ""] + _header("", "")
    for key in (
        "cpu",
        "ram",
        "os",
        "python",
        "bytecode cache",
        "tantivy",
        "sqlite",
        "whoosh",
        "sqlalchemy",
        "fastapi",
        "uvicorn",
        "httpx",
    ):
        out.append(_row(key, m[key]))
    out += [
        "",
        (
            f"Load average (1/5/15 min) at the start {results['load_start']}, at the end {results['load_end']}. "
            "This is a shared 2-core machine: other processes (tests, other ingests) may have run during the "
            "measurement, so treat absolute figures as noisy and compare the ratios within this run."
        ),
        "",
    ]

    out += ["## Targets (issue 17)", ""] + _header("target", "measured", "status", "by how much", "scope")
    for t in results["targets"]:
        out.append(_row(t["target"], t["measured"], f"**{t['status']}**", t["by"], t["scope"]))
    out.append("")

    out += ["## What was run", ""]
    if results["args"].get("note"):
        out += [f"> {results['args']['note']}", ""]
    if mode == "full" and int(results["args"]["scale_up"]) < ONE_M:
        out.append(
            f"- **Not the full configuration**: `make bench` defaults to all 69,841 articles plus a "
            f"1,000,000-article scale-up; this run used {int(results['args']['scale_up']):,}. Figures marked "
            '"not 1M" or "extrapolated" in the targets are therefore not measurements at 1M.'
        )
    out.append(
        f"- Real corpus: {real['articles']:,} articles "
        + (
            "(all of `../shared/data/news/arabic_news.jsonl.xz`, ingested from the .xz in place)"
            if real["stride"] == 1
            else f"(every {real['stride']}th record of `../shared/data/news/arabic_news.jsonl.xz`, so every outlet and "
            "year is in, written to a temporary .jsonl)"
        )
        + f", {real['bytes'] / 1e6:,.0f} MB of JSON Lines."
    )
    if "scaleup" in results:
        s = results["scaleup"]
        out.append(
            f"- Scale-up corpus: {s['articles']:,} synthetic articles from `bench/scaleup.py` (seed {s['seed']}, "
            f"{s['bytes'] / 1e6:,.0f} MB, {s['bytes'] / s['articles']:,.0f} bytes/article vs "
            f"{real['bytes'] / real['articles']:,.0f} for the real ones; sha256 `{s['sha256'][:16]}…`; generated in "
            f"{s['seconds']} s), ingested into the same archive after the real corpus had been measured, "
            f"so the second set of search figures is on {results['size']['scaleup']:,} articles."
        )
    else:
        out.append(
            "- Scale-up corpus: **not run** (`--scale-up 0`); 1M figures below are extrapolated or measured "
            "on the real corpus only, as marked."
        )
    refs = results["references"]
    w = refs.get("whoosh", {})
    out.append(
        f"- References: SQLite FTS5 on all {refs['sqlite-fts5']['docs']:,} real articles; whoosh on "
        f"{w.get('docs', 0):,} of them (every k-th; capped at {results['args']['whoosh_docs']} docs and "
        f"{results['args']['whoosh_budget']} s of indexing{', the time cap was hit' if w.get('capped') else ''}) — "
        "whoosh's query latencies are on that smaller index (and from one timed pass), so Arshif ÷ whoosh "
        "latency ratios flatter whoosh."
    )
    out.append(
        f"- Query mix: {mix['queries']} queries ({', '.join(f'{v} {KIND_NAMES[k]}' for k, v in mix['kinds'].items())}), "
        f"words drawn from {mix['sample_articles']:,} sampled articles by document-frequency band "
        f"({'; '.join(f'{b}: {t}' for b, t in mix['thresholds'].items())}). In-process: one warm-up pass, then "
        f"{results['args']['passes']} timed pass(es). HTTP: `arshif serve` on 127.0.0.1 "
        f"({results['http'][next(iter(results['http']))].get('workers', 1)} worker process(es)), a warm-up of 100 requests, "
        f"then 1, 8 and 32 closed-loop client threads (httpx, keep-alive), each level bounded by "
        f"{results['args']['http_requests']} requests or {results['args']['http_seconds']} s. Page size 10; "
        "Arshif folds near-duplicates, reads hits back from the database and builds snippets."
    )
    out.append("- Examples: " + "; ".join(f"{KIND_NAMES[k]} `{q}`" for k, q in mix["examples"].items()))
    out.append("")

    out += ["## Ingest (`arshif ingest --json`, end to end)", ""]
    out += _header(
        "ingest",
        "articles",
        "added",
        "duplicates",
        "wall s",
        "articles/s",
        "MB/s",
        "articles/s after start-up",
        "database after",
        "index after",
        "peak RSS, largest process",
        "peak RSS, sum of processes",
    )
    for name, r in results["ingest"].items():
        label = (
            "real, fresh archive"
            if name == "real"
            else f"scale-up, added to the {results['size']['real']:,} real"
        )
        out.append(
            _row(
                label,
                f"{r['records']:,}",
                f"{r['added']:,}",
                f"{r['duplicates']:,}",
                f"{r['wall_s']:,.1f}",
                f"{r['articles_per_s']:,.0f}",
                f"{r['mb_per_s']:.2f}",
                f"{r['records'] / r['cli_s']:,.0f}",
                mb(r["db_bytes"]),
                mb(r["index_bytes"]),
                mb(r["peak_rss_single"]),
                mb(r["peak_rss_sum"]),
            )
        )
    out += [
        "",
        (
            "Wall time is the whole `arshif ingest` process, start-up (imports; with the bytecode cache off, "
            "see Machine, every process compiles what it imports) and the final index commit "
            'included; "after start-up" divides by the time the CLI itself reports for the ingest loop. MB/s '
            "counts uncompressed JSON Lines. Memory is sampled every 0.2 s over the ingest process and its "
            "indexer process (VmHWM per process, and the largest sampled sum of VmRSS)."
        ),
        "",
    ]

    out += [
        "## Search latency",
        "",
        "Milliseconds, whole mix; req/s for HTTP is completed requests per wall second.",
        "",
    ]
    out += _header(
        "corpus",
        "where",
        "clients",
        "requests",
        "req/s",
        "p50",
        "p95",
        "p99",
        "max",
        "errors",
        "CPU: server",
        "CPU: load generator",
    )
    for name, r in results["inprocess"].items():
        docs = results["size"][name]
        out.append(
            _row(
                f"{name} ({docs:,})",
                "in-process",
                "1",
                f"{r['all']['n']:,}",
                "—",
                ms(r["all"]["p50"]),
                ms(r["all"]["p95"]),
                ms(r["all"]["p99"]),
                ms(r["all"]["max"]),
                r["errors"],
                "",
                "",
            )
        )
        for lv in results["http"].get(name, {}).get("levels", []):
            out.append(
                _row(
                    f"{name} ({docs:,})",
                    "HTTP",
                    lv["clients"],
                    f"{lv['requests']:,}",
                    f"{lv['rps']:.1f}",
                    ms(lv["all"]["p50"]),
                    ms(lv["all"]["p95"]),
                    ms(lv["all"]["p99"]),
                    ms(lv["all"]["max"]),
                    sum(lv["failures"].values()),
                    f"{lv['server_cores']:.2f} cores",
                    f"{lv['client_cores']:.2f} cores",
                )
            )
    for name, h in results["http"].items():
        out.append("")
        out.append(
            f"Server memory on {name} ({h['rss'].get('processes', 0)} processes: the supervisor, "
            f"{h.get('workers', 1)} workers, multiprocessing's resource tracker): "
            f"{mb(h['ready_rss'].get('VmRSS', 0))} resident when ready, "
            f"{mb(h['rss'].get('VmRSS', 0))} after the load runs, peak {mb(h['rss'].get('VmHWM', 0))}, "
            "each sum counting the index pages every worker maps once per worker. Counted once "
            f"(proportional set size) after the load: {mb(h['rss'].get('Pss', 0))}, of which "
            f"{mb(h['rss'].get('Pss_Anon', 0))} private memory (Python heaps) and "
            f"{mb(h['rss'].get('Pss_File', 0))} mapped index files (the kernel's page cache, shared "
            "by the workers and dropped under memory pressure)."
        )
    out += [
        "",
        (
            "CPU is user + system time over the level's wall time, in cores (the machine has "
            f"{results['machine']['cpu'].split(' ')[0]}): a server near 1.0 is bound by one Python thread at a "
            "time; the load generator's share is CPU the server could not use."
        ),
        "",
    ]
    for name in results["http"]:
        lv = _level(results, name, 8)
        if lv and lv["rps"]:
            cpu_ms = lv["server_cores"] * 1000 / lv["rps"]
            out += [
                (
                    f"On {name} at 8 clients the server spent {cpu_ms:.1f} ms of CPU per request and ran at "
                    f"{lv['server_cores']:.2f} cores: one process serves about {1000 / cpu_ms:.0f} requests/s at most, so 8 "
                    f"clients queue for ≈ 8 × {cpu_ms:.0f} = {8 * cpu_ms:.0f} ms per request (a p95 ≤ 50 ms at 8 clients "
                    f"needs ≤ {50 / 8:.1f} ms of CPU per request in one process, or more worker processes)."
                ),
                "",
            ]
    extra = results.get("http_workers", {})
    if extra:
        out += [
            (
                "Worker processes (`arshif serve --workers N`) side by side, same mix and bounds; the targets above "
                "are judged on the first:"
            ),
            "",
        ]
        out += _header(
            "corpus",
            "workers",
            "clients",
            "requests",
            "req/s",
            "p50",
            "p95",
            "p99",
            "CPU: server",
            "CPU: load generator",
            "server RSS after (sum)",
        )
        for name, series in extra.items():
            for h in [results["http"][name], *series]:
                for lv in h["levels"]:
                    out.append(
                        _row(
                            f"{name} ({results['size'][name]:,})",
                            h.get("workers", 1),
                            lv["clients"],
                            f"{lv['requests']:,}",
                            f"{lv['rps']:.1f}",
                            ms(lv["all"]["p50"]),
                            ms(lv["all"]["p95"]),
                            ms(lv["all"]["p99"]),
                            f"{lv['server_cores']:.2f} cores",
                            f"{lv['client_cores']:.2f} cores",
                            mb(h["rss"].get("VmRSS", 0)),
                        )
                    )
        out.append("")
    out += ["By kind of query (p50 / p95 ms):", ""]
    systems = [(f"Arshif in-process, {n}", r["kinds"]) for n, r in results["inprocess"].items()]
    systems += [
        (f"Arshif HTTP ×8, {n}", lv["kinds"]) for n in results["http"] for lv in [_level(results, n, 8)] if lv
    ]
    systems += [(f"{n} ({r['docs']:,} docs)", r["search"]["kinds"]) for n, r in refs.items()]
    out += _header("kind", *(s for s, _ in systems))
    for kind, label in KIND_NAMES.items():
        out.append(
            _row(
                label,
                *(f"{ms(k[kind]['p50'])} / {ms(k[kind]['p95'])}" if kind in k else "—" for _, k in systems),
            )
        )
    out.append("")

    arshif, ingest = results["inprocess"]["real"], results["ingest"]["real"]
    out += [
        "## Against the reference set-ups",
        "",
        (
            "Same records and same query mix, same run. Ratios are Arshif ÷ reference: above 1 for articles/s means "
            "Arshif indexes faster; below 1 for latency means Arshif answers faster. Arshif's articles/s is end to end "
            "(parse, analyze, dedupe, store in SQLite, index); FTS5's is inserting already-parsed records; whoosh's "
            "is indexing pre-analyzed text (and, in brackets, including our analyzer's time)."
        ),
        "",
    ]
    out += _header(
        "system",
        "docs",
        "index articles/s",
        "query p50",
        "p95",
        "p99",
        "zero-hit queries",
        "Arshif ÷ it: articles/s",
        "p50",
        "p95",
    )
    out.append(
        _row(
            "Arshif (in-process)",
            f"{ingest['records']:,}",
            f"{ingest['articles_per_s']:,.0f}",
            ms(arshif["all"]["p50"]),
            ms(arshif["all"]["p95"]),
            ms(arshif["all"]["p99"]),
            arshif["zero_hits"],
            "",
            "",
            "",
        )
    )
    for name, r in refs.items():
        s = r["search"]
        rate = f"{r['articles_per_s']:,.0f}" + (
            f" ({r['articles_per_s_with_analysis']:,.0f})" if r["analyze_s"] else ""
        )
        out.append(
            _row(
                name,
                f"{r['docs']:,}",
                rate,
                ms(s["all"]["p50"]),
                ms(s["all"]["p95"]),
                ms(s["all"]["p99"]),
                s["zero_hits"],
                times(ingest["articles_per_s"], r["articles_per_s"]),
                times(arshif["all"]["p50"], s["all"]["p50"]),
                times(arshif["all"]["p95"], s["all"]["p95"]),
            )
        )
    out += [
        "",
        "For context, ../shared/README.md's figures for this corpus (not this run; pre-analyzed text, "
        "2-word AND queries only): "
        + "; ".join(f"{n} {a} articles/s, p95 {p} ms" for n, a, p in README_FIGURES)
        + ".",
        "",
    ]

    a = results["analysis"]
    out += [
        "## Analysis throughput",
        "",
        (
            f"`service.analysis.index_terms` (what the index takes) and `analyze` (tokens with offsets, for "
            f'snippets and queries) against `re.findall(r"\\w+")` on {a["articles"]:,} articles (title + body, '
            f"{a['chars'] / 1e6:.1f} M characters), one core, CPU time, best of 2 (the measurement of "
            f"`bench/analysis_speed.py`), with the "
            + ("compiled core (`service/analysis/_fast.c`)." if a.get("compiled") else "pure-Python path.")
        ),
        "",
    ]
    out += _header("", "words/s", "÷ regex split")
    out.append(_row("re.findall(\\w+)", f"{a['regex_wps'] / 1e6:.2f} M", "×1"))
    for name, key in (("index_terms", "index"), ("analyze", "analyze")):
        for state in ("cold", "warm"):
            wps = a[f"{key}_{state}_wps"]
            out.append(_row(f"{name}, {state} word cache", f"{wps / 1e6:.2f} M", times(wps, a["regex_wps"])))
    out.append("")

    profiles = results.get("profiles", {})
    if profiles:
        out += [
            "## Profiles of the missed targets",
            "",
            (
                "cProfile (deterministic; it inflates pure-Python code relative to C/Rust, so read the shares as an "
                "upper bound for Python). Self time is grouped by area; time in built-ins is charged to the code "
                "that called them."
            ),
            "",
        ]
        for name, p in profiles.items():
            if name == "ingest":
                out.append(
                    f"### Ingest: {p['articles']:,} articles in one process (store, then index after each batch), "
                    f"{p['total_s']:.1f} s profiled"
                )
            else:
                out.append(
                    f"### Search: one pass of the {p['queries']} queries in-process on the largest corpus, "
                    f"{p['total_s']:.1f} s profiled"
                )
            per, unit = (p["articles"], "article") if name == "ingest" else (p["queries"], "query")
            areas = ", ".join(f"{a} {share:.0%}" for a, _, share in p["areas"][:3])
            top = p["functions"][0] if p["functions"] else None
            out += [
                "",
                f"Where the time goes: {areas}."
                + (
                    f" The largest single cost is `{top[0]}`: {top[2]:.2f} s over {top[1]:,} calls "
                    f"({top[1] / max(per, 1):,.1f} per {unit})."
                    if top
                    else ""
                ),
            ]
            out += [""] + _header("area", "self s", "share")
            out += [_row(area, f"{s:.2f}", f"{share:.0%}") for area, s, share in p["areas"] if share >= 0.01]
            out += ["", "Top functions by self time:", ""] + _header(
                "function", "calls", "self s", "cumulative s"
            )
            out += [
                _row(f"`{f}`", f"{calls:,}", f"{tt:.2f}", f"{ct:.2f}") for f, calls, tt, ct in p["functions"]
            ]
            out += [
                "",
                "The project's own functions by cumulative time (callees included: the call tree's big branches):",
                "",
            ]
            out += _header("function", "calls", "cumulative s", "share of the profile")
            out += [
                _row(f"`{f}`", f"{calls:,}", f"{ct:.2f}", f"{share:.0%}")
                for f, calls, ct, share in p.get("inclusive", [])
            ]
            out.append("")
    missing = [t for t in results["targets"] if t["status"] == "missed"]
    if missing and not profiles:
        out += ["Targets were missed but profiling was skipped (`--no-profile`).", ""]
    return "\n".join(out) + "\n"
