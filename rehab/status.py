"""An athlete's rehab at a glance, and which alerts it calls for. No Django imports.

`snapshot()` combines the progression rules, compliance and training load into what the caseload shows and
sorts by; `log_alerts()` and `time_alerts()` decide which alerts a new log or a quiet week should raise, and
`stale_alerts()` which open alerts no longer hold (they close themselves, with the reason). Alerts and reasons are
codes with parameters (rehab.codes), said at display time by rehab.wording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean

from rehab import codes, progression
from rehab import compliance as compliance_
from rehab.codes import Action, AlertKind, Reason, reason
from rehab.load import Load, training_load

SPARK_DAYS = 14
NO_LOG_DAYS = 3
PAIN_SPIKE_POINTS = 3
LOW_COMPLIANCE = 50
ACTION_WEIGHT = {
    Action.STOP_AND_REFER: 4,
    Action.REGRESS: 3,
    Action.ADVANCE: 2,
    Action.HOLD: 1,
}
# Alerts raised with a log that mean "stop": they wait for a clinician (never closed automatically), and while
# one is open the athlete's Today page keeps saying what to do (rehab.feedback).
STOP_ALERT_KINDS = (AlertKind.LOG_RED_FLAG, AlertKind.BONE_STRESS_PAIN)
# Alerts about a state, which close themselves once it no longer holds (stale_alerts).
STATE_ALERT_KINDS = (AlertKind.READY_TO_ADVANCE, AlertKind.CLEARANCE_DUE, AlertKind.LOW_COMPLIANCE)
# A risk score from here up means stop and refer, or step back (a first phase's hold and review counts as one):
# the caseload lists these above athletes whose only open alerts are notices.
SERIOUS_RISK = ACTION_WEIGHT[Action.REGRESS] * 1000


@dataclass(frozen=True)
class Snapshot:
    today: date
    recommendation: progression.Recommendation | None
    compliance: compliance_.Compliance | None
    load: Load
    last_log_date: date | None
    last_pain: int | None
    baseline: float
    trend: float | None
    spark: list[int | None] = field(default_factory=list)
    days_without_log: int | None = None
    risk: int = 0


def _trend(logs: Sequence[progression.LogDay], today: date) -> float | None:
    """Mean daily peak pain of the last 7 days minus that of the 7 days before (None without both)."""

    def week(end: date) -> list[int]:
        return [
            log.peak_pain
            for log in logs
            if end - timedelta(days=6) <= log.date <= end and log.peak_pain is not None
        ]

    this, before = week(today), week(today - timedelta(days=7))
    if not this or not before:
        return None
    return round(mean(this) - mean(before), 1)


def risk_score(
    *,
    action: str | None,
    last_pain: int | None,
    trend: float | None,
    compliance: int | None,
    days_without_log: int | None,
    review: bool = False,
) -> int:
    """Higher means look sooner. Recommendation first, then pain and its trend, silence, then compliance.

    `review`: a hold in place of a step back (first phase): weighed as a step back."""
    score = ACTION_WEIGHT.get(Action.REGRESS if review else (action or ""), 0) * 1000
    score += (last_pain or 0) * 30 + max(0, min(300, round((trend or 0) * 60)))
    if days_without_log is not None and days_without_log > NO_LOG_DAYS:
        score += 200
    if compliance is not None:
        score += 100 - compliance
    return score


def snapshot(
    *,
    logs: Sequence[progression.LogDay],
    today: date,
    phase=None,
    schedule: compliance_.Schedule = (),
    pain_free: bool = False,
    is_first: bool = False,
    is_last: bool = False,
    next_needs_clearance: bool = False,
    red_flag_waiting_since: date | None = None,
    plan_start: date | None = None,
    shoes=(),
    results=None,
) -> Snapshot:
    """The status of an athlete as of `today`; `phase` is the active plan's current phase (None without one);
    `results` what was recorded for the athlete (outcomes.criteria.Results), for the phase's measured criteria."""
    logs = sorted((log for log in logs if log.date <= today), key=lambda log: log.date)
    by_date = {log.date: log for log in logs}
    last = logs[-1] if logs else None
    recommendation = week = None
    days_without_log = None
    if phase is not None:
        prescription = compliance_.prescription_on(schedule, today)
        recommendation = progression.recommend(
            phase, logs, today, prescription=prescription, pain_free=pain_free, is_first=is_first,
            is_last=is_last, next_needs_clearance=next_needs_clearance,
            red_flag_waiting_since=red_flag_waiting_since, results=results,
        )  # fmt: skip
        week = compliance_.last_7_days(schedule, logs, today)
        since = last.date if last else (plan_start or today)
        days_without_log = (today - since).days
    spark = []
    for offset in range(SPARK_DAYS - 1, -1, -1):
        log = by_date.get(today - timedelta(days=offset))
        spark.append(log.peak_pain if log else None)
    trend = _trend(logs, today)
    last_pain = next((log.peak_pain for log in reversed(logs) if log.peak_pain is not None), None)
    percent = week.percent if week else None
    risk = risk_score(
        action=recommendation.action if recommendation else None,
        last_pain=last_pain,
        trend=trend,
        compliance=percent,
        days_without_log=days_without_log,
        review=bool(recommendation and recommendation.review),
    )
    return Snapshot(
        today=today,
        recommendation=recommendation,
        compliance=week,
        load=training_load(logs, today, shoes=shoes),
        last_log_date=last.date if last else None,
        last_pain=last_pain,
        baseline=progression.morning_baseline(
            logs, today, phase_start=phase.started_on if phase is not None else None
        ),
        trend=trend,
        spark=spark,
        days_without_log=days_without_log,
        risk=risk,
    )


