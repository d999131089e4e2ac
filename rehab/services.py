"""Writes for plans: assign a template (copy), move between phases, duplicate templates."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from rehab.models import (
    PhaseChange,
    PhaseExerciseTemplate,
    PhaseTemplate,
    Plan,
    PlanExercise,
    PlanPhase,
    PlanTemplate,
)

PHASE_FIELDS = [
    "order", "name", "goal", "min_days", "max_pain_during", "max_pain_after", "must_settle_by_morning",
    "next_day_pain_allowed", "pain_note", "run_activity", "run_minutes", "sessions_per_week", "walk_minutes",
    "jog_minutes", "incline_pct", "weekly_increase_cap_pct", "run_note", "exit_criteria",
]  # fmt: skip
DOSAGE_FIELDS = [
    "order", "exercise_id", "sets", "reps", "hold_seconds", "duration_minutes", "per_side", "times_per_day",
    "days_per_week", "note",
]  # fmt: skip


def _copy(source, target_cls, fields, **extra):
    return target_cls(**{name: getattr(source, name) for name in fields}, **extra)


@transaction.atomic
def plan_assign(*, athlete, template: PlanTemplate, by, start: date, goal: str = "", name: str = "") -> Plan:
    """Copy `template` into a new active plan for `athlete`, starting in its first phase.

    Raises ValidationError if the athlete already has an active plan or the template has no phases.
    """
    if Plan.objects.filter(athlete=athlete, status=Plan.Status.ACTIVE).exists():
        raise ValidationError("This athlete already has an active plan. Complete, pause or cancel it first.")
    phases = list(template.phases.prefetch_related("exercises"))
    if not phases:
        raise ValidationError("This template has no phases yet.")
    plan = Plan(athlete=athlete, template=template, name=name or template.name, goal=goal, start_date=start,
                assigned_by=by)  # fmt: skip
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
    return plan


@transaction.atomic
def plan_move(
    *, plan: Plan, to_phase: PlanPhase, by, reason: str = "", today: date | None = None
) -> PhaseChange:
    """Move `plan` to `to_phase` and record why. The kind (advance / regress / jump) follows from the order."""
    if to_phase.plan_id != plan.pk:
        raise ValidationError("That phase belongs to another plan.")
    current = plan.current_phase
    if current is not None and current.pk == to_phase.pk:
        raise ValidationError("The plan is already in that phase.")
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
    plan_touch(plan)
    return PhaseChange.objects.create(plan=plan, from_phase=current, to_phase=to_phase, kind=kind, by=by,
                                      reason=reason)  # fmt: skip


def _neighbour(plan: Plan, step: int) -> PlanPhase:
    current = plan.current_phase
    phases = list(plan.phases.all())
    index = next((i for i, p in enumerate(phases) if current and p.pk == current.pk), None)
    target = None if index is None else index + step
    if target is None or not 0 <= target < len(phases):
        raise ValidationError("This is the last phase." if step > 0 else "This is the first phase.")
    return phases[target]


def plan_advance(*, plan: Plan, by, reason: str = "", today: date | None = None) -> PhaseChange:
    return plan_move(plan=plan, to_phase=_neighbour(plan, +1), by=by, reason=reason, today=today)


def plan_regress(*, plan: Plan, by, reason: str = "", today: date | None = None) -> PhaseChange:
    return plan_move(plan=plan, to_phase=_neighbour(plan, -1), by=by, reason=reason, today=today)


def plan_touch(plan: Plan) -> None:
    """Record that the plan's content changed (its printed program must be rendered again)."""
    Plan.objects.filter(pk=plan.pk).update(version=F("version") + 1)


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
def plan_set_status(*, plan: Plan, status: str, by) -> Plan:
    """Pause, resume, complete or cancel a plan. Only one plan per athlete can be active."""
    if status not in Plan.Status.values:
        raise ValidationError("Unknown plan status.")
    if status == Plan.Status.ACTIVE and (
        Plan.objects.filter(athlete=plan.athlete, status=Plan.Status.ACTIVE).exclude(pk=plan.pk).exists()
    ):
        raise ValidationError("This athlete already has an active plan. Complete, pause or cancel it first.")
    plan.status = status
    plan.save(update_fields=["status", "updated"])
    return plan
