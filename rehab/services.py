"""Writes for plans (assign, move, duplicate) and for the daily loop (logs, status, alerts, progression)."""

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from portal import audit
from portal.models import Alert, Shoe
from portal.services import alert_raise, alert_resolve, check_athlete_editable
from rehab import selectors
from rehab.compliance import Prescription
from rehab.models import (
    Action,
    DailyLog,
    ExerciseLog,
    PhaseChange,
    PhaseExerciseTemplate,
    PhaseTemplate,
    Plan,
    PlanExercise,
    PlanPhase,
    PlanTemplate,
    RedFlag,
    RehabStatus,
)
from rehab.status import (
    STATE_ALERT_KINDS,
    AlertDue,
    Snapshot,
    log_alerts,
    snapshot,
    stale_alerts,
    time_alerts,
)

PHASE_FIELDS = [
    "order", "name", "goal", "min_days", "max_pain_during", "max_pain_after", "must_settle_by_morning",
    "next_day_pain_allowed", "pain_note", "run_activity", "run_minutes", "sessions_per_week", "walk_minutes",
    "jog_minutes", "incline_pct", "weekly_increase_cap_pct", "run_note", "run_steps", "exit_criteria",
    "requires_clearance",
]  # fmt: skip
DOSAGE_FIELDS = [
    "order", "exercise_id", "sets", "reps", "hold_seconds", "duration_minutes", "per_side", "times_per_day",
    "days_per_week", "note",
]  # fmt: skip


def _copy(source, target_cls, fields, **extra):
    return target_cls(**{name: getattr(source, name) for name in fields}, **extra)


@transaction.atomic
def plan_assign(
    *,
    athlete,
    template: PlanTemplate,
    by,
    start: date,
    goal: str = "",
    name: str = "",
    pain_free: bool | None = None,
) -> Plan:
    """Copy `template` into a new active plan for `athlete`, starting in its first phase.

    `pain_free` (any pain holds the phase) defaults to selectors.pain_free_default; a bone stress injury
    template always keeps it.

    Raises ValidationError if the athlete already has an active plan or the template has no phases.
    """
    check_athlete_editable(athlete)
    if Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE).exists():
        raise ValidationError("This athlete already has an active plan. Complete, pause or cancel it first.")
    phases = list(template.phases.prefetch_related("exercises"))
    if not phases:
        raise ValidationError("This template has no phases yet.")
    if pain_free is None:
        pain_free = selectors.pain_free_default(athlete, template)
    elif not pain_free:
        pain_free = selectors.template_pain_free(template)
    plan = Plan(athlete=athlete, template=template, name=name or template.name, goal=goal, start_date=start,
                assigned_by=by, pain_free=pain_free)  # fmt: skip
    plan.full_clean()
    plan.save()
    copies = PlanPhase.objects.bulk_create(_copy(p, PlanPhase, PHASE_FIELDS, plan=plan) for p in phases)
    PlanExercise.objects.bulk_create(
        _copy(ex, PlanExercise, DOSAGE_FIELDS, phase=copy)
        for source, copy in zip(phases, copies, strict=True)
        for ex in source.exercises.all()
    )
    first = copies[0]
    first.started_on = start
    first.save(update_fields=["started_on"])
    plan.current_phase = first
    plan.save(update_fields=["current_phase"])
    PhaseChange.objects.create(plan=plan, to_phase=first, kind=PhaseChange.Kind.START, by=by,
                               reason=f"Assigned from “{template.name}”.")  # fmt: skip
    _plan_changed(plan, by=by)
    return plan


