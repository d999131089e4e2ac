"""A phase's measured exit criteria (PhaseFields.structured_criteria) between the engine and the pages.

The progression engine (rehab.progression) stays pure: it is handed each athlete's recorded results
(outcomes.criteria.Results) and returns reasons that are either sentences or outcomes `Reason` codes. This module
turns the engine's reasons into words and into JSON for RehabStatus; it reads no table, so the models use it
(rehab.selectors.results_for_plans fetches the results).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from outcomes import wording
from outcomes.codes import OutcomeError, Reason


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
