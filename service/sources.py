"""Outlets and the other names they go by.

An outlet is stored under the name its records gave ("Sky News Arabia"); people type it as they know
it: سكاي نيوز عربية, skynewsarabia.com, سكاي نيوز. Each source has aliases (table ``source_aliases``):

- the names in ``KNOWN_OUTLETS`` below, given to a source when it is created (``ArticleWriter``) and by
  migration 0003 to the sources already stored;
- its domain, taken from its articles' URLs (``domain_of``);
- whatever someone adds (``arshif sources alias``, ``POST /api/sources/{id}/aliases``).

Names are compared by ``name_key``: the analyzer's normalized forms, casefolded — hamza forms, ta
marbuta, diacritics, tatweel and letter case do not matter. Every source filter (the CLI's
``--source``, the API's ``source=``, the page, ``source:``/``مصدر:`` in a query) goes through
``SearchService.facet_values`` → ``SourceDirectory.resolve``; a name that resolves to nothing is
reported with the closest known outlets (``SourceDirectory.closest``).
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from service.analysis import analyze
from service.db import Article, Database, Source, SourceAlias
from service.errors import ArshifError, NotFound

MAX_ALIAS_CHARS = 200
REFRESH_EVERY_S = 2.0  # aliases added by another process are seen this long after at most
NEVER = float("-inf")
MAX_CONTAINS = 50  # a filter that matches names by containment stands for at most this many outlets
SIMILAR_ENOUGH = 0.3  # closest(): weaker matches are not worth suggesting

# Outlets and their other names: Latin and Arabic names, common short forms, domains. The first name
# of each entry is the one the news corpus (../shared/data/news) stores. Order matters where a name is
# shared (الجزيرة is Al Jazeera and the Saudi daily Al-Jazirah): a new source takes the aliases of the
# first entry one of its names or its domain belongs to.
KNOWN_OUTLETS: tuple[tuple[str, ...], ...] = (
    ("Sky News Arabia", "سكاي نيوز عربية", "سكاي نيوز", "Sky News عربية", "skynewsarabia.com"),
    ("Al Arabiya", "العربية", "العربية نت", "قناة العربية", "Alarabiya", "alarabiya.net"),
    ("BBC Arabic", "بي بي سي عربي", "بي بي سي العربية", "بي بي سي", "BBC عربي", "bbc.co.uk", "bbc.com"),
    ("CNN Arabic", "سي إن إن عربية", "سي إن إن بالعربية", "سي إن إن", "CNN بالعربية", "arabic.cnn.com"),
    ("France 24 Arabic", "فرانس 24", "فرانس ٢٤ عربي", "France 24", "france24.com"),
    ("Jawhara FM", "جوهرة إف إم", "جوهرة أف أم", "إذاعة جوهرة", "jawharafm.net"),
    ("Al Jazeera", "الجزيرة", "الجزيرة نت", "قناة الجزيرة", "Al Jazeera Arabic", "aljazeera.net"),
    ("Al-Jazirah", "الجزيرة", "صحيفة الجزيرة", "الجزيرة السعودية", "al-jazirah.com"),
    ("Al-Riyadh", "الرياض", "جريدة الرياض", "صحيفة الرياض", "Alriyadh", "alriyadh.com"),
    ("Al-Yaum", "اليوم", "صحيفة اليوم", "Alyaum", "alyaum.com"),
    ("Al-Sharq Al-Awsat", "الشرق الأوسط", "Asharq Al-Awsat", "Asharq Alawsat", "aawsat.com"),
    ("Al-Eqtisadiya", "الاقتصادية", "Aleqtisadiah", "Al Eqtisadiah", "aleqt.com"),
    ("Okaz", "عكاظ", "صحيفة عكاظ", "okaz.com.sa"),
    ("Al-Watan (Saudi)", "الوطن السعودية", "الوطن", "صحيفة الوطن", "Al-Watan", "alwatan.com.sa"),
    ("Al-Weeam", "الوئام", "صحيفة الوئام", "alweeam.com.sa"),
    ("Ain Alyoum", "عين اليوم", "صحيفة عين اليوم", "3alyoum.com"),
    ("Al-Madina", "المدينة", "صحيفة المدينة", "al-madina.com"),
    ("Sabq", "سبق", "صحيفة سبق", "sabq.org"),
    ("Saudi Press Agency", "وكالة الأنباء السعودية", "واس", "SPA", "spa.gov.sa"),
    ("Arreyadi", "الرياضي", "صحيفة الرياضي", "arreyadi.com.sa"),
    ("Arriyadiyah", "الرياضية", "صحيفة الرياضية", "arriyadiyah.com"),
    ("RT Arabic", "آر تي عربي", "روسيا اليوم", "RT عربي", "arabic.rt.com"),
    ("Al Mayadeen", "الميادين", "قناة الميادين", "almayadeen.net"),
    ("Al-Quds Al-Arabi", "القدس العربي", "alquds.co.uk"),
    ("Anadolu Agency Arabic", "الأناضول", "وكالة الأناضول", "aa.com.tr"),
    ("DW Arabic", "دويتشه فيله", "DW عربية", "dw.com"),
    ("Euronews Arabic", "يورونيوز", "يورونيوز عربي", "arabic.euronews.com"),
    ("Independent Arabia", "إندبندنت عربية", "independentarabia.com"),
    ("Asharq News", "الشرق للأخبار", "asharq.com"),
    ("Reuters Arabic", "رويترز", "رويترز عربي", "reuters.com"),
)

_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")


# Letters a name is written with either way (سكاي نيوز عربية / سكاى نيوز عربيه) that the analyzer's
# exact forms keep apart, as they mean different words in running text; a name lookup folds them.
_NAME_FOLDS = str.maketrans({"ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "أ": "ا", "إ": "ا", "آ": "ا"})


@lru_cache(maxsize=20_000)
def name_key(value: str) -> str:
    """A name as compared: the analyzer's normalized forms (``Token.exact``: diacritics, tatweel and
    hamza forms), ta marbuta and alef maqsura folded, casefolded, one space between words. Cached:
    every source or facet filter compares against all known names."""
    return " ".join(t.exact for t in analyze(value)).translate(_NAME_FOLDS).casefold()


def domain_of(url: str | None) -> str | None:
    """The host of a URL or of a bare domain, lower case, without ``www.``; None if there is none."""
    if not url or not isinstance(url, str):
        return None
    text = url.strip()
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname
    except ValueError:
        return None
    if not host or not _DOMAIN.fullmatch(host):
        return None
    return host.removeprefix("www.")


def typed_keys(wanted: str) -> set[str]:
    """The keys a typed outlet name stands for: its own, and its domain's if it is a URL or domain."""
    keys = {name_key(wanted)}
    domain = domain_of(wanted)
    if domain:
        keys.add(name_key(domain))
    return keys - {""}


