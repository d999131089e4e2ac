"""Outcomes' reads that span tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from outcomes.criteria import PromResult, RecordedTest, Results
from outcomes.models import QuestionnaireResponse, TestResult


def results_for(athlete, *, clearances: Iterable[date] = ()) -> Results:
    """Every completed questionnaire round and recorded test of `athlete`, for outcomes.criteria.evaluate.

    Clearances live with the plan (rehab's PlanPhase.cleared_at): the caller passes their dates. Two queries.
    """
    proms = tuple(
        PromResult(r.instrument, timezone.localdate(r.completed_at), r.total, dict(r.subscales))
        for r in QuestionnaireResponse.objects.filter(athlete=athlete)
        .completed()
        .only("instrument", "completed_at", "total", "subscales")
    )
    tests = tuple(
        RecordedTest(t.test, t.side, t.visit.date, dict(t.values), t.passed, t.symmetry_pct)
        for t in TestResult.objects.filter(visit__athlete=athlete).select_related("visit")
    )
    return Results(proms=proms, tests=tests, clearances=tuple(clearances))
