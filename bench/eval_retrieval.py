"""Retrieval quality of our analyzer vs no processing, Snowball Arabic and Lucene-style Arabic.

The analyzers alone, each on an index and query of this file's own making: it compares analyzers, it
does not measure what users get. `make eval` runs bench/eval_shipped.py (the /api/search ranking)
first and this as its second table (``--analyzers``).

    .venv/bin/python bench/eval_retrieval.py [--collection arqa_wiki|quranqa2023|all] [--distractors N]

For each collection under ../shared/data/ir/ and each analyzer, builds a tantivy index in a temporary
directory from pre-tokenized text (same engine, BM25, same documents: title + text), runs every
question as an OR of its terms (stop words dropped, the same list for every analyzer) and prints
MRR@10, nDCG@10 and Recall@100.

Analyzers:
  plain     lower-cased \\w+ split, nothing Arabic-specific
  snowball  the same tokens through Snowball Arabic (PyStemmer)
  lucene    Lucene ArabicAnalyzer rules (normalizer + light stemmer, tests/analysis/lucene_reference.py)
  arshif    service.analysis: stem field OR query, plus exact field OR query boosted (what search does)

--distractors N adds the first N articles of the news corpus to arqa_wiki (judged non-relevant).
"""

from __future__ import annotations

import argparse
import json
import lzma
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import Stemmer
import tantivy

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service.analysis import STOPWORDS, analyze, normalize
from tests.analysis.lucene_reference import lucene_terms

SHARED = (REPO / ".." / "shared").resolve()
IR = SHARED / "data" / "ir"
NEWS = SHARED / "data" / "news" / "arabic_news.jsonl.xz"
# Weight of the exact-form match added on top of the stem match. Measured (docs/analysis.md): 0.25 is
# best on both collections; 1.0 (exact counts as much as the stem) loses 2-3 MRR points.
EXACT_BOOST = 0.25

WORD = re.compile(r"\w+")
Terms = list[tuple[str, int, int]]  # (term, start, end)


# -- collections -------------------------------------------------------------------------------