def known_aliases(name: str, domain: str | None = None) -> list[tuple[str, str]]:
    """(alias, kind) for a source of this name and domain: the names of its ``KNOWN_OUTLETS`` entry
    ("known") and its domain ("domain"), each key once, never the source's own name."""
    own = name_key(name)
    wanted = {own} | ({name_key(domain)} if domain else set())
    out: dict[str, tuple[str, str]] = {}
    for entry in KNOWN_OUTLETS:
        if wanted & {name_key(n) for n in entry}:
            for alias in entry:
                out.setdefault(name_key(alias), (alias, "known"))
            break
    if domain:
        out.setdefault(name_key(domain), (domain, "domain"))
    out.pop(own, None)
    out.pop("", None)
    return list(out.values())


# -- writing -------------------------------------------------------------------------------------


def store_aliases(session: Session, source_id: int, aliases: Iterable[tuple[str, str]]) -> int:
    """Add the (alias, kind) pairs the source does not have yet; how many were added."""
    have = set(session.scalars(select(SourceAlias.key).where(SourceAlias.source_id == source_id)))
    rows = []
    for alias, kind in aliases:
        key = name_key(alias)[:MAX_ALIAS_CHARS]  # as stored: a long domain's key must meet its twin
        if key and key not in have:
            have.add(key)
            rows.append(
                {
                    "source_id": source_id,
                    "alias": alias[:MAX_ALIAS_CHARS],
                    "key": key,
                    "kind": kind,
                }
            )
    if rows:
        session.execute(insert(SourceAlias), rows)
    return len(rows)


