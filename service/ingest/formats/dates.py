"""Dates as upstream writes them -> timezone-aware UTC datetimes (or None, with a reason)."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta

MIN_YEAR = 1900
MAX_DATE_CHARS = 100
FUTURE_SLACK = timedelta(days=366)

# Month names as Arabic news sites write them: Egyptian/Gulf (transliterated), Levantine/Iraqi (Syriac),
# Maghrebi variants, and English.
MONTHS: dict[str, int] = {
    "يناير": 1,
    "جانفي": 1,
    "كانون الثاني": 1,
    "فبراير": 2,
    "فيفري": 2,
    "شباط": 2,
    "مارس": 3,
    "آذار": 3,
    "اذار": 3,
    "أبريل": 4,
    "ابريل": 4,
    "إبريل": 4,
    "أفريل": 4,
    "افريل": 4,
    "نيسان": 4,
    "مايو": 5,
    "ماي": 5,
    "أيار": 5,
    "ايار": 5,
    "يونيو": 6,
    "يونيه": 6,
    "جوان": 6,
    "حزيران": 6,
    "يوليو": 7,
    "يوليه": 7,
    "جويلية": 7,
    "تموز": 7,
    "أغسطس": 8,
    "اغسطس": 8,
    "أوت": 8,
    "اوت": 8,
    "آب": 8,
    "اب": 8,
    "سبتمبر": 9,
    "أيلول": 9,
    "ايلول": 9,
    "أكتوبر": 10,
    "اكتوبر": 10,
    "تشرين الأول": 10,
    "تشرين الاول": 10,
    "نوفمبر": 11,
    "تشرين الثاني": 11,
    "ديسمبر": 12,
    "دجنبر": 12,
    "كانون الأول": 12,
    "كانون الاول": 12,
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_NUMERIC_FORMATS = (
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y.%m.%d",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y%m%d",
    "%Y%m%dT%H%M%S",
)
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


class DateResult:
    __slots__ = ("note", "value")

    def __init__(self, value: datetime | None, note: str | None = None) -> None:
        self.value = value
        self.note = note


def month_number(name: str) -> int | None:
    """ "فبراير" / "شباط" / "فبراير/شباط" / "Feb" / "2" -> 2."""
    name = " ".join(name.split()).strip(" .,،")
    if name.isdigit():
        number = int(name.translate(_ARABIC_DIGITS))
        return number if 1 <= number <= 12 else None
    for part in (name, *re.split(r"\s*[/\\-]\s*", name)):
        known = MONTHS.get(part.lower())
        if known:
            return known
    return None


def as_utc(value: datetime) -> datetime | None:
    """``value`` as an aware UTC datetime (a naive one is taken to be UTC already), or None when UTC
    has no such instant: 9999-12-31T23:00-05:00 is after the last one, 0001-01-01T00:00+05:00 before
    the first. Every date that is stored goes through here (file ingest, the API)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def sane(value: datetime, *, now: datetime | None = None) -> DateResult:
    """Aware UTC value, or None with a note if it is absurd (before 1900, more than a year ahead)."""
    note = None
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        note = "published_at: no timezone given, UTC assumed"
    utc = as_utc(value)
    if utc is None:
        return DateResult(None, f"published_at {value!r} is out of range; dropped")
    value = utc
    now = now or datetime.now(UTC)
    if value.year < MIN_YEAR or value > now + FUTURE_SLACK:
        return DateResult(None, f"published_at {value.isoformat()} is implausible; dropped")
    return DateResult(value, note)


def parse_date(raw: object) -> DateResult:
    """Parse what upstream put in a date field: ISO 8601, RFC 2822, epoch seconds/milliseconds,
    day/month/year, "8 فبراير 2018". Naive times are taken as UTC."""
    if raw is None or raw == "":
        return DateResult(None)
    if isinstance(raw, bool):
        return DateResult(None, f"published_at has wrong type bool ({raw!r}); dropped")
    if isinstance(raw, datetime):
        return sane(raw)
    if isinstance(raw, int | float):
        seconds = float(raw)
        if abs(seconds) > 1e11:  # milliseconds
            seconds /= 1000
        try:
            return sane(datetime.fromtimestamp(seconds, UTC))
        except (OverflowError, OSError, ValueError):
            return DateResult(None, f"published_at {raw!r} is not a usable timestamp; dropped")
    if not isinstance(raw, str):
        return DateResult(None, f"published_at has wrong type {type(raw).__name__}; dropped")

    text = " ".join(raw.split()).translate(_ARABIC_DIGITS)
    if not text:
        return DateResult(None)
    if len(text) > MAX_DATE_CHARS:
        return DateResult(None, f"published_at {raw[:60]!r}… is too long to be a date; dropped")
    if re.fullmatch(r"-?\d{9,13}(\.\d+)?", text):
        return parse_date(float(text))
    parsed = _parse_text(text)
    if parsed is None:
        return DateResult(None, f"published_at {raw[:60]!r} not understood; dropped")
    return sane(parsed)


def _parse_text(text: str) -> datetime | None:
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        value = email.utils.parsedate_to_datetime(text)
        if value is not None:
            return value
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _NUMERIC_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    match = re.fullmatch(
        r"(?:[^\d]*?\s)?(?P<day>\d{1,2})\s+(?P<month>[^\d]+?)\s*[,،]?\s+(?P<year>\d{4})"
        r"(?:\s*[-–,،]?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?",
        text,
    ) or re.fullmatch(
        r"(?P<month>[A-Za-z]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
        r"(?:\s*(?:at)?\s*(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?",
        text,
    )
    if match:
        return from_parts(match.groupdict())
    return None


def from_parts(parts: dict[str, str | None]) -> datetime | None:
    """Build a datetime from regex groups day/month/year[/hour/minute/second/ampm/tz]."""
    try:
        month = month_number(parts.get("month") or "")
        if month is None:
            return None
        year_text, day_text = parts["year"], parts["day"]
        if year_text is None or day_text is None:  # int(None) would fail the same way
            return None
        year = int(year_text)
        hour = int(parts.get("hour") or 0)
        ampm = (parts.get("ampm") or "").lower()
        if ampm in ("pm", "م", "مساء", "مساءً") and hour < 12:
            hour += 12
        elif ampm in ("am", "ص", "صباحا", "صباحاً") and hour == 12:
            hour = 0
        value = datetime(
            year, month, int(day_text), hour, int(parts.get("minute") or 0), int(parts.get("second") or 0)
        )
    except (KeyError, TypeError, ValueError):
        return None
    tz = parts.get("tz")
    if tz:
        try:
            return datetime.fromisoformat(value.isoformat() + ("+00:00" if tz in "Zz" else tz))
        except ValueError:
            return value
    return value
