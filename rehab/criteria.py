"""A phase's measured exit criteria (PhaseFields.structured_criteria) between the engine and the pages.

The progression engine (rehab.progression) stays pure: it is handed each athlete's recorded results
(outcomes.criteria.Results) and returns reasons that are either sentences or outcomes `Reason` codes. This module
fetches those results for the athletes whose phase has criteria (in bulk: the caseload refresh judges hundreds at
once) and turns the engine's reasons into words and into JSON for RehabStatus.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from outcomes import wording
from outcomes.codes import OutcomeError, Reason
from outcomes.criteria import Results


def error_text(error: OutcomeError) -> str:
    """A refused criteria list in words, for the form field ("Exit criterion 2: unknown test.")."""
    if error.params.get("index", 0) < 0:
        return f"{error.params.get('problem', str(error))[:1].upper()}{error.params.get('problem', '')[1:]}."
    return wording.render(error.reason)


def reason_text(reason) -> str:
    """One engine reason in words: sentences as they are, criteria codes through outcomes.wording."""
    if isinstance(reason, Reason) or (isinstance(reason, dict) and "code" in reason):
        return wording.render(reason)
    return str(reason)


def reasons_text(reasons: Iterable) -> list[str]:
    return [reason_text(r) for r in reasons]


def reasons_json(reasons: Iterable) -> list:
    """The reasons as RehabStatus stores them: sentences as text, codes as {"code", "params"}."""
    return [r.as_dict() if isinstance(r, Reason) else r for r in reasons]


def has_criteria(phase) -> bool:
    return bool(phase is not None and getattr(phase, "structured_criteria", None))


def clearance_dates(phases) -> tuple[date, ...]:
    """The days a clinician recorded a clearance on these phases (PlanPhase.cleared_at, rehab.services.phase_clear)."""
    return tuple(
        timezone.localdate(p.cleared_at) for p in phases if getattr(p, "cleared_at", None) is not None
    )


def results_for_plans(plans: dict) -> dict[int, Results]:
    """athlete id → Results, for the athletes in `plans` (athlete id → active plan) whose current phase has
    measured exit criteria: three queries whatever their number, none when no phase has any."""
    from outcomes.selectors import results_for_many
    from rehab.models import PlanPhase

    wanted = {pk: plan for pk, plan in plans.items() if plan is not None and has_criteria(plan.current_phase)}
    if not wanted:
        return {}
    by_plan: dict[int, list] = {}
    for plan_id, cleared_at in PlanPhase.objects.filter(
        plan_id__in=[plan.pk for plan in wanted.values()], cleared_at__isnull=False
    ).values_list("plan_id", "cleared_at"):
        by_plan.setdefault(plan_id, []).append(timezone.localdate(cleared_at))
    clearances = {pk: by_plan.get(plan.pk, []) for pk, plan in wanted.items()}
    return results_for_many(wanted, clearances=clearances)
