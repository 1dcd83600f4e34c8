"""Retrieval quality of the ranking users get: every question through ``SearchService.search``.

    .venv/bin/python bench/eval_shipped.py [--collection arqa_wiki|quranqa2023|arqa+news|all]
        [--set TITLE_BOOST=1 --set EXACT_BOOST=0.5] [--no-variants] [--analyzers]

Why: a harness that builds its own index and query measures something users never see. Here each
collection becomes a real archive (migrations, ``ArticleWriter`` with its dedupe, the news through
the real JSON Lines parser), the index is built by ``SearchIndex.rebuild`` (service/index/document.py),
and each question is the ``q`` of ``GET /api/search?match=any&limit=100&fold_duplicates=false``:
parser, compiler, boosts, variants, synonyms, stop words, fallback — one code path.

Archives are cached under bench/out/eval-cache/, keyed by the collection files and the store code;
the index inside is rebuilt when the analyzer or index code changes, so a ranking-constant change
costs only the questions, and an analyzer change costs an index build, never a re-ingest.

``--set NAME=VALUE`` overrides a compiler constant (service/search/compile.py) for ablations.
``--analyzers`` adds the analyzer-alone comparison of bench/eval_retrieval.py as a second table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from service.analysis import ANALYZER_VERSION
from service.archive import Archive
from service.errors import ArshifError
from service.ingest.formats import RecordFailure
from service.ingest.formats.dispatch import parse_file
from service.ingest.pipeline import to_input
from service.ingest.store import ArticleInput, ArticleWriter, RejectedRecord, WriteResult
from service.search import compile as compile_module
from service.search.compile import QueryCompiler
from service.search.engine import SearchRequest, SearchService
from service.settings import Settings

SHARED = (REPO / ".." / "shared").resolve()
IR = SHARED / "data" / "ir"
NEWS = SHARED / "data" / "news" / "arabic_news.jsonl.xz"
CACHE = REPO / "bench" / "out" / "eval-cache"
CACHE_VERSION = 1  # bump when this module changes what it stores
BATCH = 500
DEPTH = 100  # the API's limit=100
KNOBS = ("TITLE_BOOST", "EXACT_BOOST", "VARIANT_WEIGHT", "SYNONYM_WEIGHT")
# Lucene ArabicAnalyzer + BM25 on the same collections (../shared/README.md): MRR@10, R@100.
LUCENE = {"arqa_wiki": (0.760, 0.965), "arqa+news": (0.552, 0.844)}
# What the stored documents depend on (the cache key) and what the index depends on (rebuild key).
STORE_CODE = ("migrations", "service/db", "service/ingest")
INDEX_CODE = ("service/analysis", "service/index")


# -- collections -------------------------------------------------------------------------------


Doc = tuple[str, str | None, str]  # (collection doc id, title, body)
Qrels = dict[str, set[str]]


@dataclass
class QuestionSet:
    name: str  # the row's label
    queries: dict[str, str]
    qrels: Qrels
    unanswerable: int = 0  # questions whose qrels say "no passage answers" (not scored)


@dataclass
class Collection:
    name: str
    files: list[Path]  # what the cache key hashes
    docs: Callable[[], list[Doc]]
    question_sets: Callable[[], list[QuestionSet]]
    news: int = 0  # news articles added as (unjudged) distractors


def read_qrels(paths: Iterable[Path]) -> tuple[Qrels, set[str]]:
    """TREC qrels; also the questions marked zero-answer (docid -1), which cannot be scored."""
    qrels: Qrels = {}
    empty: set[str] = set()
    for path in paths:
        for line in path.open(encoding="utf-8"):
            parts = line.split()
            if len(parts) < 4:
                continue
            if parts[2] == "-1":
                empty.add(parts[0])
            elif int(parts[3]) > 0:
                qrels.setdefault(parts[0], set()).add(parts[2])
    return qrels, empty - set(qrels)


def arqa_docs() -> list[Doc]:
    out = []
    for line in (IR / "arqa_wiki" / "docs.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        out.append((d["id"], d.get("title") or None, d["text"]))
    return out


def arqa_questions() -> list[QuestionSet]:
    base = IR / "arqa_wiki"
    queries = {}
    for line in (base / "queries.jsonl").open(encoding="utf-8"):
        q = json.loads(line)
        queries[q["id"]] = q["text"]
    qrels, empty = read_qrels([base / "qrels.txt"])
    return [QuestionSet("arqa_wiki", queries, qrels, len(empty))]


def quranqa_docs() -> list[Doc]:
    path = IR / "quranqa2023" / "QQA23_TaskA_QPC_v1.1.tsv"
    rows = (line.rstrip("\n").split("\t", 1) for line in path.open(encoding="utf-8"))
    return [(pid, None, text) for pid, text in rows]


def quranqa_questions() -> list[QuestionSet]:
    base = IR / "quranqa2023"
    sets = []
    for split in ("dev", "train"):
        queries = {}
        for line in (base / f"QQA23_TaskA_ayatec_v1.2_{split}.tsv").open(encoding="utf-8"):
            qid, text = line.rstrip("\n").split("\t", 1)
            queries[qid] = text
        qrels, empty = read_qrels([base / f"QQA23_TaskA_ayatec_v1.2_qrels_{split}.gold"])
        sets.append(QuestionSet(f"quranqa {split}", queries, qrels, len(empty)))
    return sets


def _arqa_files() -> list[Path]:
    return sorted((IR / "arqa_wiki").glob("*"))


COLLECTIONS = {
    "arqa_wiki": Collection("arqa_wiki", _arqa_files(), arqa_docs, arqa_questions),
    "quranqa2023": Collection(
        "quranqa2023", sorted((IR / "quranqa2023").glob("QQA23_*")), quranqa_docs, quranqa_questions
    ),
    "arqa+news": Collection("arqa+news", [*_arqa_files(), NEWS], arqa_docs, arqa_questions, news=69_841),
}


def news_inputs(limit: int) -> Iterator[ArticleInput]:
    """The news corpus as ``arshif ingest arabic_news.jsonl.xz`` reads it (the real parser)."""
    for i, record in enumerate(parse_file(NEWS)):
        if i >= limit:
            return
        if not isinstance(record, RecordFailure):
            yield to_input(record)


# -- the archive -------------------------------------------------------------------------------


@dataclass
class Stored:
    """Which article holds each collection doc (identical bodies share one), and what was folded."""

    article_of: dict[str, int]
    folded_docs: int = 0
    news_added: int = 0
    news_folded: int = 0
    news_rejected: int = 0
    docs_of: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for doc_id, article_id in self.article_of.items():
            self.docs_of.setdefault(article_id, []).append(doc_id)


def _write(archive: Archive, items: list[ArticleInput]) -> list[WriteResult | RejectedRecord]:
    def work(session):
        return ArticleWriter(session).upsert_many(items)

    return archive.db.write(work)


def store(archive: Archive, docs: list[Doc], news: int) -> Stored:
    """Write the collection, then the distractors, in batches through the real writer."""
    article_of: dict[str, int] = {}
    folded = 0
    for start in range(0, len(docs), BATCH):
        chunk = docs[start : start + BATCH]
        items = [ArticleInput(body=body, title=title, external_id=doc_id) for doc_id, title, body in chunk]
        for (doc_id, _, _), result in zip(chunk, _write(archive, items)):
            if isinstance(result, RejectedRecord) or result.article_id <= 0:
                raise SystemExit(f"collection doc {doc_id} was not stored: {result}")
            article_of[doc_id] = result.article_id
            folded += result.outcome == "duplicate"
    stored = Stored(article_of, folded)
    batch: list[ArticleInput] = []

    def flush() -> None:
        done = stored.news_added + stored.news_folded + stored.news_rejected
        if done and done % 10_000 < BATCH:
            log(f"  {done:,} news articles stored")
        for result in _write(archive, batch):
            if isinstance(result, RejectedRecord):
                stored.news_rejected += 1
            elif result.outcome == "duplicate":
                stored.news_folded += 1
            else:
                stored.news_added += 1
        batch.clear()

    if news:
        for item in news_inputs(news):
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        flush()
    return stored


def _hash_paths(paths: Iterable[Path], digest: hashlib._Hash) -> None:
    for path in sorted(paths):
        if path.is_dir():
            _hash_paths((p for p in path.rglob("*") if p.is_file() and p.suffix != ".pyc"), digest)
        else:
            digest.update(str(path.relative_to(path.anchor)).encode())
            digest.update(path.read_bytes())


def code_key(parts: Iterable[str], *extra: object) -> str:
    digest = hashlib.sha256(repr(extra).encode())
    _hash_paths((REPO / p for p in parts), digest)
    return digest.hexdigest()[:16]


def open_archive(
    data_dir: Path, collection: Collection, docs: list[Doc], news: int
) -> tuple[Archive, Stored]:
    """A migrated archive in ``data_dir`` holding the documents, with an index built from them."""
    archive = Archive(Settings(data_dir=data_dir))
    archive.upgrade()
    stored = store(archive, docs, news)
    archive.index.rebuild(archive.db)
    return archive, stored


def cached_archive(collection: Collection, docs: list[Doc]) -> tuple[Archive, Stored]:
    """The collection's archive from the cache, ingesting on a miss and re-indexing on analyzer changes."""
    files_key = hashlib.sha256()
    _hash_paths(collection.files, files_key)
    key = code_key(STORE_CODE, CACHE_VERSION, collection.news, files_key.hexdigest())
    stem = f"{collection.name}{collection.news or ''}"  # arqa+news69841: a --news slice has its own
    where = CACHE / f"{stem}-{key}"
    index_key = code_key(INDEX_CODE, ANALYZER_VERSION)
    if not (where / "stored.json").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=f"building-{collection.name}-", dir=CACHE))
        started = time.perf_counter()
        archive, stored = open_archive(building, collection, docs, collection.news)
        archive.close()
        (building / "index.key").write_text(index_key)
        (building / "stored.json").write_text(
            json.dumps(
                {
                    "article_of": stored.article_of,
                    "folded_docs": stored.folded_docs,
                    "news_added": stored.news_added,
                    "news_folded": stored.news_folded,
                    "news_rejected": stored.news_rejected,
                }
            )
        )
        for stale in CACHE.glob(f"{stem}-*"):
            if stale.is_dir():  # the same collection under older code or files
                shutil.rmtree(stale, ignore_errors=True)
        os.replace(building, where)
        log(
            f"{collection.name}: archive built and cached in {time.perf_counter() - started:.0f}s ({where.name})"
        )
    data = json.loads((where / "stored.json").read_text())
    stored = Stored(data.pop("article_of"), **data)
    archive = Archive(Settings(data_dir=where))
    key_file = where / "index.key"
    if not key_file.exists() or key_file.read_text() != index_key:
        started = time.perf_counter()
        archive.index.rebuild(archive.db)
        key_file.write_text(index_key)
        log(
            f"{collection.name}: analyzer/index code changed, index rebuilt in {time.perf_counter() - started:.0f}s"
        )
    return archive, stored


