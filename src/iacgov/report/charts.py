"""Geometry of the report's inline SVG charts, computed here so the templates
only place shapes and (escaped) text.

Charts are horizontal bar charts: one row per category, with stacked
segments and optional vertical markers (a budget line). Each SVG is an
``role="img"`` labelled by its ``title`` and ``desc``, and is drawn next to a
table holding the same figures: the text alternative screen readers and
printouts rely on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

WIDTH = 960
ROW = 34  # row pitch
BAR = 20  # bar thickness
TOP = 10
AXIS = 26  # room for the axis labels under the rows
CHAR = 7.0  # average label character width at 13px
MAX_LABEL = 30  # characters of a label drawn in the chart (the table has the full text)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str  # a class of the stylesheet: "sev-error", "bar-cost", ...
    title: str  # tooltip (SVG <title>)


@dataclass(frozen=True)
class Marker:
    x: float
    y1: float
    y2: float
    css: str
    title: str


@dataclass(frozen=True)
class Row:
    label: str  # shortened for the chart
    full_label: str
    y: float  # top of the bar
    text_y: float  # baseline of the row's texts
    segments: tuple[Segment, ...]
    markers: tuple[Marker, ...]
    value: str  # shown right of the bar, or right-aligned in a column
    value_x: float
    value_css: str = ""


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    width: int
    height: int
    label_width: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    axis_y: float
    bar: int = BAR
    value_anchor: str = "start"  # "end" when values are in a column


@dataclass(frozen=True)
class Part:
    """One stacked segment of a row, before layout."""

    value: Decimal | int
    css: str
    title: str


@dataclass(frozen=True)
class RowSpec:
    label: str
    parts: tuple[Part, ...]
    value: str
    markers: tuple[tuple[Decimal | int, str, str], ...] = ()  # (value, css, title)
    value_css: str = ""


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A 1-2-5 step giving about ``target_ticks`` ticks over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def bar_chart(chart_id: str, title: str, description: str, rows: Sequence[RowSpec],
              tick_label=lambda v: f"{v:g}", value_column: bool = False, min_step: float = 0.0) -> BarChart:
    """Lay out ``rows`` on a shared linear scale starting at zero.

    Values are written just after each bar, or, with ``value_column``,
    right-aligned in a column of their own (when markers such as a budget
    line would collide with them). ``min_step`` keeps ticks on whole
    numbers for counts."""
    label_width = max((len(shorten(r.label)) for r in rows), default=4) * CHAR + 14
    value_room = max((len(r.value) for r in rows), default=4) * CHAR + 24
    plot_x = label_width
    plot_w = max(WIDTH - plot_x - value_room, 120)
    top = max([float(sum(Decimal(p.value) for p in r.parts)) for r in rows]
              + [float(m[0]) for r in rows for m in r.markers] + [0.0])
    step = max(nice_step(top or 1.0), min_step)
    scale_max = step * max(math.ceil((top or 1.0) / step), 1)

    def x_of(value: float) -> float:
        return round(plot_x + plot_w * value / scale_max, 2)

    laid: list[Row] = []
    for i, spec in enumerate(rows):
        y = TOP + i * ROW
        start = 0.0
        segments = []
        for part in spec.parts:
            value = float(part.value)
            if value <= 0:
                continue
            segments.append(Segment(x_of(start), round(x_of(start + value) - x_of(start), 2), part.css, part.title))
            start += value
        markers = tuple(Marker(x_of(float(v)), y - 4, y + BAR + 4, css, t) for v, css, t in spec.markers)
        end = max([x_of(start)] + [m.x for m in markers])
        value_x = WIDTH - 4 if value_column else round(end + 6, 2)
        laid.append(Row(shorten(spec.label), spec.label, y, y + BAR / 2 + 4.5, tuple(segments), markers,
                        spec.value, value_x, spec.value_css))
    axis_y = TOP + len(rows) * ROW
    ticks = []
    value = 0.0
    while value <= scale_max + 1e-9:
        ticks.append(Tick(x_of(value), tick_label(value)))
        value += step
    return BarChart(chart_id, title, description, WIDTH, int(axis_y + AXIS), round(label_width, 2), tuple(laid),
                    tuple(ticks), axis_y, value_anchor="end" if value_column else "start")
