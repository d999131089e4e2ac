"""Daily logs: the athlete's save, the stop alerts it raises at once, and the job that follows it.

A log goes: the form or API → `log_save` (one transaction: the log, its exercise rows, the shoe's km, and the
alerts the log raises on its own — a red flag, 7/10 or more, pain while running on a bone stress plan; the
athlete's next page says what to do) → after commit, the `rehab.after_log` job (rehab/tasks/status.py) → `after_log`
here: the athlete's status recomputed, the alerts it calls for (a pain spike, ready to advance, a clearance due)
and, on plans that allow it, the automatic advance. Every alert raised, here or in the job, is emailed to the
care team by portal.notifications (urgent and emergency ones at once).
"""

import copy
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from portal import audit
from portal.jobs import enqueue_once
from portal.models import Alert, Athlete, Shoe
from portal.services import alert_raise, alert_resolve, check_athlete_editable
from rehab import codes, selectors
from rehab.codes import AlertKind, reason
from rehab.criteria import reasons_json
from rehab.models import REPORTED_LOG_FIELDS, DailyLog, ExerciseLog, Plan, RehabStatus
from rehab.progression import LogDay
from rehab.services.plans import plan_advance
from rehab.services.status import STATUS_FIELDS, _close_stale, status_row, status_snapshots
from rehab.status import STATE_ALERT_KINDS, log_alerts, stop_alerts

BACKFILL_DAYS = 14
# What a run imported from a watch's file fills in, beyond the minutes, distance and cadence (rehab.services.runs),
# each with its empty value: a run taken off the log takes these with it, and importing it again adds it back.
RUN_IMPORT_EMPTY = {"avg_heart_rate": None, "elevation_gain_m": None, "run_started_at": None, "run_source": "",
                    "run_starts": []}  # fmt: skip
RUN_IMPORT_FIELDS = list(RUN_IMPORT_EMPTY)
LOG_FIELDS = [*REPORTED_LOG_FIELDS, *RUN_IMPORT_FIELDS]


def check_log_date(day: date, today: date) -> None:
    if day > today:
        raise ValidationError({"date": "You can't log a day that hasn't happened yet."})
    if day < today - timedelta(days=BACKFILL_DAYS):
        raise ValidationError({"date": f"Logs can go back {BACKFILL_DAYS} days at most."})


@transaction.atomic
def log_save(
    *,
    athlete,
    day: date,
    data: dict,
    sets: dict[int, int] | None = None,
    today: date | None = None,
    read: selectors.DaysRead | None = None,
) -> DailyLog:
    """Save the athlete's log for `day`: the same day saved again updates it, never a second row.

    `data` holds DailyLog fields (see LOG_FIELDS); `sets` maps planned exercise ids (PlanExercise) to the sets
    done (0 = not done); exercises outside the day's phase are ignored. Adds the distance to the shoe, raises
    the alerts the log calls for on its own, and enqueues `after_log` (status, the other alerts, auto-advance).
    The athlete's plan comes from `read` (selectors.DaysRead with `exercise_names`) when the caller has read it
    already (the log page has, for its form); it is read here otherwise.
    """
    check_athlete_editable(athlete)
    today = today or timezone.localdate()
    check_log_date(day, today)
    unknown = set(data) - set(LOG_FIELDS)
    if unknown:
        raise ValueError(f"Not log fields: {sorted(unknown)}")
    if read is None:
        read = selectors.DaysRead([athlete.pk], today, exercise_names=True)
    plan = read.plan(athlete.pk)
    log = DailyLog.objects.select_for_update().filter(athlete=athlete, date=day).first()
    created = log is None
    if created:
        log = DailyLog(athlete=athlete, date=day)
    else:
        log.athlete = athlete  # the audit entry names it (and its clinic): not read again
    stored = None if created else copy.copy(log)  # what the audit trail's "before" shows
    old_shoe_id, old_km = log.shoe_id, log.distance_km or Decimal(0)
    for name, value in data.items():
        setattr(log, name, value)
    if data.get("shoe") is not None and data["shoe"].athlete_id != athlete.pk:
        raise ValidationError({"shoe": "That is not one of your shoes."})
    if log.phase_id is None or log.plan_id != (plan.pk if plan else None):
        log.plan, log.phase = plan, selectors.phase_on(plan, day)
    rows = None
    if sets is not None and log.phase_id:
        if plan is not None and log.phase_id == plan.current_phase_id:
            planned = plan.current_phase.exercises.all()
        else:
            planned = selectors.plan_exercises().filter(phase_id=log.phase_id)
        rows = [
            ExerciseLog(log=log, plan_exercise=row, exercise_id=row.exercise_id, done=sets.get(row.pk, 0) > 0,
                        sets_done=min(sets.get(row.pk, 0), 50))
            for row in planned
        ]  # fmt: skip
        log.sets_done = sum(row.sets_done for row in rows)
    # athlete, plan and phase were read from the database above, and the shoe by the caller (and is the athlete's,
    # checked above): checking that they exist is 4 queries for nothing.
    log.full_clean(exclude=["athlete", "plan", "phase", "shoe"], validate_constraints=False)
    if created:
        try:
            with transaction.atomic():
                log.save(force_insert=True)
        except IntegrityError:  # a concurrent save of the same day got there first: update that row instead
            return log_save(athlete=athlete, day=day, data=data, sets=sets, today=today, read=read)
        if rows is not None:
            _replace_exercise_logs(log, rows, created=True)
    else:
        # The exercise rows first: when they changed, the log is saved (its `updated` time) though its fields
        # did not; when neither did (a double submit), nothing is written.
        rewritten = rows is not None and _replace_exercise_logs(log, rows, created=False)
        changed = audit.save_changed(stored, log, force=rewritten)
        if not changed:  # a double submit: nothing to move, raise or recompute (the first save's job did)
            return log
    _shoe_move(old_shoe_id, old_km, log.shoe_id, log.distance_km or Decimal(0))
    _raise_stop_alerts(athlete, log, plan)
    enqueue_once(
        after_log_key(athlete.pk, day), "rehab.after_log", athlete.pk, day.isoformat(), today.isoformat()
    )
    return log


