"""The pain-monitoring model (DOMAIN.md section 6): advance, hold, regress or stop and refer. No Django imports.

Pain is rated 0–10 during the session, after it and the next morning. A session is acceptable when pain during
and after stay within the phase's allowance (never above 5/10) and the next morning is back at the athlete's
baseline. The first rule that matches wins, most cautious first:

- stop_and_refer: a red flag in a log of the last 7 days, or any pain of 7/10 or more in them;
- regress: the allowance exceeded in 2 of the last 3 sessions, or next-morning pain 2+ points above baseline;
- hold: the allowance exceeded once, next-morning pain above baseline once, pain rising week on week, any pain
  at all in a pain-free (bone stress) plan, or the advance criteria not met yet;
- advance: the phase's minimum days met, the last 3 sessions acceptable, compliance ≥ 80 % over 7 days.

Baseline: the median next-morning pain of the 7 days before a session (0 without history). Today's session
counts against the allowance at once; for advancing it waits for tomorrow morning's pain, so the last three
sessions judged are those whose morning is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean, median

from rehab import compliance as compliance_

MAX_ALLOWANCE = 5
REFER_PAIN = 7
SESSIONS_TO_JUDGE = 3
RED_FLAG_LABELS = {
    "night_pain": "pain at night or at rest",
    "cannot_bear_weight": "cannot bear weight",
    "swelling": "swelling or bruising",
    "locking": "locking or giving way",
}
ADVANCE = "advance"
HOLD = "hold"
REGRESS = "regress"
STOP_AND_REFER = "stop_and_refer"


@dataclass(frozen=True)
class LogDay:
    """The parts of a daily log the rules read (rehab.models.DailyLog has the same attributes)."""

    date: date
    run_minutes: int | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    pain_next_morning: int | None = None
    red_flags: tuple[str, ...] = ()
    sets_done: int = 0
    distance_km: float | None = None

    @property
    def is_session(self) -> bool:
        """A day with activity the pain rule applies to: a run or walk, or exercises done."""
        return bool(self.run_minutes) or self.sets_done > 0

    @property
    def peak_pain(self) -> int | None:
        values = [v for v in (self.pain_during, self.pain_after, self.pain_next_morning) if v is not None]
        return max(values) if values else None


@dataclass(frozen=True)
class Recommendation:
    action: str
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _d(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def morning_baseline(logs: Iterable[LogDay], day: date) -> float:
    """Median next-morning pain over the 7 days before `day`; 0 when none was recorded."""
    values = [
        log.pain_next_morning
        for log in logs
        if log.pain_next_morning is not None and day - timedelta(days=7) <= log.date < day
    ]
    return float(median(values)) if values else 0.0


def peak_baseline(logs: Iterable[LogDay], day: date) -> float | None:
    """Median daily peak pain over the 7 days before `day`; None when none was recorded."""
    values = [
        log.peak_pain
        for log in logs
        if log.peak_pain is not None and day - timedelta(days=7) <= log.date < day
    ]
    return float(median(values)) if values else None


def _week_mean(logs: list[LogDay], start: date, end: date) -> float | None:
    values = [log.peak_pain for log in logs if start <= log.date <= end and log.peak_pain is not None]
    return mean(values) if len(values) >= 2 else None


def recommend(
    phase,
    logs: Iterable[LogDay],
    today: date,
    *,
    prescription: compliance_.Prescription | None = None,
    pain_free: bool = False,
    is_last: bool = False,
) -> Recommendation:
    """What to do with `phase` (max_pain_during, max_pain_after, next_day_pain_allowed, min_days, started_on).

    `logs` are the athlete's recent days (at least the last 14; more is fine); `prescription` what the phase
    asks for, to judge compliance; `pain_free` for bone stress injuries, where any pain means hold.
    """
    logs = sorted((log for log in logs if log.date <= today), key=lambda log: log.date)
    recent = [log for log in logs if log.date > today - timedelta(days=7)]

    refer = []
    for log in recent:
        refer += [f"{_d(log.date)}: red flag — {RED_FLAG_LABELS.get(flag, flag)}." for flag in log.red_flags]
        if log.peak_pain is not None and log.peak_pain >= REFER_PAIN:
            refer.append(f"{_d(log.date)}: pain {log.peak_pain}/10 (7 or more means stop and get checked).")
    if refer:
        return Recommendation(STOP_AND_REFER, tuple(refer))

    allow_during = min(phase.max_pain_during, MAX_ALLOWANCE)
    allow_after = min(phase.max_pain_after, MAX_ALLOWANCE)
    started = phase.started_on or today
    sessions = [log for log in logs if log.is_session and log.date >= started]
    last = sessions[-SESSIONS_TO_JUDGE:]

    # Today's session cannot have next-morning pain yet: it counts against the allowance at once, but the
    # advance criteria judge the last sessions whose morning is known (or overdue).
    judged = [log for log in sessions if not (log.date == today and log.pain_next_morning is None)]
    exceeded, rises = [], []
    pending = [log for log in judged[-SESSIONS_TO_JUDGE:] if log.pain_next_morning is None]
    for log in last:
        over = []
        if log.pain_during is not None and log.pain_during > allow_during:
            over.append(f"{log.pain_during}/10 during, above the allowance of {allow_during}/10")
        if log.pain_after is not None and log.pain_after > allow_after:
            over.append(f"{log.pain_after}/10 after, above the allowance of {allow_after}/10")
        if over:
            exceeded.append(f"{_d(log.date)}: {'; '.join(over)}.")
        if log.pain_next_morning is not None:
            baseline = morning_baseline(logs, log.date)
            rise = log.pain_next_morning - baseline
            if rise > 0:
                rises.append((rise, log, baseline))

    regress = []
    if len(exceeded) >= 2:
        regress += exceeded
    regress += [
        f"{_d(log.date)}: next morning {log.pain_next_morning}/10, {rise:g} points above the usual {base:g}/10."
        for rise, log, base in rises
        if rise >= 2
    ]
    if regress:
        return Recommendation(REGRESS, tuple(regress))

    hold = list(exceeded)
    if not phase.next_day_pain_allowed:
        hold += [
            f"{_d(log.date)}: next morning {log.pain_next_morning}/10, not settled back to {base:g}/10."
            for _, log, base in rises
        ]
    if pain_free:
        hold += [
            f"{_d(log.date)}: pain {log.peak_pain}/10 — this plan must stay pain-free."
            for log in last
            if log.peak_pain
        ]
    this_week = _week_mean(logs, today - timedelta(days=6), today)
    week_before = _week_mean(logs, today - timedelta(days=13), today - timedelta(days=7))
    if this_week is not None and week_before is not None and this_week >= week_before + 1:
        hold.append(f"Pain is rising week on week (average {week_before:.1f} → {this_week:.1f}/10).")
    if hold:
        return Recommendation(HOLD, tuple(hold))

    waiting = []
    days_in = (today - started).days + 1
    if days_in < phase.min_days:
        waiting.append(f"Day {days_in} of at least {phase.min_days} in this phase.")
    if len(sessions) < SESSIONS_TO_JUDGE:
        waiting.append(f"{len(sessions)} of {SESSIONS_TO_JUDGE} sessions logged in this phase.")
    elif len(judged) < SESSIONS_TO_JUDGE:
        waiting.append("Today's session counts once tomorrow morning's pain is recorded.")
    if pending and (phase.must_settle_by_morning or not phase.next_day_pain_allowed):
        waiting += [f"{_d(log.date)}: next-morning pain not recorded yet." for log in pending]
    if prescription is not None:
        week = compliance_.last_7_days([(started, prescription)], logs, today)
        percent = week.percent
        if percent is not None and percent < compliance_.ON_TRACK:
            waiting.append(f"Compliance {percent} % over the last 7 days (80 % needed).")
    if waiting:
        return Recommendation(HOLD, tuple(waiting))
    if is_last:
        return Recommendation(
            HOLD, ("Final phase, and every criterion is met: consider completing the plan.",)
        )
    return Recommendation(
        ADVANCE,
        (
            f"Day {days_in} of at least {phase.min_days} in this phase.",
            f"The last {SESSIONS_TO_JUDGE} sessions were within the allowance and settled by the next morning.",
            "Compliance of 80 % or more over the last 7 days.",
        ),
    )
