"""Analysis throughput on real news text: words per second for ``analyze`` and ``index_terms`` vs a
plain regex split.

    .venv/bin/python bench/analysis_speed.py [--articles 5000] [--repeat 3] [--pure-python]

Reads the first N articles of ../shared/data/news/arabic_news.jsonl.xz (title + body), then times:
  baseline   re.findall(r"\\w+") over each text (no offsets, no normalization: the floor)
  cold       analyze() / index_terms() with empty caches (every distinct spelling runs the whole chain
             once)
  warm       the same again with the caches filled (the steady state of a long-running ingest)
The compiled core (service/analysis/_fast.c) is measured when it is built; --pure-python measures the
pure-Python fast path (analyze_py, index_terms_py) instead. Words/s counts the tokens analyze() returns (index_terms gives the same words, without offsets). Single process, single core; times are CPU time of this
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
    index_terms,
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


def cpu_seconds(fn, texts: list[str]) -> float:
    started = time.process_time()
    for t in texts:
        fn(t)
    return time.process_time() - started


def cold_and_warm(fn, texts: list[str], repeat: int) -> tuple[float, float]:
    """CPU seconds with the analyzer's caches emptied first, then the best of ``repeat`` warm runs."""
    pipeline.clear_caches()
    cold = cpu_seconds(fn, texts)
    return cold, min(cpu_seconds(fn, texts) for _ in range(repeat))


def measure(texts: list[str], repeat: int) -> dict:
    """Words/s of the baseline, ``index_terms`` and ``analyze``, cold and warm (bench/run.py reports it)."""
    findall = re.compile(r"\w+").findall
    base = min(cpu_seconds(findall, texts) for _ in range(repeat))
    base_words = sum(len(findall(t)) for t in texts)
    words = sum(len(analyze(t)) for t in texts)
    out = {
        "compiled": pipeline._analyze is not pipeline.analyze_py,
        "chars": sum(map(len, texts)),
        "regex_words": base_words,
        "tokens": words,
        "regex_wps": base_words / base,
    }
    for name, fn in (("index", index_terms), ("analyze", analyze)):
        cold, warm = cold_and_warm(fn, texts, repeat)
        out[f"{name}_cold_wps"], out[f"{name}_warm_wps"] = words / cold, words / warm
    out["distinct"] = len(pipeline._WORDS)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs; the best is reported")
    parser.add_argument("--pure-python", action="store_true", help="measure the path used without _fast.c")
    args = parser.parse_args()
    if args.pure_python:
        pipeline._analyze, pipeline._index_terms = pipeline.analyze_py, pipeline.index_terms_py
    compiled = pipeline._analyze is not pipeline.analyze_py
    texts = load(args.articles)
    chars = sum(map(len, texts))
    print(f"{args.articles} articles, {len(texts)} texts, {chars / 1e6:.1f} M characters")
    print(
        "analyzer: " + ("compiled core (_fast.c)" if compiled else "pure Python (analyze_py, index_terms_py)")
    )

    m = measure(texts, args.repeat)
    print(f"baseline re.findall(\\w+): {m['regex_wps'] / 1e6:6.2f} M words/s  ({m['regex_words']} words)")
    print(f"{m['tokens']} tokens, {m['distinct']} distinct spellings")
    for name, key in (("index_terms", "index"), ("analyze", "analyze")):
        for state in ("cold", "warm"):
            wps = m[f"{key}_{state}_wps"]
            print(
                f"{name + ', ' + state + ' cache':24}: {wps / 1e6:6.2f} M words/s ({m['regex_wps'] / wps:.1f}x baseline time)"
            )


if __name__ == "__main__":
    main()
