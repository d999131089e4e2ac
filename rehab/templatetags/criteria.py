"""`{% load criteria %}`: a phase's measured exit criteria and the engine's reasons in words.

- `{{ reason|reason_text }}`: one of the engine's reasons (a sentence, or an outcomes code with parameters).
- `{% phase_criteria phase rec as rows %}`: each measured criterion of `phase` in words; for the phase the
  recommendation `rec` judged, with its status (met / not met / not measured in this phase) and the day it was
  last measured. Reads nothing from the database.
"""

from dataclasses import dataclass
from datetime import date

from django import template

from outcomes import wording
from outcomes.codes import OutcomeError
from outcomes.criteria import parse
from rehab.criteria import reason_text as _reason_text

register = template.Library()


@dataclass(frozen=True)
class CriterionRow:
    text: str
    status: str = ""  # "" when the phase is not the one judged
    status_label: str = ""
    last_measured: date | None = None
    reasons: tuple[str, ...] = ()


@register.filter
def reason_text(reason) -> str:
    return _reason_text(reason)


def criteria_rows(phase, rec=None) -> list[CriterionRow]:
    """The rows `{% phase_criteria %}` gives (see the module docstring)."""
    raw = getattr(phase, "structured_criteria", None) or []
    if not raw:
        return []
    if rec is not None and rec.criteria:  # the caller passes `rec` only with the phase it judged
        return [
            CriterionRow(
                wording.describe(result.criterion),
                result.status,
                wording.status_label(result.status),
                result.last_measured,
                tuple(wording.render(r) for r in result.reasons),
            )
            for result in rec.criteria
        ]
    try:
        return [CriterionRow(wording.describe(criterion)) for criterion in parse(raw)]
    except OutcomeError as error:
        return [CriterionRow(_reason_text(error.reason))]


@register.simple_tag
def phase_criteria(phase, rec=None) -> list[CriterionRow]:
    return criteria_rows(phase, rec)


@register.simple_tag
def criteria_preview(value) -> list[str]:
    """The criteria a form holds, in words (empty when there are none or they do not parse)."""
    try:
        return [wording.describe(criterion) for criterion in parse(value or [])]
    except (OutcomeError, TypeError):
        return []
