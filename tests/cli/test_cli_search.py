"""``arshif search``: the API's JSON, filters by author and section, the export's CSV, and what the
terminal is told (spellings also searched, a corrected query) — real archives, the CLI as a process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from service.api.schemas import HitOut, SearchOut
from service.export import CSV_FIELDS
from tests.conftest import SEEDS, needs_shared, run_cli


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SEEDS.exists():
        pytest.skip(f"{SEEDS} not present")
    data_dir = tmp_path_factory.mktemp("cli-seeds") / "var"
    run_cli(data_dir, "db", "upgrade").check_returncode()
    run_cli(data_dir, "ingest", str(SEEDS), "--no-progress").check_returncode()
    return data_dir


def _json(data_dir: Path, *args: str) -> dict:
    result = run_cli(data_dir, "search", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_is_the_apis_search_response_with_the_correction(news_archive: Path) -> None:
    result = run_cli(news_archive, "search", "اتفاق السلاو", "--json", "--limit", "3")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert set(found) == set(SearchOut.model_fields)  # every field /api/search sends, no other
    SearchOut.model_validate(found)
    assert (found["corrected"], found["original_query"], found["corrected_query"]) == (
        True,
        "اتفاق السلاو",
        "اتفاق السلام",
    )
    assert "عرض نتائج: اتفاق السلام — ابحث بدلاً من ذلك عن «اتفاق السلاو»" in result.stderr
    assert found["total"] + found["duplicates_folded"] == found["total_unfolded"]
    assert set(found["hits"][0]) == set(HitOut.model_fields)

    typed = _json(news_archive, "اتفاق السلاو", "--no-correct")
    assert typed["corrected"] is False and typed["fallback"] is True
    assert typed["suggestions"] == ["اتفاق السلام"]


def test_the_terminal_says_which_spellings_were_also_searched(news_archive: Path) -> None:
    found = _json(news_archive, "ترامب", "--limit", "1")
    variants = [v for e in found["expansions"] for v in e["variants"]]
    assert "ترمب" in variants
    text = run_cli(news_archive, "search", "ترامب", "--limit", "1")
    assert text.returncode == 0, text.stderr
    assert f"بُحث أيضًا عن: {'، '.join(variants)}" in text.stdout
    assert "عرض نتائج" not in text.stderr  # nothing corrected


@needs_shared(SEEDS)
def test_author_and_section_filters(seeds: Path) -> None:
    everything = _json(seeds, "", "--limit", "10")
    assert everything["total"] == 5
    by_author = _json(seeds, "", "--author", "كنان سلطان")
    assert [h["author"] for h in by_author["hits"]] == ["كنان سلطان"]
    by_section = _json(seeds, "", "--section", "الشأن السوري", "--section", "تحقيقات وتقارير سياسية")
    assert {h["section"] for h in by_section["hits"]} == {"الشأن السوري", "تحقيقات وتقارير سياسية"}
    assert by_section["total"] == 2
    assert _json(seeds, "", "--author", "كاتب لا وجود له")["total"] == 0


@needs_shared(SEEDS)
def test_csv_has_the_columns_of_export_for_the_page_of_hits(seeds: Path) -> None:
    ranked = _json(seeds, "دير الزور", "--limit", "3", "--no-fold")
    result = run_cli(seeds, "search", "دير الزور", "--limit", "3", "--no-fold", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    exported = run_cli(seeds, "export", "دير الزور", "--format", "csv")
    header = next(csv.reader(io.StringIO(exported.stdout.lstrip("\ufeff"))))
    assert list(rows[0]) == header == list(CSV_FIELDS)
    assert [int(r["id"]) for r in rows] == [h["id"] for h in ranked["hits"]]  # the search's order
    assert all("دير الزور" in r["body"] for r in rows)

    bad = run_cli(seeds, "search", "سوريا", "--format", "xml")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "الصيغة يجب أن تكون text أو json أو csv" in bad.stderr


def test_export_exports_what_the_search_found_and_says_it_corrected(news_archive: Path) -> None:
    corrected = _json(news_archive, "اتفاق السلاو", "--no-fold")
    exported = run_cli(news_archive, "export", "اتفاق السلاو")
    assert exported.returncode == 0, exported.stderr
    assert "عرض نتائج: اتفاق السلام" in exported.stderr
    assert len(exported.stdout.splitlines()) == corrected["total"] == corrected["total_unfolded"]
    as_typed = run_cli(news_archive, "export", "اتفاق السلاو", "--no-correct")
    typed = _json(news_archive, "اتفاق السلاو", "--no-fold", "--no-correct")
    assert "عرض نتائج" not in as_typed.stderr
    assert len(as_typed.stdout.splitlines()) == typed["total"] != corrected["total"]
