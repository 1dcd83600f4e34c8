"""The CLI end to end on the seed scrapes: ingest, search, show, export, synonyms, reindex."""

import csv
import io
import json

from tests.conftest import SEEDS, needs_shared, run_cli

pytestmark = needs_shared(SEEDS)


def test_ingest_search_show_export_reindex(data_dir) -> None:
    assert run_cli(data_dir, "db", "upgrade").returncode == 0
    first = run_cli(data_dir, "ingest", str(SEEDS), "--json")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["added"] == 5 and summary["failed"] == 0

    again = json.loads(run_cli(data_dir, "ingest", str(SEEDS), "--json").stdout)
    assert again["added"] == 0 and again["unchanged"] == 5  # idempotent

    result = run_cli(data_dir, "search", "مليشيات", "--json", "--no-fold", "--limit", "10")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["total"] >= 4
    hit = found["hits"][0]
    assert set(hit) >= {
        "id",
        "external_id",
        "title",
        "source",
        "author",
        "published_at",
        "url",
        "score",
        "snippet",
        "cluster_size",
    }
    assert "<mark>" in hit["snippet"]
    assert set(found["facets"]) >= {"source", "author", "section"}

    text = run_cli(data_dir, "search", '"دير الزور"', "--limit", "2")
    assert text.returncode == 0 and "دير الزور" in text.stdout

    shown = run_cli(data_dir, "show", str(hit["id"]), "--json")
    record = json.loads(shown.stdout)
    assert record["id"] == hit["id"] and len(record["body"]) > 500
    assert "زر الذهاب إلى الأعلى" not in record["body"]

    exported = run_cli(data_dir, "export", "--format", "jsonl")
    assert len(exported.stdout.strip().splitlines()) == 5
    as_csv = run_cli(data_dir, "export", "قسد", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout.lstrip("\ufeff"))))
    assert rows and all("قسد" in (r["title"] + r["body"]) or "قوات سوريا" in r["body"] for r in rows)

    added = run_cli(data_dir, "synonyms", "add", "قسد", "قوات سوريا الديمقراطية")
    assert added.returncode == 0
    listed = json.loads(run_cli(data_dir, "synonyms", "list", "--json").stdout)
    assert listed[0]["terms"] == ["قسد", "قوات سوريا الديمقراطية"]

    before = json.loads(run_cli(data_dir, "search", "التحالف", "--json", "--no-fold").stdout)
    rebuilt = run_cli(data_dir, "reindex")
    assert rebuilt.returncode == 0 and "5" in rebuilt.stderr
    after = json.loads(run_cli(data_dir, "search", "التحالف", "--json", "--no-fold").stdout)
    assert [h["id"] for h in after["hits"]] == [h["id"] for h in before["hits"]]


def test_ingest_reads_standard_input(data_dir) -> None:
    run_cli(data_dir, "db", "upgrade").check_returncode()
    lines = "\n".join(
        json.dumps(
            {"id": f"s{i}", "title": f"عنوان {i}", "body": f"نص المقال رقم {i} عن الزراعة والري"},
            ensure_ascii=False,
        )
        for i in range(3)
    )
    result = run_cli(data_dir, "ingest", "-", "--json", input=lines + "\n{oops\n")
    summary = json.loads(result.stdout)
    assert summary["added"] == 3 and summary["failed"] == 1
    assert summary["failures"][0]["origin"].startswith("stdin")


def test_search_marks_the_words_in_the_terminal_without_markup(data_dir) -> None:
    run_cli(data_dir, "db", "upgrade").check_returncode()
    record = {
        "id": "t1",
        "title": "[bold]عاجل[/] <زمردستان> & جيرانها",
        "source": "مصدر [تجريبي]",
        "body": "قال المتحدث إن <b>زُمُرّدستان</b> & 'جارتها' اتفقتا على هدنة",
    }
    run_cli(data_dir, "ingest", "-", input=json.dumps(record, ensure_ascii=False) + "\n").check_returncode()

    result = run_cli(data_dir, "search", "زمردستان", FORCE_COLOR="1")  # rich styles even into a pipe
    assert result.returncode == 0, result.stderr
    out = result.stdout
    mark = "\x1b[1;33m{}\x1b[0m"  # bold yellow
    assert "[bold]عاجل[/] <" + mark.format("زمردستان") + "> & جيرانها" in out  # the title as written
    assert "إن <b>" + mark.format("زُمُرّدستان") + "</b> & 'جارتها'" in out  # the snippet as written
    assert "مصدر [تجريبي]" in out
    assert "<mark>" not in out and "&lt;" not in out and "&amp;" not in out

    plain = run_cli(data_dir, "search", "زمردستان").stdout  # no terminal, no styles: the plain text
    assert "\x1b[" not in plain and "قال المتحدث إن <b>زُمُرّدستان</b> & 'جارتها'" in plain