class PlanChanged(Exception):
    """The plan was saved by someone else after the caller read it at version `seen`: nothing was changed.

    `plan` is the plan as it is now (its version, when it changed and `changed_by`).
    """

    def __init__(self, plan: Plan, *, seen: int):
        self.plan, self.seen = plan, seen
        super().__init__(self.summary())

    def _at(self) -> str:
        when = timezone.localtime(self.plan.updated)
        if when.date() == timezone.localdate():
            return f"{when:%H:%M}"
        return f"{when:%H:%M} on {when.day} {when:%B}"

    def _who(self) -> str:
        who = self.plan.changed_by
        return (who.get_full_name() or who.email) if who is not None else ""

    def summary(self) -> str:
        """For programs and logs: "This plan was changed at 14:05 by Maya Okafor"."""
        who = self._who()
        return f"This plan was changed at {self._at()}" + (f" by {who}" if who else "")

    def describe(self, viewer=None) -> str:
        """For the person whose save was refused: "Someone else changed this plan at 14:05 (by Maya Okafor)"."""
        who = self.plan.changed_by
        if who is None:  # an automatic change (auto-advance after a log) or a deleted login
            return f"This plan was changed at {self._at()}"
        if viewer is not None and who.pk == viewer.pk:
            return f"You changed this plan at {self._at()} in another tab or window"
        return f"Someone else changed this plan at {self._at()} (by {self._who()})"


PLAN_GONE = "This plan no longer exists."


def _bump(plan: Plan, *, by) -> None:
    """A new version of the plan: +1, when and who. Takes the row lock until the transaction ends."""
    now = timezone.now()
    if not Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1, updated=now, changed_by=by):
        raise ValidationError(PLAN_GONE)
    plan.version = Plan.objects.filter(pk=plan.pk).values_list("version", flat=True).get()
    plan.updated, plan.changed_by = now, by


def _claim(plan: Plan, *, by, seen: int | None) -> None:
    """Start one change of `plan` (inside a transaction): its version goes up once, its row stays locked.

    With `seen` (the version the user's page or request was built from), refuse with PlanChanged when the
    plan is no longer at that version: the conditional UPDATE waits for a concurrent change to commit and then
    matches nothing, so of two simultaneous saves of the same version exactly one goes through. Without `seen`
    (no check: automatic moves, API clients that send no version) the plan is re-read under the lock so the
    change applies to its current state.
    """
    check_athlete_editable(plan.athlete)
    if seen is None:
        _bump(plan, by=by)
        plan.refresh_from_db(from_queryset=Plan.objects.select_related("athlete", "current_phase"))
        return
    now = timezone.now()
    claimed = Plan.objects.filter(pk=plan.pk, version=seen).update(
        version=F("version") + 1, updated=now, changed_by=by
    )
    if not claimed:
        current = Plan.objects.select_related("changed_by").filter(pk=plan.pk).first()
        if current is None:
            raise ValidationError(PLAN_GONE)
        raise PlanChanged(current, seen=seen)
    plan.version, plan.updated, plan.changed_by = seen + 1, now, by


@contextmanager
def plan_editing(*, plan: Plan, by, seen: int | None) -> Iterator[Plan]:
    """One edit of the plan's content (e.g. the tailor form's phase and exercises, saved inside the block).

    Raises PlanChanged before the block runs when the plan is no longer at version `seen`; an exception in the
    block rolls the whole edit back, version included.
    """
    with transaction.atomic():
        _claim(plan, by=by, seen=seen)
        yield plan


@transaction.atomic
def plan_move(
    *,
    plan: Plan,
    to_phase: PlanPhase,
    by,
    reason: str = "",
    today: date | None = None,
    seen: int | None = None,
) -> PhaseChange:
    """Move `plan` to `to_phase` and record why. The kind (advance / regress / jump) follows from the order.

    `seen`: the plan version the caller's page showed; PlanChanged if the plan changed since (here and below).
    """
    _claim(plan, by=by, seen=seen)
    return _move(plan, to_phase, by=by, reason=reason, today=today)


