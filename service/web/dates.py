"""Gregorian dates in Arabic: the Levantine month name and the Egyptian/Gulf one side by side,
as many outlets print them ("7 شباط/فبراير 2018"), so every reader recognises the month."""

from __future__ import annotations

from datetime import date, datetime

LEVANT = (
    "كانون الثاني",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين الأول",
    "تشرين الثاني",
    "كانون الأول",
)
EGYPT_GULF = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)


def month_name(month: int) -> str:
    return f"{LEVANT[month - 1]}/{EGYPT_GULF[month - 1]}"


def arabic_date(value: datetime | date | None) -> str:
    if value is None:
        return "تاريخ غير معروف"
    return f"{value.day} {month_name(value.month)} {value.year}"


def arabic_month(value: str) -> str:
    """'2018-02' → 'شباط/فبراير 2018'."""
    year, month = value.split("-")[:2]
    return f"{month_name(int(month))} {year}"


def count_noun(n: int, one: str, two: str, few: str, many: str) -> str:
    """Arabic agreement of a noun with a number: 1 نتيجة واحدة, 2 نتيجتان, 3–10 نتائج, 11+ نتيجة."""
    if n == 1:
        return f"{one} واحدة" if one.endswith("ة") else f"{one} واحد"
    if n == 2:
        return two
    tail = n % 100
    return f"{n:,} {few if 3 <= tail <= 10 else many}"
