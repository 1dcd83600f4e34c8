"""Every ``arshif`` command README.md shows runs, in the README's order, against the news corpus in a
new data directory, and does what the README says it does.

The ```sh blocks of README.md are parsed; a line that runs ``arshif`` (``.venv/bin/arshif``) is a
command. Differences from typing them, each for a reason:

- ``ingest ../shared/data/news/arabic_news.jsonl.xz`` reads a subset of the corpus written to the
  temporary directory under the same name and format (every tenth article, and every article that
  mentions دير الزور, the README's example): ~7,000 articles take ~10 s; the whole 69,841 take ~35 s
  of CPU on top of the rest of the suite. ``ARSHIF_README_FULL_CORPUS=1`` ingests the whole corpus.
- ``backup /backups/today`` writes to a directory inside the temporary directory (``/backups`` is
  not ours to write).
- not run: ``serve`` (a server that runs until stopped; the server is tested in tests/reliability)
  and ``db copy postgresql://…`` (needs a PostgreSQL server at ``db``; copying is tested in
  tests/scaleout); ``make`` lines are not ``arshif`` commands (``make test`` runs this very test).
- ``feeds add https://example.org/…`` subscribes to the same paths on the feed tests' local site
  (tests/feeds/site, served on 127.0.0.1): this machine may not reach example.org, and a test must
  not depend on another site.
A README command this test does not know how to judge fails it, so a new one gets its check here.
"""

from __future__ import annotations

import csv
import io
import json
import lzma
import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import ARSHIF, NEWS, REPO, env_for, needs_shared
from tests.feeds.conftest import Site

pytestmark = needs_shared(NEWS)

NOT_RUN = {
    "serve": "runs until stopped; the server has its own tests (tests/reliability)",
    "db copy": "needs a PostgreSQL server at db; copying is tested in tests/scaleout",
}


def readme_commands() -> list[list[str]]:
    """The ``arshif`` commands of README.md's ```sh blocks, split as a shell would (comments dropped)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():  # a line continued with \\ is one
            words = shlex.split(line, comments=True)
            if words and Path(words[0]).name == "arshif":
                commands.append(words[1:])
    return commands


@dataclass
class Run:
    """One README command as run: its words, its answer, where its output was redirected to, and
    what the subset holds."""

    args: list[str]
    done: subprocess.CompletedProcess[str]
    target: Path | None
    stored: int  # articles in the subset
    spelled: dict[str, int]  # articles of the subset whose raw record contains the word
    env: dict[str, str]

    def again(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Another command against the same archive (to see what this one changed)."""
        return subprocess.run([ARSHIF, *args], env=self.env, capture_output=True, text=True, check=True)


def _subset(path: Path, words: tuple[str, ...]) -> tuple[int, dict[str, int]]:
    """Every tenth article of the corpus and every one that mentions دير الزور, as .jsonl.xz; how
    many, and how many of them contain each of ``words`` as written."""
    kept, spelled = 0, dict.fromkeys(words, 0)
    full = os.environ.get("ARSHIF_README_FULL_CORPUS") == "1"
    with (
        lzma.open(NEWS, "rt", encoding="utf-8") as corpus,
        lzma.open(path, "wt", encoding="utf-8", preset=0) as out,
    ):
        for i, line in enumerate(corpus):
            if full or i % 10 == 0 or "دير الزور" in line:
                out.write(line)
                kept += 1
                for word in words:
                    spelled[word] += word in line
    return kept, spelled


def test_readme_commands_run_against_the_corpus(tmp_path: Path) -> None:
    commands = readme_commands()
    names = [" ".join(c[:2]) if c[0] in ("db", "synonyms", "sources", "feeds") else c[0] for c in commands]
    # the README's own example, the one a researcher tries first, is among them
    example = [
        "search",
        '"دير الزور" قسد',
        "--source",
        "سكاي نيوز عربية",
        "--from",
        "2018-02",
        "--limit",
        "5",
    ]
    assert example in commands
    assert {"ingest", "search", "show", "export", "reindex", "backup", "serve", "db copy"} <= set(names)

    corpus = tmp_path / "arabic_news.jsonl.xz"
    stored, spelled = _subset(corpus, ("ترمب",))
    # a new data directory: the first command makes the archive
    env = env_for(tmp_path / "var", ARSHIF_FEED_DELAY="0", ARSHIF_FEED_TIMEOUT="5")
    site = Site().start()

    failed, skipped = [], []
    for args, name in zip(commands, names, strict=True):
        if name in NOT_RUN:
            skipped.append(f"{name}: {NOT_RUN[name]}")
            continue
        args = [a.replace("https://example.org", site.base) for a in args]
        try:
            _run_and_check(args, name, tmp_path, env, stored, spelled)
        except AssertionError as exc:  # every command is tried; all failures are reported together
            failed.append(f"arshif {shlex.join(args)}\n  {exc}")
    site.stop()
    assert {"/rss.xml", "/news-sitemap.xml"} <= set(site.paths())
    print("README commands not run in a test:", *skipped, sep="\n  ")
    assert len(skipped) == len(NOT_RUN)
    assert not failed, "\n".join(failed)