def note_domain(session: Session, source_id: int, url: str | None) -> str | None:
    """Give a source without a domain the domain of one of its articles' URLs (and it as an alias)."""
    domain = domain_of(url)
    if domain is None:
        return None
    session.execute(
        update(Source).where(Source.id == source_id, Source.domain.is_(None)).values(domain=domain)
    )
    store_aliases(session, source_id, [(domain, "domain")])
    return domain


def add_alias(db: Database, source: str | int, alias: str) -> tuple[str, str]:
    """Add ``alias`` to the outlet ``source`` (its id, name or any alias); (outlet name, alias).
    Refused: an unknown or ambiguous outlet, an empty or overlong alias, one another outlet has."""
    alias = " ".join(str(alias).split())
    key = name_key(alias) if alias else ""
    if any(unicodedata.category(ch) == "Cc" for ch in alias):  # NUL and the like: no name has them
        raise ArshifError(
            "الاسم البديل يحوي محارف تحكّم", "the alias holds control characters", type="invalid-alias"
        )
    if not key:
        raise ArshifError("الاسم البديل فارغ", "the alias is empty", type="invalid-alias")
    if len(alias) > MAX_ALIAS_CHARS:
        raise ArshifError(
            f"الاسم البديل أطول من {MAX_ALIAS_CHARS} حرف",
            f"the alias is longer than {MAX_ALIAS_CHARS} characters",
            type="invalid-alias",
        )
    with db.writing() as session:
        source_id, name = _one_source(session, source)
        owners = session.execute(
            select(Source.id, Source.name)
            .outerjoin(SourceAlias, SourceAlias.source_id == Source.id)
            .where((SourceAlias.key == key) | (Source.name == alias))
            .distinct()
        ).all()
        others = [n for i, n in owners if i != source_id]
        if others:
            raise ArshifError(
                f"الاسم «{alias}» يدلّ على مصدر آخر: {others[0]}",
                f"{alias!r} already names another outlet: {others[0]}",
                type="alias-taken",
                status=409,
            )
        if name_key(name) != key:
            store_aliases(session, source_id, [(alias, "user")])
    return name, alias


def _one_source(session: Session, wanted: str | int) -> tuple[int, str]:
    """The one source an id, a name or an alias stands for (``not-found`` / ``ambiguous-source`` else)."""
    if isinstance(wanted, int):
        row = session.execute(select(Source.id, Source.name).where(Source.id == wanted)).first()
        if row is None:
            raise NotFound(f"لا يوجد مصدر رقمه {wanted}", f"no source with id {wanted}")
        return row.id, row.name
    keys = typed_keys(wanted)
    found: dict[int, str] = {}
    for source_id, name, alias in session.execute(
        select(Source.id, Source.name, SourceAlias.alias).outerjoin(
            SourceAlias, SourceAlias.source_id == Source.id
        )
    ):
        if name_key(name) in keys or (alias is not None and name_key(alias) in keys):
            found[source_id] = name
    if not found:
        raise NotFound(f"لا يوجد مصدر باسم «{wanted}»", f"no outlet named {wanted!r}")
    if len(found) > 1:
        names = "، ".join(sorted(found.values()))
        raise ArshifError(
            f"الاسم «{wanted}» يدلّ على أكثر من مصدر: {names}",
            f"{wanted!r} names more than one outlet: {', '.join(sorted(found.values()))}",
            type="ambiguous-source",
        )
    return next(iter(found.items()))


# -- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceListing:
    id: int
    name: str
    domain: str | None
    articles: int
    aliases: list[str]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def list_sources(db: Database, source_id: int | None = None) -> list[SourceListing]:
    """Every source (or the one ``source_id``) with its article count and aliases, the largest first."""
    counted = select(Source.id, Source.name, Source.domain, func.count(Article.id)).outerjoin(Article)
    listed = select(SourceAlias.source_id, SourceAlias.alias).order_by(SourceAlias.id)
    if source_id is not None:
        counted = counted.where(Source.id == source_id)
        listed = listed.where(SourceAlias.source_id == source_id)
    with db.reading() as session:
        counts = session.execute(
            counted.group_by(Source.id).order_by(func.count(Article.id).desc(), Source.name)
        ).all()
        aliases: dict[int, list[str]] = {}
        for owner, alias in session.execute(listed):
            aliases.setdefault(owner, []).append(alias)
    return [SourceListing(i, n, d, c, aliases.get(i, [])) for i, n, d, c in counts]


