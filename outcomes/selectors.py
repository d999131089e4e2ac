"""Outcomes' reads that span tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone
from django.utils.translation import get_language

from outcomes import instruments
from outcomes.criteria import PromResult, RecordedTest, Results
from outcomes.models import InstrumentWording, QuestionnaireResponse, TestResult


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


def results_for_many(athlete_ids: Iterable[int], *, clearances=None) -> dict[int, Results]:
    """`results_for` for several athletes at once, keyed by athlete id: two queries whatever their number.

    `clearances`: athlete id → the dates of the clinician's clearances recorded on their plan."""
    ids = list(athlete_ids)
    clearances = clearances or {}
    proms: dict[int, list[PromResult]] = {pk: [] for pk in ids}
    tests: dict[int, list[RecordedTest]] = {pk: [] for pk in ids}
    if ids:
        for r in (
            QuestionnaireResponse.objects.filter(athlete_id__in=ids)
            .completed()
            .only("athlete_id", "instrument", "completed_at", "total", "subscales")
        ):
            proms[r.athlete_id].append(
                PromResult(r.instrument, timezone.localdate(r.completed_at), r.total, dict(r.subscales))
            )
        for t in TestResult.objects.filter(visit__athlete_id__in=ids).select_related("visit"):
            tests[t.visit.athlete_id].append(
                RecordedTest(t.test, t.side, t.visit.date, dict(t.values), t.passed, t.symmetry_pct)
            )
    return {
        pk: Results(proms=tuple(proms[pk]), tests=tuple(tests[pk]), clearances=tuple(clearances.get(pk, ())))
        for pk in ids
    }


def instruments_for(clinic) -> dict[str, instruments.Instrument]:
    """Every questionnaire as this clinic can use it: with its licensed wording where it imported one, the shipped
    wording in the active language. One whose `has_wording` is false cannot be sent to an athlete ("needs your
    licensed wording")."""
    language = get_language()
    found = {code: instruments.in_language(found, language) for code, found in instruments.shipped().items()}
    for row in InstrumentWording.objects.filter(clinic=clinic):
        if row.instrument in found and row.instrument_version == found[row.instrument].version:
            found[row.instrument] = row.as_instrument()
    return found
