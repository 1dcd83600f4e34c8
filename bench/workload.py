"""The benchmark's inputs: the news corpus (read from ../shared, never copied into the repo) and a
fixed, seeded query mix drawn from its vocabulary.

Query mix (200 queries, the same list for Arshif in-process, Arshif over HTTP, whoosh and FTS5):
  1w       one word from each document-frequency band (very common … very rare)
  2w, 3w   two / three words taken from one real article (so an AND has at least one hit),
           the first word cycling through the bands
  phrase   two or three consecutive words of a real article, quoted
  filter   one or two words + that article's source + its calendar month
  facets   one or two words with facets and a monthly histogram
  deep     a very common word, page at offset 500 or more
Words are real surface spellings (as a user would type them); bands are measured on the analyzer's
exact forms over a sample of articles.
"""

from __future__ import annotations

import calendar
import json
import lzma
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from service.analysis import STOPWORDS, analyze

NEWS = (REPO / ".." / "shared" / "data" / "news" / "arabic_news.jsonl.xz").resolve()
CORPUS_SIZE = 69_841

# Bands by the number of sampled articles containing the word (exact form), as (name, floor(n)).
BANDS = (
    ("very common", lambda n: 0.05 * n),
    ("common", lambda n: 0.01 * n),
    ("medium", lambda n: max(0.002 * n, 4)),
    ("rare", lambda n: 3),
    ("very rare", lambda n: 2),
)
MIX = {"1w": 30, "2w": 30, "3w": 30, "phrase": 30, "filter": 30, "facets": 30, "deep": 20}


