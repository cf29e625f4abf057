"""Inline-SVG charts: no JavaScript, no network, and every label escaped.

Each function returns an SVG string that the renderer marks safe, so each one escapes every piece
of text it embeds itself. Colours come from CSS classes (see base.html), so a print style or a
high-contrast theme can restyle them, and every chart carries a <title> and an aria-label; the
templates put the numbers behind each chart in a data table as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Point:
    label: str
    value: float
    low: float | None = None
    high: float | None = None
    # True when periods are missing between this point and the previous one: the line breaks
    # there instead of drawing a straight segment across years without data.
    gap_before: bool = False


def _fmt_share(value: float) -> str:
    return f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"


def nice_ceiling(value: float) -> float:
    """A round axis maximum (0.05, 0.1, 0.2, 0.25, 0.5, …) just above `value`."""
    if value <= 0:
        return 0.05
    exponent = math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-12:
            return round(candidate, 10)
    return 10 ** (exponent + 1)  # pragma: no cover - the loop always returns


def trend_svg(
    points: list[Point],
    title: str,
    width: int = 320,
    height: int = 120,
    y_max: float | None = None,
) -> str:
    """A share over time: a line, its 95% band, and a break where periods are missing."""
    if not points:
        return ""
    left, right, top_pad, bottom = 34, 8, 8, 22
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = y_max or nice_ceiling(
        max([p.high if p.high is not None else p.value for p in points] + [0.01])
    )

    def x(i: int) -> float:
        if len(points) == 1:
            return left + plot_w / 2
        return left + plot_w * i / (len(points) - 1)

    def y(value: float) -> float:
        return top_pad + plot_h - plot_h * min(max(value, 0.0), top) / top

    # Runs of consecutive periods; each run gets its own band and line.
    runs: list[list[int]] = []
    for i, p in enumerate(points):
        if i == 0 or p.gap_before:
            runs.append([])
        runs[-1].append(i)

    parts: list[str] = []
    for frac in (0.0, 0.5, 1.0):
        gy = y(top * frac)
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}"/>'
            f'<text class="tick" x="{left - 4}" y="{gy + 3.5:.1f}" text-anchor="end">'
            f"{escape(_fmt_share(top * frac))}</text>"
        )
    for run in runs:
        if len(run) == 1:
            i = run[0]
            p = points[i]
            if p.low is not None and p.high is not None:
                parts.append(
                    f'<line class="whisker" x1="{x(i):.1f}" x2="{x(i):.1f}" '
                    f'y1="{y(p.low):.1f}" y2="{y(p.high):.1f}"/>'
                )
            parts.append(f'<circle class="dot" cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="2.5"/>')
            continue
        upper = [
            f"{x(i):.1f},{y(points[i].high if points[i].high is not None else points[i].value):.1f}"
            for i in run
        ]
        lower = [
            f"{x(i):.1f},{y(points[i].low if points[i].low is not None else points[i].value):.1f}"
            for i in reversed(run)
        ]
        line = " ".join(f"{x(i):.1f},{y(points[i].value):.1f}" for i in run)
        parts.append(f'<polygon class="band" points="{" ".join(upper + lower)}"/>')
        parts.append(f'<polyline class="line" points="{line}"/>')
    for i, p in enumerate(points):
        if p.gap_before and i > 0:
            gx = (x(i - 1) + x(i)) / 2
            parts.append(
                f'<line class="gap" x1="{gx:.1f}" x2="{gx:.1f}" y1="{top_pad}" '
                f'y2="{top_pad + plot_h}"/>'
            )
    last = len(points) - 1
    parts.append(
        f'<text class="tick" x="{x(0):.1f}" y="{height - 6}" text-anchor="start">'
        f"{escape(points[0].label)}</text>"
    )
    if last > 0:
        parts.append(
            f'<text class="tick" x="{x(last):.1f}" y="{height - 6}" text-anchor="end">'
            f"{escape(points[last].label)}</text>"
        )
    summary = escape(
        f"{title}: {_fmt_share(points[0].value)} in {points[0].label}, "
        f"{_fmt_share(points[-1].value)} in {points[-1].label}",
        quote=True,
    )
    return (
        f'<svg class="trend" viewBox="0 0 {width} {height}" role="img" aria-label="{summary}">'
        f"<title>{summary}</title>{''.join(parts)}</svg>"
    )


def bar_svg(
    value: float,
    maximum: float,
    low: float | None = None,
    high: float | None = None,
    width: int = 140,
    height: int = 14,
    kind: str = "fill",
) -> str:
    """One horizontal bar for a share, scaled to `maximum`, with its 95% interval as a whisker."""
    maximum = maximum if maximum > 0 else 1.0

    def scale(v: float) -> float:
        return width * min(max(v, 0.0), maximum) / maximum

    parts = [
        f'<svg class="bar" viewBox="0 0 {width} {height}" aria-hidden="true" focusable="false">',
        f'<rect class="track" width="{width}" height="{height}" rx="3"/>',
        f'<rect class="{escape(kind)}" width="{scale(value):.1f}" height="{height}" rx="3"/>',
    ]
    if low is not None and high is not None:
        mid = height / 2
        parts.append(
            f'<line class="ci" x1="{scale(low):.1f}" x2="{scale(high):.1f}" y1="{mid}" y2="{mid}"/>'
            f'<line class="ci" x1="{scale(low):.1f}" x2="{scale(low):.1f}" y1="{mid - 3}" y2="{mid + 3}"/>'
            f'<line class="ci" x1="{scale(high):.1f}" x2="{scale(high):.1f}" y1="{mid - 3}" y2="{mid + 3}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def weight_shift_svg(before: float, after: float, maximum: float, width: int = 160) -> str:
    """Two stacked bars: the article's weight (grey) above the measured weight (coloured)."""
    maximum = maximum if maximum > 0 else 1.0
    bw = width * min(before, maximum) / maximum
    aw = width * min(after, maximum) / maximum
    return (
        f'<svg class="shift" viewBox="0 0 {width} 22" aria-hidden="true" focusable="false">'
        f'<rect class="track" width="{width}" height="8" rx="2"/>'
        f'<rect class="before" width="{bw:.1f}" height="8" rx="2"/>'
        f'<rect class="track" y="12" width="{width}" height="10" rx="2"/>'
        f'<rect class="after" y="12" width="{aw:.1f}" height="10" rx="2"/></svg>'
    )


