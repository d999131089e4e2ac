"""The server-drawn SVG charts (rehab/charts.py): what they draw, and what a reader without sight of them gets."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from rehab import charts
from rehab.models import DailyLog
from rehab.services import status_refresh

ROOT = Path(__file__).resolve().parents[2]
SITE_CSS = ROOT / "portal" / "static" / "portal" / "site.css"
CHARTS_CSS = ROOT / "rehab" / "static" / "rehab" / "charts.css"

END = date(2026, 12, 3)


@dataclass
class Day:
    date: date
    distance_km: Decimal | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None


def three_weeks(start: date) -> list[Day]:
    """21 logged days (every day but each fourth) with all three pains and a run every other day."""
    return [
        Day(start + timedelta(days=i), Decimal("5.5") if i % 2 else None, i % 7, (i + 2) % 9, i % 4)
        for i in range(28)
        if i % 4 != 3
    ]


def x_of(day: date, start: date, end: date) -> str:
    """Where the chart puts `day` across (its plot spans x = 34 to 680)."""
    return f"{34 + 646 * (day - start).days / (end - start).days:.1f}"


class Elements(HTMLParser):
    """Every element's tag and attributes, in order, and the text inside each element's tag kind."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag: str, **wanted) -> list[dict]:
        return [a for t, a in self.found if t == tag and all(a.get(k) == v for k, v in wanted.items())]


# ------------------------------------------------------------------------------------------ the timeline


def test_the_pain_scale_is_repeated_at_the_latest_days_end_for_phones():
    svg = charts.timeline([Day(END, Decimal("5"), 3, 2, 1)], END - timedelta(days=60), END)
    left = re.findall(
        r'<text x="28" y="[\d.]+" text-anchor="end" class="chart-text" fill="#\w+">(\d+)</text>', svg
    )
    right = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" class="chart-text pain-end" fill="#\w+">(\w+)</text>',
        svg,
    )
    assert left == ["0", "2", "5", "7", "10"]
    assert [label for _, label in right] == ["2", "5", "7", "10", "pain"]
    assert {float(x) for x, _ in right} == {720 - 40 - 3}  # the plot's right edge, inside the km axis
    # Shown on phones only: wider screens see the left axis.
    assert re.search(
        r"@media \(min-width: 576px\) \{\s*\.timeline-chart \.pain-end \{ display: none; \}",
        SITE_CSS.read_text(),
    )


def test_the_table_has_exactly_the_days_the_chart_draws():
    start = END - timedelta(days=27)
    logs = three_weeks(start) + [
        Day(start - timedelta(days=1), pain_during=9),
        Day(END + timedelta(days=1), pain_during=9),
    ]
    svg = charts.timeline(logs, start, END)
    days = charts.timeline_days(logs, start, END)
    assert len(days) == 21 and [d.date for d in days] == sorted(d.date for d in days)
    assert start - timedelta(days=1) not in [d.date for d in days]  # outside the chart: outside the table
    drawn = Elements(svg)
    # Every day has a pain during, drawn as a circle in that line's colour: one circle per table row, same place.
    circles = drawn.all("circle", fill=charts.PAIN_SERIES[0].colour)
    *points, legend = circles
    assert [c["cx"] for c in points] == [x_of(d.date, start, END) for d in days]
    assert legend["cx"] == "46.0"  # the legend's sample, under the plot
    # A km bar for each day with a distance, named with its day.
    bars = re.findall(r'class="km-bar"[^>]*><title>(\d\d \w\w\w): ([\d.]+) km</title>', svg)
    assert bars == [(f"{d.date:%d %b}", f"{d.distance_km:g}") for d in days if d.distance_km]
    assert days[-1].date == END - timedelta(days=1)  # the 28th day is one of the gaps
    assert (days[-1].pain_during, days[-1].pain_after, days[-1].pain_next_morning) == (26 % 7, 28 % 9, 26 % 4)


