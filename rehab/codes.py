"""The rehab domain's words, each written once: what the progression engine recommends, the red flags a daily
log can report, and the kinds of alert rehab raises. No Django imports, so the engines use them too.

The stored values are these strings. rehab.models builds its TextChoices (with the words people read) on
these enums; forms, the API, the admin, templates and portal's caseload read them from there or from here.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What the progression engine recommends (rehab.progression)."""

    ADVANCE = "advance"
    HOLD = "hold"
    REGRESS = "regress"
    STOP_AND_REFER = "stop_and_refer"


class RedFlag(StrEnum):
    """What a daily log can report that stops the plan (DOMAIN.md section 6: stop and refer): one boolean
    column of rehab.models.DailyLog each."""

    NIGHT_PAIN = "night_pain"
    CANNOT_BEAR_WEIGHT = "cannot_bear_weight"
    SWELLING = "swelling"
    LOCKING = "locking"
    NUMBNESS = "numbness"
    FEVER_UNWELL = "fever_unwell"
    SADDLE_BLADDER_BOWEL = "saddle_bladder_bowel"