def _run_and_check(
    args: list[str], name: str, tmp_path: Path, env: dict[str, str], stored: int, spelled: dict[str, int]
) -> None:
    assert name in CHECKS, "a README command with no check here yet: add one"
    target = None
    if ">" in args:  # `arshif export … > putin.csv`: the shell's redirection
        at = args.index(">")
        args, target = args[:at], tmp_path / args[at + 1]
    if name == "ingest":
        assert args[1:] == ["../shared/data/news/arabic_news.jsonl.xz"]
        args = ["ingest", str(tmp_path / "arabic_news.jsonl.xz")]
    if name == "backup":
        args = ["backup", str(tmp_path / "backups" / Path(args[1]).name)]
    done = subprocess.run(
        [ARSHIF, *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    if target is not None:
        target.write_text(done.stdout, encoding="utf-8")
    CHECKS[name](Run(args, done, target, stored, spelled, env))


def _said(run: Run) -> str:
    return " ".join(run.done.stderr.split())  # rich wraps long lines


def _ingest(run: Run) -> None:
    assert "أرشيف جديد" in _said(run)  # a new data directory, made on first use
    assert re.search(rf"│ {run.stored:,} │", run.done.stderr), _said(run)[-500:]  # every article added


def _search(run: Run) -> None:
    if run.args[-2:] == ["--format", "csv"]:  # export's columns, the corrected query's hits
        rows = list(csv.DictReader(io.StringIO(run.done.stdout.lstrip("\ufeff"))))
        assert rows and {r["section"] for r in rows} == {"middleEast"}, run.done.stdout[:300]
        typed_right = run.again("search", "اتفاق السلام", *run.args[2:]).stdout
        assert run.done.stdout == typed_right  # the same rows as the query spelt right
        assert "عرض نتائج: اتفاق السلام" in _said(run)
        return
    if "--json" in run.args:
        found = json.loads(run.done.stdout)
        assert found["total"] > 0 and not found["warnings"]
        if run.args[1] == "ترمب":  # "also finds ترامب, ranked below the typed spelling"
            first = found["hits"][0]
            assert "ترمب" in (first["title"] or "") + first["snippet_text"]
            assert found["total"] > run.spelled["ترمب"]  # more than the articles with the typed spelling
        return
    assert not run.done.stderr.strip(), run.done.stderr  # no warning: the outlet's Arabic name is known
    total = int(run.done.stdout.split()[0].replace(",", ""))
    assert total > 0, run.done.stdout[:500]
    if "--source" in run.args:
        outlets = re.findall(r"^(.+?) · \d{4}-\d{2}-\d{2}", run.done.stdout, flags=re.MULTILINE)
        assert outlets and set(outlets) == {"Sky News Arabia"}, outlets
        months = re.findall(r" · (\d{4}-\d{2})-\d{2}", run.done.stdout)
        assert months and min(months) >= "2018-02"


def _show(run: Run) -> None:
    assert re.search(rf"^id: {run.args[1]}$", run.done.stdout, flags=re.MULTILINE), run.done.stdout[:300]
    assert len(run.done.stdout) > 200


def _export(run: Run) -> None:
    assert run.target is not None
    rows = list(csv.DictReader(io.StringIO(run.target.read_text(encoding="utf-8").lstrip("\ufeff"))))
    assert rows
    assert all(re.search("بوتي?ن", r["title"] + r["body"]) for r in rows)


def _synonyms_add(run: Run) -> None:
    assert "قسد ⇄ قوات سوريا الديمقراطية" in run.done.stdout


def _reindex(run: Run) -> None:
    assert f"index rebuilt: {run.stored:,} articles" in _said(run)


def _backup(run: Run) -> None:
    assert f"{run.stored:,} articles" in _said(run) and Path(run.args[1]).is_dir()


def _sources_list(run: Run) -> None:
    assert re.search(r"Sky News Arabia\s+[\d,]+\s+skynewsarabia\.com\s.*سكاي نيوز عربية", run.done.stdout)


def _sources_alias(run: Run) -> None:
    assert run.done.stdout.split() == [*run.args[2].split(), "⇐", *run.args[3].split()]
    found = json.loads(run.again("search", "", "--source", "بي بي سى نيوز عربى", "--json").stdout)
    assert found["total"] > 0 and {h["source"] for h in found["hits"]} == {"BBC Arabic"}


def _feeds_add(run: Run) -> None:
    said = re.fullmatch(r"(\d+)\s+(\S+)\s*(.*)", run.done.stdout.strip())
    assert said and said[2] == run.args[2], run.done.stdout
    if "--source" in run.args:
        assert said[3] == run.args[run.args.index("--source") + 1]


def _feeds_poll(run: Run) -> None:
    added = [int(n) for n in re.findall(r"أضيف (\d+)", _said(run))]
    assert len(added) == 2 and all(added), _said(run)  # both subscriptions brought articles
    assert "✗" not in run.done.stderr
    found = json.loads(run.again("search", "الحسكة", "--json").stdout)  # the news sitemap's rain story
    assert found["total"] > 0


def _feeds_list(run: Run) -> None:
    lines = run.done.stdout.splitlines()
    assert len(lines) == 2 and all(line.endswith("سليمة") for line in lines), run.done.stdout


def _feeds_remove(run: Run) -> None:
    left = json.loads(run.again("feeds", "list", "--json").stdout)
    assert [f["id"] for f in left] == [1]


CHECKS = {
    "ingest": _ingest,
    "search": _search,
    "show": _show,
    "export": _export,
    "synonyms add": _synonyms_add,
    "reindex": _reindex,
    "backup": _backup,
    "sources list": _sources_list,
    "sources alias": _sources_alias,
    "feeds add": _feeds_add,
    "feeds poll": _feeds_poll,
    "feeds list": _feeds_list,
    "feeds remove": _feeds_remove,
}
