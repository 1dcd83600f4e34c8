"""Request and response bodies of the API (pydantic), kept apart from the ORM models."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from html import escape
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.ingest.formats.dates import as_utc
from service.ingest.limits import MAX_METADATA_DEPTH, too_deep_metadata
from service.search.engine import Hit
from service.search.marked import Marked


class Problem(BaseModel):
    """RFC 9457 problem details, with the human message in Arabic and English."""

    type: str = Field(examples=["https://arshif.invalid/problems/not-found"])
    title: str = Field(examples=["not-found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no article with id 42"])
    detail_ar: str = Field(examples=["لا يوجد مقال رقمه 42"])
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


def _no_lone_surrogates(value: Any) -> Any:
    """JSON may carry "\ud800" escapes that are not text; refuse them here rather than fail in storage.
    Iterative: a deeply nested value is refused by its own validator, not by a RecursionError here."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(
                    "text contains invalid Unicode (lone surrogates) / نص بترميز غير صالح"
                ) from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


class TextModel(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _valid_unicode(cls, value: Any) -> Any:
        return _no_lone_surrogates(value)


class ArticlePatch(TextModel):
    """Some fields of an article (PATCH); every field of ``ArticleIn``, all optional."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "عنوان مصحَّح"}]})

    body: str | None = Field(
        None, min_length=1, max_length=20_000_000, description="Text as published / النص كما نُشر"
    )
    title: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=2000)
    external_id: str | None = Field(
        None, max_length=500, description="The article's id upstream; unique per source."
    )
    source: str | None = Field(None, max_length=200)
    author: str | None = Field(None, max_length=500)
    section: str | None = Field(None, max_length=500)
    published_at: datetime | None = None
    language: str | None = Field(None, max_length=16)
    metadata: dict[str, Any] | None = Field(
        None, description=f"Anything else, nested at most {MAX_METADATA_DEPTH} levels"
    )

    @field_validator("published_at")
    @classmethod
    def _utc_instant(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        if utc is None:
            raise ValueError(
                "published_at is outside the range of dates once converted to UTC"
                " / تاريخ النشر خارج مدى التواريخ بعد تحويله إلى التوقيت العالمي"
            )
        return utc

    @field_validator("metadata")
    @classmethod
    def _not_too_deep(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        keys = too_deep_metadata(value or {})
        if keys:
            raise ValueError(
                f"metadata {', '.join(repr(k[:40]) for k in keys[:3])} nested deeper than {MAX_METADATA_DEPTH} levels"
                f" / البيانات الإضافية متداخلة أكثر من {MAX_METADATA_DEPTH} مستوى"
            )
        return value


class ArticleIn(ArticlePatch):
    """A whole article (POST, PUT): the body is required."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "اشتباكات بين قوات النظام و«قسد» في دير الزور",
                    "body": "تجددت الاشتباكات صباح اليوم بين قوات النظام وقوات سوريا الديمقراطية في ريف دير الزور الشرقي.",
                    "source": "بلدي نيوز",
                    "author": "كنان سلطان",
                    "section": "أخبار سورية",
                    "url": "https://example.org/news/1",
                    "external_id": "news-1",
                    "published_at": "2018-02-07T10:00:00Z",
                }
            ]
        },
    )

    body: str = Field(min_length=1, max_length=20_000_000, description="Text as published / النص كما نُشر")


class ArticleSummary(BaseModel):
    id: int
    title: str | None
    source: str | None
    url: str | None
    published_at: datetime | None


class ArticleOut(BaseModel):
    id: int
    external_id: str | None
    source: str | None
    url: str | None
    title: str | None
    author: str | None
    section: str | None
    published_at: datetime | None
    language: str | None
    content_hash: str
    cluster_id: int | None
    ingested_at: datetime | None
    updated_at: datetime | None
    body: str
    metadata: dict[str, Any]


class ArticleCopy(ArticleSummary):
    similarity: float = Field(
        ge=0,
        le=1,
        description="How alike the two texts are: the Jaccard similarity of their word shingles, estimated"
        " from the stored MinHash signatures (0 to 1) / نسبة التشابه بين النصين",
        examples=[0.93],
    )


class ArticleDetail(ArticleOut):
    same_story: list[ArticleCopy] = Field(
        description="The same story in other outlets: their near-duplicate copies of this article, most"
        " similar first / الخبر نفسه في مصادر أخرى"
    )
    same_outlet: list[ArticleCopy] = Field(
        description="Near-duplicates of this article from its own outlet (republished or corrected)"
        " / نسخ مكررة من المصدر نفسه"
    )


