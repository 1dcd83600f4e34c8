"""A real PostgreSQL for the tests: Debian's server binaries, a throw-away cluster on loopback.

``make test`` installs the ``postgresql`` package when it is missing; set ``ARSHIF_TEST_POSTGRES_URL``
(an admin URL such as ``postgresql://postgres@db:5432/postgres``) to use a server of your own instead.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

from tests.conftest import free_port

BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _bin_dir() -> Path:
    candidates = sorted(Path("/").glob(BIN_GLOB.lstrip("/")), key=lambda p: int(p.parent.name))
    for candidate in reversed(candidates):
        if (candidate / "postgres").exists():
            return candidate
    raise RuntimeError(
        "PostgreSQL server binaries not found: `make test` installs Debian's postgresql package"
    )


class PostgresServer:
    """Starts a cluster with ``initdb`` + ``pg_ctl``; as root, runs them as the ``postgres`` user."""

    def __init__(self) -> None:
        self.external = os.environ.get("ARSHIF_TEST_POSTGRES_URL")
        self.root: Path | None = None
        self.port = 0

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        if self.external:
            return self
        bin_dir = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="arshif-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.port = free_port()
        data = self.root / "data"
        self._run(
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        return self

    @property
    def admin_url(self) -> str:
        return self.external or f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        name = f"arshif_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base = self.admin_url.rsplit("/", 1)[0]
        return base.replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            self._run(
                str(_bin_dir() / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop"
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
