"""The CLI as users run it: a real subprocess, real on-disk files."""

import pytest

from tests.conftest import run_cli


def test_help_lists_every_command(data_dir) -> None:
    result = run_cli(data_dir, "--help")
    assert result.returncode == 0
    for command in ("db", "serve", "ingest", "search", "show", "reindex", "export", "synonyms"):
        assert command in result.stdout


def test_user_mistakes_print_one_line_and_no_traceback(data_dir) -> None:
    # A new data directory is made on first use (an old archive is not upgraded implicitly:
    # tests/foundation/test_source_aliases_migration.py).
    result = run_cli(data_dir, "show", "1")
    assert result.returncode == 1
    assert "أرشيف جديد" in result.stderr and "no article with id 1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout

    assert run_cli(data_dir, "db", "upgrade").returncode == 0
    result = run_cli(data_dir, "show", "999")
    assert result.returncode == 1
    assert "999" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

    result = run_cli(data_dir, "ingest", str(data_dir / "no-such-file.jsonl"))
    assert result.returncode == 2 and "no such file" in result.stderr and "Traceback" not in result.stderr

    result = run_cli(data_dir, "search", "سوريا", "--from", "2018-13-45")
    assert result.returncode == 1 and "2018-13-45" in result.stderr and "Traceback" not in result.stderr


def test_bad_options_are_usage_errors(data_dir) -> None:
    result = run_cli(data_dir, "search", "سوريا", "--limit", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url, expected",
    [
        ("mysql://reader@db/news", "ARSHIF_DATABASE_URL: Arshif stores its archive in SQLite"),
        ("postgresql://arshif:secret@127.0.0.1:1/archive", "cannot use the database: connection failed"),
    ],
)
def test_a_wrong_database_url_is_one_clear_line(data_dir, url: str, expected: str) -> None:
    result = run_cli(data_dir, "db", "upgrade", ARSHIF_DATABASE_URL=url)
    said = " ".join(result.stderr.split())
    assert result.returncode == 1
    assert expected in said and "Traceback" not in said
    assert "secret" not in said
