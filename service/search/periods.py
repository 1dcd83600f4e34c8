"""Periods of time as the index counts them: a day, a week (from Monday) or a month.

The index holds each article's ``day`` (days since 1970-01-01) and ``month`` (yyyymm) as fast fields.
``aggregation`` is the tantivy aggregation that buckets matches by period, ``start`` names a bucket by
the ISO date its period starts on, and ``span`` lists every period from the first to the last, empty
ones included, so series counted apart line up on one axis.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from service.search.request import Interval

EPOCH = date(1970, 1, 1)
EPOCH_DAY_MONDAY = 4  # 1970-01-01 was a Thursday; day 4 a Monday


def aggregation(interval: Interval) -> dict[str, Any]:
    """The bucket aggregation of one period (keys: yyyymm for months, the first day's number otherwise)."""
    if interval == "month":
        return {"terms": {"field": "month", "size": 100_000}}
    step = 1 if interval == "day" else 7
    offset = 0 if step == 1 else EPOCH_DAY_MONDAY
    return {"histogram": {"field": "day", "interval": step, "offset": offset, "min_doc_count": 1}}


def start(interval: Interval, key: float | str) -> str:
    """The ISO date a bucket's period starts on."""
    number = int(float(key))
    if interval == "month":
        return f"{number // 100:04d}-{number % 100:02d}-01"
    return (EPOCH + timedelta(days=number)).isoformat()


def span(interval: Interval, first: str, last: str, limit: int | None = None) -> list[str]:
    """Every period's start from ``first`` to ``last`` (both period starts), in order; the first
    ``limit`` of them if given."""
    out: list[str] = []
    current = date.fromisoformat(first)
    end = date.fromisoformat(last)
    while current <= end and (limit is None or len(out) < limit):
        out.append(current.isoformat())
        if interval == "month":
            y, m = current.year, current.month
            current = date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)
        else:
            current += timedelta(days=1 if interval == "day" else 7)
    return out


def count(interval: Interval, first: str, last: str) -> int:
    """How many periods ``span`` would list, without listing them."""
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    if interval == "month":
        return (b.year - a.year) * 12 + b.month - a.month + 1
    return (b - a).days // (1 if interval == "day" else 7) + 1


__all__ = ["EPOCH_DAY_MONDAY", "aggregation", "count", "span", "start"]
