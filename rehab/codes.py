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


class AlertKind(StrEnum):
    """What raised a rehab alert (portal.models.Alert.kind)."""

    LOG_RED_FLAG = "log_red_flag"
    BONE_STRESS_PAIN = "bone_stress_pain"
    PAIN_SPIKE = "pain_spike"
    READY_TO_ADVANCE = "ready_to_advance"
    CLEARANCE_DUE = "clearance_due"
    NO_LOG = "no_log"
    LOW_COMPLIANCE = "low_compliance"
    COACH_REQUEST = "coach_request"


# Alert kinds in words, for lists and filters (the admin's).
ALERT_KIND_LABELS = {
    AlertKind.LOG_RED_FLAG: "Red flag in a log",
    AlertKind.BONE_STRESS_PAIN: "Pain in a bone stress plan",
    AlertKind.PAIN_SPIKE: "Pain spike",
    AlertKind.READY_TO_ADVANCE: "Ready to advance",
    AlertKind.CLEARANCE_DUE: "Clearance needed",
    AlertKind.NO_LOG: "No recent log",
    AlertKind.LOW_COMPLIANCE: "Low compliance",
    AlertKind.COACH_REQUEST: "Coach request",
}
