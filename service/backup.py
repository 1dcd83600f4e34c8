"""Consistent copies of a running archive: SQLite's online backup plus a snapshot of the index.

The index is copied first, under the writer lock, so its watermark can only be behind the database
copied after it; on restore, start-up reconciliation applies the difference. (The other order could
leave an index ahead of its database, which forces a full rebuild.)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from service.archive import Archive
from service.errors import ArshifError

MANIFEST = "arshif-backup.json"


def _sqlite_path(archive: Archive) -> Path:
    if not archive.settings.is_sqlite:
        raise ArshifError(
            "النسخ الاحتياطي المدمج يخص SQLite؛ استعمل أدوات قاعدة البيانات (مثل pg_dump) لغيرها",
            "built-in backup covers SQLite; use the database's own tools (e.g. pg_dump) otherwise",
        )
    return Path(archive.settings.sqlalchemy_url.split("///", 1)[1])


def backup(archive: Archive, dest: Path) -> dict[str, object]:
    source_db = _sqlite_path(archive)
    if dest.exists() and any(dest.iterdir()):
        raise ArshifError(f"المجلد {dest} غير فارغ", f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    index = archive.index
    index.ensure()
    with index.writer_lock():
        generation = index.path
        shutil.copytree(generation, dest / "index" / generation.name)
        (dest / "index" / "CURRENT").write_text(generation.name)
        applied = index.meta.applied_seq
    with sqlite3.connect(source_db) as src, sqlite3.connect(dest / "archive.db") as dst:
        src.backup(dst)
    with sqlite3.connect(dest / "archive.db") as check:
        articles = check.execute("SELECT count(*) FROM articles").fetchone()[0]
        integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
    manifest = {"articles": articles, "index_applied_seq": applied, "integrity": integrity}
    (dest / MANIFEST).write_text(json.dumps(manifest))
    return manifest


def restore(source: Path, data_dir: Path, *, force: bool = False) -> dict[str, object]:
    if not (source / MANIFEST).is_file() or not (source / "archive.db").is_file():
        raise ArshifError(f"{source} ليس نسخة احتياطية من أرشيف", f"{source} is not an Arshif backup")
    target_db = data_dir / "archive.db"
    if (target_db.exists() or (data_dir / "index").exists()) and not force:
        raise ArshifError(
            f"يوجد أرشيف في {data_dir}؛ أوقف الخادم وأعد الأمر مع --force لاستبداله",
            f"an archive already exists in {data_dir}; stop the server and pass --force to replace it",
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"archive.db{suffix}").unlink(missing_ok=True)
    shutil.rmtree(data_dir / "index", ignore_errors=True)
    shutil.copy2(source / "archive.db", target_db)
    shutil.copytree(source / "index", data_dir / "index")
    return json.loads((source / MANIFEST).read_text())