@dataclass(frozen=True)
class AlertDue:
    kind: str
    severity: str  # portal.models.Alert.Severity values
    reason: Reason  # what portal.models.Alert stores as its code and params (rehab.codes.ALERT_*)


def stop_alerts(log: progression.LogDay, *, phase=None, pain_free: bool = False) -> list[AlertDue]:
    """The alerts a just-saved `log` raises on its own, in the request that saves it: a red flag or severe pain,
    any pain while running on a bone stress (pain-free) plan. `phase` is the phase the log belongs to. These
    are STOP_ALERT_KINDS: the athlete's next screen says what to do, the care team is emailed."""
    due = []
    day = _day(log.date)
    if log.red_flags or (log.peak_pain is not None and log.peak_pain >= progression.REFER_PAIN):
        severe = log.peak_pain is not None and log.peak_pain >= progression.REFER_PAIN
        emergency = any(flag in progression.EMERGENCY_RED_FLAGS for flag in log.red_flags)
        severity = "emergency" if emergency else "urgent"
        flags = [str(flag) for flag in log.red_flags]
        stop = reason(
            codes.ALERT_STOP_AND_REFER, day=day, flags=flags, pain=log.peak_pain if severe else None
        )
        due.append(AlertDue(AlertKind.LOG_RED_FLAG, severity, stop))
    running = phase is not None and getattr(phase, "run_activity", "none") in progression.RUNNING_ACTIVITIES
    if pain_free and running and log.peak_pain:
        due.append(
            AlertDue(
                AlertKind.BONE_STRESS_PAIN,
                "urgent",
                reason(codes.ALERT_BONE_STRESS_PAIN, day=day, pain=log.peak_pain),
            )
        )
    return due


def _day(day: date) -> str:
    return day.isoformat()


def log_alerts(log: progression.LogDay, logs: Sequence[progression.LogDay], snap: Snapshot) -> list[AlertDue]:
    """The alerts a saved `log` raises once the athlete's status is recomputed with it (in the log's job): a
    pain spike over the 7-day usual, readiness to advance or to be cleared for the next phase."""
    due = []
    day = _day(log.date)
    baseline = progression.peak_baseline(logs, log.date)
    if baseline is not None and log.peak_pain is not None and log.peak_pain >= baseline + PAIN_SPIKE_POINTS:
        due.append(
            AlertDue(
                AlertKind.PAIN_SPIKE,
                "urgent",
                reason(
                    codes.ALERT_PAIN_SPIKE,
                    day=day,
                    pain=log.peak_pain,
                    rise=progression.param_number(log.peak_pain - baseline),
                    baseline=progression.param_number(baseline),
                ),
            )
        )
    if snap.recommendation and snap.recommendation.action == Action.ADVANCE:
        due.append(
            AlertDue(
                AlertKind.READY_TO_ADVANCE,
                "notice",
                reason(codes.ALERT_READY_TO_ADVANCE),
            )
        )
    if snap.recommendation and snap.recommendation.needs_clearance:
        due.append(
            AlertDue(
                AlertKind.CLEARANCE_DUE,
                "notice",
                reason(codes.ALERT_CLEARANCE_DUE),
            )
        )
    return due


def stale_alerts(snap: Snapshot | None, open_kinds) -> dict[str, Reason]:
    """The open alerts (of `open_kinds`) whose condition no longer holds, with the reason each closes.

    `snap` is the athlete's status now (None: no active plan). Alerts about events (a red flag, a pain spike)
    wait for a clinician; these describe a state, which the engine has moved on from."""
    rec = snap.recommendation if snap is not None else None
    percent = snap.compliance.percent if snap is not None and snap.compliance else None
    closing = {}
    if AlertKind.READY_TO_ADVANCE in open_kinds and (rec is None or rec.action != Action.ADVANCE):
        closing[AlertKind.READY_TO_ADVANCE] = (
            reason(codes.CLOSED_ENGINE_MOVED_ON, action=str(rec.action))
            if rec
            else reason(codes.CLOSED_NO_PLAN)
        )
    if AlertKind.CLEARANCE_DUE in open_kinds and (rec is None or not rec.needs_clearance):
        closing[AlertKind.CLEARANCE_DUE] = reason(codes.CLOSED_NO_CLEARANCE_WAITING)
    if AlertKind.LOW_COMPLIANCE in open_kinds and (percent is None or percent >= LOW_COMPLIANCE):
        closing[AlertKind.LOW_COMPLIANCE] = reason(codes.CLOSED_COMPLIANCE, percent=percent)
    return closing


def time_alerts(snap: Snapshot) -> list[AlertDue]:
    """Alerts the passing of time raises on an active plan: no log for days, low compliance over a week."""
    due = []
    if snap.days_without_log is not None and snap.days_without_log > NO_LOG_DAYS:
        if snap.last_log_date:
            why = reason(codes.ALERT_NO_LOG, last=_day(snap.last_log_date), days=snap.days_without_log)
        else:
            why = reason(codes.ALERT_NO_LOG_SINCE_START, days=snap.days_without_log)
        due.append(AlertDue(AlertKind.NO_LOG, "notice", why))
    percent = snap.compliance.percent if snap.compliance else None
    if percent is not None and percent < LOW_COMPLIANCE:
        due.append(
            AlertDue(AlertKind.LOW_COMPLIANCE, "notice", reason(codes.ALERT_LOW_COMPLIANCE, percent=percent))
        )
    return due