def dumbbell_svg(
    before: float, after: float, maximum: float, rising: bool, width: int = 150, height: int = 18
) -> str:
    """A share then and now: an open dot for before, a filled dot for after, joined by a line."""
    maximum = maximum if maximum > 0 else 1.0
    pad = 6

    def scale(v: float) -> float:
        return pad + (width - 2 * pad) * min(max(v, 0.0), maximum) / maximum

    mid = height / 2
    tone = "up" if rising else "down"
    return (
        f'<svg class="dumbbell {tone}" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false"><line class="axis" x1="{pad}" x2="{width - pad}" y1="{mid}" y2="{mid}"/>'
        f'<line class="link" x1="{scale(before):.1f}" x2="{scale(after):.1f}" y1="{mid}" y2="{mid}"/>'
        f'<circle class="before" cx="{scale(before):.1f}" cy="{mid}" r="4"/>'
        f'<circle class="after" cx="{scale(after):.1f}" cy="{mid}" r="5"/></svg>'
    )


def lift_class(lift: float | None) -> str:
    """A colour step for a lift value: together more (l1..l4) or less (u1..u2) than chance."""
    if lift is None or lift <= 0:
        return "none"
    log = math.log2(lift)
    if log >= 2:
        return "l4"
    if log >= 1.2:
        return "l3"
    if log >= 0.6:
        return "l2"
    if log >= 0.2:
        return "l1"
    if log > -0.5:
        return "n0"
    if log > -1.5:
        return "u1"
    return "u2"


