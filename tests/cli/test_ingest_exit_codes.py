"""``arshif ingest`` exits 0 only if everything went in (1: some failed, 2: nothing did), and refuses
files that are not articles — binary files, PDFs, English notes — with a reason, while mixed Arabic
and Latin articles still go in."""

from __future__ import annotations

import json
from pathlib import Path

from service.ingest.formats import ParsedArticle, RecordFailure, parse_file
from tests.conftest import run_cli

ARABIC = (
    "أعلنت وزارة الصحة اليوم افتتاح مستشفى جديد في المدينة يضم مئتي سرير، وقال الوزير إن المستشفى "
    "سيخدم سكان الأحياء الشرقية الذين كانوا يقطعون مسافات طويلة للوصول إلى أقرب مركز صحي."
)
MIXED = (
    "Top 10 films of 1978 — أفضل عشرة أفلام\n"
    "Coming Home | Hal Ashby (USA); The Deer Hunter | Michael Cimino (USA); Days of Heaven | "
    "Terrence Malick (USA); Autumn Sonata | Ingmar Bergman (Sweden); The Tree of Wooden Clogs | "
    "Ermanno Olmi (Italy)\nاختيارات الناقد السينمائي لأفضل ما عُرض في صالات السينما ذلك العام."
)
NOTES = (
    "Notes for the Deir ez-Zor story: check the SDF (قسد) statements again, ask the desk about the "
    "casualty figures, and compare the outlets' timelines before Friday's meeting with the editors."
)


def _write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _ingest(data_dir: Path, *paths: Path):
    result = run_cli(data_dir, "ingest", *map(str, paths), "--json")
    return result, json.loads(result.stdout) if result.stdout.strip() else None


def test_exit_codes_and_refused_files(tmp_path: Path, data_dir: Path) -> None:
    article = _write(tmp_path, "خبر.txt", f"مستشفى جديد\n\n{ARABIC}\n")
    mixed = _write(tmp_path, "films.txt", MIXED)
    notes = _write(tmp_path, "notes.txt", NOTES)
    pdf = _write(tmp_path, "report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    binary = _write(tmp_path, "data.bin", bytes(range(256)) * 40)

    result, summary = _ingest(data_dir, article, mixed)
    assert result.returncode == 0, result.stderr
    assert summary["added"] == 2 and summary["failed"] == 0

    result, summary = _ingest(data_dir, article, notes, pdf, binary)
    assert result.returncode == 1, result.stderr
    assert summary["unchanged"] == 1 and summary["failed"] == 3
    reasons = {Path(f["origin"]).name: f["reason"] for f in summary["failures"]}
    assert "not an Arabic article" in reasons["notes.txt"] and "ليس مقالًا عربيًّا" in reasons["notes.txt"]
    assert "PDF" in reasons["report.pdf"] and "binary" in reasons["data.bin"]
    assert "Traceback" not in result.stderr

    result, summary = _ingest(data_dir, notes, pdf)
    assert result.returncode == 2 and summary["failed"] == 2 and "nothing was stored" in result.stderr

    empty = _write(tmp_path, "empty-dir-file.jsonl", "\n\n")
    result, _ = _ingest(data_dir, empty)
    assert result.returncode == 2 and "no records found" in result.stderr

    missing = run_cli(data_dir, "ingest", str(tmp_path / "no-such.jsonl"))
    said = " ".join(missing.stderr.split())  # rich wraps long lines
    assert missing.returncode == 2 and "no such file" in said and "Traceback" not in said


def test_records_without_arabic_fail_alone_in_any_format(tmp_path: Path) -> None:
    lines = [
        {"id": "1", "title": "مستشفى جديد", "body": ARABIC},
        {"id": "2", "title": "Weekly notes", "body": NOTES},
        {"id": "3", "title": "أفلام", "body": MIXED},
        {"id": "4", "title": "١٢٣", "body": "١٢٣ — 456 — ٪٪"},  # no letters at all
        {"id": "5", "title": "عاجل", "body": "انفجار في الميناء"},  # short, but Arabic
    ]
    path = _write(tmp_path, "dump.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in lines))
    results = list(parse_file(path))
    kinds = [type(r).__name__ for r in results]
    assert kinds == ["ParsedArticle", "RecordFailure", "ParsedArticle", "RecordFailure", "ParsedArticle"]
    assert all(isinstance(r, (ParsedArticle, RecordFailure)) for r in results)
    failure = results[1]
    assert isinstance(failure, RecordFailure) and failure.origin.endswith(":2")
