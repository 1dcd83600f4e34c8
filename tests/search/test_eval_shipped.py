"""The shipped-ranking evaluation, end to end on a slice of arqa_wiki: the figures `make eval` prints
are only worth reading if the plumbing from question to metric is right."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import eval_shipped
from bench.eval_shipped import (
    COLLECTIONS,
    EvalSearchService,
    QuestionSet,
    apply_knobs,
    arqa_docs,
    arqa_questions,
    evaluate,
    open_archive,
    ranked_docs,
    score,
)
from service.search import compile as compile_module
from tests.conftest import needs_shared

SLICE = 200
QUESTIONS = 150  # of the ~330 whose documents are in the slice: enough to see the plumbing, quick


def test_score_of_one_ranking() -> None:
    assert score(["a", "b"], {"a"}) == (1.0, 1.0, 1.0)
    rr, ndcg, recall = score(["x", "a"], {"a"})
    assert rr == 0.5 and 0 < ndcg < 1 and recall == 1.0
    assert score([f"x{i}" for i in range(10)] + ["a"], {"a"})[:2] == (0.0, 0.0)  # 11th: no credit at 10
    assert score([], {"a"}) == (0.0, 0.0, 0.0)


def test_knobs_set_the_compiler_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in eval_shipped.KNOBS:
        monkeypatch.setattr(compile_module, name, getattr(compile_module, name))  # restored afterwards
    assert apply_knobs(["TITLE_BOOST=1", "EXACT_BOOST=0.5"]) == {"TITLE_BOOST": 1.0, "EXACT_BOOST": 0.5}
    assert compile_module.TITLE_BOOST == 1.0 and compile_module.EXACT_BOOST == 0.5
    with pytest.raises(SystemExit):
        apply_knobs(["MIN_PREFIX=3"])


@needs_shared(eval_shipped.IR / "arqa_wiki")
def test_slice_of_arqa_through_the_search_service(tmp_path: Path) -> None:
    docs = arqa_docs()[:SLICE]
    ids = {doc_id for doc_id, _, _ in docs}
    [questions] = arqa_questions()
    qrels = dict([(qid, rel) for qid, rel in questions.qrels.items() if rel <= ids][:QUESTIONS])
    queries = {qid: questions.queries[qid] for qid in qrels}
    queries["operators"] = 'title:( "من هو -OR) جمال~ خاشقجي* NOT'  # the parser must survive it as-is
    qrels["operators"] = {docs[0][0]}
    archive, stored = open_archive(tmp_path, COLLECTIONS["arqa_wiki"], docs, 0)
    try:
        service = EvalSearchService(archive)
        result = evaluate(service, stored, QuestionSet("slice", queries, qrels))
        few = list(qrels)[:30]
        plain = EvalSearchService(archive, use_variants=False)
        no_variants = evaluate(plain, stored, QuestionSet("s", {q: queries[q] for q in few}, qrels))
        firsts = {qid: ranked_docs(service, queries[qid], stored)[:1] for qid in few}
    finally:
        archive.close()
    assert result.questions == len(queries) > 100
    assert no_variants.questions == len(few)
    assert result.errors == 0
    for qid, first in firsts.items():  # ranked first <=> reciprocal rank 1
        assert (result.per_question[qid][0] == 1.0) == (bool(first) and first[0] in qrels[qid])
    assert any(result.per_question[qid][0] == 1.0 for qid in firsts)
    assert all(rr == 0 or 1 / rr == round(1 / rr) for rr, _, _ in result.per_question.values())
    for value in (result.mrr, result.ndcg, result.recall, no_variants.mrr):
        assert 0.0 <= value <= 1.0
    assert result.mrr == pytest.approx(sum(s[0] for s in result.per_question.values()) / result.questions)
    assert result.mrr > 0.3  # far above chance (1/200): the questions really reach their documents
    assert len(stored.article_of) == SLICE