def heatmap_svg(labels: list[str], lift: list[list[float | None]], title: str) -> str:
    """A symmetric skill × skill grid coloured by lift, with the value printed in each cell."""
    n = len(labels)
    if n == 0:
        return ""
    cell, label_w, label_h = 34, 128, 96
    width, height = label_w + n * cell + 70, label_h + n * cell + 4
    parts: list[str] = []
    for i, name in enumerate(labels):
        short = escape(name if len(name) <= 18 else name[:17] + "…")
        cy = label_h + i * cell + cell / 2 + 4
        parts.append(
            f'<text class="rowlabel" x="{label_w - 6}" y="{cy:.1f}" text-anchor="end">{short}</text>'
        )
        cx = label_w + i * cell + cell / 2 + 4
        parts.append(
            f'<text class="collabel" transform="translate({cx:.1f},{label_h - 6}) rotate(-55)">'
            f"{short}</text>"
        )
    for i in range(n):
        for j in range(n):
            x0, y0 = label_w + j * cell, label_h + i * cell
            if i == j:
                parts.append(
                    f'<rect class="cell diag" x="{x0}" y="{y0}" width="{cell - 2}" height="{cell - 2}"/>'
                )
                continue
            value = lift[i][j]
            parts.append(
                f'<rect class="cell {lift_class(value)}" x="{x0}" y="{y0}" width="{cell - 2}" '
                f'height="{cell - 2}" rx="2"><title>{escape(labels[i])} + {escape(labels[j])}: '
                f"lift {'–' if value is None else f'{value:.2f}'}</title></rect>"
            )
            if value is not None:
                text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
                tone = "light" if lift_class(value) in ("l3", "l4") else "dark"
                parts.append(
                    f'<text class="celltext {tone}" x="{x0 + (cell - 2) / 2:.1f}" '
                    f'y="{y0 + cell / 2 + 2:.1f}" text-anchor="middle">{text}</text>'
                )
    label = escape(title, quote=True)
    return (
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'style="max-width:{width}px"><title>{label}</title>{"".join(parts)}</svg>'
    )


def volume_svg(periods: list[dict], title: str, width: int = 640, height: int = 70) -> str:
    """Postings per period as columns; a gap in the data leaves a visible dashed break."""
    if not periods:
        return ""
    top = max(p["value"] for p in periods) or 1
    slots = len(periods) + sum(1 for p in periods if p["gap"])
    step = width / max(slots, 1)
    parts: list[str] = []
    slot = 0
    for p in periods:
        if p["gap"]:
            gx = slot * step + step / 2
            parts.append(
                f'<line class="gap" x1="{gx:.1f}" x2="{gx:.1f}" y1="4" y2="{height - 14}"/>'
            )
            slot += 1
        h = (height - 18) * p["value"] / top
        parts.append(
            f'<rect class="col" x="{slot * step + 1:.1f}" y="{height - 14 - h:.1f}" '
            f'width="{max(step - 2, 1):.1f}" height="{h:.1f}"><title>{escape(p["label"])}: '
            f"{int(p['value'])} postings</title></rect>"
        )
        slot += 1
    parts.append(
        f'<text class="tick" x="0" y="{height - 2}">{escape(periods[0]["label"])}</text>'
        f'<text class="tick" x="{width}" y="{height - 2}" text-anchor="end">'
        f"{escape(periods[-1]['label'])}</text>"
    )
    label = escape(
        f"{title}: {len(periods)} periods, at most {int(top)} postings in one", quote=True
    )
    return (
        f'<svg class="volume" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f"<title>{label}</title>{''.join(parts)}</svg>"
    )


def range_svg(low: float, mid: float, high: float, maximum: float, width: int = 160) -> str:
    """A salary range (25th to 75th percentile) with the median as a dot."""
    maximum = maximum if maximum > 0 else 1.0

    def scale(v: float) -> float:
        return 4 + (width - 8) * min(max(v, 0.0), maximum) / maximum

    return (
        f'<svg class="range" viewBox="0 0 {width} 14" aria-hidden="true" focusable="false">'
        f'<line class="axis" x1="4" x2="{width - 4}" y1="7" y2="7"/>'
        f'<line class="span" x1="{scale(low):.1f}" x2="{scale(high):.1f}" y1="7" y2="7"/>'
        f'<circle class="mid" cx="{scale(mid):.1f}" cy="7" r="4"/></svg>'
    )
