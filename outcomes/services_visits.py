"""A visit written in one go, as the visit page and the API send it: its date, notes and every test recorded.

Built on outcomes.services (visit_save, visit_test_save); keyword-only and atomic. Who may call it is the
caller's check (Cap.RECORD_CLEARANCE for the athlete).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from outcomes import services
from outcomes.models import TestResult, Visit


@transaction.atomic
def visit_record(
    *,
    athlete,
    clinician=None,
    on: date | None = None,
    notes: str = "",
    results: dict[tuple[str, str], dict],
    visit: Visit | None = None,
) -> Visit:
    """Save the visit and its results, `(test code, side) → values`: each is recorded (or re-recorded) with
    whether it passed and any side-to-side %, and a result of the visit left out of `results` is removed.
    A refused value is a ValidationError and nothing is saved."""
    visit = services.visit_save(athlete=athlete, clinician=clinician, on=on, notes=notes, visit=visit)
    kept = []
    for (test, side), values in results.items():
        kept.append(services.visit_test_save(visit=visit, test=test, side=side, values=values).pk)
    TestResult.objects.filter(visit=visit).exclude(pk__in=kept).delete()
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit) -> None:
    """Delete a visit recorded in error, with its test results. Each row is deleted on its own (no bulk delete)
    so the audit trail records the visit and every result it held, with their values. An athlete whose personal
    data was deleted keeps their visits as they are (ValidationError)."""
    if visit.athlete.is_anonymised:
        raise ValidationError(
            gettext("This athlete's personal data was deleted: their visits are kept as they are.")
        )
    for result in TestResult.objects.filter(visit=visit):
        result.delete()
    visit.delete()
