from pathlib import Path

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_defaults_put_everything_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("ARSHIF_DATA_DIR", "ARSHIF_DATABASE_URL", "ARSHIF_API_KEYS"):
        monkeypatch.delenv(key, raising=False)
    settings = Settings(_env_file=None)
    assert settings.data_dir == Path("./var")
    assert settings.sqlalchemy_url.endswith("/var/archive.db")
    assert settings.index_dir == Path("./var/index")
    assert settings.api_keys == []


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARSHIF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ARSHIF_API_KEYS", " key-one, key-two ,,")
    monkeypatch.setenv("ARSHIF_LOG_LEVEL", "debug")
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path
    assert settings.api_keys == ["key-one", "key-two"]
    assert settings.log_level == "DEBUG"
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path.resolve() / 'archive.db'}"


def test_database_url_overrides_sqlite_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSHIF_DATABASE_URL", "postgresql+psycopg://arshif@localhost/arshif")
    settings = Settings(_env_file=None)
    assert settings.sqlalchemy_url == "postgresql+psycopg://arshif@localhost/arshif"
    assert not settings.is_sqlite


def test_unknown_log_level_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARSHIF_LOG_LEVEL", "chatty")
    with pytest.raises(ValidationError, match="unknown log level"):
        Settings(_env_file=None)