def _move(plan: Plan, to_phase: PlanPhase, *, by, reason: str, today: date | None) -> PhaseChange:
    if to_phase.plan_id != plan.pk:
        raise ValidationError("That phase belongs to another plan.")
    current = plan.current_phase
    if current is not None and current.pk == to_phase.pk:
        raise ValidationError("The plan is already in that phase.")
    # Moving forward enters (or passes) every phase up to the target: none of them may be waiting for a clearance.
    passed = (
        plan.phases.filter(order__gt=current.order, order__lte=to_phase.order)
        if current is not None and to_phase.order > current.order
        else PlanPhase.objects.filter(pk=to_phase.pk)
    )
    waiting = passed.filter(requires_clearance=True, cleared_at__isnull=True).order_by("order").first()
    if waiting is not None:
        raise ValidationError(
            f"“{waiting.name}” needs a clinician's clearance before it starts: record it first (on the plan "
            "page, in that phase, or on the timeline)."
        )
    if current is None or abs(to_phase.order - current.order) > 1:
        kind = PhaseChange.Kind.JUMP
    elif to_phase.order > current.order:
        kind = PhaseChange.Kind.ADVANCE
    else:
        kind = PhaseChange.Kind.REGRESS
    today = today or date.today()
    to_phase.started_on = today
    to_phase.save(update_fields=["started_on"])
    plan.current_phase = to_phase
    plan.save(update_fields=["current_phase", "updated"])
    change = PhaseChange.objects.create(plan=plan, from_phase=current, to_phase=to_phase, kind=kind, by=by,
                                        reason=reason)  # fmt: skip
    _plan_changed(plan, by=by, today=today)
    return change


def _neighbour(plan: Plan, step: int) -> PlanPhase:
    current = plan.current_phase
    phases = list(plan.phases.all())
    index = next((i for i, p in enumerate(phases) if current and p.pk == current.pk), None)
    target = None if index is None else index + step
    if target is None or not 0 <= target < len(phases):
        raise ValidationError("This is the last phase." if step > 0 else "This is the first phase.")
    return phases[target]


@transaction.atomic
def plan_advance(
    *, plan: Plan, by, reason: str = "", today: date | None = None, seen: int | None = None
) -> PhaseChange:
    _claim(plan, by=by, seen=seen)
    return _move(plan, _neighbour(plan, +1), by=by, reason=reason, today=today)


@transaction.atomic
def plan_regress(
    *, plan: Plan, by, reason: str = "", today: date | None = None, seen: int | None = None
) -> PhaseChange:
    _claim(plan, by=by, seen=seen)
    return _move(plan, _neighbour(plan, -1), by=by, reason=reason, today=today)


def plan_touch(plan: Plan, *, by=None) -> None:
    """Record a change made outside these services (the admin's forms): a new version, when and by whom.

    Its printed program is rendered again. Callers that must not overwrite a newer version lock the row and
    compare versions first (rehab.admin.PlanVersionFormMixin).
    """
    _bump(plan, by=by)


PLAN_EDITABLE_FIELDS = ("name", "goal", "auto_advance", "pain_free")


