"""The rehab domain's words, each written once: what the progression engine recommends, the red flags a daily
log can report, and the kinds of alert rehab raises. No Django imports, so the engines use them too.

The stored values are these strings. rehab.models builds its TextChoices (with the words people read) on
these enums; forms, the API, the admin, templates and portal's caseload read them from there or from here.
"""

from __future__ import annotations

from enum import StrEnum

from outcomes.codes import Reason, reason  # noqa: F401 (the one Reason type, re-exported for rehab)


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


def gettext_noop(message: str) -> str:
    """Marks an English message for the catalog without translating it here (this module imports no Django):
    portal.alert_kinds says it in the reader's language."""
    return message


# Alert kinds in words, for lists and filters (the admin's).
ALERT_KIND_LABELS = {
    AlertKind.LOG_RED_FLAG: gettext_noop("Red flag in a log"),
    AlertKind.BONE_STRESS_PAIN: gettext_noop("Pain in a bone stress plan"),
    AlertKind.PAIN_SPIKE: gettext_noop("Pain spike"),
    AlertKind.READY_TO_ADVANCE: gettext_noop("Ready to advance"),
    AlertKind.CLEARANCE_DUE: gettext_noop("Clearance needed"),
    AlertKind.NO_LOG: gettext_noop("No recent log"),
    AlertKind.LOW_COMPLIANCE: gettext_noop("Low compliance"),
    AlertKind.COACH_REQUEST: gettext_noop("Coach request"),
}


# The engines' reasons: a code and its parameters (outcomes.codes.Reason, shared with the outcomes engines, which
# import nothing of rehab). rehab.wording.say renders them at display time; stored results (RehabStatus.reasons,
# portal.models.Alert, PhaseChange) keep the code and the parameters. Days are ISO strings ("2026-03-02"),
# numbers plain numbers.
# The progression engine (rehab.progression): stop and refer
RED_FLAG = "red_flag"  # {day, flag}
REFER_PAIN = "refer_pain"  # {day, pain}
BONE_STRESS_RUNNING_PAIN = "bone_stress_running_pain"  # {day, pain}
RED_FLAG_WAITING = "red_flag_waiting"  # {since}
# step back, hold
ALLOWANCE_EXCEEDED = "allowance_exceeded"  # {day, during?, allow_during?, after?, allow_after?}
MORNING_RISE = "morning_rise"  # {day, pain, rise, baseline}
FIRST_PHASE_REVIEW = "first_phase_review"  # {}
MORNING_NOT_SETTLED = "morning_not_settled"  # {day, pain, baseline}
PAIN_FREE_PAIN = "pain_free_pain"  # {day, pain}
PAIN_RISING = "pain_rising"  # {before, now}
WEEKLY_DISTANCE_JUMP = "weekly_distance_jump"  # {pct, before, week, limit}
LONG_RUN_JUMP = "long_run_jump"  # {day, value, unit ("km" | "min"), pct, longest}
OVER_PRESCRIPTION = "over_prescription"  # {day, minutes, prescribed}
# waiting to advance
DAYS_IN_PHASE = "days_in_phase"  # {days, min_days}
SESSIONS_LOGGED = "sessions_logged"  # {logged, needed}
TODAY_COUNTS_TOMORROW = "today_counts_tomorrow"  # {}
MORNING_PENDING = "morning_pending"  # {day}
PAIN_UNANSWERED = "pain_unanswered"  # {day, missing: ["during", "after"]}
LADDER_WAITING = "ladder_waiting"  # {done, needed, jog, walk}
COMPLIANCE_BELOW = "compliance_below"  # {percent, needed}
FINAL_PHASE_MET = "final_phase_met"  # {}
# advance
SESSIONS_WITHIN = "sessions_within"  # {sessions}
COMPLIANCE_MET = "compliance_met"  # {needed}
NEEDS_CLEARANCE = "needs_clearance"  # {}
# Alerts (rehab.status, rehab.services.coach): what portal.models.Alert stores as its code
ALERT_STOP_AND_REFER = "alert_stop_and_refer"  # {day, flags: [RedFlag values], pain (None without)}
ALERT_BONE_STRESS_PAIN = "alert_bone_stress_pain"  # {day, pain}
ALERT_PAIN_SPIKE = "alert_pain_spike"  # {day, pain, rise, baseline}
ALERT_READY_TO_ADVANCE = "alert_ready_to_advance"  # {}
ALERT_CLEARANCE_DUE = "alert_clearance_due"  # {}
ALERT_NO_LOG = "alert_no_log"  # {last, days}
ALERT_NO_LOG_SINCE_START = "alert_no_log_since_start"  # {days}
ALERT_LOW_COMPLIANCE = "alert_low_compliance"  # {percent}
ALERT_COACH_REQUESTS = "alert_coach_requests"  # {count}
# Why an alert closed by itself (rehab.status.stale_alerts): Alert.resolved_code
CLOSED_ENGINE_MOVED_ON = "closed_engine_moved_on"  # {action}
CLOSED_NO_PLAN = "closed_no_plan"  # {}
CLOSED_NO_CLEARANCE_WAITING = "closed_no_clearance_waiting"  # {}
CLOSED_COMPLIANCE = "closed_compliance"  # {percent (None: nothing planned)}
# Why the services closed an alert (rehab.services): Alert.resolved_code
CLOSED_PLAN_CHANGED = "closed_plan_changed"  # {}
CLOSED_ANSWERED = "closed_answered"  # {action: "regress" | "stop_and_refer"}
CLOSED_CLEARED = "closed_cleared"  # {phase (its name)}
CLOSED_LOGGED = "closed_logged"  # {day}
CLOSED_COACH_DECIDED = "closed_coach_decided"  # {}
# Why a plan changed phase, written by the services (PhaseChange.reason_code)
PHASE_RECOMMENDED = "phase_recommended"  # {reasons: [{code, params}]}
PHASE_AUTOMATIC = "phase_automatic"  # {reasons: [{code, params}]}
PLAN_ASSIGNED = "plan_assigned"  # {template}
PLAN_STARTED_BLANK = "plan_started_blank"  # {}

ALERT_CODES = (
    ALERT_STOP_AND_REFER, ALERT_BONE_STRESS_PAIN, ALERT_PAIN_SPIKE, ALERT_READY_TO_ADVANCE, ALERT_CLEARANCE_DUE,
    ALERT_NO_LOG, ALERT_NO_LOG_SINCE_START, ALERT_LOW_COMPLIANCE, ALERT_COACH_REQUESTS, CLOSED_ENGINE_MOVED_ON,
    CLOSED_NO_PLAN, CLOSED_NO_CLEARANCE_WAITING, CLOSED_COMPLIANCE, CLOSED_PLAN_CHANGED, CLOSED_ANSWERED,
    CLOSED_CLEARED, CLOSED_LOGGED, CLOSED_COACH_DECIDED,
)  # fmt: skip
