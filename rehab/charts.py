"""Small SVG charts drawn on the server: no chart library, no script, and they print. No Django imports.

Accessibility (WCAG 2.2 AA): every chart is an image with a name that carries its message (range, latest and
highest pain, the trend), the timeline's data is also offered as a table of the same days (`timeline_days`), the
three pain lines differ by dash pattern and marker shape as well as by colour, and every colour that carries
meaning has a contrast of at least 3:1 against the chart's background (checked in tests/rehab/test_charts.py).
The colours are presentation attributes, not CSS, so that the test reads the colours actually drawn; the class
names are new ones that no stylesheet colours (rehab/static/rehab/charts.css sets sizes and fonts only).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

BACKGROUND = "#ffffff"
AXIS_TEXT = "#4b5563"  # 7.6:1 on the background: text needs 4.5:1
GRID = "#8b95a1"  # 3.0:1: the pain lines at 2 and 5 are the zones' limits
KM_FILL = "#eef2f6"  # a pale bar, so that the pain lines crossing it keep their contrast
KM_EDGE = "#64748b"  # 4.8:1: the bar's outline is what shows its height
PHASE = "#334155"  # 10.4:1, and not the colour of any pain line


@dataclass(frozen=True)
class Series:
    field: str
    label: str
    colour: str
    dash: str  # SVG stroke-dasharray; "" is a solid line
    marker: str  # circle, square or triangle


PAIN_SERIES = (
    Series("pain_during", "During", "#0f766e", "", "circle"),
    Series("pain_after", "After", "#b45309", "7 4", "square"),
    Series("pain_next_morning", "Next morning", "#7c3aed", "2 3", "triangle"),
)


def _short_day(day: date) -> str:
    return f"{day:%d %b}"


@dataclass(frozen=True)
class ChartWords:
    """The timeline chart's words, English by default: the pages pass them in the reader's language
    (rehab.selectors.chart_words), as %-format strings with named fields, and `day` writes a short date."""

    title: str = "Pain and distance per day, %(start)s to %(end)s"
    nothing: str = "Nothing logged in these %(span)s days."
    logged: str = "%(count)s of %(span)s days logged."
    latest: str = "Latest pain (%(day)s): %(pains)s out of 10."
    highest: str = "Highest pain %(peak)s out of 10 (%(which)s, %(day)s)."
    distance: str = "%(km)s km run in all."
    table: str = "Each day's values are in the table after the chart."
    phase_change: str = "phase change"
    series: dict = field(default_factory=lambda: {series.field: series.label for series in PAIN_SERIES})
    day: Callable[[date], str] = _short_day


def relative_luminance(colour: str) -> float:
    """WCAG 2.2's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# ------------------------------------------------------------------------------------------ the sparkline


MEANINGFUL_CHANGE = 2  # points of pain out of 10


@dataclass(frozen=True)
class PainTrend:
    """What a sparkline shows, in numbers: the first and the latest logged value, the highest, how many logged."""

    days: int
    first: int
    last: int
    peak: int
    logged: int

    @property
    def direction(self) -> str:
        """Rising or falling by at least 2 points, the smallest change on a 0–10 pain scale that patients tell
        apart from noise; a 1-point wobble is "steady"."""
        if self.logged < 2 or abs(self.last - self.first) < MEANINGFUL_CHANGE:
            return "steady"
        return "rising" if self.last > self.first else "falling"

    @property
    def arrow(self) -> str:
        return {"rising": "↑", "falling": "↓"}.get(self.direction, "→")

    def sentence(self) -> str:
        """The sparkline's accessible name, e.g. "Pain, last 14 days: from 3 to 6 out of 10, rising; highest 7"."""
        if self.logged == 1:
            return f"Pain, last {self.days} days: {self.last} out of 10, on the only day logged"
        return (
            f"Pain, last {self.days} days: from {self.first} to {self.last} out of 10, {self.direction}; "
            f"highest {self.peak}; {self.logged} of {self.days} days logged"
        )


def pain_trend(values: Sequence[int | None]) -> PainTrend | None:
    logged = [v for v in values if v is not None]
    if not logged:
        return None
    return PainTrend(len(values), logged[0], logged[-1], max(logged), len(logged))


def spark_days(values: Sequence[int | None], end: date) -> list[tuple[date, int | None]]:
    """The sparkline's values with their days (the last one is `end`), for its table."""
    return [(end - timedelta(days=len(values) - 1 - i), value) for i, value in enumerate(values)]


