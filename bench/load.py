"""Search latency: in-process through ``SearchService``, and over HTTP against a real ``arshif serve`` on
loopback with a small closed-loop load generator (N client threads, each with its own keep-alive
httpx connection, taking the next query of the mix as soon as its last answer arrived; bounded by a
request count and a wall-clock limit, whichever comes first)."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from measure import cpu_seconds, summary_ms, tree_rss
from workload import REPO, BenchQuery

from service.search.engine import SearchRequest, SearchService
from service.search.request import make_request

ARSHIF = REPO / ".venv" / "bin" / "arshif"
PAGE = 10


def request_of(q: BenchQuery) -> SearchRequest:
    """The request the API builds from ``params_of(q)``: the same builder, the same dates."""
    return make_request(
        q.q,
        limit=PAGE,
        offset=q.offset,
        sources=[q.source] if q.source else [],
        date_from=q.date_from,
        date_to=q.date_to,
        facets=q.facets,
        histogram="month" if q.facets else None,
    )


def params_of(q: BenchQuery) -> dict[str, str]:
    params = {"q": q.q, "limit": str(PAGE)}
    if q.offset:
        params["offset"] = str(q.offset)
    if q.source:
        params["source"] = q.source
    if q.date_from:
        params["from"], params["to"] = q.date_from, q.date_to
    if q.facets:
        params["facets"], params["histogram"] = "true", "month"
    return params


def by_kind(samples: list[tuple[str, float]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = defaultdict(list)
    for kind, seconds in samples:
        groups[kind].append(seconds)
    return {kind: summary_ms(values) for kind, values in groups.items()}


def time_calls(search, mix: list[BenchQuery], passes: int) -> dict:
    """Latency of ``search(query)`` over the mix: one untimed warm-up pass, then ``passes`` timed ones."""
    errors = 0
    for q in mix:
        with contextlib.suppress(Exception):  # failures are counted on the timed passes
            search(q)
    samples, totals = [], {}
    for _ in range(passes):
        for q in mix:
            started = time.perf_counter()
            try:
                totals[q] = search(q)
            except Exception:  # noqa: BLE001
                errors += 1
                continue
            samples.append((q.kind, time.perf_counter() - started))
    return {
        "all": summary_ms([s for _, s in samples]),
        "kinds": by_kind(samples),
        "errors": errors,
        "zero_hits": sum(1 for t in totals.values() if not t),
        "queries": len(mix),
        "passes": passes,
    }


def time_inprocess(service: SearchService, mix: list[BenchQuery], passes: int) -> dict:
    return time_calls(lambda q: service.search(request_of(q)).total, mix, passes)


# -- the server --------------------------------------------------------------------------------


def clean_env(data_dir: Path) -> dict[str, str]:
    """This environment without any ARSHIF_* setting (a database URL or read keys would point the
    benchmark elsewhere), and the data dir under test."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ARSHIF_")} | {
        "ARSHIF_DATA_DIR": str(data_dir)
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, proc: subprocess.Popen, url: str) -> None:
        self.proc, self.url = proc, url

    def memory(self) -> dict[str, int]:
        return tree_rss(self.proc.pid)


@contextmanager
def serve(
    data_dir: Path, log_path: Path, workers: int | None = None, ready_timeout: float = 300
) -> Iterator[Server]:
    """``arshif serve`` on 127.0.0.1 and a free port, ready (``/readyz``) before it is handed out.
    ``workers`` asks for that many worker processes (``--workers``); None runs the default that
    ``make run`` gets (one per core)."""
    port = free_port()
    env = clean_env(data_dir)
    command = [str(ARSHIF), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)] if workers else []
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"arshif serve exited with {proc.returncode}:\n{tail}")
            try:
                if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"arshif serve not ready after {ready_timeout:.0f} s")
            time.sleep(0.25)
        yield Server(proc, url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own process group: the server and nothing else
            proc.wait()


def run_load(
    url: str,
    mix: list[BenchQuery],
    clients: int,
    max_requests: int,
    max_seconds: float,
    server_pid: int | None = None,
) -> dict:
    """Closed loop: ``clients`` threads share one ticket counter over the mix; stops at
    ``max_requests`` requests or ``max_seconds``, whichever comes first. Also returns the CPU the
    server and this load generator used, in cores (1.0 = one core busy all the time)."""
    tickets = itertools.count()
    lock = threading.Lock()
    samples: list[tuple[str, float]] = []
    failures: dict[str, int] = defaultdict(int)
    cpu_server = cpu_seconds(server_pid) if server_pid else 0.0
    cpu_client = cpu_seconds()
    started = time.perf_counter()
    deadline = started + max_seconds

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                ticket = next(tickets)
                if ticket >= max_requests or time.perf_counter() > deadline:
                    return
                q = mix[ticket % len(mix)]
                t0 = time.perf_counter()
                try:
                    status = client.get("/api/search", params=params_of(q)).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                elapsed = time.perf_counter() - t0
                with lock:
                    if status == 200:
                        samples.append((q.kind, elapsed))
                    else:
                        failures[str(status)] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu_client = cpu_seconds() - cpu_client
    cpu_server = cpu_seconds(server_pid) - cpu_server if server_pid else float("nan")
    return {
        "clients": clients,
        "requests": len(samples),
        "failures": dict(failures),
        "seconds": wall,
        "server_cores": cpu_server / wall,
        "client_cores": cpu_client / wall,
        "rps": len(samples) / wall if wall else 0.0,
        "all": summary_ms([s for _, s in samples]),
        "kinds": by_kind(samples),
    }
