"""Tiny inline-SVG charts: no JavaScript, no network, readable with CSS off."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    low: float | None = None
    high: float | None = None


def trend_svg(points: list[Point], title: str, width: int = 320, height: int = 90) -> str:
    """A line with a shaded confidence band; values are shares in 0..1."""
    if not points:
        return ""
    top = max([p.high if p.high is not None else p.value for p in points] + [0.01])
    pad = 4

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / max(len(points) - 1, 1))

    def y(value: float) -> float:
        return height - pad - (height - 2 * pad) * (value / top)

    line = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in enumerate(points))
    band_top = [
        f"{x(i):.1f},{y(p.high if p.high is not None else p.value):.1f}"
        for i, p in enumerate(points)
    ]
    band_bottom = [
        f"{x(i):.1f},{y(p.low if p.low is not None else p.value):.1f}" for i, p in enumerate(points)
    ][::-1]
    label = escape(
        f"{title}: from {points[0].value:.0%} ({points[0].label}) to {points[-1].value:.0%} ({points[-1].label})"
    )
    return (
        f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>"
        f'<polygon class="band" points="{" ".join(band_top + band_bottom)}"/>'
        f'<polyline class="line" points="{line}"/></svg>'
    )


def bar_svg(value: float, maximum: float, width: int = 120, height: int = 12) -> str:
    """A single horizontal bar for a share, scaled to `maximum`."""
    filled = 0 if maximum <= 0 else width * min(value / maximum, 1.0)
    return (
        f'<svg class="bar" viewBox="0 0 {width} {height}" aria-hidden="true">'
        f'<rect class="track" width="{width}" height="{height}" rx="2"/>'
        f'<rect class="fill" width="{filled:.1f}" height="{height}" rx="2"/></svg>'
    )