def test_a_days_phase_is_the_latest_change_on_or_before_it():
    start = END - timedelta(days=9)
    logs = [Day(start + timedelta(days=i), pain_during=1) for i in range(10)]
    markers = [charts.Marker(start + timedelta(days=2), "P1"), charts.Marker(start + timedelta(days=6), "P2")]
    days = charts.timeline_days(logs, start, END, markers=markers)
    assert [d.phase for d in days] == ["", "", "P1", "P1", "P1", "P1", "P2", "P2", "P2", "P2"]


def test_the_three_pain_lines_differ_in_dash_and_marker_as_well_as_colour():
    start = END - timedelta(days=27)
    svg = charts.timeline(three_weeks(start), start, END)
    lines = {a["data-series"]: a for a in Elements(svg).all("polyline")}
    assert set(lines) == {s.field for s in charts.PAIN_SERIES}
    dashes = [lines[s.field].get("stroke-dasharray", "") for s in charts.PAIN_SERIES]
    assert len(set(dashes)) == 3, dashes
    assert len({s.marker for s in charts.PAIN_SERIES}) == 3
    drawn = Elements(svg)
    for series in charts.PAIN_SERIES:
        assert lines[series.field]["stroke"] == series.colour
        shape = {"circle": "circle", "square": "rect", "triangle": "polygon"}[series.marker]
        # 21 points in the chart and one in the legend, in the line's own colour
        assert len(drawn.all(shape, fill=series.colour)) == 21 + 1
        # The legend draws the line with its dash pattern, then names it.
        legend = drawn.all("line", stroke=series.colour)
        assert [a.get("stroke-dasharray", "") for a in legend] == [series.dash]
        assert f">{series.label}</text>" in svg


@pytest.mark.parametrize(
    "name, colour, needed",
    [(s.label, s.colour, 3) for s in charts.PAIN_SERIES]
    + [
        ("grid line", charts.GRID, 3),
        ("km bar outline", charts.KM_EDGE, 3),
        ("phase line", charts.PHASE, 3),
        ("axis text", charts.AXIS_TEXT, 4.5),
    ],  # fmt: skip
)
def test_every_meaningful_colour_stands_out_from_the_background(name, colour, needed):
    assert charts.contrast_ratio(colour, charts.BACKGROUND) >= needed, name


@pytest.mark.parametrize("series", charts.PAIN_SERIES, ids=lambda s: s.field)
def test_pain_lines_keep_their_contrast_where_they_cross_a_km_bar(series):
    assert charts.contrast_ratio(series.colour, charts.KM_FILL) >= 3


def test_contrast_ratio_matches_the_wcag_formula():
    assert charts.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert charts.contrast_ratio("#cbd5e1", "#ffffff") == pytest.approx(1.48, abs=0.01)  # the old km bars


def test_the_colours_checked_are_the_colours_drawn():
    start = END - timedelta(days=27)
    svg = charts.timeline(three_weeks(start), start, END, markers=[charts.Marker(start, "P1")])
    drawn = Elements(svg)
    assert drawn.all("rect", fill=charts.BACKGROUND, width="720", height="260")
    assert {a["stroke"] for a in drawn.all("line") if a.get("class") == "gridline"} == {charts.GRID}
    assert {(a["fill"], a["stroke"]) for a in drawn.all("rect") if a.get("class") == "km-bar"} == {
        (charts.KM_FILL, charts.KM_EDGE)
    }
    assert {a["stroke"] for a in drawn.all("line") if a.get("class") == "phase-line"} == {charts.PHASE}
    assert {a["fill"] for a in drawn.all("text")} == {charts.AXIS_TEXT, charts.PHASE}
    # ... and no stylesheet paints over them (a CSS rule beats an SVG colour attribute). The pain-end labels'
    # white halo is the one stroke allowed.
    classes = "gridline|km-bar|phase-line|chart-text|phase-text|pain-line"
    for css in (SITE_CSS, CHARTS_CSS):
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css.read_text()):
            if re.search(rf"\.({classes})\b", selector):
                assert not re.search(r"(^|[;\s])(fill|stroke|color)\s*:", body), (css.name, selector)


