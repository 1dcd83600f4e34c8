"""Small measuring tools shared by the benchmark: percentiles, memory of a process tree, sizes on disk,
the machine, and a cProfile summary grouped by where the time goes."""

from __future__ import annotations

import cProfile
import math
import os
import platform
import pstats
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Self


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50": pct(ms, 50),
        "p95": pct(ms, 95),
        "p99": pct(ms, 99),
        "max": max(ms, default=math.nan),
    }


def du(path: Path) -> int:
    """Bytes on disk under path (apparent sizes of regular files)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- memory ------------------------------------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM of one process in bytes (empty if it is gone)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children") if Path(f"/proc/{p}/task").exists() else []:
            try:
                todo.extend(int(c) for c in task.read_text().split())
            except (FileNotFoundError, ProcessLookupError):
                pass
    return pids


class TreeMemory:
    """Samples a process and its descendants every ``interval`` seconds in a thread.

    ``peak_sum`` is the largest sampled sum of VmRSS over the tree (the memory the run really held);
    ``hwm`` holds each process's kernel-recorded peak (VmHWM), read at its last sample."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.peak_sum = 0
        self.hwm: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        total = 0
        for p in _tree(self.pid):
            st = _status(p)
            total += st.get("VmRSS", 0)
            if "VmHWM" in st:
                self.hwm[p] = st["VmHWM"]
        self.peak_sum = max(self.peak_sum, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    @property
    def peak_single(self) -> int:
        return max(self.hwm.values(), default=0)


def tree_rss(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM summed over a process and its descendants (one process: its own figures), and
    Pss: the same sum with each shared page (the index files every worker maps) counted once."""
    out = {"VmRSS": 0, "VmHWM": 0, "Pss": 0, "Pss_Anon": 0, "Pss_File": 0, "processes": 0}
    for p in _tree(pid):
        st = _status(p)
        if st:
            out["VmRSS"] += st.get("VmRSS", 0)
            out["VmHWM"] += st.get("VmHWM", 0)
            for key, value in _pss(p).items():
                out[key] += value
            out["processes"] += 1
    return out


def _pss(pid: int) -> dict[str, int]:
    """Proportional set size in bytes (/proc/PID/smaps_rollup), whole and split into private memory
    (Pss_Anon: the Python heap) and mapped files (Pss_File: the index pages, the kernel's page cache,
    which it can drop under pressure); empty if the process is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in ("Pss", "Pss_Anon", "Pss_File"):
                    out[key] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return out


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process tree (all threads); this process alone if pid is None."""
    if pid is None:
        t = os.times()
        return t.user + t.system
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# -- the machine -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    versions = {}
    for pkg in ("tantivy", "whoosh", "sqlalchemy", "fastapi", "uvicorn", "httpx"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "absent"
    import sqlite3

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} × {cpu}",
        "ram": f"{int(mem) / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "bytecode cache": "off (PYTHONDONTWRITEBYTECODE set)"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else "on",
        **versions,
    }


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- profiles ----------------------------------------------------------------------------------

AREAS = (  # (substring of a file path, area); first match wins
    ("service/analysis", "analysis (service/analysis)"),
    ("service/ingest/formats", "parsing (service/ingest/formats)"),
    ("service/ingest/fingerprint", "dedupe fingerprints (MinHash)"),
    ("service/ingest", "store / pipeline (service/ingest)"),
    ("service/index", "index documents + sync (service/index)"),
    ("service/search", "query, fold, hydrate, snippets (service/search)"),
    ("service/db", "database layer (service/db)"),
    ("service/", "other service code"),
    ("sqlalchemy", "SQLAlchemy"),
    ("datasketch", "datasketch"),
    ("numpy", "numpy"),
    ("orjson", "orjson"),
    ("json", "json"),
    ("lzma", "xz decompression"),
)


def _area(func: tuple[str, int, str]) -> str | None:
    filename, _, name = func
    if filename == "~":  # built-in / extension: attributed by name, else to its callers
        if "tantivy" in name or "Searcher" in name or "IndexWriter" in name:
            return "tantivy (Rust)"
        if "sqlite3" in name:
            return "sqlite3 (C)"
        if "lzma" in name.lower():
            return "xz decompression"
        return None
    path = filename.replace("\\", "/")
    for needle, area in AREAS:
        if needle in path:
            return area
    return "other Python"


def profile_call(fn, *args, **kwargs):
    """Run fn under cProfile; return (result, pstats.Stats)."""
    profiler = cProfile.Profile()
    result = profiler.runcall(fn, *args, **kwargs)
    return result, pstats.Stats(profiler)


def profile_summary(stats: pstats.Stats, top: int = 12) -> dict:
    """Self time by area (built-ins charged to whoever called them) and the top functions by self time."""
    raw = stats.stats
    total = sum(v[2] for v in raw.values()) or 1e-9
    areas: dict[str, float] = defaultdict(float)

    def charge(func, seconds: float, depth: int = 0) -> None:
        area = _area(func)
        if area is not None or depth > 4:
            areas[area or "other built-ins"] += seconds
            return
        callers = raw[func][4]
        spent = sum(edge[2] for edge in callers.values())
        if not callers or spent <= 0:
            areas["other built-ins"] += seconds
            return
        for caller, edge in callers.items():
            charge(caller, seconds * edge[2] / spent, depth + 1)

    for func, (_, _, tt, _, _) in raw.items():
        if tt > 0:
            charge(func, tt)
    functions = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    ours = sorted(
        ((f, v) for f, v in raw.items() if "/service/" in f[0].replace("\\", "/")),
        key=lambda kv: kv[1][3],
        reverse=True,
    )[:top]
    return {
        "total_s": total,
        "areas": sorted(((a, s, s / total) for a, s in areas.items()), key=lambda x: -x[1]),
        "functions": [(_label(f), v[1], v[2], v[3]) for f, v in functions],
        "inclusive": [(_label(f), v[1], v[3], v[3] / total) for f, v in ours],
    }


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    path = filename.replace("\\", "/")
    for marker in ("/service/", "/site-packages/", "/lib/python"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line} {name}"


def now() -> float:
    return time.perf_counter()
