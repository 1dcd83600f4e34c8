"""Deterministic scale-up corpus: N distinct articles recombined from paragraphs of the real ones.

    .venv/bin/python bench/scaleup.py --n 1000000 --out /tmp/scaleup.jsonl [--seed 8] [--json]

Each synthetic article takes 3–8 paragraphs drawn uniformly from all paragraphs of the real corpus,
each from a different real article (seeded RNG), so vocabulary, word frequencies and article length
(about 2.6 kB of body on average, as in the real corpus) stay those of real news, while two synthetic articles
share at most a paragraph or two: far below the near-duplicate threshold (Jaccard 0.5 over word
3-shingles), so the dedupe step neither folds nor drops them. The title is the title of the first
paragraph's article plus a counter; source and category come from it too; the date is a random real
article's date moved by up to ±15 days, so the spread over time follows the real corpus. ids and URLs
are new (``scaleup-<seed>-<n>``, ``https://scaleup.invalid/…``).

The output is streamed to the given path, which must be outside the repository (the articles are
licensed for research and testing only); its sha256 is printed so runs can be compared.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workload

MIN_PARAGRAPH = 40  # characters; shorter lines are mostly bylines and boilerplate


def load_pool() -> tuple[list[tuple], list[tuple[int, str]], list[datetime]]:
    """Real articles' (title, source, category), all their paragraphs as (article, text), and their dates."""
    articles, paragraphs, dates = [], [], []
    for record in workload.iter_records():
        kept = [p for p in (record.get("body") or "").split("\n") if len(p) >= MIN_PARAGRAPH]
        if kept:
            paragraphs.extend((len(articles), p) for p in kept)
            articles.append(
                (record.get("title") or kept[0][:60], record.get("source"), record.get("category"))
            )
        try:
            dates.append(datetime.fromisoformat(record["published_at"]))
        except (KeyError, TypeError, ValueError):
            pass
    return articles, paragraphs, dates


def generate(n: int, out: Path, seed: int = 8) -> dict:
    out = Path(out)
    if workload.REPO in out.resolve().parents:
        raise SystemExit(f"refusing to write derived articles inside the repository: {out}")
    started = time.perf_counter()
    articles, paragraphs, dates = load_pool()
    rng = random.Random(seed)
    digest = hashlib.sha256()
    size = 0
    with open(out, "wb") as f:
        for i in range(n):
            k = rng.randint(3, 8)
            while True:  # k paragraphs from k different real articles
                picks = [paragraphs[j] for j in rng.sample(range(len(paragraphs)), k)]
                if len({a for a, _ in picks}) == k:
                    break
            title, source, category = articles[picks[0][0]]
            published = rng.choice(dates) + timedelta(seconds=rng.randint(-15 * 86400, 15 * 86400))
            line = (
                json.dumps(
                    {
                        "id": f"scaleup-{seed}-{i:07d}",
                        "title": f"{title} ({i + 1})",
                        "body": "\n".join(p for _, p in picks),
                        "source": source,
                        "url": f"https://scaleup.invalid/{seed}/{i}",
                        "published_at": published.isoformat(),
                        "category": category,
                    },
                    ensure_ascii=False,
                ).encode()
                + b"\n"
            )
            f.write(line)
            digest.update(line)
            size += len(line)
    return {
        "articles": n,
        "bytes": size,
        "sha256": digest.hexdigest(),
        "seed": seed,
        "pool_articles": len(articles),
        "pool_paragraphs": len(paragraphs),
        "seconds": round(time.perf_counter() - started, 1),
        "path": str(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    stats = generate(args.n, args.out, args.seed)
    print(
        json.dumps(stats)
        if args.json
        else f"{stats['articles']:,} articles, {stats['bytes'] / 1e6:.0f} MB → {stats['path']} "
        f"(sha256 {stats['sha256'][:16]}…, {stats['seconds']} s)"
    )


if __name__ == "__main__":
    main()