def stride_for(count: int | None) -> int:
    """Every k-th record gives about ``count`` spread over the whole file (it is ordered by source)."""
    return 1 if not count or count >= CORPUS_SIZE else -(-CORPUS_SIZE // count)


def iter_lines(count: int | None = None) -> Iterator[bytes]:
    """All lines, or about ``count`` of them: every k-th, so every outlet and year is represented."""
    stride = stride_for(count)
    with lzma.open(NEWS, "rb") as f:
        for n, line in enumerate(f):
            if n % stride == 0:
                yield line


def iter_records(count: int | None = None) -> Iterator[dict]:
    for line in iter_lines(count):
        yield json.loads(line)


def write_subset(path: Path, count: int | None) -> tuple[int, int]:
    """About ``count`` records (every k-th) as plain JSONL in a temporary file; returns (records, bytes)."""
    n = size = 0
    with open(path, "wb") as out:
        for line in iter_lines(count):
            out.write(line)
            n, size = n + 1, size + len(line)
    return n, size


def corpus_bytes() -> int:
    return sum(len(line) for line in iter_lines())


def text_of(record: dict) -> str:
    return f"{record.get('title') or ''}\n{record.get('body') or ''}"


# -- the query mix -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchQuery:
    kind: str
    words: tuple[str, ...]
    band: str = ""
    phrase: bool = False
    source: str | None = None
    date_from: str | None = None  # first day, inclusive (YYYY-MM-DD)
    date_to: str | None = None  # last day, inclusive
    facets: bool = False
    offset: int = 0

    @property
    def q(self) -> str:
        text = " ".join(self.words)
        return f'"{text}"' if self.phrase else text


def _usable(exact: str, raw: str) -> bool:
    return (
        len(exact) >= 3
        and exact not in STOPWORDS
        and raw.isalpha()
        and all("\u0621" <= c <= "\u06ff" for c in raw)
    )


def build_mix(sample: list[dict], indexed: int, seed: int = 8) -> tuple[list[BenchQuery], dict]:
    """The query mix from a sample of articles; ``indexed`` is the size of the smallest corpus it runs
    on (deep pages must stay within the hits)."""
    rng = random.Random(seed)
    df: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    docs = []  # per article: [(exact, raw)] in order
    for record in sample:
        text = text_of(record)
        tokens = [(t.exact, text[t.start : t.end]) for t in analyze(text)]
        docs.append(tokens)
        seen = set()
        for exact, raw in tokens:
            if _usable(exact, raw):
                spellings[exact][raw] += 1
                seen.add(exact)
        df.update(seen)
    n = len(sample)

    floors = [(name, floor(n)) for name, floor in BANDS]

    def band_of(exact: str) -> str:
        return next((name for name, floor in floors if df[exact] >= floor), "singleton")

    surface = {exact: counts.most_common(1)[0][0] for exact, counts in spellings.items()}
    by_band: dict[str, list[str]] = defaultdict(list)
    for exact in sorted(df, key=lambda w: (-df[w], w)):
        if df[exact] >= 2:
            by_band[band_of(exact)].append(exact)
    band_names = [name for name, _ in BANDS]

    def doc_words(i: int) -> list[str]:
        return list(dict.fromkeys(e for e, raw in docs[i] if _usable(e, raw) and df[e] >= 2))

    def words_from_doc(count: int, band: str) -> tuple[int, tuple[str, ...]] | None:
        for _ in range(200):
            i = rng.randrange(n)
            words = doc_words(i)
            anchors = [w for w in words if band_of(w) == band]
            if len(words) < count or not anchors:
                continue
            first = rng.choice(anchors)
            rest = rng.sample([w for w in words if w != first], count - 1)
            return i, tuple(surface[w] for w in (first, *rest))
        return None

    def month_of(i: int) -> tuple[str, str] | None:
        date = (sample[i].get("published_at") or "")[:7]
        if len(date) != 7:
            return None
        y, m = map(int, date.split("-"))
        return f"{y:04d}-{m:02d}-01", f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"

    mix: list[BenchQuery] = []
    for k in range(MIX["1w"]):
        band = band_names[k % len(band_names)]
        if by_band[band]:
            mix.append(BenchQuery("1w", (surface[rng.choice(by_band[band])],), band))
    for kind, count in (("2w", 2), ("3w", 3)):
        for k in range(MIX[kind]):
            band = band_names[k % len(band_names)]
            found = words_from_doc(count, band)
            if found:
                mix.append(BenchQuery(kind, found[1], band))
    for _ in range(100 * MIX["phrase"]):  # bounded: a tiny sample may not have enough
        if sum(q.kind == "phrase" for q in mix) >= MIX["phrase"]:
            break
        tokens = docs[rng.randrange(n)]
        length = rng.choice((2, 3))
        if len(tokens) <= length:
            continue
        start = rng.randrange(len(tokens) - length)
        run = tokens[start : start + length]
        if all(raw.isalpha() for _, raw in run) and any(_usable(e, raw) for e, raw in run):
            mix.append(BenchQuery("phrase", tuple(raw for _, raw in run), phrase=True))
    for kind in ("filter", "facets"):
        for k in range(100 * MIX[kind]):
            if sum(q.kind == kind for q in mix) >= MIX[kind]:
                break
            band = band_names[k % 3]  # filters and facets on words with enough hits to count
            found = words_from_doc(rng.choice((1, 2)), band)
            if not found:
                continue
            i, words = found
            if kind == "facets":
                mix.append(BenchQuery(kind, words, band, facets=True))
            elif sample[i].get("source") and month_of(i):
                start, end = month_of(i)
                mix.append(
                    BenchQuery(kind, words, band, source=sample[i]["source"], date_from=start, date_to=end)
                )
    deep = [w for w in by_band["very common"] if df[w] / n * indexed >= 1200] or by_band["very common"][:5]
    for k in range(MIX["deep"]):
        if deep:
            mix.append(
                BenchQuery("deep", (surface[deep[k % len(deep)]],), "very common", offset=500 + 100 * (k % 6))
            )
    rng.shuffle(mix)  # kinds interleaved: any prefix of the mix (a bounded load run) is representative
    info = {
        "sample_articles": n,
        "bands": {name: len(by_band[name]) for name in band_names},
        "thresholds": {name: f"in ≥ {floor:,.0f} of them" for name, floor in floors},
    }
    return mix, info