def test_the_chart_is_an_image_named_and_described_by_its_summary():
    start = END - timedelta(days=27)
    logs = three_weeks(start)
    svg = charts.timeline(logs, start, END, chart_id="chart-7")
    root = Elements(svg).all("svg")[0]
    assert root["role"] == "img"
    assert (root["aria-labelledby"], root["aria-describedby"]) == ("chart-7-title", "chart-7-desc")
    title = re.search(r'<title id="chart-7-title">([^<]+)</title>', svg).group(1)
    desc = re.search(r'<desc id="chart-7-desc">([^<]+)</desc>', svg).group(1)
    assert title == "Pain and distance per day, 06 Nov to 03 Dec"
    assert desc.startswith(
        "21 of 28 days logged. Latest pain (02 Dec): during 5, after 1, next morning 2 out of 10."
    )
    # The highest pain is 8 (after), on the last day it was reached.
    peak = max(d for d in (log.pain_after for log in logs))
    last_peak = max(log.date for log in logs if log.pain_after == peak)
    assert f"Highest pain {peak} out of 10 (after, {last_peak:%d %b})." in desc
    assert "38.5 km run in all." in desc and "table after the chart" in desc
    assert charts.timeline([], start, END).count("Nothing logged in these 28 days.") == 1


# ------------------------------------------------------------------------------------------ sparklines


@pytest.mark.parametrize(
    "values, name",
    [
        ([3, None, 4, 6], "Pain, last 4 days: from 3 to 6 out of 10, rising; highest 6; 3 of 4 days logged"),
        ([7, 8, None, 2], "Pain, last 4 days: from 7 to 2 out of 10, falling; highest 8; 3 of 4 days logged"),
        ([4, 9, 4], "Pain, last 3 days: from 4 to 4 out of 10, steady; highest 9; 3 of 3 days logged"),
        ([1, None, 0], "Pain, last 3 days: from 1 to 0 out of 10, steady; highest 1; 2 of 3 days logged"),
        ([2, 3, 4], "Pain, last 3 days: from 2 to 4 out of 10, rising; highest 4; 3 of 3 days logged"),
        ([None, 5, None], "Pain, last 3 days: 5 out of 10, on the only day logged"),
    ],
    ids=["rising", "falling", "steady", "one-point-is-noise", "two-points-count", "one-day"],
)
def test_a_sparklines_name_gives_the_trend_not_only_the_latest_value(values, name):
    svg = charts.sparkline(values)
    assert Elements(svg).all("svg")[0]["aria-label"] == name
    assert Elements(svg).all("svg")[0]["role"] == "img"


def test_no_log_no_sparkline():
    assert charts.sparkline([None, None]) == "" and charts.pain_trend([None]) is None


def test_the_todays_page_sparkline_takes_its_cards_width_instead_of_fixed_pixels():
    fixed = Elements(charts.sparkline([1, 2, 3])).all("svg")[0]
    fluid = Elements(charts.sparkline([1, 2, 3], width=280, height=56, fluid=True)).all("svg")[0]
    assert (fixed["width"], fixed["height"]) == ("84", "22")
    assert "width" not in fluid and "height" not in fluid and fluid["viewbox"] == "0 0 280 56"
    assert "sparkline-fluid" in fluid["class"].split()
    rule = re.search(r"\.sparkline-fluid \{([^}]*)\}", CHARTS_CSS.read_text()).group(1)
    assert "width: 100%" in rule and "height: auto" in rule


def test_spark_days_end_on_the_given_day():
    assert charts.spark_days([1, None, 3], END) == [
        (END - timedelta(days=2), 1),
        (END - timedelta(days=1), None),
        (END, 3),
    ]


# ------------------------------------------------------------------------------------------ on the pages


@pytest.fixture
def three_weeks_logged(people):
    """Anna (no plan: her timeline starts 27 days back) logged 21 of the last 28 days."""
    today = timezone.localdate()
    start = today - timedelta(days=27)
    DailyLog.objects.bulk_create(
        DailyLog(athlete=people.athlete_a, date=d.date, distance_km=d.distance_km, pain_during=d.pain_during,
                 pain_after=d.pain_after, pain_next_morning=d.pain_next_morning)
        for d in three_weeks(start)
    )  # fmt: skip
    return today