class ArticleList(BaseModel):
    total: int
    items: list[ArticleOut]
    offset: int
    limit: int


class WriteOutcome(BaseModel):
    outcome: Literal["added", "updated", "unchanged", "duplicate"]
    id: int


class BulkWriteOutcome(BaseModel):
    results: list[WriteOutcome | Problem]


def marked_html(marked: Marked) -> str:
    """The API's HTML for highlighted text: every character escaped, each marked word in ``<mark>``.
    ``html.escape`` exactly as before the search layer handed out spans, so clients see the same bytes."""
    return "".join(f"<mark>{escape(piece)}</mark>" if hit else escape(piece) for piece, hit in marked.parts())


SPANS = (
    " [start, end) offsets in Unicode code points (not UTF-16 units), sorted, never overlapping"
    " / بداية كل كلمة ونهايتها بعدد المحارف (نقاط يونيكود لا وحدات UTF-16)، مرتبة وغير متداخلة"
)


class HitOut(BaseModel):
    id: int
    external_id: str | None
    title: str | None
    title_html: str = Field(
        description="Title, HTML-escaped, query words in <mark>"
        " / العنوان بصيغة HTML: محارفه الخاصة مُرمَّزة وكلمات البحث داخل <mark>",
    )
    title_spans: list[tuple[int, int]] = Field(
        description="Where the query words stand in `title` / مواضع كلمات البحث في العنوان:" + SPANS,
        examples=[[[0, 7]]],
    )
    source: str | None
    author: str | None
    section: str | None
    published_at: datetime | None
    url: str | None
    score: float
    snippet: str = Field(
        description="`snippet_text` HTML-escaped, query words in <mark>"
        " / المقطع بصيغة HTML: محارفه الخاصة مُرمَّزة وكلمات البحث داخل <mark>",
    )
    snippet_text: str = Field(
        description="Best fragment of the body as plain text, not escaped; … where it was cut"
        " / أفضل مقطع من النص كما هو دون ترميز HTML، وعلامة … حيث قُطع",
    )
    snippet_spans: list[tuple[int, int]] = Field(
        description="Where the query words stand in `snippet_text` / مواضع كلمات البحث في المقطع:" + SPANS,
        examples=[[[2, 9]]],
    )
    cluster_id: int
    cluster_size: int
    folded: int

    @model_validator(mode="before")
    @classmethod
    def _from_hit(cls, data: Any) -> Any:
        """The search layer hands out title and snippet as text plus spans; the API sends both the HTML
        existing clients read and the raw form, which a client can format for itself."""
        if not isinstance(data, Hit):
            return data
        values = {f.name: getattr(data, f.name) for f in fields(data)}
        title: Marked = values.pop("marked_title")
        snippet: Marked = values.pop("snippet")
        return values | {
            "title_html": marked_html(title),
            "title_spans": title.spans,
            "snippet": marked_html(snippet),
            "snippet_text": snippet.text,
            "snippet_spans": snippet.spans,
        }


class Bucket(BaseModel):
    value: str
    count: int


class HistogramBucket(BaseModel):
    start: str
    count: int


class Histogram(BaseModel):
    interval: Literal["day", "week", "month"]
    buckets: list[HistogramBucket]


class Expansion(BaseModel):
    term: str
    variants: list[str]
    synonyms: list[str]


class WarningOut(BaseModel):
    code: str = Field(description="query-repaired | unknown-source")
    message_ar: str
    message_en: str
    value: str | None = Field(None, description="What was typed (the unknown outlet)")
    suggestions: list[str] = Field(description="The closest known outlets / أقرب المصادر المعروفة")


class SearchOut(BaseModel):
    total: int = Field(
        description="Hits a reader can page through: matching articles, near-duplicates folded into one"
        " hit when fold_duplicates (the default) / عدد النتائج التي تُتصفَّح، والنسخ المكررة مجموعة في نتيجة واحدة"
    )
    total_unfolded: int = Field(
        description="Matching articles, every near-duplicate counted / كل المقالات المطابقة"
    )
    duplicates_folded: int = Field(
        description="Near-duplicates folded into another hit (total_unfolded - total) / النسخ المكررة المطويّة"
    )
    total_exact: bool = Field(
        True,
        description="False when over 10,000 articles match: near-duplicates are then not counted and total"
        " is total_unfolded, an upper bound / إذا كانت خطأ فالعدد تقريبي (حدّ أعلى)",
    )
    hits: list[HitOut]
    offset: int
    limit: int
    match: Literal["all", "any"]
    fallback: bool = Field(
        description="True when no article had all the words and any-word matching was used"
    )
    facets: dict[str, list[Bucket]]
    histogram: Histogram | None
    corrected: bool = Field(
        False,
        description="True when the query looked misspelt and the corrected query was searched instead"
        " (nocorrect=true searches it as typed) / صُحّح الاستعلام وعُرضت نتائج التصحيح",
    )
    original_query: str | None = Field(None, description="The query as typed, when it was corrected")
    corrected_query: str | None = Field(None, description="The query searched instead / الاستعلام المصحَّح")
    suggestions: list[str] = Field(description="Did you mean / هل تقصد")
    expansions: list[Expansion] = Field(description="Spelling variants and synonyms that were also searched")
    warnings: list[WarningOut] = Field(
        description="Repairs to the query, outlets the archive does not know / تنبيهات"
    )
    next_cursor: str | None
    took_ms: float