# -- scoring -----------------------------------------------------------------------------------


def score(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    """(reciprocal rank in the top 10, nDCG@10 with binary gains, recall in the top 100)."""
    first = next((i for i, d in enumerate(ranked[:10]) if d in relevant), None)
    rr = 0.0 if first is None else 1.0 / (first + 1)
    dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    recall = len(relevant & set(ranked[:DEPTH])) / len(relevant)
    return rr, dcg / ideal, recall


@dataclass
class Result:
    label: str
    questions: int = 0
    mrr: float = 0.0
    ndcg: float = 0.0
    recall: float = 0.0
    refused: int = 0  # the parser or the search refused the question (scored as a miss)
    errors: int = 0  # anything else that went wrong (scored as a miss; a bug to look at)
    unanswerable: int = 0
    seconds: float = 0.0
    per_question: dict[str, tuple[float, float, float]] = field(default_factory=dict)


class EvalSearchService(SearchService):
    """The shipped service; only ``--no-variants`` changes what it hands the compiler, because
    ``SearchService`` itself has no switch for ``QueryCompiler(use_variants=...)``."""

    def __init__(self, archive: Archive, *, use_variants: bool = True) -> None:
        super().__init__(archive)
        self.use_variants = use_variants

    def _compiler(self, searcher, facts=None):
        if self.use_variants:
            return super()._compiler(searcher, facts)
        return QueryCompiler(
            self.archive.index.schema,
            searcher,
            synonyms=self.synonyms,
            facet_values=self.facet_values,
            use_variants=False,
            facts=facts,
        )


def ranked_docs(service: SearchService, question: str, stored: Stored) -> list[str]:
    """The API's ranking for one question, as collection doc ids (a distractor is ``article:<id>``)."""
    request = SearchRequest(q=question, match="any", limit=DEPTH, fold=False, snippets=False)
    hits = service.search(request).hits
    return [d for hit in hits for d in stored.docs_of.get(hit.id, [f"article:{hit.id}"])]


def evaluate(service: SearchService, stored: Stored, questions: QuestionSet) -> Result:
    result = Result(questions.name, unanswerable=questions.unanswerable)
    started = time.perf_counter()
    for qid, text in questions.queries.items():
        relevant = questions.qrels.get(qid)
        if not relevant:
            continue
        try:
            ranked = ranked_docs(service, text, stored)
        except ArshifError:
            result.refused += 1
            ranked = []
        except Exception as exc:  # noqa: BLE001 - one broken question must not end an hour-long run
            result.errors += 1
            if result.errors <= 3:
                log(f"  question {qid} failed: {type(exc).__name__}: {exc}")
            ranked = []
        result.per_question[qid] = score(ranked, relevant)
    n = len(result.per_question)
    result.questions = n
    if n:
        result.mrr, result.ndcg, result.recall = (
            sum(s[i] for s in result.per_question.values()) / n for i in range(3)
        )
    result.seconds = time.perf_counter() - started
    return result


# -- knobs and output --------------------------------------------------------------------------


def apply_knobs(settings: list[str]) -> dict[str, float]:
    """Set compiler constants on the module the compiler reads them from (one ranking code path)."""
    applied = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or name not in KNOBS:
            raise SystemExit(f"--set wants NAME=VALUE with NAME one of {', '.join(KNOBS)}; got {item!r}")
        applied[name] = float(value)
        setattr(compile_module, name, float(value))
    return applied


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(rows: list[tuple[Result, Stored]]) -> str:
    lines = [
        "| collection | questions | MRR@10 | nDCG@10 | R@100 | Lucene MRR@10 | Lucene R@100 | refused | docs folded | s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r, stored in rows:
        lucene = LUCENE.get(r.label)
        ref = (f"{lucene[0]:.3f}", f"{lucene[1]:.3f}") if lucene else ("—", "—")
        folded = f"{stored.folded_docs}" + (f" (+{stored.news_folded} news)" if stored.news_folded else "")
        asked = f"{r.questions:,}" + (f" (+{r.unanswerable} no-answer, unscored)" if r.unanswerable else "")
        lines.append(
            f"| {r.label} | {asked} | {r.mrr:.3f} | {r.ndcg:.3f} | {r.recall:.3f} | {ref[0]} | {ref[1]} "
            f"| {r.refused + r.errors} | {folded} | {r.seconds:.0f} |"
        )
    return "\n".join(lines)


def run_collection(
    collection: Collection,
    *,
    cache: bool,
    use_variants: bool,
    news: int | None = None,
) -> list[tuple[Result, Stored]]:
    docs = collection.docs()
    label = collection.name
    if news is not None and collection.news and news != collection.news:
        collection = Collection(
            collection.name, collection.files, collection.docs, collection.question_sets, news
        )
        label = f"arqa+{news}news"  # not the run Lucene's figures are for
    with tempfile.TemporaryDirectory(prefix="arshif-eval-") as tmp:
        if cache:
            archive, stored = cached_archive(collection, docs)
        else:
            archive, stored = open_archive(Path(tmp), collection, docs, collection.news)
        try:
            service = EvalSearchService(archive, use_variants=use_variants)
            rows = []
            for questions in collection.question_sets():
                if collection.news:
                    questions.name = label
                result = evaluate(service, stored, questions)
                log(
                    f"  {result.label}: MRR@10 {result.mrr:.3f} ({result.questions} q, {result.seconds:.0f}s)"
                )
                rows.append((result, stored))
            return rows
        finally:
            archive.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--collection",
        choices=[*COLLECTIONS, "small", "all"],
        default="all",
        help="small = arqa_wiki and quranqa2023 (no news); all adds arqa+news",
    )
    parser.add_argument(
        "--set",
        dest="knobs",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a compiler constant: {', '.join(KNOBS)}",
    )
    parser.add_argument(
        "--use-variants",
        dest="use_variants",
        action="store_true",
        default=True,
        help="spelling variants and compounds in the compiler (the default, as shipped)",
    )
    parser.add_argument(
        "--no-variants",
        dest="use_variants",
        action="store_false",
        help="QueryCompiler(use_variants=False): no variants, no compound merging",
    )
    parser.add_argument(
        "--news", type=int, default=None, help="distractors for arqa+news (default: all 69,841)"
    )
    parser.add_argument(
        "--no-cache", dest="cache", action="store_false", help="build every archive in a temporary directory"
    )
    parser.add_argument(
        "--analyzers",
        action="store_true",
        help="then the analyzer-alone comparison of bench/eval_retrieval.py (second table)",
    )
    args = parser.parse_args(argv)
    knobs = apply_knobs(args.knobs)
    names = {"all": ["arqa_wiki", "quranqa2023", "arqa+news"], "small": ["arqa_wiki", "quranqa2023"]}
    started = time.perf_counter()
    rows = []
    for name in names.get(args.collection, [args.collection]):
        rows.extend(
            run_collection(
                COLLECTIONS[name], cache=args.cache, use_variants=args.use_variants, news=args.news
            )
        )
    constants = ", ".join(f"{k}={getattr(compile_module, k)}" for k in KNOBS)
    print(f"# shipped ranking — SearchService.search(match=any, limit={DEPTH}, fold=False)  ({date.today()})")
    print(f"# {' '.join(['bench/eval_shipped.py', *(argv if argv is not None else sys.argv[1:])])}")
    print(
        f"# {constants}; variants {'on' if args.use_variants else 'off'}"
        f"{'; overridden: ' + ', '.join(knobs) if knobs else ''}"
    )
    print(table(rows))
    print(f"\n_{time.perf_counter() - started:.0f}s wall_", flush=True)
    if args.analyzers:
        from bench import eval_retrieval

        print()
        which = {"arqa+news": "arqa_wiki", "small": "all"}.get(args.collection, args.collection)
        eval_retrieval.main(["--collection", which])  # its own indexes; no distractors (4 analyzers x 70k)


if __name__ == "__main__":
    main()