def test_the_timeline_page_offers_every_charted_day_as_a_table(client_for, people, three_weeks_logged):
    html = client_for("clinician").get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    table = re.search(r'<details class="chart-data.*?</details>', html, re.S).group(0)
    assert "Show the chart's data as a table (21 days)" in table
    rows = re.findall(r'<tr><th scope="row"[^>]*>([^<]+)</th>', table)
    today = three_weeks_logged
    charted = [d.date for d in three_weeks(today - timedelta(days=27))]
    assert rows == [f"{day:%a} {day.day} {day:%b}" for day in reversed(charted)]  # all 21, newest first
    assert (
        'aria-describedby="timeline-chart-desc"' in html and '<desc id="timeline-chart-desc">21 of 28' in html
    )


def test_the_caseload_says_the_pain_trend_in_words_and_to_screen_readers(
    client_for, people, three_weeks_logged
):
    status_refresh([people.athlete_a])
    html = client_for("clinician").get(reverse("athlete_list")).content.decode()
    row = re.search(
        rf'<tr class="caseload-row[^"]*">(?:(?!</tr>).)*?/athletes/{people.athlete_a.pk}/.*?</tr>', html, re.S
    )
    row = row.group(0)
    # The last 14 of the three weeks: pain during/after/next morning peak from the 13th day back to today.
    trend = charts.pain_trend(
        [
            max(d.pain_during, d.pain_after, d.pain_next_morning) if d else None
            for d in _last_14(three_weeks_logged)
        ]
    )
    assert trend is not None and trend.logged >= 2
    assert f'aria-label="{trend.sentence()}"' in row
    assert f'<span class="fw-semibold">{trend.last}/10</span> {trend.arrow} {trend.direction}' in row


def _last_14(today: date) -> list[Day | None]:
    by_day = {d.date: d for d in three_weeks(today - timedelta(days=27))}
    return [by_day.get(today - timedelta(days=offset)) for offset in range(13, -1, -1)]


def test_the_today_page_sparkline_has_a_name_and_a_table_of_its_days(client_for, people, three_weeks_logged):
    html = client_for("athlete_a").get(reverse("rehab:athlete_today")).content.decode()
    svg = re.search(r"<svg class=\"sparkline sparkline-fluid\".*?</svg>", html, re.S).group(0)
    assert Elements(svg).all("svg")[0]["aria-label"].startswith("Pain, last 14 days: from ")
    table = re.search(r"<summary>Each day's pain</summary>.*?</table>", html, re.S).group(0)
    cells = re.findall(r'<td class="text-end">([^<]+)</td>', table)
    expected = [
        "not logged" if d is None else f"{max(d.pain_during, d.pain_after, d.pain_next_morning)}/10"
        for d in reversed(_last_14(three_weeks_logged))
    ]
    assert cells == expected
    assert "rehab/charts.css" in html


def test_today_says_which_weeks_its_trend_compares(client_for, people, three_weeks_logged):
    """The words under Today's sparkline compare this week's average with the week before (the stored trend),
    not the sparkline's first and last day, which its accessible name describes."""
    response = client_for("athlete_a").get(reverse("rehab:athlete_today"))
    trend = response.context["snap"].trend
    assert trend is not None
    words = "higher than" if trend > 0.4 else "lower than" if trend < -0.4 else "about the same as"
    assert f"this week's average {words} the week before" in response.content.decode()


def test_the_timeline_words_the_load_warning_about_the_athlete(client_for, people):
    today = timezone.localdate()
    DailyLog.objects.bulk_create(
        DailyLog(athlete=people.athlete_a, date=today - timedelta(days=days), distance_km=km, run_minutes=60)
        for days, km in ((8, Decimal("20")), (1, Decimal("23.4")))
    )
    html = client_for("clinician").get(reverse("rehab:timeline", args=[people.athlete_a.pk])).content.decode()
    assert (
        "Distance up 17 % on the week before (20 → 23.4 km); about 10 % a week is the usual ceiling." in html
    )
    assert "Your distance" not in html and "Aim for about 10 %" not in html
