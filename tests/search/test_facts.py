"""Facts kept per index state (service/search/facts.py): shared while the index stays as it is, and
never outliving a change — not even an update that leaves the number of documents as it was. Real
SQLite, real tantivy, real analyzer."""

from service.search.engine import SearchService
from service.search.request import make_request
from tests.helpers import add_articles, when


def test_a_state_lasts_until_the_index_changes(archive) -> None:
    add_articles(archive, {"title": "بيان", "body": "وصل الوفد إلى بيروت", "published_at": when(1)})
    service = SearchService(archive)
    _, facts = service.snapshot()
    assert service.snapshot()[1] is facts  # nothing written: the same facts
    assert facts.doc_freq("text_exact", "بيروت") == 1
    add_articles(archive, {"title": "خبر", "body": "غادر الوفد بيروت", "published_at": when(2)})
    _, after = service.snapshot()
    assert after is not facts and after.state != facts.state
    assert after.doc_freq("text_exact", "بيروت") == 2
    assert facts.doc_freq("text_exact", "بيروت") == 1  # the old facts still answer for their searcher


def test_an_update_that_keeps_the_count_of_documents_is_a_new_state(archive) -> None:
    article = {"external_id": "a1", "source": "بلدي نيوز", "title": "بيان", "published_at": when(1)}
    add_articles(archive, article | {"body": "وصل الوفد إلى بيروت"})
    service = SearchService(archive)
    _, before = service.snapshot()
    assert before.doc_freq("text_exact", "زمردستان") == 0
    add_articles(archive, article | {"body": "وصل الوفد إلى زمردستان"})  # the same article, updated
    searcher, after = service.snapshot()
    assert searcher.num_docs == 1 and after is not before
    assert after.doc_freq("text_exact", "زمردستان") == 1
    assert service.search(make_request("زمردستان")).total == 1


def test_a_new_outlet_and_a_new_spelling_count_from_the_next_query(archive) -> None:
    add_articles(
        archive,
        {"title": "ترامب يهاجم الصحافة", "body": "هاجم ترامب الإعلام", "source": "سكاي نيوز عربية"},
    )
    service = SearchService(archive)
    assert service.search(make_request("", sources=["الشرق الأوسط"])).total == 0
    assert not service.search(make_request("ترامب")).expansions
    add_articles(
        archive, {"title": "ترمب والكونغرس", "body": "قال ترمب إن الكونغرس", "source": "الشرق الأوسط"}
    )
    assert service.search(make_request("", sources=["الشرق الأوسط"])).total == 1
    expansions = service.search(make_request("ترامب")).expansions
    assert any("ترمب" in e["variants"] for e in expansions)
