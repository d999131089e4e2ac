"""A questionnaire's scores over its rounds as a small line, drawn like rehab/charts.py's sparkline: presentation
attributes for the colours, an accessible name saying what it shows; the table next to it carries the numbers."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext

from rehab.charts import GRID, PAIN_SERIES

WIDTH, HEIGHT, PAD = 200, 60, 6


def trend_svg(result) -> str:
    """The main score of each round of one questionnaire (outcomes.questionnaires.InstrumentResults), oldest
    first, on the questionnaire's own range; empty with fewer than two scored rounds."""
    points = [(day, value) for day, value in result.trend() if value is not None]
    if len(points) < 2:
        return ""
    low, high = result.instrument.score_min, result.instrument.score_max
    span = (high - low) or 1
    step = (WIDTH - 2 * PAD) / (len(points) - 1)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) * (HEIGHT - 2 * PAD) / span

    coords = [(PAD + i * step, y(value)) for i, (_, value) in enumerate(points)]
    colour = PAIN_SERIES[0].colour
    line = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="{colour}"/>' for x, yy in coords)
    first, last = points[0][1], points[-1][1]
    better = gettext("higher is better") if result.instrument.higher_is_better else gettext("lower is better")
    label = escape(
        gettext(
            "%(name)s over %(count)s rounds: from %(first)s to %(last)s (range %(low)s to %(high)s, %(better)s)"
        )
        % {
            "name": result.instrument.short_name,
            "count": len(points),
            "first": f"{first:g}",
            "last": f"{last:g}",
            "low": f"{low:g}",
            "high": f"{high:g}",
            "better": better,
        }
    )
    return (
        f'<svg class="prom-trend" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{label}">'
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" stroke="{GRID}"/>'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>{dots}</svg>'
    )