class SourceDirectory:
    """Every outlet's names and aliases, kept in memory by each process and read again from the store
    at most every ``REFRESH_EVERY_S`` (at once after ``invalidate``)."""

    def __init__(self, db: Database, refresh_s: float = REFRESH_EVERY_S) -> None:
        self.db = db
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._loaded_at = NEVER
        self._names: list[tuple[str, str]] = []  # (key of a name or alias, the source's name)

    def invalidate(self) -> None:
        self._loaded_at = NEVER

    def names(self) -> list[tuple[str, str]]:
        if time.monotonic() - self._loaded_at > self.refresh_s:
            with self._lock:
                if time.monotonic() - self._loaded_at > self.refresh_s:
                    self._names = self._load()
                    self._loaded_at = time.monotonic()
        return self._names

    def _load(self) -> list[tuple[str, str]]:
        with self.db.reading() as session:
            sources = session.execute(select(Source.id, Source.name)).all()
            by_id = {i: n for i, n in sources}
            out = [(name_key(n), n) for _, n in sources]
            for source_id, alias in session.execute(
                select(SourceAlias.source_id, SourceAlias.alias).order_by(SourceAlias.id)
            ):
                if source_id in by_id:  # the key afresh: the stored one is as of the analyzer that wrote it
                    out.append((name_key(alias), by_id[source_id]))
        return out

    def _all(self, indexed: Iterable[str]) -> list[tuple[str, str]]:
        return self.names() + [(name_key(n), n) for n in indexed]

    def named(self, wanted: str, indexed: Iterable[str] = ()) -> list[str]:
        """The outlets with a name or alias equal to ``wanted`` once normalized (no containment)."""
        return matching(typed_keys(wanted), self._all(indexed), contained=False)

    def resolve(self, wanted: str, indexed: Iterable[str] = ()) -> list[str]:
        """The outlets (stored names) ``wanted`` stands for: those with a name or alias equal to it once
        normalized, else those with one containing it (``MAX_CONTAINS`` at most); [] if none.
        ``indexed``: the outlet names the index holds, known even if this store does not list them."""
        return matching(typed_keys(wanted), self._all(indexed))

    def closest(self, wanted: str, indexed: Iterable[str] = (), limit: int = 3) -> list[str]:
        """The outlets whose names or aliases come nearest ``wanted`` (trigram overlap or edit distance
        of the normalized names), best first; only those similar enough to be worth suggesting."""
        keys = typed_keys(wanted)
        best: dict[str, float] = {}
        for key, source in self._all(indexed):
            score = max((similarity(k, key) for k in keys), default=0.0)
            if score >= SIMILAR_ENOUGH and score > best.get(source, 0.0):
                best[source] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        # the runners-up only if nearly as close as the best: not three outlets for one near miss
        return [s for s, score in ranked[:limit] if score >= ranked[0][1] * 0.8]


def matching(keys: set[str], names: Iterable[tuple[str, str]], *, contained: bool = True) -> list[str]:
    """The values of the (key, value) ``names`` whose key is one of ``keys``; if none and
    ``contained``, those whose key contains one (``MAX_CONTAINS`` at most). Each value once, in order."""
    names = list(names)
    exact = list(dict.fromkeys(value for key, value in names if key in keys))
    if exact or not contained:
        return exact
    return list(dict.fromkeys(value for key, value in names if any(k in key for k in keys)))[:MAX_CONTAINS]


def similarity(a: str, b: str) -> float:
    """0..1: the better of the trigram Dice coefficient and one minus the normalized edit distance."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ta, tb = _trigrams(a), _trigrams(b)
    dice = 2 * len(ta & tb) / (len(ta) + len(tb))
    return max(dice, 1 - _edit_distance(a, b) / max(len(a), len(b)))


def _trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


__all__ = [
    "KNOWN_OUTLETS",
    "SourceDirectory",
    "SourceListing",
    "add_alias",
    "domain_of",
    "known_aliases",
    "list_sources",
    "matching",
    "name_key",
    "note_domain",
    "similarity",
    "store_aliases",
    "typed_keys",
]
