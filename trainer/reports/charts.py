"""Chart geometry for the reports: numbers in, coordinates out.

The SVG markup lives in the templates, where jinja2 autoescapes every value. This module only
turns shares (0..1) into coordinates, tick positions and strings of numbers, so nothing a user
typed can ever reach the markup by this route.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Vertical nudge (in pixels) per series, so lines with equal values lie side by side instead of
#: hiding each other; about 1% of the plot height, too small to misread a value.
NUDGE = 2.0
MAX_X_LABELS = 12
BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Tick:
    """An axis tick: where it sits and the number it shows ("50%" or "3")."""

    label: str
    x: float
    y: float


@dataclass(frozen=True)
class Series:
    """One line: `points` goes straight into `<polyline points=...>`."""

    key: str
    points: str
    dots: tuple[Point, ...]
    percents: tuple[int, ...]


@dataclass(frozen=True)
class LineChart:
    """A line chart of shares over sessions: plot box, ticks and one series per key."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    count: int

    @property
    def empty(self) -> bool:
        return self.count == 0


@dataclass(frozen=True)
class Sparkline:
    """A tiny line without axes, for a table cell; `last` marks the newest value."""

    width: int
    height: int
    points: str
    last: Point | None
    baseline: float


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _points(points: Sequence[Point]) -> str:
    return " ".join(f"{_fmt(p.x)},{_fmt(p.y)}" for p in points)


def _xs(count: int, left: float, right: float) -> list[float]:
    """Evenly spread positions; a single point sits in the middle."""
    if count == 1:
        return [(left + right) / 2]
    step = (right - left) / (count - 1) if count > 1 else 0.0
    return [left + i * step for i in range(count)]


def percent(share: float) -> int:
    return round(max(0.0, min(1.0, share)) * 100)


def line_chart(
    series: Mapping[str, Sequence[float]],
    width: int = 640,
    height: int = 240,
    margin: tuple[float, float, float, float] = (14, 16, 34, 46),  # top, right, bottom, left
) -> LineChart:
    """Shares (0..1) per key over the same sessions, oldest first, on a 0-100% axis."""
    top, right_margin, bottom_margin, left = margin
    right, bottom = width - right_margin, height - bottom_margin
    count = max((len(values) for values in series.values()), default=0)
    xs = _xs(count, left + 8, right - 8)

    def y_of(share: float) -> float:
        return bottom - max(0.0, min(1.0, share)) * (bottom - top)

    y_ticks = tuple(Tick(f"{p}%", left, y_of(p / 100)) for p in (0, 25, 50, 75, 100))
    step = max(1, math.ceil(count / MAX_X_LABELS))
    shown = [i for i in range(count) if i % step == 0 or i == count - 1]
    if len(shown) > 1 and shown[-1] - shown[-2] < step:
        shown.pop(-2)  # the last label wins; the one before would touch it
    x_ticks = tuple(Tick(str(i + 1), xs[i], bottom) for i in shown)
    middle = (len(series) - 1) / 2
    lines = []
    for order, (key, values) in enumerate(series.items()):
        nudge = (order - middle) * NUDGE
        dots = tuple(Point(x, y_of(v) + nudge) for x, v in zip(xs, values, strict=False))
        lines.append(Series(key, _points(dots), dots, tuple(percent(v) for v in values)))
    return LineChart(width, height, left, top, right, bottom, y_ticks, x_ticks, tuple(lines), count)


def sparkline(values: Sequence[float], width: int = 72, height: int = 18) -> Sparkline:
    """Shares (0..1), oldest first, as a small line that fits next to a number."""
    pad = 2.0
    xs = _xs(len(values), pad, width - pad)
    points = [
        Point(x, height - pad - v * (height - 2 * pad)) for x, v in zip(xs, values, strict=False)
    ]
    return Sparkline(width, height, _points(points), points[-1] if points else None, height - pad)


def blocks(values: Sequence[float]) -> str:
    """Shares as block characters (▁ to █): the Markdown report's sparkline."""
    top = len(BLOCKS) - 1
    return "".join(BLOCKS[round(max(0.0, min(1.0, v)) * top)] for v in values)
