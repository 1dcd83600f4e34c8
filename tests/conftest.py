"""Shared fixtures: a real on-disk archive, a real server process, the shared data beside the repo."""

from __future__ import annotations

import atexit
import itertools
import lzma
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:  # tests.postgres imports this module; the server class is imported where it is started
    from fastapi.testclient import TestClient

    from service.settings import Settings
    from tests.postgres import PostgresServer

# CI explores the same examples every run (a red CI is then reproducible); locally each run explores anew.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
SEEDS = SHARED / "data" / "seeds"
NEWS = SHARED / "data" / "news" / "arabic_news.jsonl.xz"
ARSHIF = str(Path(sys.executable).with_name("arshif"))


def needs_shared(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not path.exists(), reason=f"{path} not present (../shared is beside the repo in CI)"
    )


def write_news(path: Path, count: int, start: int = 0) -> Path:
    """Records ``start`` to ``start + count`` of the shared news corpus as a JSONL file (a temporary
    copy for one test or benchmark run; the corpus is never kept in the repository)."""
    with lzma.open(NEWS, "rt", encoding="utf-8") as corpus, path.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(corpus, start, start + count))
    return path


def write_news_sample(path: Path, every: int) -> Path:
    """Every ``every``-th record of the shared news corpus (all its outlets, years and sections) as a
    JSONL file — a temporary copy for one test module, never kept in the repository."""
    with lzma.open(NEWS, "rt", encoding="utf-8") as corpus, path.open("w", encoding="utf-8") as out:
        out.writelines(itertools.islice(corpus, every - 1, None, every))
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


# ARSHIF_TEST_STORE=postgresql runs every archive, server and CLI call of the suite on PostgreSQL
# (one database per data directory); tests of SQLite-only features are then skipped.
TEST_STORE = os.environ.get("ARSHIF_TEST_STORE", "sqlite")
sqlite_only = pytest.mark.skipif(TEST_STORE != "sqlite", reason="a feature of the embedded SQLite store")
_suite_postgres: list[PostgresServer] = []
_databases: dict[Path, str] = {}


def database_for(data_dir: Path) -> str | None:
    """The database an archive in ``data_dir`` uses: None (SQLite inside it) unless the suite runs on PostgreSQL."""
    if TEST_STORE != "postgresql":
        return None
    if not _suite_postgres:
        from tests.postgres import PostgresServer

        _suite_postgres.append(PostgresServer().start())
        atexit.register(_suite_postgres[0].stop)
    key = data_dir.resolve()
    if key not in _databases:
        _databases[key] = _suite_postgres[0].create_database()
    return _databases[key]


def env_for(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHIF_")}
    env.update({"ARSHIF_DATA_DIR": str(data_dir), "ARSHIF_LOG_LEVEL": "WARNING"})
    if url := database_for(data_dir):
        env["ARSHIF_DATABASE_URL"] = url
    env.update(extra)
    return env


def run_cli(
    data_dir: Path, *args: str, input: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARSHIF, *args],
        check=False,
        capture_output=True,
        text=True,
        env=env_for(data_dir, **env),
        input=input,
        timeout=600,
    )


@pytest.fixture
def archive(data_dir: Path):
    """A migrated archive in a temporary directory, used in-process."""
    yield from _migrated_archive(data_dir, database_for(data_dir))


def migrate(settings: Settings) -> None:
    """``arshif db upgrade``'s work, in this process: a server's start-up then costs no extra interpreter."""
    from service.archive import Archive

    archive = Archive(settings)
    try:
        archive.upgrade()
    finally:
        archive.close()


def _migrated_archive(data_dir: Path, database_url: str | None):
    from service.archive import Archive
    from service.settings import Settings

    archive = Archive(Settings(data_dir=data_dir, database_url=database_url))
    archive.upgrade()
    yield archive
    archive.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, *, workers: int | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.workers = workers  # None: `arshif serve`'s default, one per core
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir.parent / f"server-{self.port}.log"

    def start(self, ready_within: float = 60) -> Server:
        from service.settings import Settings

        self.data_dir.mkdir(parents=True, exist_ok=True)
        url = self.env.get("ARSHIF_DATABASE_URL") or database_for(self.data_dir)
        migrate(Settings(data_dir=self.data_dir, database_url=url))
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [ARSHIF, "serve", "--port", str(self.port)]
                + (["--workers", str(self.workers)] if self.workers else []),
                env=env_for(self.data_dir, **self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)


