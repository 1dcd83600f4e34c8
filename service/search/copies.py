"""The same story elsewhere: other outlets' copies of one article, and how similar each is.

A near-duplicate cluster (``articles.cluster_id``) is built one article at a time — each joins the
cluster of its most similar earlier article — so it is transitive: A resembles B and B resembles C
puts A and C together however little they share, and an outlet's next story that reuses a few
paragraphs of the last one lands in its cluster too. "The same story in other outlets" is therefore
not "the other members of the cluster": a candidate (a cluster member, or an article sharing an LSH
band with this one) counts only if *its own* MinHash signature against this article's estimates a
Jaccard similarity of at least ``NEAR_DUPLICATE_JACCARD`` — the bar the store clusters with — and it
is from another outlet. Near-duplicates from the same outlet (a correction, a republished piece) are
returned apart. The similarity is the estimate from the stored signatures (``fingerprint.similarity``:
the share of the 60 MinHash values that agree), 0 to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, union

from service.db import Article, ArticleBand, ArticleSignature, Database
from service.ingest import fingerprint

MAX_COPIES = 50  # per list: a wire story copied by every outlet lists its closest fifty


@dataclass(frozen=True)
class Copy:
    article: Article  # detached, its outlet loaded
    similarity: float  # estimated Jaccard similarity of the two bodies' word shingles, 0 to 1


@dataclass(frozen=True)
class SameStory:
    elsewhere: list[Copy]  # other outlets' copies, most similar first
    same_outlet: list[Copy]  # near-duplicates from this article's own outlet


def same_story(db: Database, article: Article) -> SameStory:
    """The near-duplicates of ``article`` (at least ``NEAR_DUPLICATE_JACCARD`` alike by their stored
    signatures), split by outlet, most similar first (then oldest first)."""
    with db.reading() as session:
        own = session.get(ArticleSignature, article.id)
        if own is None:
            return SameStory([], [])
        signature = fingerprint.from_bytes(own.minhash)
        banded = select(ArticleBand.article_id).where(
            ArticleBand.key.in_(select(ArticleBand.key).where(ArticleBand.article_id == article.id))
        )
        clustered = select(Article.id).where(Article.cluster_id == (article.cluster_id or article.id))
        rows = session.execute(
            select(ArticleSignature.article_id, ArticleSignature.minhash).where(
                ArticleSignature.article_id.in_(union(banded, clustered)),
                ArticleSignature.article_id != article.id,
            )
        )
        alike = {
            other: score
            for other, blob in rows
            if (score := fingerprint.similarity(signature, fingerprint.from_bytes(blob)))
            >= fingerprint.NEAR_DUPLICATE_JACCARD
        }
        if not alike:
            return SameStory([], [])
        found = session.scalars(select(Article).where(Article.id.in_(list(alike)))).all()
    copies = sorted(
        (Copy(a, round(alike[a.id], 4)) for a in found),
        key=lambda c: (-c.similarity, c.article.published_at is None, c.article.published_at, c.article.id),
    )
    elsewhere = [c for c in copies if c.article.source_id != article.source_id]
    same_outlet = [c for c in copies if c.article.source_id == article.source_id]
    return SameStory(elsewhere[:MAX_COPIES], same_outlet[:MAX_COPIES])


__all__ = ["MAX_COPIES", "Copy", "SameStory", "same_story"]
