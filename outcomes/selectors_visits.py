"""Reads of clinic visits for the pages: an athlete's visits, and each test's results over time (the trends)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.utils.translation import gettext, pgettext

from outcomes import catalog, wording
from outcomes.models import TestResult, Visit

SIDE_ORDER = {catalog.LEFT: 0, catalog.RIGHT: 1, catalog.NONE: 2}


@dataclass(frozen=True)
class TrendPoint:
    date: date
    visit_id: int
    value: str  # the main measure in words ("12 reps", "negative", "L 210 · R 180 N")
    pain: int | None
    passed: bool | None
    symmetry_pct: float | None


@dataclass
class TestTrend:
    __test__ = False  # pytest: a dataclass, not a test class

    code: str
    name: str
    side: str  # left / right / none; for strength, "none" (the affected leg is named per point)
    points: list[TrendPoint] = field(default_factory=list)

    @property
    def side_label(self) -> str:
        if self.side == catalog.LEFT:
            return pgettext("leg", "left")
        if self.side == catalog.RIGHT:
            return pgettext("leg", "right")
        return ""

    @property
    def paired(self) -> bool:
        test = catalog.BY_CODE.get(self.code)
        return test is not None and test.sides == catalog.PAIRED


def values_text(test_code: str, values: dict) -> str:
    """A result's values in words, e.g. "12 reps · pain 1/10", "negative", "L 210 · R 180 N"."""
    test = catalog.BY_CODE.get(test_code)
    if test is None:
        return ", ".join(f"{k} {v}" for k, v in values.items())
    parts = []
    if test.sides == catalog.PAIRED:
        left, right = values.get("left"), values.get("right")
        unit = values.get("unit", "")
        sides = ((pgettext("left leg, short", "L"), left), (pgettext("right leg, short", "R"), right))
        shown = [f"{label} {value:g}" for label, value in sides if value is not None]
        parts.append(" · ".join(shown) + (f" {unit}" if unit else ""))
        return parts[0]
    for measure in test.measures:
        value = values.get(measure.code)
        if value is None:
            continue
        if measure.choices:
            parts.append(wording.choice_label(value))
        elif measure.code == "pain":
            parts.append(gettext("pain %(pain)s/10") % {"pain": f"{value:g}"})
        elif len(test.measures) > 2:  # hip range of motion: name each movement
            parts.append(f"{wording.measure_label(measure).lower()} {value:g}{measure.unit}")
        else:
            unit = wording.unit_text(measure.unit)
            parts.append(f"{value:g}{unit}" if unit in ("°", "s") else f"{value:g} {unit}".strip())
    return " · ".join(parts)


def visits_for(athlete, *, limit: int = 10) -> list[Visit]:
    """The athlete's latest visits, newest first, each with `result_count`. One query."""
    return list(
        Visit.objects.filter(athlete=athlete)
        .select_related("clinician__user")
        .annotate(result_count=Count("test_results"))
        .order_by("-date", "-pk")[:limit]
    )


def test_trends(athlete) -> list[TestTrend]:
    """Every test recorded for the athlete, per test and side, its results oldest first; in the catalog's
    order. One query, however many visits and tests."""
    rows = (
        TestResult.objects.filter(visit__athlete=athlete)
        .select_related("visit")
        .only("test", "side", "values", "passed", "symmetry_pct", "visit__date", "visit__id")
        .order_by("visit__date", "visit__pk")
    )
    trends: dict[tuple[str, str], TestTrend] = {}
    for row in rows:
        test = catalog.BY_CODE.get(row.test)
        paired = test is not None and test.sides == catalog.PAIRED
        side = catalog.NONE if paired else row.side
        trend = trends.get((row.test, side))
        if trend is None:
            trend = trends[(row.test, side)] = TestTrend(row.test, wording.test_name(row.test), side)
        pain = row.values.get("pain")
        trend.points.append(
            TrendPoint(
                date=row.visit.date,
                visit_id=row.visit_id,
                value=values_text(row.test, row.values)
                + (
                    " "
                    + (
                        gettext("(left affected)")
                        if row.side == catalog.LEFT
                        else gettext("(right affected)")
                    )
                    if paired and row.side != catalog.NONE
                    else ""
                ),
                pain=pain,
                passed=row.passed,
                symmetry_pct=row.symmetry_pct,
            )
        )
    order = {test.code: index for index, test in enumerate(catalog.TESTS)}
    return sorted(trends.values(), key=lambda t: (order.get(t.code, len(order)), SIDE_ORDER.get(t.side, 3)))