@pytest.fixture
def server(data_dir: Path) -> Iterator[Server]:
    """A fresh server for a test that counts everything in the archive."""
    srv = Server(data_dir).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for a module's tests that only look at what they wrote themselves."""
    srv = Server(tmp_path_factory.mktemp("shared") / "var").start()
    yield srv
    srv.stop()


class InProcessApp:
    """The app served in this process through its ASGI interface (Starlette's TestClient), with the
    same face as ``Server``: ``client()``, ``data_dir``, ``url``. For tests of what the app answers;
    what only a real socket shows (uvicorn's limits, concurrency, kill -9) keeps a ``Server``."""

    url = "http://127.0.0.1"  # a loopback host: the Host allow-list and the loopback write rule hold

    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = data_dir
        self.env = env
        self._running: TestClient | None = None

    def start(self) -> InProcessApp:
        from fastapi.testclient import TestClient

        from service.server.app import create_app
        from service.settings import Settings

        overrides = {k.removeprefix("ARSHIF_").lower(): v for k, v in self.env.items()}
        settings = Settings(data_dir=self.data_dir, database_url=database_for(self.data_dir), **overrides)
        migrate(settings)
        self._running = TestClient(create_app(settings), base_url=self.url)
        self._running.__enter__()  # the lifespan: index ready, follower started
        return self

    def stop(self) -> None:
        if self._running is not None:
            self._running.__exit__(None, None, None)
            self._running = None

    def client(self, **kwargs) -> httpx.Client:
        """A client of the running app, on its event loop; its ``with`` neither starts nor stops the app."""
        assert self._running is not None, "start() first"
        from fastapi.testclient import TestClient

        class Borrowed(TestClient):
            def __enter__(self):
                return self

            def __exit__(self, *exc: object) -> None:
                pass

        # a real server answers an unexpected error with a 500, not by raising in the caller
        client = Borrowed(self._running.app, base_url=self.url, raise_server_exceptions=False, **kwargs)
        client.portal = self._running.portal
        return client


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessApp]:
    """One in-process app for a module's tests that only look at what they wrote themselves."""
    app = InProcessApp(tmp_path_factory.mktemp("shared-app") / "var").start()
    yield app
    app.stop()


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.05):
    """Poll a condition (e.g. "the index shows the new article"), returning its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole run (each test takes a database of its own)."""
    from tests.postgres import PostgresServer

    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    return postgres.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_archive(request: pytest.FixtureRequest, data_dir: Path):
    """The same archive on each store of record: the embedded SQLite and a shared PostgreSQL."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    yield from _migrated_archive(data_dir, url)


NEWS_SLICE = 3000


def ingest_news(root: Path, count: int, start: int = 0) -> Path:
    """A data directory under ``root`` holding records ``start`` to ``start + count`` of the shared news
    corpus, ingested by ``arshif ingest`` (the temporary JSONL copy is deleted once read)."""
    if not NEWS.exists():
        pytest.skip(f"{NEWS} not present (../shared is beside the repo in CI)")
    source = write_news(root / "news.jsonl", count, start)
    data_dir = root / "var"
    run_cli(data_dir, "db", "upgrade").check_returncode()
    ingested = run_cli(data_dir, "ingest", str(source), "--no-progress")
    assert ingested.returncode == 0, ingested.stderr
    source.unlink()
    return data_dir


@pytest.fixture(scope="session")
def news_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data directory of an archive holding the first ``NEWS_SLICE`` articles of the shared news
    corpus, ingested once per test run (worker): real text, real misspellings, real near-duplicates.
    Tests only read it."""
    return ingest_news(tmp_path_factory.mktemp("news-slice"), NEWS_SLICE)
