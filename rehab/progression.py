"""The pain-monitoring model (DOMAIN.md section 6): advance, hold, regress or stop and refer. No Django imports.

Pain is rated 0–10 during the session, after it and the next morning. A session is acceptable when pain during
and after stay within the phase's allowance (never above 5/10) and the next morning is back at the athlete's
baseline. The first rule that matches wins, most cautious first:

- stop_and_refer: a red flag in a log of the last 7 days, any pain of 7/10 or more in them, or any pain at all
  during a running phase of a pain-free (bone stress) plan;
- regress: the allowance exceeded in 2 of the last 3 sessions, or next-morning pain 2+ points above baseline.
  In the first phase there is nothing to step back to: hold, and review the plan (``review``);
- hold: the allowance exceeded once, next-morning pain above baseline once, pain rising week on week, any pain
  at all in a pain-free (bone stress) plan, a jump in load (weekly distance up more than 30 %, a run 50 % or
  more longer than the longest of the 2 weeks before it, run minutes well above the prescription), or the
  advance criteria not met yet (including every step of a walk/jog ladder);
- advance: the phase's minimum days met, the last 3 sessions acceptable, compliance ≥ 80 % over 7 days, and
  every measured exit criterion of the phase (``structured_criteria``: questionnaire scores, clinic tests,
  strength symmetry, a clearance; outcomes.criteria) met by a result recorded since the phase started — unless the
  next phase needs a clinician's clearance that is not recorded: then hold (``needs_clearance``). A criterion not
  met or not measured in the phase holds, its reason an outcomes `Reason` code naming it and when it was last
  measured. The pain rules above come first: a stop or step back beats criteria met. A phase without measured
  criteria is judged on the pain rules alone.

Baseline for the next-morning rule: the lower of the median next-morning pain of the 7 days before a session and
that of the 7 days before the phase started (or, when that is older than the logs given, of the 7 days two weeks
before the session), so pain creeping up a point every few days does not raise its own baseline; 0 without
history. A pain question left unanswered is unknown, never 0. Today's session counts against the allowance at
once; for advancing it waits for tomorrow morning's pain, so the last three sessions judged are those whose
morning is known.

Each reason is a code with its parameters (rehab.codes, e.g. `allowance_exceeded {day, during, allow_during}`;
days as ISO strings, numbers as numbers), never a sentence: rehab.wording says it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from statistics import mean, median

from outcomes import criteria as criteria_
from rehab import codes
from rehab import compliance as compliance_
from rehab.codes import Action, Reason, RedFlag, reason

MAX_ALLOWANCE = 5
REFER_PAIN = 7
SESSIONS_TO_JUDGE = 3


def gettext_noop(message: str) -> str:
    """Marks a word for the translation catalog (makemessages finds the name) without importing Django."""
    return message


# Each red flag in the short words of the reasons (the log form's checkboxes: rehab.models.RedFlag); rehab.wording
# says them in the reader's language.
RED_FLAG_LABELS = {
    RedFlag.NIGHT_PAIN: gettext_noop("pain at night or at rest"),
    RedFlag.CANNOT_BEAR_WEIGHT: gettext_noop("cannot bear weight"),
    RedFlag.SWELLING: gettext_noop("swelling or bruising"),
    RedFlag.LOCKING: gettext_noop("locking or giving way"),
    RedFlag.NUMBNESS: gettext_noop("numbness or tingling"),
    RedFlag.FEVER_UNWELL: gettext_noop("fever or feeling unwell"),
    RedFlag.SADDLE_BLADDER_BOWEL: gettext_noop("saddle numbness or bladder/bowel change"),
}
# Red flags that need medical care today rather than within a day or two.
EMERGENCY_RED_FLAGS = (RedFlag.CANNOT_BEAR_WEIGHT, RedFlag.FEVER_UNWELL, RedFlag.SADDLE_BLADDER_BOWEL)
# Run activities that load the bone like running does (rehab.models.RunActivity values).
RUNNING_ACTIVITIES = ("walk_jog", "jog", "run")
# Load before advance (DOMAIN.md section 6): above these, hold.
WEEKLY_JUMP_PCT = 30
LONGEST_RUN_JUMP = 1.5
OVER_PRESCRIPTION = 1.2


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
    walk_minutes: int | None = None
    jog_minutes: int | None = None
    session_rpe: int | None = None  # session effort 0–10 (rehab.load: the session-RPE load)
    # What the timeline shows of the run beside its minutes (no rule reads them).
    surface: str = ""
    avg_cadence: int | None = None
    avg_heart_rate: int | None = None
    run_source: str = ""  # "gpx" | "tcx" | "fit": imported from a watch's file; "strava": from Strava

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
    # Reasons as codes with parameters (rehab.codes; outcomes.codes for the measured exit criteria):
    # rehab.wording.say says them.
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    # hold in place of regress in the first phase: the clinician should review the plan.
    review: bool = False
    # every criterion is met, but the next phase needs a clinician's clearance first.
    needs_clearance: bool = False
    # Each measured exit criterion of the phase with its status (met / not met / missing) and last measured date,
    # whatever the action (empty when the phase has none).
    criteria: tuple[criteria_.CriterionResult, ...] = ()


def _d(day: date) -> str:
    """A day as the reasons carry it (an ISO string; rehab.wording says it in the reader's language)."""
    return day.isoformat()


def _morning_median(logs: list[LogDay], start: date, end: date) -> float | None:
    """Median next-morning pain of the days from `start` up to (not including) `end`; None without any."""
    values = [
        log.pain_next_morning for log in logs if log.pain_next_morning is not None and start <= log.date < end
    ]
    return float(median(values)) if values else None


def morning_baseline(logs: Iterable[LogDay], day: date, *, phase_start: date | None = None) -> float:
    """The usual next-morning pain before `day`: the 7-day median, or lower when the pain was lower before.

    With `phase_start`, the lower of the 7-day median and the median of the 7 days before the phase started
    (when none was recorded then, e.g. the logs given do not reach back that far: of the 7 days two weeks
    before `day`, else of the phase's first 7 days). 0 without any history.
    """
    logs = list(logs)
    candidates = [_morning_median(logs, day - timedelta(days=7), day)]
    if phase_start is not None:
        # The first of these windows that has any next-morning answer.
        windows = (
            (phase_start - timedelta(days=7), phase_start),
            (day - timedelta(days=21), day - timedelta(days=14)),
            (phase_start, phase_start + timedelta(days=7)),
        )
        for start, end in windows:
            before = _morning_median(logs, start, min(end, day))
            if before is not None:
                candidates.append(before)
                break
    known = [value for value in candidates if value is not None]
    return min(known) if known else 0.0


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


def _run_length(log: LogDay) -> tuple[str, float] | None:
    if log.distance_km:
        return "km", float(log.distance_km)
    if log.run_minutes:
        return "min", float(log.run_minutes)
    return None


def load_jumps(phase, logs: list[LogDay], today: date, started: date) -> list[Reason]:
    """Reasons to hold for load (DOMAIN.md section 6, "Load before advance"): a weekly distance jump above 30 %,
    a run 50 % or more longer than the longest of the 2 weeks before it, run minutes well above the phase's."""
    reasons = []
    week_start = today - timedelta(days=6)

    def km(start: date, end: date) -> float:
        return sum(float(log.distance_km or 0) for log in logs if start <= log.date <= end)

    week = km(week_start, today)
    previous = km(week_start - timedelta(days=7), week_start - timedelta(days=1))
    earlier = km(week_start - timedelta(days=14), week_start - timedelta(days=8))
    # Against the week before, or the mean of the two weeks before when that is higher: a rolling 7-day window
    # holds 3 or 4 runs of a steady every-other-day routine, which is no jump.
    before = max(previous, (previous + earlier) / 2)
    if previous > 0 and (week - before) / before * 100 > WEEKLY_JUMP_PCT:
        reasons.append(
            reason(
                codes.WEEKLY_DISTANCE_JUMP,
                pct=round((week - before) / before * 100),
                before=param_number(before),
                week=param_number(week),
                limit=WEEKLY_JUMP_PCT,
            )
        )
    for log in logs:
        if log.date < week_start or (length := _run_length(log)) is None:
            continue
        unit, value = length
        earlier = [
            other_length[1]
            for other in logs
            if log.date - timedelta(days=14) <= other.date < log.date
            and (other_length := _run_length(other)) is not None
            and other_length[0] == unit
        ]
        if earlier and value >= LONGEST_RUN_JUMP * max(earlier):
            reasons.append(
                reason(
                    codes.LONG_RUN_JUMP,
                    day=_d(log.date),
                    value=param_number(value),
                    unit=unit,
                    pct=round((value / max(earlier) - 1) * 100),
                    longest=param_number(max(earlier)),
                )
            )
    prescribed = getattr(phase, "run_minutes", None)
    if prescribed and getattr(phase, "run_activity", "none") in (*RUNNING_ACTIVITIES, "walk"):
        for log in logs:
            if (
                log.date >= max(week_start, started)
                and (log.run_minutes or 0) > prescribed * OVER_PRESCRIPTION
            ):
                reasons.append(
                    reason(
                        codes.OVER_PRESCRIPTION,
                        day=_d(log.date),
                        minutes=log.run_minutes,
                        prescribed=prescribed,
                    )
                )
    return reasons


def ladder_waiting(phase, sessions: list[LogDay]) -> list[Reason]:
    """A walk/jog ladder phase is done once its last step is: the last 3 run sessions judged were at the top
    step (days of exercises only are not run sessions)."""
    steps = getattr(phase, "run_steps", None) or []
    if not steps:
        return []
    top = steps[-1]
    jog, walk = top.get("jog") or 0, top.get("walk") or 0
    at_top = [
        log
        for log in [log for log in sessions if log.run_minutes][-SESSIONS_TO_JUDGE:]
        if (log.jog_minutes or 0) >= jog
        and (log.walk_minutes is None or log.walk_minutes <= walk)
        and log.run_minutes
    ]
    if len(at_top) >= SESSIONS_TO_JUDGE:
        return []
    return [reason(codes.LADDER_WAITING, done=len(at_top), needed=SESSIONS_TO_JUDGE, jog=jog, walk=walk)]


def _over_allowance(log: LogDay, allow_during: int, allow_after: int) -> dict:
    """What of a log's pain is above the allowance, as the parameters of ALLOWANCE_EXCEEDED ({} when nothing is)."""
    over = {}
    if log.pain_during is not None and log.pain_during > allow_during:
        over.update(during=log.pain_during, allow_during=allow_during)
    if log.pain_after is not None and log.pain_after > allow_after:
        over.update(after=log.pain_after, allow_after=allow_after)
    return over


def _unanswered(log: LogDay) -> list[str]:
    """Which of a session's pain answers are missing ("during", "after"; empty when both are there)."""
    return [name for name, value in (("during", log.pain_during), ("after", log.pain_after)) if value is None]


def param_number(value: float) -> int | float:
    """A number for a reason's parameters: whole numbers as ints, others rounded to 3 places."""
    value = round(float(value), 3)
    return int(value) if value.is_integer() else value


def recommend(
    phase,
    logs: Iterable[LogDay],
    today: date,
    *,
    prescription: compliance_.Prescription | None = None,
    pain_free: bool = False,
    is_first: bool = False,
    is_last: bool = False,
    next_needs_clearance: bool = False,
    red_flag_waiting_since: date | None = None,
    results: criteria_.Results | None = None,
) -> Recommendation:
    """What to do with `phase` (max_pain_during, max_pain_after, next_day_pain_allowed, min_days, started_on,
    run_activity, run_minutes, run_steps).

    `logs` are the athlete's recent days (at least the last 28; more is fine); `prescription` what the phase
    asks for, to judge compliance; `pain_free` for bone stress injuries, where any pain means hold, and any pain
    in a running phase stop and refer; `is_first` / `is_last` where the phase sits in its plan;
    `next_needs_clearance` when the next phase needs a clinician's clearance not recorded yet;
    `red_flag_waiting_since` the day of a red-flag alert no clinician has answered yet (stop and refer until one
    has, however long ago the log was); `results` what was recorded for the athlete (questionnaires, clinic
    tests, clearances: outcomes.selectors.results_for), which the phase's `structured_criteria` are checked
    against (nothing recorded when not given).
    """
    try:
        evaluated = evaluate_criteria(phase, results, today)
        unmet = [r for result in evaluated if result.status != criteria_.MET for r in result.reasons]
    except criteria_.OutcomeError as error:  # criteria stored past the form's check: hold, and say so
        evaluated, unmet = (), [error.reason]
    met = [r for result in evaluated if result.status == criteria_.MET for r in result.reasons]
    rec = _recommend(
        phase, logs, today, unmet, met, prescription=prescription, pain_free=pain_free, is_first=is_first,
        is_last=is_last, next_needs_clearance=next_needs_clearance, red_flag_waiting_since=red_flag_waiting_since,
    )  # fmt: skip
    return replace(rec, criteria=evaluated) if evaluated else rec


def evaluate_criteria(phase, results: criteria_.Results | None, today: date) -> tuple:
    """The phase's measured exit criteria against the results recorded since it started (() without any)."""
    raw = getattr(phase, "structured_criteria", None) or []
    if not raw:
        return ()
    return criteria_.evaluate(raw, results or criteria_.Results(), since=phase.started_on or today)


def _recommend(
    phase, logs, today: date, criteria_unmet: list, criteria_met: list, *, prescription, pain_free, is_first, is_last, next_needs_clearance,
    red_flag_waiting_since,
) -> Recommendation:  # fmt: skip
    logs = sorted((log for log in logs if log.date <= today), key=lambda log: log.date)
    recent = [log for log in logs if log.date > today - timedelta(days=7)]
    started = phase.started_on or today
    running = getattr(phase, "run_activity", "none") in RUNNING_ACTIVITIES

    refer = []
    for log in recent:
        refer += [reason(codes.RED_FLAG, day=_d(log.date), flag=str(flag)) for flag in log.red_flags]
        if log.peak_pain is not None and log.peak_pain >= REFER_PAIN:
            refer.append(reason(codes.REFER_PAIN, day=_d(log.date), pain=log.peak_pain))
        elif pain_free and running and log.date >= started and log.peak_pain:
            refer.append(reason(codes.BONE_STRESS_RUNNING_PAIN, day=_d(log.date), pain=log.peak_pain))
    if red_flag_waiting_since is not None and not refer:
        refer.append(reason(codes.RED_FLAG_WAITING, since=_d(red_flag_waiting_since)))
    if refer:
        return Recommendation(Action.STOP_AND_REFER, tuple(refer))

    allow_during = min(phase.max_pain_during, MAX_ALLOWANCE)
    allow_after = min(phase.max_pain_after, MAX_ALLOWANCE)
    sessions = [log for log in logs if log.is_session and log.date >= started]
    last = sessions[-SESSIONS_TO_JUDGE:]

    # Today's session cannot have next-morning pain yet: it counts against the allowance at once, but the
    # advance criteria judge the last sessions whose morning is known (or overdue). Both sets are checked, so
    # today's session never hides the oldest of the sessions judged.
    judged = [log for log in sessions if not (log.date == today and log.pain_next_morning is None)]
    window = sessions[-SESSIONS_TO_JUDGE - 1 :] if len(judged) < len(sessions) else last
    pending = [log for log in judged[-SESSIONS_TO_JUDGE:] if log.pain_next_morning is None]
    # The allowance is judged on those sessions and on any other day of activity in the last week, so a run over
    # the allowance cannot drop out of view behind days of exercises only. Only the last 3 count toward regress.
    week_start = max(started, today - timedelta(days=6))
    checked = [log for log in sessions if log in window or log.date >= week_start]
    exceeded = [
        reason(codes.ALLOWANCE_EXCEEDED, day=_d(log.date), **over)
        for log in checked
        if (over := _over_allowance(log, allow_during, allow_after))
    ]
    exceeded_last = sum(1 for log in last if _over_allowance(log, allow_during, allow_after))
    # Next-morning pain on every day since the first session judged (a rest day's morning counts too).
    since = window[0].date if window else max(started, today - timedelta(days=6))
    rises = []
    for log in logs:
        if log.date >= since and log.pain_next_morning is not None:
            baseline = morning_baseline(logs, log.date, phase_start=started)
            rise = log.pain_next_morning - baseline
            if rise > 0:
                rises.append((rise, log, baseline))

    regress = []
    if exceeded_last >= 2:
        regress += exceeded
    regress += [
        reason(
            codes.MORNING_RISE,
            day=_d(log.date),
            pain=log.pain_next_morning,
            rise=param_number(rise),
            baseline=param_number(base),
        )
        for rise, log, base in rises
        if rise >= 2
    ]
    if regress and is_first:
        return Recommendation(Action.HOLD, (*regress, reason(codes.FIRST_PHASE_REVIEW)), review=True)
    if regress:
        return Recommendation(Action.REGRESS, tuple(regress))

    hold = list(exceeded)
    if not phase.next_day_pain_allowed:
        hold += [
            reason(
                codes.MORNING_NOT_SETTLED,
                day=_d(log.date),
                pain=log.pain_next_morning,
                baseline=param_number(base),
            )
            for _, log, base in rises
        ]
    if pain_free:
        # Any pain on any day of the last week (sessions judged, rest days too), within this phase.
        recent_start = min(since, max(started, today - timedelta(days=6)))
        hold += [
            reason(codes.PAIN_FREE_PAIN, day=_d(log.date), pain=log.peak_pain)
            for log in logs
            if log.date >= recent_start and log.peak_pain
        ]
    this_week = _week_mean(logs, today - timedelta(days=6), today)
    week_before = _week_mean(logs, today - timedelta(days=13), today - timedelta(days=7))
    if this_week is not None and week_before is not None and this_week >= week_before + 1:
        hold.append(reason(codes.PAIN_RISING, before=round(week_before, 1), now=round(this_week, 1)))
    hold += load_jumps(phase, logs, today, started)
    if hold:
        return Recommendation(Action.HOLD, tuple(hold))

    waiting = []
    days_in = (today - started).days + 1
    if days_in < phase.min_days:
        waiting.append(reason(codes.DAYS_IN_PHASE, days=days_in, min_days=phase.min_days))
    if len(sessions) < SESSIONS_TO_JUDGE:
        waiting.append(reason(codes.SESSIONS_LOGGED, logged=len(sessions), needed=SESSIONS_TO_JUDGE))
    elif len(judged) < SESSIONS_TO_JUDGE:
        waiting.append(reason(codes.TODAY_COUNTS_TOMORROW))
    if pending and (phase.must_settle_by_morning or not phase.next_day_pain_allowed):
        waiting += [reason(codes.MORNING_PENDING, day=_d(log.date)) for log in pending]
    # Unanswered is not zero: a session counts as within the allowance only when its pain was recorded.
    waiting += [
        reason(codes.PAIN_UNANSWERED, day=_d(log.date), missing=missing)
        for log in judged[-SESSIONS_TO_JUDGE:]
        if (missing := _unanswered(log))
    ]
    waiting += ladder_waiting(phase, judged)
    if prescription is not None:
        week = compliance_.last_7_days([(started, prescription)], logs, today)
        percent = week.percent
        if percent is not None and percent < compliance_.ON_TRACK:
            waiting.append(reason(codes.COMPLIANCE_BELOW, percent=percent, needed=compliance_.ON_TRACK))
    # Measured exit criteria: each one not met, or not measured in this phase, is named (with when it was last
    # measured); advance needs them all met.
    waiting += criteria_unmet
    if waiting:
        return Recommendation(Action.HOLD, tuple(waiting))
    if is_last:
        return Recommendation(Action.HOLD, (reason(codes.FINAL_PHASE_MET),))
    met = (
        reason(codes.DAYS_IN_PHASE, days=days_in, min_days=phase.min_days),
        reason(codes.SESSIONS_WITHIN, sessions=SESSIONS_TO_JUDGE),
        reason(codes.COMPLIANCE_MET, needed=compliance_.ON_TRACK),
        *criteria_met,
    )
    if next_needs_clearance:
        return Recommendation(Action.HOLD, (*met, reason(codes.NEEDS_CLEARANCE)), needs_clearance=True)
    return Recommendation(Action.ADVANCE, met)
