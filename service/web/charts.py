"""Charts drawn on the server as SVG: bars (the archive's months) and lines (counts of several queries),
with labelled axes. No script and nothing fetched: the page shows them as it shows text.

Time runs from right to left, as the page reads: the oldest period on the right, beside the counts'
axis. Every value a chart draws is in a ``<title>`` too, so a pointer or a screen reader can read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from service.web.dates import arabic_date, arabic_month

WIDTH, HEIGHT = 760, 280
TOP, BOTTOM, LEFT, RIGHT = 14, 46, 14, 80  # margins: the counts' axis on the right, the dates below
PALETTE = (
    "#0b6e4f",
    "#c0392b",
    "#2c6fbb",
    "#d98e04",
    "#7d3c98",
    "#148f9e",
    "#a04000",
    "#5d6d7e",
    "#c2185b",
    "#558b2f",
)


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float]


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def color_class(index: int) -> str:
    """The CSS class of a series' colour (``.c0``…): the page's policy allows no inline style, so a
    legend's swatch takes its colour from the stylesheet, which lists ``PALETTE`` in the same order."""
    return f"c{index % len(PALETTE)}"


def period_label(start: str, interval: str) -> str:
    """A period's name in Arabic: the month ('شباط/فبراير 2018') or the day its period starts on."""
    if interval == "month":
        return arabic_month(start[:7])
    from datetime import date

    return arabic_date(date.fromisoformat(start))


def _ticks(peak: float) -> list[float]:
    """Round values from 0 past ``peak`` for the counts' axis (1, 2 or 5 times a power of ten apart)."""
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(peak / step - 1e-9) + 1)]


def _number(value: float, percent: bool) -> str:
    if percent:
        shown = value * 100
        return f"{shown:.0f}٪" if shown >= 10 or shown == 0 else f"{shown:.1f}٪"
    return f"{value:,.0f}"


def _labelled(n: int, most: int = 8) -> range:
    return range(0, n, max(1, math.ceil(n / most)))


class _Frame:
    """The plot area and its axes for ``n`` periods and values up to ``peak``."""

    def __init__(self, periods: Sequence[str], peak: float, percent: bool, y_title: str, x_title: str):
        self.n = max(1, len(periods))
        self.ticks = _ticks(peak)
        self.top_value = self.ticks[-1] or 1.0
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.step = self.plot_w / self.n
        self.periods = periods
        self.percent = percent
        self.y_title = y_title
        self.x_title = x_title

    def x(self, i: int) -> float:
        """The centre of period ``i`` (0 the oldest, on the right)."""
        return WIDTH - RIGHT - (i + 0.5) * self.step

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - value / self.top_value)

    def axes(self) -> list[str]:
        base = TOP + self.plot_h
        out = ['<g class="axis" font-size="12">']
        for tick in self.ticks:
            y = self.y(tick)
            out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
            out.append(
                f'<text x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}" text-anchor="start">{_number(tick, self.percent)}</text>'
            )
        out.append(f'<line class="base" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
        for i in _labelled(len(self.periods)):
            x = self.x(i)
            out.append(f'<line class="tick" x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}"/>')
            out.append(
                f'<text x="{x:.1f}" y="{base + 17}" text-anchor="middle">{escape(self.periods[i][:7])}</text>'
            )
        out.append(
            f'<text class="title" x="{LEFT + self.plot_w / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle">{escape(self.x_title)}</text>'
        )
        out.append(
            f'<text class="title" transform="translate({WIDTH - 12} {TOP + self.plot_h / 2:.0f}) rotate(90)" text-anchor="middle">{escape(self.y_title)}</text>'
        )
        out.append("</g>")
        return out


def _svg(css_class: str, label: str, parts: list[str], *, links: bool = False) -> Markup:
    """The chart; a picture to assistive technology, or a group whose links it can reach."""
    role = "group" if links else "img"
    head = (
        f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {HEIGHT}" role="{role}" '
        f'aria-label="{escape(label)}" direction="ltr" xmlns="http://www.w3.org/2000/svg">'
    )
    return Markup(head + "".join(parts) + "</svg>")


def bar_chart(
    periods: Sequence[str],
    values: Sequence[int],
    *,
    interval: str = "month",
    label: str,
    y_title: str = "عدد المقالات",
    x_title: str = "الشهر",
    href: Callable[[str], str] | None = None,
) -> Markup:
    """One bar per period; each a link (``href`` of the period's start) if given."""
    if not periods:
        return Markup("")
    frame = _Frame(periods, max(values, default=0), False, y_title, x_title)
    parts = frame.axes()
    width = max(1.0, frame.step * 0.8)
    for i, (start, value) in enumerate(zip(periods, values)):
        top = frame.y(value)
        height = TOP + frame.plot_h - top
        rect = (
            f'<rect class="bar" x="{frame.x(i) - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}"><title>{escape(period_label(start, interval))}: {value:,}</title></rect>'
        )
        parts.append(f'<a href="{escape(href(start))}">{rect}</a>' if href else rect)
    return _svg("bars", label, parts, links=href is not None)


def line_chart(
    periods: Sequence[str],
    lines: Sequence[Line],
    *,
    interval: str = "month",
    percent: bool = False,
    label: str,
    y_title: str,
    x_title: str,
) -> Markup:
    """One line per series over the periods (values as shares of 1 if ``percent``)."""
    if not periods or not lines:
        return Markup("")
    peak = max((v for line in lines for v in line.values), default=0)
    frame = _Frame(periods, peak, percent, y_title, x_title)
    parts = frame.axes()
    dots = len(periods) <= 120
    for index, line in enumerate(lines):
        points = " ".join(f"{frame.x(i):.1f},{frame.y(v):.1f}" for i, v in enumerate(line.values))
        parts.append(
            f'<g class="series" data-series="{escape(line.label)}" stroke="{color(index)}" fill="{color(index)}">'
            f'<polyline fill="none" stroke-width="2" points="{points}"/>'
        )
        if dots:
            for i, v in enumerate(line.values):
                parts.append(
                    f'<circle cx="{frame.x(i):.1f}" cy="{frame.y(v):.1f}" r="2.5"><title>{escape(line.label)} — '
                    f"{escape(period_label(periods[i], interval))}: {_number(v, percent)}</title></circle>"
                )
        parts.append("</g>")
    return _svg("lines", label, parts)


__all__ = ["PALETTE", "Line", "bar_chart", "color", "color_class", "line_chart", "period_label"]