def sparkline(
    values: Sequence[int | None], *, width: int = 84, height: int = 22, fluid: bool = False, sentence=None
) -> str:
    """Peak pain per day (0–10, None = no log) as a tiny line; gaps stay gaps. Its accessible name is
    `sentence(trend)` (PainTrend.sentence, in English, by default: rehab.wording.pain_trend_sentence says it in
    the reader's language).

    `fluid` leaves the size to CSS (class sparkline-fluid: the card's width), so that it shrinks with the page
    when zoomed in instead of overflowing; otherwise it is drawn `width` × `height` pixels.
    """
    trend = pain_trend(values)
    if trend is None:
        return ""
    colour = PAIN_SERIES[0].colour
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
    # A fluid line keeps its stroke 2 px wide however far the drawing is scaled down.
    stroke = ' stroke-width="2" vector-effect="non-scaling-stroke"' if fluid else ' stroke-width="1.6"'
    paths = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="{colour}"{stroke}/>'
        if len(s) > 1
        else f'<circle cx="{s[0].split(",")[0]}" cy="{s[0].split(",")[1]}" r="{3 if fluid else 1.6}" fill="{colour}"/>'
        for s in segments
    )
    size = "" if fluid else f' width="{width}" height="{height}"'
    kind = "sparkline sparkline-fluid" if fluid else "sparkline"
    return (
        f'<svg class="{kind}"{size} viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape((sentence or PainTrend.sentence)(trend))}">{paths}</svg>'
    )


# ------------------------------------------------------------------------------------------ the timeline


@dataclass(frozen=True)
class Marker:
    day: date
    label: str


@dataclass(frozen=True)
class ChartDay:
    """One day the timeline draws: its table row."""

    date: date
    distance_km: float | None
    pain_during: int | None
    pain_after: int | None
    pain_next_morning: int | None
    phase: str  # the phase the day belongs to ("P2"), from the markers; "" before the first


def timeline_days(
    logs: Sequence, start: date, end: date, *, markers: Sequence[Marker] = ()
) -> list[ChartDay]:
    """The logged days from `start` to `end`, oldest first: exactly the days `timeline` draws."""
    changes = sorted(markers, key=lambda marker: marker.day)
    by_day = {log.date: log for log in logs if start <= log.date <= end}
    return [
        ChartDay(
            day,
            float(log.distance_km) if log.distance_km is not None else None,
            log.pain_during,
            log.pain_after,
            log.pain_next_morning,
            next((marker.label for marker in reversed(changes) if marker.day <= day), ""),
        )
        for day, log in sorted(by_day.items())
    ]