@transaction.atomic
def plan_update(*, plan: Plan, by, seen: int | None = None, status: str | None = None, **changes) -> Plan:
    """Change a plan's name, goal, auto-advance, pain-free rule and status as one change (one new version).

    Raises PlanChanged when the plan is no longer at version `seen`, ValidationError({"status": …}) when the
    status change is refused.
    """
    unknown = set(changes) - set(PLAN_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable plan fields: {sorted(unknown)}")
    _claim(plan, by=by, seen=seen)
    if changes:
        for name, value in changes.items():
            setattr(plan, name, value)
        plan.save(update_fields=[*changes, "updated"])
    if status is not None and status != plan.status:
        try:
            _set_status(plan, status, by=by)
        except ValidationError as error:
            raise ValidationError({"status": error.messages}) from None
    return plan


@transaction.atomic
def template_duplicate(*, template: PlanTemplate, clinic, name: str = "") -> PlanTemplate:
    """A clinic-owned copy of `template`, with its phases and exercises, for the clinic to adapt."""
    base = f"{template.slug}-copy"
    slug, n = base, 1
    while PlanTemplate.objects.filter(clinic=clinic, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    copy = PlanTemplate.objects.create(
        clinic=clinic, slug=slug, name=name or f"{template.name} (copy)", summary=template.summary,
        duration_weeks_min=template.duration_weeks_min, duration_weeks_max=template.duration_weeks_max,
    )  # fmt: skip
    copy.conditions.set(template.conditions.all())
    phases = list(template.phases.prefetch_related("exercises"))
    copies = PhaseTemplate.objects.bulk_create(
        _copy(p, PhaseTemplate, PHASE_FIELDS, template=copy) for p in phases
    )
    PhaseExerciseTemplate.objects.bulk_create(
        _copy(ex, PhaseExerciseTemplate, DOSAGE_FIELDS, phase=c)
        for p, c in zip(phases, copies, strict=True)
        for ex in p.exercises.all()
    )
    return copy


@transaction.atomic
def plan_set_status(*, plan: Plan, status: str, by, seen: int | None = None) -> Plan:
    """Pause, resume, complete or cancel a plan. Only one plan per athlete can be active."""
    _claim(plan, by=by, seen=seen)
    return _set_status(plan, status, by=by)


def _set_status(plan: Plan, status: str, *, by) -> Plan:
    if status not in Plan.Status.values:
        raise ValidationError("Unknown plan status.")
    if status == Plan.Status.ACTIVE and (
        Plan.objects.filter(athlete=plan.athlete, status=Plan.Status.ACTIVE).exclude(pk=plan.pk).exists()
    ):
        raise ValidationError("This athlete already has an active plan. Complete, pause or cancel it first.")
    plan.status = status
    plan.save(update_fields=["status", "updated"])
    _plan_changed(plan, by=by)
    return plan


# ---------------------------------------------------------------------------------------------------------------
# Daily logs, status and alerts

BACKFILL_DAYS = 14
STATUS_FIELDS = [
    "as_of", "plan", "phase", "last_log_date", "last_pain", "pain_baseline", "pain_trend", "compliance_7d",
    "action", "reasons", "km_7d", "km_change_pct", "acwr", "spark", "risk",
]  # fmt: skip
LOG_FIELDS = [
    "run_minutes", "distance_km", "walk_minutes", "jog_minutes", "shoe", "pain_during", "pain_after",
    "pain_next_morning", "pain_locations", "triggers", "notes", *RedFlag.values,
]  # fmt: skip
# Resolved alerts of these kinds are not raised again for a week: the clinician has seen the pattern.
TIME_ALERT_COOLDOWN_DAYS = 7


def check_log_date(day: date, today: date) -> None:
    if day > today:
        raise ValidationError({"date": "You can't log a day that hasn't happened yet."})
    if day < today - timedelta(days=BACKFILL_DAYS):
        raise ValidationError({"date": f"Logs can go back {BACKFILL_DAYS} days at most."})


def _schedule(plan: Plan | None) -> list[tuple[date, Prescription]]:
    if plan is None or plan.current_phase is None:
        return []
    phase = plan.current_phase
    return [(phase.started_on or plan.start_date, Prescription.from_phase(phase, phase.exercises.all()))]


def status_snapshots(
    athletes, today: date, *, logs=None, plans=None, waiting=None
) -> dict[int, tuple[Plan | None, Snapshot]]:
    """Each athlete's Snapshot as of `today`, with their active plan: four queries whatever their number, and
    a fifth when some are to advance or step back (where does their phase sit in the plan?).

    `logs`: the athletes' selectors.log_days from today - 27 days to today, `plans`: their
    selectors.active_plans, and `waiting`: selectors.red_flags_waiting, when the caller has them already.
    """
    ids = [athlete.pk for athlete in athletes]
    if plans is None:
        plans = selectors.active_plans(ids)
    if logs is None:
        logs = selectors.log_days(ids, today - timedelta(days=27), today)
    if waiting is None:
        waiting = selectors.red_flags_waiting(ids)

    def snap(pk: int, *, place: selectors.PhasePlace | None = None) -> Snapshot:
        plan = plans.get(pk)
        phase = plan.current_phase if plan else None
        return snapshot(
            logs=logs[pk],
            today=today,
            phase=phase,
            schedule=_schedule(plan),
            pain_free=bool(plan and plan.pain_free),
            is_first=bool(place and place.is_first),
            is_last=bool(place and place.is_last),
            next_needs_clearance=bool(place and place.next_needs_clearance),
            red_flag_waiting_since=waiting.get(pk),
            plan_start=(phase.started_on or plan.start_date) if phase else None,
        )

    result = {pk: (plans.get(pk), snap(pk)) for pk in ids}
    # Only advice to advance or step back depends on where the phase sits in its plan (the last one: consider
    # completing; the next one needs a clearance: hold; the first one: nothing to step back to), so the plans'
    # phases are read only for those athletes.
    moving = {
        pk: plan
        for pk, (plan, s) in result.items()
        if plan and s.recommendation.action in (Action.ADVANCE, Action.REGRESS)
    }
    if moving:
        places = selectors.phase_places(moving.values())
        for pk, plan in moving.items():
            place = places.get(plan.pk)
            if place is not None and (place.is_first or place.is_last or place.next_needs_clearance):
                result[pk] = (plan, snap(pk, place=place))
    return result


def status_row(athlete_id: int, plan: Plan | None, snap: Snapshot) -> RehabStatus:
    """The RehabStatus row (unsaved) for an athlete's snapshot: what the caseload sorts and shows."""
    rec = snap.recommendation
    return RehabStatus(
        athlete_id=athlete_id,
        as_of=snap.today,
        plan=plan,
        phase=plan.current_phase if plan else None,
        last_log_date=snap.last_log_date,
        last_pain=snap.last_pain,
        pain_baseline=snap.baseline,
        pain_trend=snap.trend,
        compliance_7d=snap.compliance.percent if snap.compliance else None,
        action=rec.action if rec else "",
        reasons=list(rec.reasons) if rec else [],
        km_7d=snap.load.km_7d,
        km_change_pct=snap.load.change_pct,
        acwr=snap.load.acwr,
        spark=snap.spark,
        risk=snap.risk,
    )


def status_refresh(athletes, *, today: date | None = None, raise_alerts: bool = True) -> int:
    """Recompute the caseload status of `athletes`, and raise the alerts time brings (no logs, low compliance).

    Run for every athlete once a day (`manage.py rehab_refresh`); the caseload also refreshes stale rows.
    """
    today = today or timezone.localdate()
    athletes = list(athletes)
    snaps = status_snapshots(athletes, today)
    RehabStatus.objects.bulk_create(
        [status_row(pk, plan, snap) for pk, (plan, snap) in snaps.items()],
        update_conflicts=True,
        unique_fields=["athlete"],
        update_fields=STATUS_FIELDS,
    )
    _close_stale(snaps)
    if raise_alerts:
        by_pk = {athlete.pk: athlete for athlete in athletes}
        due = {pk: time_alerts(snap) for pk, (plan, snap) in snaps.items() if plan is not None}
        _raise_new(by_pk, {pk: alerts for pk, alerts in due.items() if alerts}, today)
    return len(snaps)


def _close_stale(snaps: dict[int, tuple[Plan | None, Snapshot]], open_alerts=None) -> None:
    """Close the open alerts whose condition the new status no longer meets (e.g. "ready to advance" once the
    engine says hold), each with the reason. `open_alerts`: the athletes' open alerts when the caller has them."""
    if open_alerts is None:
        open_alerts = list(
            Alert.objects.open().filter(athlete_id__in=list(snaps), kind__in=STATE_ALERT_KINDS)
        )
    by_athlete: dict[int, dict[str, Alert]] = {}
    for alert in open_alerts:
        by_athlete.setdefault(alert.athlete_id, {})[alert.kind] = alert
    for pk, kinds in by_athlete.items():
        plan, snap = snaps[pk]
        for kind, note in stale_alerts(snap if plan is not None else None, kinds).items():
            alert_resolve(alert=kinds[kind], by=None, note=note)


def _raise_new(athletes: dict, due: dict[int, list[AlertDue]], today: date) -> None:
    """Raise `due` alerts unless one of the kind is open or was resolved less than a week ago."""
    if not due:
        return
    since = timezone.now() - timedelta(days=TIME_ALERT_COOLDOWN_DAYS)
    seen = set(
        Alert.objects.filter(
            athlete_id__in=list(due), kind__in={a.kind for alerts in due.values() for a in alerts}
        )
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__gte=since))
        .values_list("athlete_id", "kind")
    )
    for pk, alerts in due.items():
        for alert in alerts:
            if (pk, alert.kind) not in seen:
                with transaction.atomic():
                    alert_raise(
                        athlete=athletes[pk], kind=alert.kind, severity=alert.severity, message=alert.message,
                        link=reverse("rehab:timeline", args=[pk]),
                    )  # fmt: skip