def load_arqa() -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    base = IR / "arqa_wiki"
    docs = {}
    for line in (base / "docs.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        docs[d["id"]] = f"{d.get('title') or ''}\n{d['text']}"
    queries = {}
    for line in (base / "queries.jsonl").open(encoding="utf-8"):
        q = json.loads(line)
        queries[q["id"]] = q["text"]
    return docs, queries, read_qrels([base / "qrels.txt"])


def load_quranqa() -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    base = IR / "quranqa2023"
    docs = dict(
        line.rstrip("\n").split("\t", 1)
        for line in (base / "QQA23_TaskA_QPC_v1.1.tsv").open(encoding="utf-8")
    )
    queries = {}
    for name in ("QQA23_TaskA_ayatec_v1.2_train.tsv", "QQA23_TaskA_ayatec_v1.2_dev.tsv"):
        for line in (base / name).open(encoding="utf-8"):
            qid, text = line.rstrip("\n").split("\t", 1)
            queries[qid] = text
    qrels = read_qrels(sorted(base.glob("*qrels*.gold")))
    return docs, queries, qrels


def read_qrels(paths: Iterable[Path]) -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    for path in paths:
        for line in path.open(encoding="utf-8"):
            parts = line.split()
            if len(parts) >= 4 and parts[2] != "-1" and int(parts[3]) > 0:  # -1: zero-answer question
                qrels.setdefault(parts[0], set()).add(parts[2])
    return qrels


def news_distractors(n: int) -> Iterable[tuple[str, str]]:
    with lzma.open(NEWS, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                break
            a = json.loads(line)
            yield f"news-{i}", f"{a.get('title') or ''}\n{a['body']}"


# -- analyzers ---------------------------------------------------------------------------------


def plain_terms(text: str) -> Terms:
    return [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(text)]


_snowball = Stemmer.Stemmer("arabic")


def snowball_terms(text: str) -> Terms:
    terms = plain_terms(text)
    stems = _snowball.stemWords([t for t, _, _ in terms])
    return [(s, a, b) for s, (_, a, b) in zip(stems, terms)]


def is_stop(word: str) -> bool:
    return normalize(word) in STOPWORDS


class Analyzer:
    """fields(text) -> {field: terms} for indexing; query(text) -> [(field, term, boost)]."""

    def __init__(
        self,
        name: str,
        fields: Callable[[str], dict[str, Terms]],
        query: Callable[[str], list[tuple[str, str, float]]],
    ) -> None:
        self.name, self.fields, self.query = name, fields, query


def single_field(name: str, terms_of: Callable[[str], Terms]) -> Analyzer:
    def query(text: str) -> list[tuple[str, str, float]]:
        words = [m.group() for m in WORD.finditer(text) if not is_stop(m.group())]
        return [("body", t, 1.0) for w in words for t, _, _ in terms_of(w)]

    return Analyzer(name, lambda text: {"body": terms_of(text)}, query)


def arshif_fields(text: str) -> dict[str, Terms]:
    tokens = analyze(text)
    return {
        "stem": [(t.stem, t.start, t.end) for t in tokens],
        "exact": [(t.exact, t.start, t.end) for t in tokens],
    }


def arshif_query(text: str) -> list[tuple[str, str, float]]:
    out = []
    for t in analyze(text):
        if t.exact in STOPWORDS:
            continue
        out.append(("stem", t.stem, 1.0))
        if EXACT_BOOST:
            out.append(("exact", t.exact, EXACT_BOOST))
    return out


def set_exact_boost(boost: float) -> None:
    global EXACT_BOOST
    EXACT_BOOST = boost


ANALYZERS = {
    "plain": single_field("plain", plain_terms),
    "snowball": single_field("snowball", snowball_terms),
    "lucene": single_field("lucene", lucene_terms),
    "arshif": Analyzer("arshif", arshif_fields, arshif_query),
}


# -- index and search --------------------------------------------------------------------------


def build_index(analyzer: Analyzer, docs: Iterable[tuple[str, str]], path: str) -> tantivy.Index:
    fields = list(analyzer.fields("x"))
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    for f in fields:
        builder.add_text_field(f, tokenizer_name="raw", index_option="freq")
    index = tantivy.Index(builder.build(), path=path)
    writer = index.writer(heap_size=512_000_000, num_threads=1)
    for doc_id, text in docs:
        doc = tantivy.Document()
        doc.add_text("id", doc_id)
        for f, terms in analyzer.fields(text).items():
            toks = [tantivy.Token(term, i, a, b) for i, (term, a, b) in enumerate(terms)]
            doc.add_pre_tokenized_text(f, tantivy.PreTokenizedString(text, toks))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def run(
    analyzer: Analyzer, index: tantivy.Index, queries: dict[str, str], qrels: dict[str, set[str]]
) -> dict[str, float]:
    schema, searcher = index.schema, index.searcher()
    mrr = ndcg = recall = 0.0
    judged = [q for q in queries if q in qrels]
    for qid in judged:
        clauses = {}
        for field, term, boost in analyzer.query(queries[qid]):
            clauses[(field, term)] = clauses.get((field, term), 0.0) + boost  # repeated words weigh more
        subs = []
        for (field, term), boost in clauses.items():
            q = tantivy.Query.term_query(schema, field, term)
            subs.append((tantivy.Occur.Should, q if boost == 1.0 else tantivy.Query.boost_query(q, boost)))
        ranked: list[str] = []
        if subs:
            hits = searcher.search(tantivy.Query.boolean_query(subs), limit=100).hits
            ranked = [searcher.doc(addr)["id"][0] for _, addr in hits]
        relevant = qrels[qid]
        first = next((i for i, d in enumerate(ranked[:10]) if d in relevant), None)
        mrr += 0.0 if first is None else 1.0 / (first + 1)
        dcg = sum(1.0 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
        ideal = sum(1.0 / math.log2(i + 2) for i in range(min(10, len(relevant))))
        ndcg += dcg / ideal
        recall += len(relevant & set(ranked[:100])) / len(relevant)
    n = len(judged)
    return {"MRR@10": mrr / n, "nDCG@10": ndcg / n, "R@100": recall / n, "queries": n}


def evaluate(
    name: str,
    docs: dict[str, str],
    queries: dict[str, str],
    qrels: dict[str, set[str]],
    distractors: int,
    analyzers: list[str],
) -> list[tuple[str, dict[str, float]]]:
    rows = []
    for key in analyzers:
        analyzer = ANALYZERS[key]
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="arshif-eval-") as tmp:
            stream = list(docs.items())
            all_docs: Iterable[tuple[str, str]] = stream
            if distractors:
                all_docs = (*stream, *news_distractors(distractors))
            index = build_index(analyzer, all_docs, tmp)
            scores = run(analyzer, index, queries, qrels)
        print(
            f"  {name:<12} {key:<9} MRR@10 {scores['MRR@10']:.3f}  nDCG@10 {scores['nDCG@10']:.3f}  "
            f"R@100 {scores['R@100']:.3f}  ({scores['queries']} q, {time.perf_counter() - started:.0f}s)",
            file=sys.stderr,
        )
        rows.append((key, scores))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--collection", choices=["arqa_wiki", "quranqa2023", "all"], default="all")
    parser.add_argument("--distractors", type=int, default=0, help="news articles added to arqa_wiki")
    parser.add_argument("--analyzers", default="plain,snowball,lucene,arshif")
    parser.add_argument(
        "--exact-boost", type=float, default=EXACT_BOOST, help="arshif: weight of exact-form matches"
    )
    args = parser.parse_args(argv)
    set_exact_boost(args.exact_boost)
    analyzers = args.analyzers.split(",")
    runs = []
    if args.collection in ("arqa_wiki", "all"):
        runs.append(("arqa_wiki", load_arqa(), 0))
        if args.distractors:
            runs.append((f"arqa+{args.distractors}news", load_arqa(), args.distractors))
    if args.collection in ("quranqa2023", "all"):
        runs.append(("quranqa2023", load_quranqa(), 0))
    command = " ".join(["bench/eval_retrieval.py", *(sys.argv[1:] if argv is None else argv)])
    print(f"# analyzers alone — {command}  ({date.today().isoformat()}, arshif exact boost {EXACT_BOOST})")
    print("| collection | analyzer | MRR@10 | nDCG@10 | R@100 |")
    print("|---|---|---|---|---|")
    for name, (docs, queries, qrels), distractors in runs:
        for key, s in evaluate(name, docs, queries, qrels, distractors, analyzers):
            print(
                f"| {name} | {key} | {s['MRR@10']:.3f} | {s['nDCG@10']:.3f} | {s['R@100']:.3f} |", flush=True
            )


if __name__ == "__main__":
    main()