def _marker(shape: str, px: float, py: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{px:.1f},{py - 4:.1f} {px + 3.8:.1f},{py + 3:.1f} {px - 3.8:.1f},{py + 3:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>'


def _summary(days: Sequence[ChartDay], start: date, end: date, words: ChartWords) -> str:
    """The chart's description: what a reader would take from it at a glance."""
    span = (end - start).days + 1
    if not days:
        return words.nothing % {"span": span}
    parts = [words.logged % {"count": len(days), "span": span}]
    latest = days[-1]
    pains = [
        f"{words.series[series.field].lower()} {getattr(latest, series.field)}"
        for series in PAIN_SERIES
        if getattr(latest, series.field) is not None
    ]
    if pains:
        parts.append(words.latest % {"day": words.day(latest.date), "pains": ", ".join(pains)})
    highest = [(getattr(day, s.field), day.date, words.series[s.field].lower()) for day in days for s in PAIN_SERIES
               if getattr(day, s.field) is not None]  # fmt: skip
    if highest:
        peak = max(value for value, _, _ in highest)
        when, which = next((d, label) for value, d, label in reversed(highest) if value == peak)
        parts.append(words.highest % {"peak": peak, "which": which, "day": words.day(when)})
    km = sum(day.distance_km or 0 for day in days)
    parts.append(words.distance % {"km": f"{km:g}"})
    parts.append(words.table)
    return " ".join(parts)


def timeline(
    logs: Sequence,
    start: date,
    end: date,
    *,
    markers: Sequence[Marker] = (),
    width: int = 720,
    height: int = 260,
    chart_id: str = "timeline-chart",
    words: ChartWords | None = None,
) -> str:
    """Pain (during, after, next morning; 0–10, left axis) as lines and distance (km, right axis) as bars.

    `logs` have date, distance_km and the three pain fields; `markers` draw phase changes as dashed lines.
    `chart_id` names the title and description inside (ids must be unique on the page).
    """
    words = words or ChartWords()
    left, right, top, bottom = 34, 40, 24, 34
    days = max(1, (end - start).days)
    plot_w, plot_h = width - left - right, height - top - bottom
    rows = timeline_days(logs, start, end, markers=markers)
    km_top = _nice(max([day.distance_km or 0 for day in rows] + [1.0]))

    def x(day: date) -> float:
        return left + plot_w * (day - start).days / days

    def y_pain(value: float) -> float:
        return top + plot_h * (1 - value / 10)

    def text(
        tx: float,
        ty: float,
        label: str,
        *,
        anchor: str = "",
        kind: str = "chart-text",
        colour: str = AXIS_TEXT,
    ):
        align = f' text-anchor="{anchor}"' if anchor else ""
        return f'<text x="{tx:g}" y="{ty:.1f}"{align} class="{kind}" fill="{colour}">{label}</text>'

    out = [
        f'<svg class="timeline-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">'
        f"{escape(words.title % {'start': words.day(start), 'end': words.day(end)}, quote=False)}</title>",
        f'<desc id="{chart_id}-desc">{escape(_summary(rows, start, end, words), quote=False)}</desc>',
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>',
    ]
    for value in (0, 2, 5, 7, 10):
        y = y_pain(value)
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="gridline" stroke="{GRID}" '
            f'stroke-width="0.75"/>'
        )
        out.append(text(left - 6, y + 4, str(value), anchor="end"))
    out.append(text(left - 6, top - 10, "pain", anchor="end"))
    # The pain scale again at the latest days' end, over the grid lines: a phone opens the chart scrolled to
    # that end, with the left axis out of view (site.css shows these on phones only).
    for value in (2, 5, 7, 10):
        # Above its line; 10 below it, clear of the "pain" caption.
        y = y_pain(value) + (11 if value == 10 else -3)
        out.append(text(left + plot_w - 3, y, str(value), anchor="end", kind="chart-text pain-end"))
    out.append(text(left + plot_w - 3, top - 10, "pain", anchor="end", kind="chart-text pain-end"))
    out.append(text(left + plot_w + 6, top - 10, "km"))
    out.append(text(left + plot_w + 6, top + 4, f"{km_top:g}"))
    bar_w = max(2.0, plot_w / (days + 1) * 0.6)
    for day in rows:
        if day.distance_km:
            h = plot_h * day.distance_km / km_top
            out.append(
                f'<rect x="{x(day.date) - bar_w / 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" class="km-bar" fill="{KM_FILL}" stroke="{KM_EDGE}" stroke-width="1">'
                f"<title>{escape(words.day(day.date))}: {day.distance_km:g} km</title></rect>"
            )
    for marker in markers:
        if start <= marker.day <= end:
            mx = x(marker.day)
            out.append(
                f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + plot_h}" class="phase-line" stroke="{PHASE}" '
                f'stroke-width="1.2" stroke-dasharray="4 3"/>'
            )
            out.append(
                text(mx + 3, top + 10, escape(marker.label), kind="chart-text phase-text", colour=PHASE)
            )
    for series in PAIN_SERIES:
        points = [(x(day.date), y_pain(getattr(day, series.field))) for day in rows
                  if getattr(day, series.field) is not None]  # fmt: skip
        if len(points) > 1:
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
            out.append(
                f'<polyline points="{coords}" fill="none" stroke="{series.colour}" stroke-width="2"{dash} '
                f'class="pain-line" data-series="{series.field}"/>'
            )
        out += [_marker(series.marker, px, py, series.colour) for px, py in points]
    # Date labels: start, end and about five in between.
    ticks = sorted({start + timedelta(days=round(days * i / 5)) for i in range(6)})
    for day in ticks:
        out.append(text(round(x(day), 1), height - bottom + 16, escape(words.day(day)), anchor="middle"))
    # The legend draws each line as in the chart: its colour, its dash pattern and its marker.
    legend_x, legend_y = left, height - 9
    for series in PAIN_SERIES:
        dash = f' stroke-dasharray="{series.dash}"' if series.dash else ""
        out.append(
            f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{legend_y}" y2="{legend_y}" stroke="{series.colour}" '
            f'stroke-width="2"{dash}/>'
        )
        out.append(_marker(series.marker, legend_x + 12, legend_y, series.colour))
        label = words.series[series.field]
        out.append(text(legend_x + 30, legend_y + 4, escape(label)))
        legend_x += 30 + 7 * len(label) + 18
    out.append(
        f'<rect x="{legend_x}" y="{legend_y - 5}" width="8" height="9" fill="{KM_FILL}" stroke="{KM_EDGE}"/>'
    )
    out.append(text(legend_x + 12, legend_y + 4, "km"))
    legend_x += 12 + 14 + 18
    out.append(
        f'<line x1="{legend_x + 4}" x2="{legend_x + 4}" y1="{legend_y - 7}" y2="{legend_y + 5}" stroke="{PHASE}" '
        f'stroke-width="1.2" stroke-dasharray="3 2"/>'
    )
    out.append(text(legend_x + 12, legend_y + 4, escape(words.phase_change)))
    out.append("</svg>")
    return "".join(out)


def _nice(value: float) -> float:
    for step in (1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250):
        if value <= step:
            return float(step)
    return float(value)