@transaction.atomic
def log_save(
    *,
    athlete,
    day: date,
    data: dict,
    sets: dict[int, int] | None = None,
    today: date | None = None,
    plans: dict[int, Plan] | None = None,
) -> DailyLog:
    """Save the athlete's log for `day`: the same day saved again updates it, never a second row.

    `data` holds DailyLog fields (see LOG_FIELDS); `sets` maps planned exercise ids (PlanExercise) to the sets
    done (0 = not done); exercises outside the day's phase are ignored. Adds the distance to the shoe, refreshes
    the athlete's status, raises the alerts the log calls for and, on plans that allow it, advances the phase.
    `plans` is `selectors.active_plans([athlete.pk], exercise_names=True)` when the caller has read it already
    (the log page has, for its form); it is read here otherwise.
    """
    check_athlete_editable(athlete)
    today = today or timezone.localdate()
    check_log_date(day, today)
    unknown = set(data) - set(LOG_FIELDS)
    if unknown:
        raise ValueError(f"Not log fields: {sorted(unknown)}")
    if plans is None:
        # With its current phase's exercises: the status refresh below reads it too.
        plans = selectors.active_plans([athlete.pk], exercise_names=True)
    plan = plans.get(athlete.pk)
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
            return log_save(athlete=athlete, day=day, data=data, sets=sets, today=today, plans=plans)
        if rows is not None:
            _replace_exercise_logs(log, rows, created=True)
    else:
        # The exercise rows first: when they changed, the log is saved (its `updated` time) though its fields
        # did not; when neither did (a double submit), nothing is written.
        rewritten = rows is not None and _replace_exercise_logs(log, rows, created=False)
        audit.save_changed(stored, log, force=rewritten)
    _shoe_move(old_shoe_id, old_km, log.shoe_id, log.distance_km or Decimal(0))
    _after_log(athlete, log, plans, today)
    return log


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


