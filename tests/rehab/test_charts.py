"""The server-drawn SVG charts (rehab/charts.py)."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from rehab import charts

CSS = Path(__file__).resolve().parents[2] / "portal" / "static" / "portal" / "site.css"


@dataclass
class Day:
    date: date
    distance_km: Decimal | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None


def test_the_pain_scale_is_repeated_at_the_latest_days_end_for_phones():
    end = date(2026, 12, 3)
    svg = charts.timeline([Day(end, Decimal("5"), 3, 2, 1)], end - timedelta(days=60), end)
    left = re.findall(r'<text x="28" y="[\d.]+" text-anchor="end" class="axis">(\d+)</text>', svg)
    right = re.findall(
        r'<text x="([\d.]+)" y="[\d.]+" text-anchor="end" class="axis pain-end">(\w+)</text>', svg
    )
    assert left == ["0", "2", "5", "7", "10"]
    assert [label for _, label in right] == ["2", "5", "7", "10", "pain"]
    assert {float(x) for x, _ in right} == {720 - 40 - 3}  # the plot's right edge, inside the km axis
    # Shown on phones only: wider screens see the left axis.
    css = CSS.read_text()
    assert re.search(
        r"@media \(min-width: 576px\) \{\s*\.timeline-chart \.pain-end \{ display: none; \}", css
    )