def after_log_key(athlete_id: int, day: date) -> str:
    """One waiting job per athlete and day is enough: it reads the log as it is when it runs."""
    return f"after-log:{athlete_id}:{day.isoformat()}"


def _replace_exercise_logs(log: DailyLog, rows: list[ExerciseLog], *, created: bool) -> bool:
    """The day's exercise rows become `rows`: written only when they differ from what is stored (a double submit
    writes nothing), in bulk, and recorded as one "exercise sets" entry on the log's audit trail. True when
    they were written."""
    stored = (
        []
        if created
        else list(
            ExerciseLog.objects.filter(log=log)
            .order_by("pk")
            .values_list("plan_exercise_id", "exercise_id", "done", "sets_done", "exercise__name")
        )
    )
    wanted = [(row.plan_exercise_id, row.exercise_id, row.done, row.sets_done) for row in rows]
    if [tuple(row[:4]) for row in stored] == wanted:
        return False
    if stored:
        ExerciseLog.objects.filter(log=log).delete()
    ExerciseLog.objects.bulk_create(rows)
    audit.exercise_sets_replaced(
        log,
        before=[(name, sets) for *_, sets, name in stored],
        after=[(row.plan_exercise.exercise_name, row.sets_done) for row in rows],
    )
    return True


def _shoe_move(old_shoe_id: int | None, old_km: Decimal, shoe_id: int | None, km: Decimal) -> None:
    """The log's distance moves from the shoe it was on to the shoe it is on now: on the same shoe only the
    difference is added, so saving the same distance again writes nothing."""
    if old_shoe_id == shoe_id:
        _shoe_add(shoe_id, km - old_km)
    else:
        _shoe_add(old_shoe_id, -old_km)
        _shoe_add(shoe_id, km)


def _shoe_add(shoe_id: int | None, km: Decimal) -> None:
    if shoe_id and km:
        Shoe.objects.filter(pk=shoe_id).update(km=Greatest(F("km") + km, Value(Decimal(0))))


def _raise_stop_alerts(athlete, log: DailyLog, plan: Plan | None) -> None:
    """The alerts the log raises on its own, in its own transaction (status.stop_alerts)."""
    if plan is None:
        return
    phase = plan.current_phase if log.phase_id == plan.current_phase_id else log.phase
    for due in stop_alerts(_log_day(log), phase=phase, pain_free=plan.pain_free):
        alert_raise(athlete=athlete, kind=due.kind, severity=due.severity, code=due.reason.code,
                    params=due.reason.params, link=reverse("rehab:timeline", args=[athlete.pk]))  # fmt: skip


def _log_day(log: DailyLog) -> LogDay:
    return LogDay(
        date=log.date, run_minutes=log.run_minutes, pain_during=log.pain_during, pain_after=log.pain_after,
        pain_next_morning=log.pain_next_morning, red_flags=tuple(log.red_flags),
    )  # fmt: skip


def after_log(*, athlete_id: int, day: date, today: date) -> None:
    """What follows an athlete's log of `day` (the `rehab.after_log` job): their status is recomputed with it,
    the "no log" alert closes, state alerts that no longer hold close, and the alerts the new status calls for
    are raised — a pain spike over the usual, ready to advance (or advanced, on plans that advance on their
    own, unless an urgent alert is open), a clearance due. Safe to run twice: every alert is one open row per
    kind, and a second run finds the phase already advanced."""
    athlete = Athlete.objects.filter(pk=athlete_id).first()
    if athlete is None or athlete.anonymised_at is not None:
        return
    open_alerts = {alert.kind: alert for alert in Alert.objects.open().filter(athlete_id=athlete_id)}
    read = selectors.DaysRead([athlete_id], today, alerts=open_alerts.values())
    plan, snap = status_snapshots([athlete], today, read=read)[athlete_id]
    RehabStatus.objects.bulk_create(
        [status_row(athlete_id, plan, snap)], update_conflicts=True, unique_fields=["athlete"],
        update_fields=STATUS_FIELDS,
    )  # fmt: skip
    if AlertKind.NO_LOG in open_alerts:
        alert_resolve(
            alert=open_alerts[AlertKind.NO_LOG], by=None, note_code=codes.CLOSED_LOGGED,
            note_params={"day": day.isoformat()},
        )  # fmt: skip
    _close_stale({athlete_id: (plan, snap)}, [a for a in open_alerts.values() if a.kind in STATE_ALERT_KINDS])
    if plan is None:
        return
    logs = read.logs[athlete_id]
    this = next((log for log in logs if log.date == day), None)
    for due in log_alerts(this, logs, snap) if this else []:
        if due.kind == AlertKind.READY_TO_ADVANCE and plan.auto_advance and not _has_serious(open_alerts):
            why = reason(codes.PHASE_AUTOMATIC, reasons=reasons_json(snap.recommendation.reasons))
            plan_advance(plan=plan, by=None, reason=why, today=today)
            continue
        alert_raise(athlete=athlete, kind=due.kind, severity=due.severity, code=due.reason.code,
                    params=due.reason.params, link=reverse("rehab:timeline", args=[athlete_id]))  # fmt: skip


def _has_serious(open_alerts: dict) -> bool:
    return any(
        alert.severity in (Alert.Severity.URGENT, Alert.Severity.EMERGENCY) for alert in open_alerts.values()
    )
