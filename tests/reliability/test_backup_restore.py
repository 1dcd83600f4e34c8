"""Backup while the service runs, restore elsewhere, find the same search results."""

import json

from tests.conftest import SEEDS, needs_shared, run_cli, sqlite_only

pytestmark = needs_shared(SEEDS)


@sqlite_only
def test_backup_while_serving_then_restore(server, tmp_path) -> None:
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(SEEDS.glob("*.txt"))]
    with server.client() as http:
        assert http.post("/api/ingest", files=files).json()["added"] == 5
        before = http.get("/api/search", params={"q": "التحالف", "fold_duplicates": "false"}).json()
    backup_dir = tmp_path / "backup"
    made = run_cli(server.data_dir, "backup", str(backup_dir))  # the server keeps running meanwhile
    assert made.returncode == 0, made.stderr
    manifest = json.loads((backup_dir / "arshif-backup.json").read_text())
    assert manifest["articles"] == 5 and manifest["integrity"] == "ok"

    elsewhere = tmp_path / "restored"
    restored = run_cli(elsewhere, "restore", str(backup_dir))
    assert restored.returncode == 0, restored.stderr
    after = json.loads(run_cli(elsewhere, "search", "التحالف", "--json", "--no-fold").stdout)
    assert [h["id"] for h in after["hits"]] == [h["id"] for h in before["hits"]]
    assert after["total"] == before["total"]

    again = run_cli(elsewhere, "restore", str(backup_dir))
    assert again.returncode == 1 and "--force" in again.stderr and "Traceback" not in again.stderr
    assert run_cli(server.data_dir, "backup", str(backup_dir)).returncode == 1  # never overwrites
