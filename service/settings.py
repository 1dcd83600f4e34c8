"""Run-time settings, read from ``ARSHIF_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CsvList = Annotated[list[str], NoDecode]

# prometheus_client's own variable: where several worker processes of one server keep their metrics
# (``arshif serve`` sets it; ``service.server.metrics`` reads them all from there).
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The process id of ``arshif serve``'s supervisor, for its worker processes (set by the CLI).
SUPERVISOR_ENV = "ARSHIF_SUPERVISOR_PID"


class Settings(BaseSettings):
    """Every setting is an ``ARSHIF_<NAME>`` environment variable.

    Who may write: with ``ARSHIF_API_KEYS`` empty, writes are accepted only from a loopback peer,
    i.e. the address uvicorn sees on the socket. Behind a reverse proxy (nginx, Caddy) on the same
    machine that peer is the proxy, so *every* client looks like loopback: set ``ARSHIF_API_KEYS``
    whenever the archive is proxied. ``X-Forwarded-For`` is not trusted (``arshif serve`` runs
    uvicorn without proxy headers); only uvicorn's own ``--forwarded-allow-ips`` would change that.

    Whatever the keys, the server answers only the host names in ``ARSHIF_ALLOWED_HOSTS`` (against
    DNS rebinding; a proxy passes the public name in ``Host``, so list it there) and refuses writes a
    browser sends from another site (``Origin``/``Sec-Fetch-Site``) unless the origin is in
    ``ARSHIF_CORS_ORIGINS``.
    """

    model_config = SettingsConfigDict(env_prefix="ARSHIF_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./var"), description="Holds archive.db and index/ in the embedded default.")
    database_url: str | None = Field(None, description="Any SQLAlchemy URL; overrides the SQLite default.")
    api_keys: CsvList = Field(default_factory=list, description="Keys that may write (comma-separated).")
    read_keys: CsvList = Field(default_factory=list, description="If set, reads need one of these keys.")
    log_level: str = "INFO"
    max_request_bytes: int = Field(64 * 1024 * 1024, description="Largest request body accepted.")
    cors_origins: CsvList = Field(
        default_factory=list, description="Browser origins that may call the API (CORS)."
    )
    allowed_hosts: CsvList = Field(
        default_factory=list,
        description="Host names the server answers (any port; '.example.org' takes its subdomains too, '*' any). "
        "Empty: localhost, 127.0.0.1 and [::1]. The address `arshif serve --host` binds is always added, "
        "and a wildcard bind (0.0.0.0, ::) also answers IP addresses.",
    )
    bind_host: str | None = Field(
        None, description="Set by `arshif serve --host`: the address it listens on."
    )
    max_headers: int = Field(100, ge=1, description="Most request headers accepted (431 beyond).")
    max_header_bytes: int = Field(
        64 * 1024, ge=1024, description="Largest request line plus headers, in bytes."
    )
    header_timeout: float = Field(
        10.0, gt=0, description="Seconds a client has to send a whole request head."
    )
    keep_alive_timeout: int = Field(5, ge=1, description="Seconds an idle keep-alive connection stays open.")
    max_connections: int = Field(
        1000, ge=1, description="Open connections per worker; more are answered 503."
    )
    max_ingest_bytes: int = Field(1024**3, description="Decompressed bytes one POST /api/ingest may read.")
    max_ingest_records: int = Field(
        1_000_000, description="Lines or records (blank lines too) one upload may hold."
    )
    max_ingest_seconds: float = Field(600.0, description="Time one POST /api/ingest may work.")
    write_deadline_s: float = Field(
        30.0,
        gt=0,
        description="How long a write waits for another process's write lock before a 503 (SQLite).",
    )
    cursor_key: SecretStr | None = Field(
        None,
        description="Secret that signs search cursors; give every node of a cluster the same one. "
        "Unset: a random key kept in <data_dir>/cursor.key.",
    )

    feed_interval: int = Field(
        900,
        ge=0,
        description="Seconds between polls of each subscribed feed, by the server's one poller "
        "(a feed's own interval overrides it); 0 turns background polling off (`arshif feeds poll` still works).",
    )
    feed_delay: float = Field(
        1.0, ge=0, description="Seconds between two requests of the feed crawler to the same host."
    )
    feed_timeout: float = Field(20.0, gt=0, description="Seconds one feed or page request may take.")
    feed_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest feed, sitemap or page the crawler reads, in bytes."
    )
    feed_user_agent: str = Field(
        "ArshifBot/0.1 (Arshif, an archive of Arabic news; polls the feeds its operator subscribed to)",
        description="User-Agent of the feed crawler (robots.txt rules for ArshifBot apply to it).",
    )

    _split = field_validator("api_keys", "read_keys", "cors_origins", "allowed_hosts", mode="before")(
        _split_csv
    )

    @field_validator("database_url")
    @classmethod
    def _supported_store(cls, value: str | None) -> str | None:
        if value and not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
            raise ValueError(
                "Arshif stores its archive in SQLite (the default) or PostgreSQL "
                "(postgresql://user:password@host/database)"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}")
        return level

    @property
    def sqlalchemy_url(self) -> str:
        if not self.database_url:
            return f"sqlite:///{(self.data_dir / 'archive.db').resolve()}"
        # A plain postgresql:// URL would ask SQLAlchemy for psycopg2; we ship psycopg 3.
        for plain in ("postgresql://", "postgres://"):
            if self.database_url.startswith(plain):
                return "postgresql+psycopg://" + self.database_url[len(plain) :]
        return self.database_url

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def is_postgresql(self) -> bool:
        return self.sqlalchemy_url.startswith("postgresql")

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
