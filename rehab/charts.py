"""Small SVG charts drawn on the server: no chart library, no script, and they print. No Django imports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

PAIN_SERIES = (
    ("pain_during", "During", "#0f766e"),
    ("pain_after", "After", "#b45309"),
    ("pain_next_morning", "Next morning", "#7c3aed"),
)


def sparkline(values: Sequence[int | None], *, width: int = 84, height: int = 22) -> str:
    """Peak pain per day (0–10, None = no log) as a tiny line; gaps stay gaps."""
    if not any(v is not None for v in values):
        return ""
    step = width / max(1, len(values) - 1)
    segments, current = [], []
    for i, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{i * step:.1f},{height - 2 - value * (height - 4) / 10:.1f}")
    if current:
        segments.append(current)
    paths = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="#0f766e" stroke-width="1.6"/>'
        if len(s) > 1
        else f'<circle cx="{s[0].split(",")[0]}" cy="{s[0].split(",")[1]}" r="1.6" fill="#0f766e"/>'
        for s in segments
    )
    last = next(v for v in reversed(values) if v is not None)
    return (
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Pain over the last {len(values)} days, latest {last}/10">{paths}</svg>'
    )


@dataclass(frozen=True)
class Marker:
    day: date
    label: str


def timeline(
    logs: Sequence,
    start: date,
    end: date,
    *,
    markers: Sequence[Marker] = (),
    width: int = 720,
    height: int = 260,
) -> str:
    """Pain (during, after, next morning; 0–10, left axis) as lines and distance (km, right axis) as bars.

    `logs` have date, distance_km and the three pain fields; `markers` draw phase changes as dashed lines.
    """
    left, right, top, bottom = 34, 40, 24, 34
    days = max(1, (end - start).days)
    plot_w, plot_h = width - left - right, height - top - bottom
    by_day = {log.date: log for log in logs if start <= log.date <= end}
    max_km = max([float(log.distance_km or 0) for log in by_day.values()] + [1.0])
    km_top = _nice(max_km)

    def x(day: date) -> float:
        return left + plot_w * (day - start).days / days

    def y_pain(value: float) -> float:
        return top + plot_h * (1 - value / 10)

    out = [
        f'<svg class="timeline-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Pain and distance from {start:%d %b} to {end:%d %b}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for value in (0, 2, 5, 7, 10):
        y = y_pain(value)
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{value}</text>')
    out.append(f'<text x="{left - 6}" y="{top - 10}" text-anchor="end" class="axis">pain</text>')
    # The pain scale again at the latest days' end, over the grid lines: a phone opens the chart scrolled to
    # that end, with the left axis out of view (site.css shows these on phones only).
    for value in (2, 5, 7, 10):
        # Above its line; 10 below it, clear of the "pain" caption.
        y = y_pain(value) + (11 if value == 10 else -3)
        out.append(
            f'<text x="{left + plot_w - 3}" y="{y:.1f}" text-anchor="end" class="axis pain-end">{value}</text>'
        )
    out.append(
        f'<text x="{left + plot_w - 3}" y="{top - 10}" text-anchor="end" class="axis pain-end">pain</text>'
    )
    out.append(f'<text x="{left + plot_w + 6}" y="{top - 10}" class="axis">km</text>')
    out.append(f'<text x="{left + plot_w + 6}" y="{top + 4}" class="axis">{km_top:g}</text>')
    bar_w = max(2.0, plot_w / (days + 1) * 0.6)
    for day, log in sorted(by_day.items()):
        km = float(log.distance_km or 0)
        if km:
            h = plot_h * km / km_top
            out.append(
                f'<rect x="{x(day) - bar_w / 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" class="km"><title>{day:%d %b}: {km:g} km</title></rect>'
            )
    for marker in markers:
        if start <= marker.day <= end:
            mx = x(marker.day)
            out.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + plot_h}" class="phase"/>')
            out.append(
                f'<text x="{mx + 3:.1f}" y="{top + 10}" class="phase-label">{escape(marker.label)}</text>'
            )
    for field, _label, colour in PAIN_SERIES:
        points = [(x(day), y_pain(getattr(log, field))) for day, log in sorted(by_day.items())
                  if getattr(log, field) is not None]  # fmt: skip
        if len(points) > 1:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>' for px, py in points]
    # Date labels: start, end and about five in between.
    ticks = sorted({start + timedelta(days=round(days * i / 5)) for i in range(6)})
    for day in ticks:
        out.append(
            f'<text x="{x(day):.1f}" y="{height - bottom + 16}" text-anchor="middle" class="axis">{day:%d %b}</text>'
        )
    legend_x = left
    for _, label, colour in PAIN_SERIES:
        out.append(f'<rect x="{legend_x}" y="{height - 10}" width="10" height="3" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 14}" y="{height - 6}" class="axis">{label}</text>')
        legend_x += 14 + 8 * len(label) + 16
    out.append(f'<rect x="{legend_x}" y="{height - 13}" width="8" height="8" class="km"/>')
    out.append(f'<text x="{legend_x + 12}" y="{height - 6}" class="axis">km</text>')
    out.append("</svg>")
    return "".join(out)


def _nice(value: float) -> float:
    for step in (1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250):
        if value <= step:
            return float(step)
    return float(value)
