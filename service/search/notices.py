"""Warnings a search answers with: what was repaired in the query, outlets the archive does not know.

Each has a machine ``code``, one sentence in Arabic and in English, the ``value`` it is about and, for
an unknown outlet, the closest known ones (``suggestions``). The API returns them in ``warnings``, the
CLI prints them on stderr in Arabic, the page shows them above the results.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

# The parser's repairs (``ParsedQuery.warnings``, English) in Arabic, numbers as {n}.
QUERY_REPAIRS = {
    "unbalanced quote closed at the end of the query": "أُغلقت علامة التنصيص المفتوحة في آخر الاستعلام",
    "unbalanced parenthesis ignored": "أُهمل قوس لا يقابله قوس",
    "OR without a term on one side ignored": "أُهملت OR لأن أحد جانبيها بلا كلمة",
    "NOT without a term ignored": "أُهملت NOT لأنها لا تليها كلمة",
    "unbalanced parenthesis closed at the end of the query": "أُغلق القوس المفتوح في آخر الاستعلام",
    "only the first {n} terms are used": "لم تُستعمل إلا أول {n} كلمة من الاستعلام",
    "query cut to its first {n} characters": "قُصّ الاستعلام إلى أول {n} حرف",
}


@dataclass(frozen=True)
class SearchWarning:
    code: str  # "query-repaired" | "unknown-source"
    message_ar: str
    message_en: str
    value: str | None = None  # what was typed, for an unknown outlet
    suggestions: list[str] = field(default_factory=list)  # the closest known outlets

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def query_repaired(repair: str) -> SearchWarning:
    number = re.search(r"\d+", repair)
    template = re.sub(r"\d+", "{n}", repair, count=1)
    arabic = QUERY_REPAIRS.get(template, "أُصلح في الاستعلام ما لا يُفهم")
    return SearchWarning("query-repaired", arabic.format(n=number.group() if number else ""), repair)


def unknown_source(typed: str, closest: list[str]) -> SearchWarning:
    ar = f"لا يعرف الأرشيف مصدرًا باسم «{typed}»، فلم يُبحث فيه"
    en = f"the archive knows no outlet named {typed!r}, so nothing was searched under it"
    if closest:
        ar += f". هل تقصد: {'، '.join(closest)}؟"
        en += f"; did you mean: {', '.join(closest)}?"
    return SearchWarning("unknown-source", ar, en, typed, list(closest))


__all__ = ["QUERY_REPAIRS", "SearchWarning", "query_repaired", "unknown_source"]