def _after_log(athlete, log: DailyLog, plans: dict[int, Plan], today: date) -> None:
    recent = selectors.log_days([athlete.pk], today - timedelta(days=27), today)
    open_alerts = {alert.kind: alert for alert in Alert.objects.open().filter(athlete=athlete)}
    waiting = selectors.red_flags_waiting([athlete.pk], alerts=open_alerts.values())
    plan, snap = status_snapshots([athlete], today, logs=recent, plans=plans, waiting=waiting)[athlete.pk]
    RehabStatus.objects.bulk_create(
        [status_row(athlete.pk, plan, snap)], update_conflicts=True, unique_fields=["athlete"],
        update_fields=STATUS_FIELDS,
    )  # fmt: skip
    if "no_log" in open_alerts:
        alert_resolve(alert=open_alerts["no_log"], by=None, note=f"The athlete logged {log.date:%d %b}.")
    _close_stale({athlete.pk: (plan, snap)}, [a for a in open_alerts.values() if a.kind in STATE_ALERT_KINDS])
    if plan is None:
        return
    logs = recent[athlete.pk]
    this = next((day for day in logs if day.date == log.date), None)
    phase = plan.current_phase if log.phase_id == plan.current_phase_id else log.phase
    alerts = log_alerts(this, logs, snap, phase=phase, pain_free=plan.pain_free) if this else []
    for due in alerts:
        if due.kind == "ready_to_advance" and plan.auto_advance and not _has_serious(open_alerts):
            plan_advance(plan=plan, by=None, reason="Automatic: " + " ".join(snap.recommendation.reasons),
                         today=today)  # fmt: skip
            continue
        alert_raise(athlete=athlete, kind=due.kind, severity=due.severity, message=due.message,
                    link=reverse("rehab:timeline", args=[athlete.pk]))  # fmt: skip


