"""Analysis throughput on real news text: words per second for ``analyze`` vs a plain regex split.

    .venv/bin/python bench/analysis_speed.py [--articles 5000] [--repeat 3]

Reads the first N articles of ../shared/data/news/arabic_news.jsonl.xz (title + body), then times:
  baseline   re.findall(r"\\w+") over each text (no offsets, no normalization: the floor)
  cold       analyze() with an empty word cache (every distinct spelling runs the whole chain once)
  warm       analyze() again with the cache filled (the steady state of a long-running ingest)
Words/s counts the tokens analyze() returns. Single process, single core; times are CPU time of this
process (time.process_time), so other work on a shared machine disturbs them less than wall time.
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.analysis import (
    analyze,
    pipeline,
)

NEWS = (REPO / ".." / "shared" / "data" / "news" / "arabic_news.jsonl.xz").resolve()


def load(n: int) -> list[str]:
    texts = []
    with lzma.open(NEWS, "rt", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            if a.get("title"):
                texts.append(a["title"])
            texts.append(a["body"])
            if len(texts) >= 2 * n:
                break
    return texts


def timed(fn, texts: list[str]) -> tuple[float, int]:
    started = time.process_time()
    words = 0
    for t in texts:
        words += len(fn(t))
    return time.process_time() - started, words


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs; the best is reported")
    args = parser.parse_args()
    texts = load(args.articles)
    chars = sum(map(len, texts))
    print(f"{args.articles} articles, {len(texts)} texts, {chars / 1e6:.1f} M characters")

    findall = re.compile(r"\w+").findall
    base = min(timed(findall, texts)[0] for _ in range(args.repeat))
    _, base_words = timed(findall, texts)

    pipeline._WORDS.clear()
    cold, words = timed(analyze, texts)
    distinct = len(pipeline._WORDS)
    warm = min(timed(analyze, texts)[0] for _ in range(args.repeat))

    print(
        f"baseline re.findall(\\w+): {base_words / base / 1e6:6.2f} M words/s  ({base_words} words, {base:.2f} s)"
    )
    print(
        f"analyze, cold cache     : {words / cold / 1e6:6.2f} M words/s  ({words} tokens, {distinct} distinct spellings, {cold:.2f} s)"
    )
    print(f"analyze, warm cache     : {words / warm / 1e6:6.2f} M words/s  ({warm:.2f} s)")
    print(f"analyze warm / baseline time: {warm / base:.1f}x")


if __name__ == "__main__":
    main()
