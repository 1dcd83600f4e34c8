"""Names a reader sees for codes the archive stores: the one table of section labels.

Outlets file their sections under codes (the ANT corpus: ``middleEast``, ``sport``…). The store keeps
them as they came; the page shows the Arabic name from this table (a code not in it is shown as it is),
and a section filter accepts the name as well as the code (``SearchService.facet_values``).
"""

from __future__ import annotations

SECTION_LABELS: dict[str, str] = {
    "middleEast": "الشرق الأوسط",
    "internationalNews": "أخبار دولية",
    "localNews": "أخبار محلية",
    "sport": "رياضة",
    "economy": "اقتصاد",
    "technology": "تكنولوجيا",
    "culture": "ثقافة",
    "society": "مجتمع",
    "politic": "سياسة",
    "politics": "سياسة",
    "diverse": "منوعات",
    "health": "صحة",
    "science": "علوم",
    "art": "فن",
    "opinion": "رأي",
}


def section_label(code: str | None) -> str:
    """The Arabic name of a section code; an unknown code (or an Arabic name already) as it is."""
    if not code:
        return ""
    return SECTION_LABELS.get(code, code)


__all__ = ["SECTION_LABELS", "section_label"]
