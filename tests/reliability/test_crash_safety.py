"""kill -9 during an ingest, again and again: nothing half-written, nothing twice, the index catches up."""

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.conftest import ARSHIF, NEWS, env_for, needs_shared, run_cli, sqlite_only, write_news

pytestmark = needs_shared(NEWS)
RECORDS = 3000
ROUNDS = int(os.environ.get("ARSHIF_CRASH_ROUNDS", "3"))  # make soak raises it


@sqlite_only
def test_kill_9_at_random_moments(tmp_path: Path) -> None:
    source = write_news(tmp_path / "news.jsonl", RECORDS)
    data_dir = tmp_path / "var"
    run_cli(data_dir, "db", "upgrade").check_returncode()
    rng = random.Random(7)
    for _ in range(ROUNDS):
        process = subprocess.Popen(
            [ARSHIF, "ingest", str(source), "--no-progress"],
            env=env_for(data_dir),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(2.0, 8.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        time.sleep(0.5)  # the orphaned indexer notices its parent is gone
        check_consistent(data_dir)

    finished = run_cli(data_dir, "ingest", str(source), "--json", "--no-progress")
    summary = json.loads(finished.stdout)
    assert summary["failed"] == 0
    stored = check_consistent(data_dir)
    # every record is now stored exactly once: newly, or already by a killed run
    assert stored == summary["added"] + summary["unchanged"] + summary["updated"]
    assert summary["added"] + summary["unchanged"] + summary["updated"] + summary["duplicates"] == RECORDS


def check_consistent(data_dir: Path) -> int:
    from service.archive import Archive
    from service.settings import Settings

    with sqlite3.connect(data_dir / "archive.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert db.execute("SELECT count(DISTINCT external_id) FROM articles").fetchone()[0] == count
        orphans = db.execute(
            "SELECT count(*) FROM changes WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()[0]
        assert orphans == 0  # no change logged for an article that never committed
    archive = Archive(Settings(data_dir=data_dir))
    archive.index.reconcile(archive.db)
    with sqlite3.connect(data_dir / "archive.db") as db:
        ids = {row[0] for row in db.execute("SELECT id FROM articles")}
    assert archive.index.indexed_ids() == ids
    archive.close()
    return count
