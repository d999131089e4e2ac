"""Outcomes' writes: questionnaire rounds (saved partly, scored when completed), visits and test results.

Keyword-only, atomic and `full_clean()`ed; scores, pass/fail and the side-to-side percentage are worked out here
by the pure modules (outcomes/scoring.py, outcomes/catalog.py) and stored with their reasons as codes.
Who may call them is the caller's check (portal.capabilities).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from outcomes import catalog, instruments, scoring
from outcomes.models import InstrumentWording, QuestionnaireResponse, TestResult, Visit


@transaction.atomic
def response_save(
    *,
    athlete,
    instrument: str,
    answers: dict,
    round: str = QuestionnaireResponse.Round.FOLLOW_UP,
    item_labels: dict | None = None,
    complete: bool,
    by=None,
    response: QuestionnaireResponse | None = None,
    now=None,
) -> QuestionnaireResponse:
    """Save a round's answers. Partly saved (`complete=False`): answers kept, no score. Completed: scored.

    Answers are checked against the instrument (an unknown item or an answer out of range is a ValidationError
    on `answers`); a completed round keeps its completion time when saved again.
    """
    now = now or timezone.now()
    found = instruments.load(instrument)
    if response is None:
        response = QuestionnaireResponse(athlete=athlete, instrument=found.code, round=round, started_at=now)
    elif response.athlete_id != athlete.pk or response.instrument != found.code:
        raise ValueError("That questionnaire round belongs to another athlete or questionnaire.")
    response.instrument_version = found.version
    response.answers = {code: value for code, value in answers.items() if value is not None}
    if item_labels is not None:
        response.item_labels = {
            code: str(label).strip() for code, label in item_labels.items() if str(label).strip()
        }
    response.entered_by = (
        by if by is not None and by != getattr(athlete, "user", None) else response.entered_by
    )
    response.full_clean()
    if complete or response.is_complete:  # a completed round is never turned back into a partial one
        result = scoring.score(found, response.answers)
        response.total = result.total
        response.subscales = result.subscales
        response.valid = result.valid
        response.reasons = [r.as_dict() for r in result.reasons]
        response.completed_at = response.completed_at or now
    else:
        response.total, response.subscales, response.valid, response.reasons = None, {}, False, []
    response.save()
    return response


@transaction.atomic
def visit_save(
    *, athlete, clinician=None, on: date | None = None, notes: str = "", visit: Visit | None = None
) -> Visit:
    """Create a visit, or update its date and notes."""
    visit = visit or Visit(athlete=athlete, clinician=clinician)
    visit.date = on or visit.date or timezone.localdate()
    visit.notes = notes
    visit.full_clean()
    visit.save()
    return visit


@transaction.atomic
def visit_test_save(*, visit: Visit, test: str, side: str, values: dict) -> TestResult:
    """Record (or re-record) one test for one side at a visit, with whether it passed and any side-to-side %."""
    found = catalog.get(test)
    result = TestResult.objects.filter(visit=visit, test=found.code, side=side).first() or TestResult(
        visit=visit, test=found.code, side=side
    )
    result.values = dict(values)
    result.full_clean()
    result.values = catalog.clean_values(found, side, values)
    evaluation = catalog.evaluate(found, side, result.values)
    result.passed = evaluation.passed
    result.symmetry_pct = evaluation.symmetry_pct
    result.reasons = [r.as_dict() for r in evaluation.reasons]
    result.save()
    return result


@transaction.atomic
def wording_import(*, clinic, data: dict, by=None) -> tuple[InstrumentWording, bool]:
    """Store (or replace) a clinic's licensed wording for one questionnaire; raises InstrumentError when the
    file does not fit the shipped scoring. Returns the row and whether it was created."""
    instrument = instruments.parse_wording(data)
    row, created = InstrumentWording.objects.update_or_create(
        clinic=clinic,
        instrument=instrument.code,
        defaults={
            "instrument_version": instrument.version,
            "texts": {item.code: item.text for item in instrument.items},
            "instructions": data.get("instructions", "").strip(),
            "answer_labels": dict(data.get("answer_labels", {})),
            "imported_at": timezone.now(),
            "imported_by": by,
        },
    )
    return row, created