def _plan_changed(plan: Plan, *, by, today: date | None = None) -> None:
    """After a phase move or status change: the readiness alert is answered and the status is out of date."""
    alert = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind="ready_to_advance").first()
    if alert is not None:
        alert_resolve(alert=alert, by=by, note="The plan was changed.")
    status_refresh([plan.athlete], today=today or timezone.localdate(), raise_alerts=False)


def _has_serious(open_alerts: dict) -> bool:
    return any(
        alert.severity in (Alert.Severity.URGENT, Alert.Severity.EMERGENCY) for alert in open_alerts.values()
    )


@transaction.atomic
def recommendation_apply(
    *, plan: Plan, action: str, by, today: date | None = None, seen: int | None = None
) -> PhaseChange | None:
    """Act on the progression engine's advice for `plan` in one step; the reasons go into the phase history.

    advance and regress move the plan; stop_and_refer pauses it. Refuses when the advice changed meanwhile,
    and (PlanChanged) when the plan is no longer at version `seen`.
    """
    today = today or timezone.localdate()
    _claim(plan, by=by, seen=seen)
    _, snap = status_snapshots([plan.athlete], today)[plan.athlete_id]
    rec = snap.recommendation
    if rec is not None and rec.action == Action.HOLD and action != Action.HOLD:
        raise ValidationError(
            f"The progression engine now says hold, so there is nothing to apply: {rec.reasons[0]}"
        )
    if rec is None or rec.action != action:
        raise ValidationError("The recommendation has changed since the page was loaded. Look again.")
    reason = "Recommended: " + " ".join(rec.reasons)
    change = None
    if action == Action.ADVANCE:
        change = _move(plan, _neighbour(plan, +1), by=by, reason=reason[:500], today=today)
    elif action == Action.REGRESS:
        change = _move(plan, _neighbour(plan, -1), by=by, reason=reason[:500], today=today)
    elif action == Action.STOP_AND_REFER:
        _set_status(plan, Plan.Status.PAUSED, by=by)
    else:
        raise ValidationError("Holding needs no action.")
    done = "stepped back one phase" if action == Action.REGRESS else "paused for a referral"
    answered = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind__in=ANSWERED_BY[action])
    for alert in answered:
        alert_resolve(alert=alert, by=by, note=f"Answered: the plan was {done}.")
    return change


# The alerts a clinician answers by applying the engine's advice (advancing answers "ready to advance" through
# _plan_changed). Pausing for a referral answers the pain spike, but not the red flag itself (status.STOP_ALERT_KINDS):
# that waits until a clinician has been in touch and resolves it with a note, and until then the athlete's Today
# page keeps saying what to do.
ANSWERED_BY = {
    Action.ADVANCE: (),
    Action.REGRESS: ("pain_spike",),
    Action.STOP_AND_REFER: ("pain_spike",),
}


@transaction.atomic
def phase_clear(
    *, plan: Plan, phase: PlanPhase, by, imaging: bool, note: str = "", seen: int | None = None
) -> PlanPhase:
    """Record the clinician's clearance for `phase` to start (who, when, whether imaging was done, a note).

    Raises ValidationError when the phase needs none or has one already, PlanChanged as the other plan edits.
    """
    _claim(plan, by=by, seen=seen)
    if phase.plan_id != plan.pk:
        raise ValidationError("That phase belongs to another plan.")
    phase = PlanPhase.objects.select_for_update().get(pk=phase.pk)
    if not phase.requires_clearance:
        raise ValidationError(f"“{phase.name}” needs no clearance.")
    if phase.cleared_at is not None:
        raise ValidationError(f"“{phase.name}” was cleared already.")
    phase.cleared_by, phase.cleared_at = by, timezone.now()
    phase.cleared_on_imaging, phase.clearance_note = imaging, note
    phase.full_clean(exclude=["plan"])
    phase.save(update_fields=["cleared_by", "cleared_at", "cleared_on_imaging", "clearance_note"])
    alert = Alert.objects.open().filter(athlete_id=plan.athlete_id, kind="clearance_due").first()
    if alert is not None:
        alert_resolve(alert=alert, by=by, note=f"Cleared for “{phase.name}”.")
    _plan_changed(plan, by=by)
    return phase
