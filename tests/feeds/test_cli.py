"""`arshif feeds add | list | poll | remove`, as an operator (or cron) runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import migrate, run_cli
from tests.feeds.conftest import Site

FAST = {"ARSHIF_FEED_DELAY": "0", "ARSHIF_FEED_TIMEOUT": "2"}


def test_add_poll_list_poll_again_remove(data_dir: Path, site: Site) -> None:
    from service.settings import Settings

    migrate(Settings(data_dir=data_dir))
    added = run_cli(data_dir, "feeds", "add", site.url("/rss.xml"), "--source", "الوادي", "--json", **FAST)
    assert added.returncode == 0, added.stderr
    feed = json.loads(added.stdout)
    assert feed["source"] == "الوادي" and feed["last_polled_at"] is None

    first = run_cli(data_dir, "feeds", "poll", "--json", **FAST)
    assert first.returncode == 0, first.stderr
    [report] = json.loads(first.stdout)
    assert (report["status"], report["added"], report["from_summary"]) == ("ok", 4, 2)

    found = run_cli(data_dir, "search", "سوق الميادين", "--json", **FAST)
    [hit] = json.loads(found.stdout)["hits"]
    assert (hit["source"], hit["external_id"]) == ("الوادي", "wadi-1002")
    assert hit["published_at"] == "2026-11-03T08:00:00Z"

    before = len(site.requests)
    second = run_cli(data_dir, "feeds", "poll", str(feed["id"]), **FAST)
    assert second.returncode == 0, second.stderr
    assert "not-modified" in second.stderr
    asked = site.requests[before:]
    assert [r.path for r in asked] == ["/robots.txt", "/rss.xml"]
    assert "if-none-match" in asked[1].headers

    listed = run_cli(data_dir, "feeds", "list", "--json", **FAST)
    [health] = json.loads(listed.stdout)
    assert (health["items_seen"], health["articles_added"], health["kind"]) == (4, 4, "rss")
    assert health["last_error"] is None and health["last_success_at"]
    assert "/private/secret.html" not in site.paths()

    assert run_cli(data_dir, "feeds", "remove", str(feed["id"]), **FAST).returncode == 0
    assert json.loads(run_cli(data_dir, "feeds", "list", "--json").stdout) == []


def test_mistakes_are_one_clear_line(data_dir: Path, site: Site) -> None:
    from service.settings import Settings

    migrate(Settings(data_dir=data_dir))
    bad = run_cli(data_dir, "feeds", "add", "ftp://example.org/feed.xml")
    assert bad.returncode == 1 and "http" in bad.stderr and "Traceback" not in bad.stderr
    assert run_cli(data_dir, "feeds", "add", site.url("/not-a-feed.xml")).returncode == 0
    twice = run_cli(data_dir, "feeds", "add", site.url("/not-a-feed.xml"))
    assert twice.returncode == 1 and "already subscribed" in twice.stderr
    missing = run_cli(data_dir, "feeds", "remove", "99")
    assert missing.returncode == 1 and "no feed with id 99" in missing.stderr
    polled = run_cli(data_dir, "feeds", "poll", **FAST)
    assert polled.returncode == 1 and "Traceback" not in polled.stderr
    assert "not an RSS, Atom or sitemap document" in polled.stderr
    listed = run_cli(data_dir, "feeds", "list")
    assert "خطأ (1×)" in listed.stdout
