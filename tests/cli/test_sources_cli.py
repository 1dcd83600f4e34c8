"""The CLI's side of outlets: ``arshif sources list/alias``, aliases in ``--source``, and an unknown
outlet said on stderr in Arabic (search and export), with no spelling "did you mean" for the words."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

RECORDS = [
    {
        "id": "s-1",
        "title": "اشتباكات في دير الزور",
        "body": "اشتبكت قوات سوريا الديمقراطية مع مسلحين قرب دير الزور، وقالت مصادر محلية إن المعارك استمرت حتى الفجر.",
        "source": "Sky News Arabia",
        "url": "https://www.skynewsarabia.com/middle-east/1",
        "published_at": "2018-02-10T09:00:00Z",
    },
    {
        "id": "r-1",
        "title": "أمطار على الرياض",
        "body": "هطلت أمطار غزيرة على مدينة الرياض مساء أمس، ودعا الدفاع المدني السكان إلى الابتعاد عن الأودية.",
        "source": "Al-Riyadh",
        "url": "http://www.alriyadh.com/2",
        "published_at": "2018-02-11T09:00:00Z",
    },
]


def _said(result) -> str:
    return " ".join(result.stderr.split())


def test_sources_commands_and_warnings(tmp_path: Path, data_dir: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS), encoding="utf-8")
    assert run_cli(data_dir, "ingest", str(dump), "--no-progress").returncode == 0

    listed = json.loads(run_cli(data_dir, "sources", "list", "--json").stdout)
    by_name = {s["name"]: s for s in listed}
    assert by_name["Al-Riyadh"]["articles"] == 1 and by_name["Al-Riyadh"]["domain"] == "alriyadh.com"
    assert "جريدة الرياض" in by_name["Al-Riyadh"]["aliases"]

    found = run_cli(data_dir, "search", "أمطار", "--source", "جريدة الرياض", "--json")
    assert json.loads(found.stdout)["total"] == 1 and found.stderr.strip() == ""

    unknown = run_cli(data_dir, "search", "امطاز", "--source", "جريدة الرياظ", "--json")
    answer = json.loads(unknown.stdout)
    assert unknown.returncode == 0 and answer["total"] == 0 and answer["suggestions"] == []
    assert answer["warnings"][0]["suggestions"] == ["Al-Riyadh"]
    assert "تنبيه: لا يعرف الأرشيف مصدرًا باسم «جريدة الرياظ»" in _said(unknown) and "Al-Riyadh" in _said(
        unknown
    )
    # the same typo in a word, with a known outlet, is corrected
    typo = json.loads(run_cli(data_dir, "search", "امطاز", "--source", "الرياض", "--json").stdout)
    assert typo["corrected_query"] == "امطار" and typo["warnings"] == [] and typo["total"] == 1

    exported = run_cli(data_dir, "export", "", "--source", "الرياضيات")
    assert exported.returncode == 0 and exported.stdout == ""
    assert "«الرياضيات»" in _said(exported)

    added = run_cli(data_dir, "sources", "alias", "skynewsarabia.com", "قناة سكاي")
    assert added.returncode == 0 and "Sky News Arabia" in added.stdout
    assert json.loads(run_cli(data_dir, "search", "", "--source", "قناه سكاى", "--json").stdout)["total"] == 1
    for args, expected in [
        (("sources", "alias", "مصدر مجهول", "اسم"), "no outlet named"),
        (("sources", "alias", "Al-Riyadh", "قناة سكاي"), "already names another outlet"),
    ]:
        refused = run_cli(data_dir, *args)
        assert refused.returncode == 1 and expected in _said(refused) and "Traceback" not in refused.stderr
