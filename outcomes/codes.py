"""The vocabulary of the outcomes engines: reasons as codes with parameters. No Django imports.

Engines (scoring, catalog, criteria) return `Reason` objects; outcomes/wording.py says them in plain words at
display time, and stored results keep the codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready form for storing next to a result."""
        return {"code": self.code, "params": dict(self.params)}


def reason(code: str, **params: Any) -> Reason:
    return Reason(code, params)


class OutcomeError(ValueError):
    """Input an engine refuses (an unknown item, an answer out of range): a code, parameters and a sentence."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    @property
    def reason(self) -> Reason:
        return Reason(self.code, dict(self.params))


# Scoring (outcomes/scoring.py)
NO_ANSWERS = "no_answers"
TOO_FEW_ANSWERED = "too_few_answered"
ITEMS_IMPUTED = "items_imputed"
NEEDS_ALL_SUBSCALES = "needs_all_subscales"
# Refused answers
UNKNOWN_ITEM = "unknown_item"
NOT_A_NUMBER = "not_a_number"
NOT_WHOLE_NUMBER = "not_whole_number"
OUT_OF_RANGE = "out_of_range"
NOT_A_MAPPING = "not_a_mapping"
DIFFERENT_INSTRUMENTS = "different_instruments"
# Objective tests (outcomes/catalog.py)
UNKNOWN_TEST = "unknown_test"
UNKNOWN_MEASURE = "unknown_measure"
BAD_SIDE = "bad_side"
NOTHING_RECORDED = "nothing_recorded"
BAD_CHOICE = "bad_choice"
BAD_UNIT = "bad_unit"
PAIN_TOO_HIGH = "pain_too_high"
TOO_FEW = "too_few"
POSITIVE_FINDING = "positive_finding"
SYMMETRY_BELOW = "symmetry_below"
NEEDS_BOTH_SIDES = "needs_both_sides"
NO_PASS_MARK = "no_pass_mark"
# Criteria (outcomes/criteria.py)
BAD_CRITERION = "bad_criterion"
CRITERION_MET = "criterion_met"
CRITERION_NOT_MET = "criterion_not_met"
CRITERION_MISSING = "criterion_missing"
MEASURED_BEFORE_PHASE = "measured_before_phase"
PROM_NOT_SCORED = "prom_not_scored"
