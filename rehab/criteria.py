"""A phase's measured exit criteria (PhaseFields.structured_criteria) between the engine and the pages.

The progression engine (rehab.progression) stays pure: it is handed each athlete's recorded results
(outcomes.criteria.Results) and returns reasons as `Reason` codes (rehab.codes, and outcomes.codes for the
criteria). This module turns the engine's reasons into words (rehab.wording.say) and into JSON for RehabStatus;
it reads no table, so the models use it (rehab.selectors.results_for_plans fetches the results).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from outcomes import wording
from outcomes.codes import OutcomeError
from rehab import wording as rehab_wording


def error_text(error: OutcomeError) -> str:
    """A refused criteria list in words, for the form field ("Exit criterion 2: unknown test.")."""
    if error.params.get("index", 0) < 0:
        return f"{error.params.get('problem', str(error))[:1].upper()}{error.params.get('problem', '')[1:]}."
    return wording.render(error.reason)


def reason_text(reason) -> str:
    """One engine reason in words (rehab.wording.say): codes in the active language, old rows' sentences as
    they were stored."""
    return rehab_wording.say(reason)


def reasons_text(reasons: Iterable) -> list[str]:
    return [reason_text(r) for r in reasons]


def reasons_json(reasons: Iterable) -> list:
    """The reasons as RehabStatus stores them: {"code", "params"} each (an old row's sentence stays text)."""
    return [rehab_wording.as_dict(r) for r in reasons]


def has_criteria(phase) -> bool:
    return bool(phase is not None and getattr(phase, "structured_criteria", None))


def clearance_dates(phases) -> tuple[date, ...]:
    """The days a clinician recorded a clearance on these phases (PlanPhase.cleared_at, rehab.services.phase_clear)."""
    return tuple(
        timezone.localdate(p.cleared_at) for p in phases if getattr(p, "cleared_at", None) is not None
    )
