"""Geometry of the participation curve chart (drawn as SVG by templates/feasibility/_curve.html).

Presentation only: it maps the domain's curve points to coordinates in a 300 × 230 viewBox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from portal.domain.feasibility import Curve

# Text is 18 units high (portal.css) and the drawing is shown at most about 1.15× and on a 360 px phone about
# 0.95× its viewBox, so axis labels stay ≥ 14 px where residents read them (issue 10).
WIDTH, HEIGHT = 300, 230
LEFT, RIGHT, TOP, BOTTOM = 54, 10, 16, 38


@dataclass(frozen=True, slots=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True, slots=True)
class CurveChart:
    compact: str  # SVG polyline points "x,y x,y …"
    spread: str
    zero_y: float  # today's gas cost (a difference of € 0)
    ticks: tuple[Tick, ...]
    x_ticks: tuple[tuple[int, float], ...]
    marker_x: float | None  # the current participation
    marker_k: int | None
    rows: tuple[tuple[int, Decimal, Decimal, bool], ...]  # k, compact, spread, viable (for the table)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM


def _nice_step(span: float) -> int:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if span / step <= 6:
            return step
    return 2000


def curve_chart(curve: Curve, current_k: int | None) -> CurveChart | None:
    """Coordinates for k = 2..N (one home alone is never a network); None when N < 2."""
    points = [p for p in curve.points if p.k >= 2]
    if not points:
        return None
    values = [float(v) for p in points for v in (p.compact.worst_monthly_delta_gas, p.spread.worst_monthly_delta_gas)]
    low, high = min(0.0, *values), max(0.0, *values)
    step = _nice_step(max(high - low, 1.0))
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    if high == low:
        high = low + step
    first, last = points[0].k, points[-1].k

    def x(k: int) -> float:
        return round(LEFT + (k - first) / max(last - first, 1) * (WIDTH - RIGHT - LEFT), 1)

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * (HEIGHT - BOTTOM - TOP), 1)

    def line(band: str) -> str:
        return " ".join(f"{x(p.k)},{y(float(getattr(p, band).worst_monthly_delta_gas))}" for p in points)

    every = max(1, math.ceil(len(points) / 6))  # room for 18-unit labels
    x_ticks = tuple((p.k, x(p.k)) for i, p in enumerate(points) if i % every == 0 or p.k == last)
    marker = current_k if current_k is not None and first <= current_k <= last else None
    return CurveChart(
        compact=line("compact"), spread=line("spread"), zero_y=y(0.0),
        ticks=tuple(Tick(v, y(v)) for v in range(int(low), int(high) + 1, step)),
        x_ticks=x_ticks, marker_x=x(marker) if marker is not None else None, marker_k=marker,
        rows=tuple((p.k, p.compact.worst_monthly_delta_gas, p.spread.worst_monthly_delta_gas,
                    p.compact.viable) for p in points),
    )
