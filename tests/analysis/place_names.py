"""Place and person names that users of a news archive search most, and a reference matcher for them.

The names are Syrian, Iraqi, Palestinian and Lebanese cities and governorates and a few frequent short
person names, each seen in at least 20 articles of the news corpus (bench/names.py measures them). The
reference matcher says whether a text *contains* a name without using the stemmer: the name as a whole
word, after the clitics و ف and ب ك ل and the article (والرقة، بالرقة، للرقة، فالرقة، وبالرقة), with
its final ة written ة or ه, after the same letter folding as the analyzer's exact form (alef and hamza
forms, diacritics, tatweel, invisible controls). It is what "precision" and "recall" of a name search
are measured against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from service.analysis.normalize import ARABIC_TABLE
from service.analysis.unicode import clean
from service.search.engine import MAX_LIMIT, SearchRequest, SearchService

# Queries as a user types them (normalized spelling); each name is in at least 20 articles of the corpus.
# A two-word name is typed without quotes, as users do.
SYRIA = (
    "الرقة درعا حلب حمص حماة ادلب دير_الزور الحسكة القامشلي منبج عفرين اللاذقية طرطوس السويداء "
    "القنيطرة دوما الغوطة تدمر البوكمال الميادين دمشق جرابلس كوباني داريا الزبداني حرستا جوبر القصير "
    "خان_شيخون اعزاز اريحا"
)
IRAQ = (
    "الموصل الرمادي الفلوجة تكريت كركوك اربيل البصرة النجف كربلاء بعقوبة بغداد الانبار ديالى نينوى "
    "هيت بيجي السليمانية دهوك سنجار"
)
PALESTINE = "غزة رفح خان_يونس جنين نابلس الخليل رام_الله القدس الضفة جباليا بيت_لحم"
LEBANON = "بيروت صيدا طرابلس بعلبك عرسال"
PERSONS = "عون بري الاسد الحريري جعجع نصر_الله بشار السيسي العبادي عباس هنية الصدر"

NAMES: tuple[str, ...] = tuple(
    n.replace("_", " ") for group in (SYRIA, IRAQ, PALESTINE, LEBANON, PERSONS) for n in group.split()
)

# Names that are, in this corpus, mostly another word: صور "pictures" (Tyre), حديثة "modern" (Haditha),
# القائم "the existing" (al-Qaim), الطبقة "the class" (Tabqa). Measured and reported, not held to the
# targets: making them names would take their inflections (صورة, حديث, طبقات) from the common word.
HOMOGRAPHS: tuple[str, ...] = ("صور", "حديثة", "القائم", "الطبقة")

# Names of the brief seen in fewer than 20 articles: measured for information, too rare to hold to targets.
SPARSE: tuple[str, ...] = ("زحلة", "سامراء", "الحويجة", "طولكرم")

# Words that share letters (and, with a careless stemmer, a stem) with a name but are other words.
CONFUSABLES: dict[str, tuple[str, ...]] = {
    "الرقة": ("برقية", "الرق", "برقة", "رق", "رقة", "الرقيق"),
    "درعا": ("درع", "الدرع", "دروع"),
    "صيدا": ("صيد", "الصيد"),
    "دوما": ("دوم",),
}

_LETTER = "\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f"
_WORDS = re.compile(f"[{_LETTER}]+")
CONJUNCTIONS = ("", "و", "ف")


def fold(text: str) -> str:
    """The analyzer's letter folding (not its stemmer): alef/hamza forms, marks, tatweel, controls."""
    return clean(text).translate(ARABIC_TABLE)


def spellings(name: str) -> tuple[str, ...]:
    """The name and, when it ends in ة, its ه spelling (الرقة, الرقه): both are measured as queries."""
    return (name, name[:-1] + "ه") if name.endswith("ة") else (name,)


def _endings(word: str) -> set[str]:
    return {word[:-1] + "ة", word[:-1] + "ه"} if word.endswith("ة") else {word}


def surface_forms(word: str) -> frozenset[str]:
    """Every written form of one word of a name: clitics and article in front, ة/ه at the end."""
    out: set[str] = set()
    if word.startswith("ال") and len(word) > 3:
        core = word[2:]
        fronts = {c + p for c in CONJUNCTIONS for p in ("ال", "بال", "كال", "لل")}
        if core.startswith("ل"):  # ل + اللاذقية is written للاذقية
            fronts |= {c + "ل" for c in CONJUNCTIONS}
    else:
        core = word
        fronts = {c + p for c in CONJUNCTIONS for p in ("", "ب", "ل", "ك")}
    for form in _endings(core):
        out |= {front + form for front in fronts}
    return frozenset(out)


@cache
def _table(names: tuple[str, ...]) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """First-word form -> (name, forms its next word may take; empty for a one-word name). A two-word
    name written as one word (ديرالزور) is a first-word form of its own."""
    table: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for name in names:
        first, *rest = fold(name).split()
        following = frozenset(_endings(rest[0])) if rest else frozenset()
        for form in surface_forms(first):
            table.setdefault(form, []).append((name, following))
            for tail in following:
                table.setdefault(form + tail, []).append((name, frozenset()))
    return table


def names_in(text: str, names: tuple[str, ...] = NAMES) -> set[str]:
    """Which of ``names`` the text contains (whole words; a two-word name as two consecutive words or
    written as one: دير الزور, ديرالزور)."""
    table = _table(names)
    words = _WORDS.findall(fold(text))
    found = set()
    for i, word in enumerate(words):
        for name, following in table.get(word, ()):
            if not following or (i + 1 < len(words) and words[i + 1] in following):
                found.add(name)
    return found


@dataclass
class NameRow:
    """One query's figures: how many articles contain the name, how many the search returned, and
    how many of those contain it."""

    query: str
    name: str
    containing: int
    returned: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.returned if self.returned else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.containing if self.containing else 1.0


def measure(service: SearchService, containing: dict[str, set[int]]) -> list[NameRow]:
    """Each name (and its ه spelling) searched as the API does — every hit, page after page, no folding
    of near-duplicates — and compared with the articles the reference matcher found it in
    (``containing``: name -> ids)."""
    rows = []
    for name, ids in containing.items():
        for query in spellings(name):
            returned = every_hit(service, query)
            rows.append(NameRow(query, name, len(ids), len(returned), len(returned & ids)))
    return rows


def every_hit(service: SearchService, query: str) -> set[int]:
    returned: set[int] = set()
    request = SearchRequest(q=query, limit=MAX_LIMIT, fold=False, snippets=False)
    while True:
        response = service.search(request)
        returned.update(hit.id for hit in response.hits)
        request.offset += MAX_LIMIT
        if request.offset >= response.total:
            assert len(returned) == response.total, f"{query}: {len(returned)} of {response.total} hits"
            return returned


def markdown(rows: list[NameRow]) -> str:
    """The table docs/analysis.md shows."""
    lines = ["| query | articles containing it | returned | precision | recall |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row.query} | {row.containing:,} | {row.returned:,} | {row.precision:.2f} | {row.recall:.2f} |"
        )
    return "\n".join(lines)