class Failure(BaseModel):
    origin: str
    reason: str


class IngestSummaryOut(BaseModel):
    added: int
    updated: int
    unchanged: int
    duplicates: int
    failed: int
    records: int
    failures: list[Failure]
    seconds: float
    inputs: list[str]


class SynonymGroupOut(BaseModel):
    id: int
    terms: list[str]


class SynonymGroupIn(TextModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"terms": ["قسد", "قوات سوريا الديمقراطية"]}]}
    )
    terms: list[str] = Field(min_length=2, max_length=20)


class SynonymsIn(TextModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"groups": [["قسد", "قوات سوريا الديمقراطية"], ["داعش", "تنظيم الدولة"], ["فبراير", "شباط"]]}
            ]
        },
    )
    groups: list[list[str]] = Field(max_length=10_000)


class SourceOut(BaseModel):
    id: int
    name: str
    domain: str | None
    articles: int
    aliases: list[str] = Field(description="Other names that find this outlet / أسماء أخرى للمصدر")


class AliasIn(BaseModel):
    alias: str = Field(min_length=1, max_length=200, examples=["سكاي نيوز عربية"])


class StatsOut(BaseModel):
    articles: int
    indexed_documents: int
    index_lag: dict[str, float | int]
    sources: int
    index_size_bytes: int
    last_ingest: datetime | None
    analyzer_version: str
    database: str
    change_feed: str = Field(
        description='How this node hears of changes: "listen" (PostgreSQL NOTIFY) or "poll"'
    )


class FeedIn(TextModel):
    url: str = Field(max_length=2000, description="RSS 2.0, Atom or sitemap URL (http/https)")
    source: str | None = Field(None, max_length=200, description="Outlet name; default: the feed's title")
    interval_s: int | None = Field(
        None, ge=60, le=7 * 24 * 3600, description="Seconds between polls; default ARSHIF_FEED_INTERVAL"
    )
    allow_hosts: list[str] = Field(
        default_factory=list, max_length=20, description="Other hosts the feed's links may point to"
    )


class FeedOut(BaseModel):
    """A subscription and its health."""

    id: int
    url: str
    source: str | None
    title: str | None
    kind: str | None = Field(description="rss | atom | sitemap | sitemap-index (known after the first poll)")
    interval_s: int | None
    allow_hosts: list[str]
    created_at: datetime
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int = Field(description="Consecutive failed polls (the next poll backs off exponentially)")
    next_poll_at: datetime | None
    items_seen: int
    articles_added: int


class FeedPollOut(BaseModel):
    feed_id: int
    url: str
    status: Literal["ok", "not-modified", "error"]
    error: str | None
    listed: int
    new: int
    added: int
    updated: int
    unchanged: int
    from_summary: int
    failed: int
    item_errors: list[Failure]


class CountSeriesOut(BaseModel):
    query: str = Field(description="The query as given / الاستعلام")
    source: str | None = Field(description="The outlet, when split by outlet / المصدر")
    total: int = Field(description="Matching articles over all periods (duplicates not folded)")
    counts: list[int] = Field(description="Matching articles per period, aligned with `periods`")
    bases: list[int] = Field(
        description="All articles per period (of the outlet when split), within the same filters: the share's denominator"
    )
    shares: list[float] | None = Field(
        description="counts / bases per period (0 where the base is 0), when normalize=true"
    )


class CountsOut(BaseModel):
    """Articles per period for each query (and outlet): "attention over time"."""

    interval: Literal["day", "week", "month"]
    split: Literal["source"] | None
    normalized: bool
    periods: list[str] = Field(description="Each period's first day (ISO 8601)", examples=[["2018-02-01"]])
    series: list[CountSeriesOut]
