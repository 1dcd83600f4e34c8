"""Precision and recall of place and person name searches on the whole news corpus, through the shipped
search (``SearchService``, as the API calls it).

For each name of tests/analysis/place_names.py (and the ه spelling of names ending in ة): precision is the
share of returned articles that really contain the name, recall the share of the articles containing it
that are returned. "Contains" is the reference matcher of place_names.py (whole word after clitics and the
article, ة/ه alike, no stemmer), run on each stored article's title and body.

The archive (the whole corpus through ``arshif ingest``, ~4 minutes) is built once under bench/out/names/
and reused; after an analyzer change only its index is rebuilt from the database (~2 minutes). The
reference sets are cached too. Usage:

    .venv/bin/python bench/names.py                 # markdown table on stdout and bench/out/names/names.md
    .venv/bin/python bench/names.py --names الرقة درعا
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import func, select

from service.analysis import ANALYZER_VERSION
from service.archive import Archive
from service.db import Article
from service.search.engine import SearchService
from service.settings import Settings
from tests.analysis.place_names import HOMOGRAPHS, NAMES, SPARSE, NameRow, markdown, measure, names_in

OUT = REPO / "bench" / "out" / "names"
NEWS = (REPO / ".." / "shared" / "data" / "news" / "arabic_news.jsonl.xz").resolve()
ARSHIF = REPO / ".venv" / "bin" / "arshif"
PRECISION, RECALL = 0.9, 0.95


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build(data_dir: Path) -> None:
    """The whole corpus through the real ingest pipeline, once; a marker file says it finished."""
    marker = data_dir / "ingested.json"
    if marker.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARSHIF_")} | {
        "ARSHIF_DATA_DIR": str(data_dir)
    }
    subprocess.run([str(ARSHIF), "db", "upgrade"], env=env, check=True, capture_output=True)
    log(f"ingesting {NEWS} into {data_dir} (minutes; log in {data_dir / 'ingest.log'})")
    with open(data_dir / "ingest.log", "wb") as err:
        done = subprocess.run(
            [str(ARSHIF), "ingest", "--json", "--no-progress", str(NEWS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            check=True,
        )
    marker.write_bytes(done.stdout.strip().splitlines()[-1])


def reference(archive: Archive, names: tuple[str, ...], cache: Path) -> dict[str, set[int]]:
    """name -> ids of the stored articles that contain it (title + body), cached per name list and archive size."""
    with archive.db.reading() as session:
        count, top = session.execute(select(func.count(), func.max(Article.id))).one()
    key = {"articles": count, "max_id": top, "names": list(names)}
    if cache.exists():
        saved = json.loads(cache.read_text())
        if saved["key"] == key:
            return {name: set(ids) for name, ids in saved["containing"].items()}
    log(f"reference matcher over {count:,} articles")
    containing: dict[str, set[int]] = {name: set() for name in names}
    with archive.db.reading() as session:
        for article_id, title, body in session.execute(
            select(Article.id, Article.title, Article.body)
        ).yield_per(2000):
            for name in names_in(f"{title or ''}\n{body or ''}", names):
                containing[name].add(article_id)
    cache.write_text(
        json.dumps({"key": key, "containing": {n: sorted(ids) for n, ids in containing.items()}})
    )
    return containing


def run(data_dir: Path, names: tuple[str, ...]) -> list[NameRow]:
    build(data_dir)
    archive = Archive(Settings(data_dir=data_dir, database_url=None))
    try:
        if not archive.index.is_current:
            log(
                f"index built by analyzer {archive.index.meta.analyzer_version}; rebuilding for {ANALYZER_VERSION}"
            )
            archive.index.rebuild(archive.db)
        containing = reference(archive, names, data_dir.parent / "reference.json")
        return measure(SearchService(archive), containing)
    finally:
        archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=OUT / "var")
    parser.add_argument(
        "--names", nargs="*", help="names to measure (default: place_names NAMES, HOMOGRAPHS, SPARSE)"
    )
    args = parser.parse_args()
    names = tuple(args.names) if args.names else NAMES + HOMOGRAPHS + SPARSE
    rows = run(args.data_dir, names)
    table = markdown(rows)
    misses = [
        r.query
        for r in rows
        if (r.precision < PRECISION or r.recall < RECALL) and r.name not in HOMOGRAPHS + SPARSE
    ]
    summary = (
        f"\nanalyzer {ANALYZER_VERSION}: {len(rows)} queries, {len(rows) - len(misses)} at precision ≥ {PRECISION} "
        f"and recall ≥ {RECALL}"
        + (f"; below: {' '.join(misses)}" if misses else "")
        + f" (not held to the targets: homographs {' '.join(h for h in HOMOGRAPHS if h in names)};"
        f" under 20 articles {' '.join(h for h in SPARSE if h in names)})"
    )
    print(table + summary)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"names-{ANALYZER_VERSION}.md").write_text(table + summary + "\n")


if __name__ == "__main__":
    main()
